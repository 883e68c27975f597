// Spec tag generations (ADR 0003). OpenShift's API server rewrites them on
// every update; a CRD's API server does not, so the controller stamps them
// with a guarded JSON patch planned here. The stamp must never re-trigger
// itself: the patch bumps metadata.generation, and the next pass has to find
// nothing to do.

import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagReference } from "../api/types.js";
import { classifySource, findSpecTag, specFingerprint } from "./spec-tags.js";
import type { PlannerConfig, StatusTag } from "./types.js";

export function findStatusTag(stream: ImageStream, name: string): StatusTag | undefined {
  return stream.status?.tags?.find((t) => t.tag === name) as StatusTag | undefined;
}

/** max(items[0].generation, ImportSuccess condition generation); 0 when nothing was recorded. */
export function observedGeneration(statusTag: StatusTag | undefined): number {
  const itemGeneration = statusTag?.items?.[0]?.generation ?? 0;
  const condition = statusTag?.conditions?.find((c) => c.type === "ImportSuccess");
  return Math.max(itemGeneration, condition?.generation ?? 0);
}

function hasGeneration(tag: TagReference): tag is TagReference & { generation: number } {
  return typeof tag.generation === "number" && tag.generation > 0;
}

/**
 * The stream's generation, as OpenShift stamps, but always above what was
 * observed: a generation equal to the observed one would not read as pending.
 */
export function stampGeneration(stream: ImageStream, statusTag: StatusTag | undefined): number {
  return Math.max(stream.metadata.generation ?? 1, observedGeneration(statusTag) + 1);
}

/** The generation an outcome for this tag records (the stamp it will get if it has none yet). */
export function effectiveGeneration(stream: ImageStream, tag: TagReference): number {
  if (hasGeneration(tag)) return tag.generation;
  return stampGeneration(stream, findStatusTag(stream, tag.name));
}

export type PendingCause = "new" | "generation" | "spec-changed";

/**
 * Why the tag's source must be resolved now, or undefined when its current
 * spec has been observed (successfully or not).
 */
export function pendingCause(
  stream: ImageStream,
  tag: TagReference,
  cfg: PlannerConfig = {},
): PendingCause | undefined {
  const statusTag = findStatusTag(stream, tag.name);
  if (!statusTag) return "new";
  if (!hasGeneration(tag) || tag.generation > observedGeneration(statusTag)) return "generation";
  if (statusTag.specHash !== specFingerprint(stream, tag, cfg)) return "spec-changed";
  return undefined;
}

/**
 * For the CLI: the tag waits for an import (OpenShift's "~ importing latest
 * image"). Tracking tags are symlinks and tags without from import nothing.
 */
export function isImportPending(
  stream: ImageStream,
  tagName: string,
  cfg: PlannerConfig = {},
): boolean {
  const tag = findSpecTag(stream, tagName);
  if (!tag) return false;
  const kind = classifySource(stream, tag).kind;
  if (kind === "none" || kind === "tracking") return false;
  return pendingCause(stream, tag, cfg) !== undefined;
}

export interface SpecGenerationUpdate {
  index: number;
  name: string;
  generation: number;
}

export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "add"; path: string; value: unknown };

export interface SpecGenerationPlan {
  updates: SpecGenerationUpdate[];
  /** empty when there is nothing to write; guarded by resourceVersion and each tag's name */
  patch: JsonPatchOp[];
}

/**
 * Before importing, a tag is stamped when its generation is 0/null/absent, or
 * when its spec changed since the last recorded outcome (fingerprint differs
 * from status specHash, which covers a new tag) while its generation was
 * already observed. A changed tag whose generation is above the observed one
 * is already pending: stamping it again would chase the generation bump of our
 * own patch forever.
 *
 * Stamping a re-import request (generation 0) right away matters: a second
 * request writing 0 over a 0 is no change for the API server (no watch event)
 * and would be lost. After the import, planSettledGenerations writes the
 * generation the status observed, so a re-import that finds nothing new
 * writes no status.
 */
export function planSpecGenerations(
  stream: ImageStream,
  cfg: PlannerConfig = {},
): SpecGenerationPlan {
  const updates: SpecGenerationUpdate[] = [];
  (stream.spec?.tags ?? []).forEach((tag, index) => {
    const statusTag = findStatusTag(stream, tag.name);
    const changed = statusTag?.specHash !== specFingerprint(stream, tag, cfg);
    const observed = observedGeneration(statusTag);
    if (!hasGeneration(tag) || (changed && tag.generation <= observed)) {
      updates.push({ index, name: tag.name, generation: stampGeneration(stream, statusTag) });
    }
  });
  return { updates, patch: generationPatch(stream, updates) };
}

/**
 * After a pass recorded outcomes for `tagNames`: each such spec tag's
 * generation becomes what its status now observes, which answers a
 * generation-0 re-import request (and any other value a user wrote) with the
 * generation the import really recorded.
 */
export function planSettledGenerations(
  stream: ImageStream,
  tagNames: ReadonlySet<string>,
): SpecGenerationPlan {
  const updates: SpecGenerationUpdate[] = [];
  (stream.spec?.tags ?? []).forEach((tag, index) => {
    if (!tagNames.has(tag.name)) return;
    const observed = observedGeneration(findStatusTag(stream, tag.name));
    if (observed > 0 && tag.generation !== observed) {
      updates.push({ index, name: tag.name, generation: observed });
    }
  });
  return { updates, patch: generationPatch(stream, updates) };
}

/**
 * The stamp of a stream never imported before also carries the
 * dockerRepositoryCheck annotation its first import would set a moment later
 * (same pass, same time): a cold import then costs one spec write, not a
 * stamp and an annotation patch (issue "Scale": at most one spec write per
 * stream and pass). Stamps of streams imported before are left alone.
 */
export function withFirstRepositoryCheck(
  stream: ImageStream,
  plan: SpecGenerationPlan,
  checkedAt: string,
): SpecGenerationPlan {
  const annotations = stream.metadata.annotations;
  if (plan.patch.length === 0 || annotations?.[ANN_DOCKER_REPOSITORY_CHECK]) return plan;
  const op: JsonPatchOp = annotations
    ? {
        op: "add",
        path: `/metadata/annotations/${escapePointer(ANN_DOCKER_REPOSITORY_CHECK)}`,
        value: checkedAt,
      }
    : {
        op: "add",
        path: "/metadata/annotations",
        value: { [ANN_DOCKER_REPOSITORY_CHECK]: checkedAt },
      };
  return { ...plan, patch: [...plan.patch, op] };
}

/** RFC 6901: "~" and "/" inside a JSON pointer segment. */
function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function generationPatch(stream: ImageStream, updates: SpecGenerationUpdate[]): JsonPatchOp[] {
  if (updates.length === 0) return [];
  const ops: JsonPatchOp[] = [];
  const resourceVersion = stream.metadata.resourceVersion;
  if (resourceVersion) {
    ops.push({ op: "test", path: "/metadata/resourceVersion", value: resourceVersion });
  }
  for (const u of updates) {
    ops.push({ op: "test", path: `/spec/tags/${u.index}/name`, value: u.name });
    ops.push({ op: "add", path: `/spec/tags/${u.index}/generation`, value: u.generation });
  }
  return ops;
}
