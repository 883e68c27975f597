// Minimal, guarded writes of spec tags, shared by `tag` and `import-image`:
// a JSON patch whose first operation tests metadata.resourceVersion (and the
// name at the index it touches), so a concurrent writer makes it fail with a
// conflict and the command re-reads and re-plans instead of overwriting.
import { API_VERSION, type ImageStream, type TagReference } from "../api/types.js";
import type { PatchOp, StreamApi } from "./streams.js";

export type StreamWrite =
  | { kind: "create"; stream: ImageStream }
  | { kind: "patch"; ops: PatchOp[] }
  | { kind: "none" };

/** RFC 6901: `~` and `/` inside one path segment. */
export function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function resourceVersionGuard(stream: ImageStream): PatchOp[] {
  const rv = stream.metadata.resourceVersion;
  return rv ? [{ op: "test", path: "/metadata/resourceVersion", value: rv }] : [];
}

export function newStream(namespace: string, name: string, tags: TagReference[]): ImageStream {
  return {
    apiVersion: API_VERSION,
    kind: "ImageStream",
    metadata: { name, namespace },
    spec: { tags },
  };
}

/** Replaces the spec tag of the same name, or appends it (creating spec/spec.tags as needed). */
export function putTagOps(stream: ImageStream, tag: TagReference): PatchOp[] {
  const tags = stream.spec?.tags;
  const index = tags?.findIndex((t) => t.name === tag.name) ?? -1;
  if (index >= 0) {
    return [
      { op: "test", path: `/spec/tags/${index}/name`, value: tag.name },
      { op: "replace", path: `/spec/tags/${index}`, value: tag },
    ];
  }
  if (tags) return [{ op: "add", path: "/spec/tags/-", value: tag }];
  if (stream.spec) return [{ op: "add", path: "/spec/tags", value: [tag] }];
  return [{ op: "add", path: "/spec", value: { tags: [tag] } }];
}

/** undefined when the stream has no such spec tag. */
export function removeTagOps(stream: ImageStream, name: string): PatchOp[] | undefined {
  const index = stream.spec?.tags?.findIndex((t) => t.name === name) ?? -1;
  if (index < 0) return undefined;
  return [
    ...resourceVersionGuard(stream),
    { op: "test", path: `/spec/tags/${index}/name`, value: name },
    { op: "remove", path: `/spec/tags/${index}` },
  ];
}

export async function executeWrite(
  api: StreamApi,
  namespace: string,
  name: string,
  write: StreamWrite,
): Promise<ImageStream | undefined> {
  switch (write.kind) {
    case "create":
      return api.create(namespace, write.stream);
    case "patch":
      return api.patch(namespace, name, write.ops);
    case "none":
      return undefined;
  }
}
