// Reading the image views (ADR 0021) as the user of the CLI: from the
// aggregated API (image.imagestream-operator.io/v1) when it answers; when it
// is not installed or not available, the same objects are built here from
// what the user may read (the stream, and the Image objects if allowed) with
// the server's own builders (src/serving/view-objects.ts), and `notes` says
// so, for stderr.
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { ImageStream } from "../../api/types.js";
import {
  type ImageStreamImageView,
  type ImageStreamTagView,
  VIEWS_API_VERSION,
  VIEWS_GROUP,
  VIEWS_VERSION,
} from "../../reconcile/image-views.js";
import { imageReader, type ReadImage } from "../../serving/image-reader.js";
import { imageViewOf, tagView, tagViewsOf } from "../../serving/view-objects.js";
import { CliError, describeApiError, httpCode, isMissingApi, serverMessage } from "../errors.js";
import { KubeStreams } from "../streams.js";

export const TAG_RESOURCE = `imagestreamtags.${VIEWS_GROUP}`;
export const IMAGE_RESOURCE = `imagestreamimages.${VIEWS_GROUP}`;
const APISERVICE = `${VIEWS_VERSION}.${VIEWS_GROUP}`;

export interface ViewReader {
  tag(namespace: string, stream: string, tag: string): Promise<ImageStreamTagView>;
  /** every tag view of the namespace */
  tags(namespace: string): Promise<ImageStreamTagView[]>;
  image(namespace: string, stream: string, digest: string): Promise<ImageStreamImageView>;
  /** why (some of) the answers were built by the CLI rather than served: one line each */
  readonly notes: readonly string[];
}

/** Why the views API did not answer, or undefined when the failure is the answer itself. */
export function viewsUnavailable(error: unknown): string | undefined {
  if (isMissingApi(error)) return `the image views API (${VIEWS_API_VERSION}) is not installed`;
  const code = httpCode(error);
  if (code === 503 || code === 502) {
    const why = serverMessage(error) ?? `HTTP ${code}`;
    return `the image views API (APIService ${APISERVICE}) is not available (${why.split("\n")[0]})`;
  }
  return undefined;
}

const VIEWS = { group: VIEWS_GROUP, version: VIEWS_VERSION };

export class KubeViewReader implements ViewReader {
  private readonly api: CustomObjectsApi;
  private readonly server: string;
  private readonly readImage: ReadImage;
  /** the streams themselves, read as every other command reads them */
  private readonly streams: KubeStreams;
  private served = true;
  private imagesForbidden = false;
  private readonly noteList: string[] = [];

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.server = kc.getCurrentCluster()?.server ?? "(unknown server)";
    this.readImage = this.tolerantReader(imageReader(kc));
    this.streams = new KubeStreams(kc);
  }

  get notes(): readonly string[] {
    return this.noteList;
  }

  async tag(namespace: string, stream: string, tag: string): Promise<ImageStreamTagView> {
    const name = `${stream}:${tag}`;
    const served = await this.fromApi(() =>
      this.api.getNamespacedCustomObject({ ...VIEWS, plural: "imagestreamtags", namespace, name }),
    );
    if (served) return served as ImageStreamTagView;
    const found = await this.readStream(namespace, stream);
    const view = found ? await tagView(this.readImage, found, tag) : undefined;
    if (!view) throw notFound(TAG_RESOURCE, name);
    return view;
  }

  async tags(namespace: string): Promise<ImageStreamTagView[]> {
    const served = await this.fromApi(() =>
      this.api.listNamespacedCustomObject({ ...VIEWS, plural: "imagestreamtags", namespace }),
    );
    if (served) return (served as { items: ImageStreamTagView[] }).items;
    return tagViewsOf(this.readImage, await this.listStreams(namespace));
  }

  async image(namespace: string, stream: string, digest: string): Promise<ImageStreamImageView> {
    const name = `${stream}@${digest}`;
    const served = await this.fromApi(() =>
      this.api.getNamespacedCustomObject({
        ...VIEWS,
        plural: "imagestreamimages",
        namespace,
        name,
      }),
    );
    if (served) return served as ImageStreamImageView;
    const found = await this.readStream(namespace, stream);
    if (!found) throw notFound(IMAGE_RESOURCE, name);
    const view = await imageViewOf(this.readImage, found, digest);
    if ("error" in view) {
      throw new CliError(
        this.imagesForbidden
          ? `${view.message}: the image views API is not served, and you may not read images.image.openshift.io`
          : view.message,
      );
    }
    return view;
  }

  /** The served answer; undefined (and a note) when the views API does not answer. */
  private async fromApi(call: () => Promise<unknown>): Promise<unknown> {
    if (!this.served) return undefined;
    try {
      return await call();
    } catch (error) {
      const why = viewsUnavailable(error);
      if (why === undefined) throw describeApiError(error, this.server);
      this.served = false;
      this.noteList.push(
        `warning: ${why}: built from the image stream and the Image objects you may read`,
      );
      return undefined;
    }
  }

  /** Forbidden Image reads leave the metadata out (the user may still read the stream). */
  private tolerantReader(read: ReadImage): ReadImage {
    return async (digest) => {
      if (this.imagesForbidden) return undefined;
      try {
        return await read(digest);
      } catch (error) {
        if (httpCode(error) !== 403) throw describeApiError(error, this.server);
        this.imagesForbidden = true;
        this.noteList.push(
          "warning: you may not read images.image.openshift.io (cluster-scoped): image metadata is left out",
        );
        return undefined;
      }
    };
  }

  private readStream(namespace: string, name: string): Promise<ImageStream | undefined> {
    return this.streams.get(namespace, name);
  }

  private listStreams(namespace: string): Promise<ImageStream[]> {
    return this.streams.list(namespace);
  }
}

function notFound(resource: string, name: string): CliError {
  return new CliError(`${resource} "${name}" not found`);
}
