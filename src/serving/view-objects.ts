// The image view objects of one stream, given a way to read Image objects:
// what the views API serves (views-api.ts) and what the CLI builds itself
// when that API is not served (src/cli/views/). One composition of the pure
// builders in src/reconcile/image-views.ts, so both answer the same object.
import type { Image, ImageStream } from "../api/types.js";
import {
  currentImage,
  type DigestMatch,
  type ImageStreamImageView,
  type ImageStreamTagView,
  imageStreamImage,
  imageStreamTag,
  resolveStreamDigest,
  streamDigests,
  tagNames,
} from "../reconcile/image-views.js";
import type { ReadImage } from "./image-reader.js";

export type ImageViewResult = ImageStreamImageView | Extract<DigestMatch, { error: string }>;

/** The ImageStreamTag stream:tag, undefined when the stream has no such tag. */
export async function tagView(
  readImage: ReadImage,
  stream: ImageStream,
  tag: string,
): Promise<ImageStreamTagView | undefined> {
  const digest = currentImage(stream, tag);
  const image = digest ? await readImage(digest) : undefined;
  return imageStreamTag(stream, tag, image);
}

/** The ImageStreamImage stream@digest (a unique prefix accepted), or why there is none. */
export async function imageViewOf(
  readImage: ReadImage,
  stream: ImageStream,
  digest: string,
): Promise<ImageViewResult> {
  const match = resolveStreamDigest(stream, digest);
  if ("error" in match) return match;
  const image: Image | undefined = await readImage(match.digest);
  if (!image) return { error: "NotFound" as const, message: `image "${match.digest}" not found` };
  return imageStreamImage(stream, match, image);
}

/** Streams in the order the views list them: namespace/name. */
export function sortStreams(streams: readonly ImageStream[]): ImageStream[] {
  const key = (s: ImageStream) => `${s.metadata.namespace}/${s.metadata.name}`;
  return [...streams].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Every tag view of the streams, as a list answers. */
export async function tagViewsOf(
  readImage: ReadImage,
  streams: readonly ImageStream[],
): Promise<ImageStreamTagView[]> {
  const views: ImageStreamTagView[] = [];
  for (const s of sortStreams(streams))
    for (const tag of tagNames(s)) {
      const v = await tagView(readImage, s, tag);
      if (v) views.push(v);
    }
  return views;
}

/** Every image view of the streams, as a list answers (images that cannot be read are left out). */
export async function imageViewsOf(
  readImage: ReadImage,
  streams: readonly ImageStream[],
): Promise<ImageStreamImageView[]> {
  const views: ImageStreamImageView[] = [];
  for (const s of sortStreams(streams))
    for (const digest of streamDigests(s)) {
      const v = await imageViewOf(readImage, s, digest);
      if (!("error" in v)) views.push(v);
    }
  return views;
}
