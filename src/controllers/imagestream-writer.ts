// The only writes the import controller makes, each minimal and safe under
// concurrency: spec-tag generations as a JSON patch guarded by a `test` on
// resourceVersion; status through the status subresource as a merge patch that
// carries resourceVersion (a precondition: a concurrent writer gets 409 and the
// key is reconciled again from fresh state); Image objects by server-side apply
// with our field manager; one annotation by merge patch, unguarded (it commutes).
import {
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import {
  GROUP,
  IMAGE_PLURAL,
  IMAGESTREAM_PLURAL,
  type Image,
  type ImageStream,
  type ImageStreamStatus,
  imageObjectName,
  VERSION,
} from "../api/types.js";
import type { Metrics } from "../observability/metrics.js";

export const FIELD_MANAGER = "imagestream-operator";

export interface JsonPatchOp {
  op: "add" | "replace" | "remove" | "test";
  path: string;
  value?: unknown;
}

export interface ImageStreamWriter {
  patchSpec(stream: ImageStream, ops: JsonPatchOp[]): Promise<ImageStream>;
  writeStatus(stream: ImageStream, status: ImageStreamStatus): Promise<ImageStream>;
  setAnnotation(stream: ImageStream, key: string, value: string): Promise<ImageStream>;
  getStream(namespace: string, name: string): Promise<ImageStream | undefined>;
  applyImage(image: Image): Promise<void>;
  deleteImage(name: string): Promise<void>;
}

/** Reads a whole Image object (the informer holds metadata only). */
export interface ImageReader {
  /** undefined when absent */
  getImage(name: string): Promise<Image | undefined>;
}

const stream = { group: GROUP, version: VERSION, plural: IMAGESTREAM_PLURAL };
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const apply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);

export class KubeImageStreamWriter implements ImageStreamWriter, ImageReader {
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly metrics?: Pick<Metrics, "apiWrites">,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async patchSpec(s: ImageStream, ops: JsonPatchOp[]): Promise<ImageStream> {
    this.count("imagestreams", "patch");
    const guarded: JsonPatchOp[] = [
      { op: "test", path: "/metadata/resourceVersion", value: s.metadata.resourceVersion },
      ...ops,
    ];
    return (await this.api.patchNamespacedCustomObject(
      { ...stream, namespace: ns(s), name: name(s), body: guarded, fieldManager: FIELD_MANAGER },
      jsonPatch,
    )) as ImageStream;
  }

  async writeStatus(s: ImageStream, status: ImageStreamStatus): Promise<ImageStream> {
    this.count("imagestreams/status", "patch");
    // null deletes keys merge patch would otherwise keep (fields we dropped).
    const body = {
      metadata: { resourceVersion: s.metadata.resourceVersion },
      status: withNullsForRemovedKeys(s.status ?? {}, status),
    };
    return (await this.api.patchNamespacedCustomObjectStatus(
      { ...stream, namespace: ns(s), name: name(s), body, fieldManager: FIELD_MANAGER },
      merge,
    )) as ImageStream;
  }

  async setAnnotation(s: ImageStream, key: string, value: string): Promise<ImageStream> {
    this.count("imagestreams", "patch");
    // No resourceVersion precondition: a merge patch of one annotation cannot
    // clobber anyone's change, and a conflict here, after the status was
    // written, would lose the stamp and the pass's Events (the retry sees
    // nothing left to do).
    const body = { metadata: { annotations: { [key]: value } } };
    return (await this.api.patchNamespacedCustomObject(
      { ...stream, namespace: ns(s), name: name(s), body, fieldManager: FIELD_MANAGER },
      merge,
    )) as ImageStream;
  }

  async getStream(namespace: string, streamName: string): Promise<ImageStream | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({
        ...stream,
        namespace,
        name: streamName,
      })) as ImageStream;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async applyImage(image: Image): Promise<void> {
    this.count("images", "apply");
    const body = {
      ...image,
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Image",
      metadata: { ...image.metadata, name: imageObjectName(image.digest) },
    };
    await this.api.patchClusterCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural: IMAGE_PLURAL,
        name: body.metadata.name,
        body,
        fieldManager: FIELD_MANAGER,
        force: true,
      },
      apply,
    );
  }

  async getImage(imageName: string): Promise<Image | undefined> {
    try {
      return (await this.api.getClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: IMAGE_PLURAL,
        name: imageName,
      })) as Image;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async deleteImage(imageName: string): Promise<void> {
    this.count("images", "delete");
    try {
      await this.api.deleteClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: IMAGE_PLURAL,
        name: imageName,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  private count(resource: string, verb: string): void {
    this.metrics?.apiWrites.inc({ resource, verb });
  }
}

function ns(s: ImageStream): string {
  return s.metadata.namespace ?? "";
}

function name(s: ImageStream): string {
  return s.metadata.name ?? "";
}

/** Top-level status keys present before but absent now become null (merge patch deletion). */
export function withNullsForRemovedKeys(
  before: ImageStreamStatus,
  after: ImageStreamStatus,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...after };
  for (const key of Object.keys(before)) {
    if (!(key in after)) out[key] = null;
  }
  return out;
}
