// Image objects no stream refers to any more. An Image is kept when any
// stream's history names its digest, when it is a child of a kept manifest
// list (PreserveOriginal), or while it is younger than the grace period: the
// controller creates Images before it writes the status that refers to them.

import type { Image, ImageStream } from "../api/types.js";
import { childDigests, imageDigest as digestOf } from "./images.js";

/** Digests some stream's history names. */
export function referencedDigests(streams: readonly ImageStream[]): Set<string> {
  const referenced = new Set<string>();
  for (const s of streams) {
    for (const tag of s.status?.tags ?? []) {
      for (const item of tag.items ?? []) if (item.image) referenced.add(item.image);
    }
  }
  return referenced;
}

/**
 * Referenced Images whose children the cache cannot tell (written before
 * ANN_IMAGE_MANIFESTS): their full objects must be read before a plan, or a
 * kept list's children could be deleted.
 */
export function imagesWithUnknownChildren(
  referenced: ReadonlySet<string>,
  images: readonly Image[],
): Image[] {
  return images.filter((img) => referenced.has(digestOf(img)) && childDigests(img) === undefined);
}

/**
 * Names of Image objects to delete, sorted. Pass every stream and every Image
 * of the cluster, and the children read for imagesWithUnknownChildren; while
 * one is missing nothing is deleted.
 */
export function planImageGC(
  streams: readonly ImageStream[],
  images: readonly Image[],
  now: Date,
  graceMinutes: number,
  readChildren: ReadonlyMap<string, string[]> = new Map(),
): string[] {
  const referenced = referencedDigests(streams);
  const byDigest = new Map(images.map((img) => [digestOf(img), img]));
  for (const d of [...referenced]) {
    const img = byDigest.get(d);
    if (!img) continue;
    const children = childDigests(img) ?? readChildren.get(d);
    if (children === undefined) return [];
    for (const child of children) referenced.add(child);
  }
  const cutoff = now.getTime() - graceMinutes * 60_000;
  const doomed: string[] = [];
  for (const img of images) {
    const name = img.metadata.name;
    if (!name || referenced.has(digestOf(img))) continue;
    const created = Date.parse(img.metadata.creationTimestamp ?? "");
    // an Image of unknown age is kept: better an orphan than a deleted image
    if (Number.isNaN(created) || created > cutoff) continue;
    doomed.push(name);
  }
  return doomed.sort();
}
