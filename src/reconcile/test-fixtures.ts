// Builders for the table tests of src/reconcile (imported by *.test.ts only).

import type { ImageStream, TagEvent, TagEventCondition, TagReference } from "../api/types.js";
import type { StatusTag } from "./types.js";

export const NOW = new Date("2026-01-01T12:00:00Z");
export const EARLIER = "2025-12-31T12:00:00Z";

export const digest = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

export function dockerTag(
  name: string,
  ref: string,
  extra: Partial<TagReference> = {},
): TagReference {
  return { name, from: { kind: "DockerImage", name: ref }, generation: 1, ...extra };
}

export function istag(name: string, ref: string, extra: Partial<TagReference> = {}): TagReference {
  return { name, from: { kind: "ImageStreamTag", name: ref }, generation: 1, ...extra };
}

export function event(image: string, generation = 1, ref = `quay.io/org/app@${image}`): TagEvent {
  return { created: EARLIER, dockerImageReference: ref, image, generation };
}

export function failure(reason: string, generation: number, since = EARLIER): TagEventCondition {
  return {
    type: "ImportSuccess",
    status: "False",
    reason,
    message: `failed: ${reason}`,
    generation,
    lastTransitionTime: since,
  };
}

export function statusTag(tag: string, items: TagEvent[] | null, extra: Partial<StatusTag> = {}) {
  return { tag, items, ...extra } as StatusTag;
}

export function makeStream(opts: {
  tags?: TagReference[];
  status?: StatusTag[];
  generation?: number;
  annotations?: Record<string, string>;
  name?: string;
  namespace?: string;
  dockerImageRepository?: string;
  resourceVersion?: string;
}): ImageStream {
  return {
    apiVersion: "image.openshift.io/v1",
    kind: "ImageStream",
    metadata: {
      name: opts.name ?? "app",
      namespace: opts.namespace ?? "team",
      generation: opts.generation ?? 1,
      ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      tags: opts.tags ?? [],
      ...(opts.dockerImageRepository ? { dockerImageRepository: opts.dockerImageRepository } : {}),
    },
    status: { dockerImageRepository: "", tags: opts.status ?? [] },
  };
}

/** Applies test/add JSON patch ops as the API server would (throws on a failed test). */
export function applyJsonPatch<T>(doc: T, ops: { op: string; path: string; value: unknown }[]): T {
  const copy = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    const keys = op.path.split("/").slice(1);
    const last = keys.pop() as string;
    let parent: Record<string, unknown> = copy;
    for (const k of keys) parent = parent[k] as Record<string, unknown>;
    if (op.op === "test" && parent[last] !== op.value) throw new Error(`test failed at ${op.path}`);
    if (op.op === "add") parent[last] = op.value;
  }
  return copy as T;
}

/** What the API server does to a stream after a spec patch: apply it, bump generation. */
export function patchSpec(
  stream: ImageStream,
  ops: { op: string; path: string; value: unknown }[],
) {
  const patched = applyJsonPatch(stream, ops);
  patched.metadata.generation = (patched.metadata.generation ?? 1) + 1;
  return patched;
}

/** Freezes an object graph, as a stand-in for an informer cache entry nobody may mutate. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
