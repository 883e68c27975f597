// The smallest write that applies a plan: a strategic-merge patch naming only
// the changed containers (the API server merges container lists by name, so
// siblings, env, resources... are untouched) and our record annotation, in
// one request so the record can never disagree with the images.

import { podSpecPath } from "./field-path.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  APPLIED_LABEL_PREFIX,
  type LastAppliedRecord,
  serializeLastApplied,
} from "./last-applied.js";
import type { ContainerImageChange, TriggerPlan } from "./plan.js";
import { ANN_ROLLOUT_STATUS, type RolloutStatus, serializeRolloutStatus } from "./rollout-state.js";
import type { ContainerList, Workload, WorkloadKind } from "./types.js";

export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

export interface ImagePatchOptions {
  /** the record to store; an empty record removes the annotation */
  lastApplied?: LastAppliedRecord;
  /** the rollout-status annotation to store (ADR 0030); empty removes it */
  rolloutStatus?: RolloutStatus;
  /** applied-image labels by container name: a hash sets one, null removes it */
  appliedLabels?: Record<string, string | null>;
  /**
   * The resourceVersion the plan was made from: the API server then refuses
   * the patch (409 Conflict) if the workload changed since. Without it, a
   * container renamed in between would be re-added by the merge as a new
   * container holding only a name and an image.
   */
  resourceVersion?: string;
}

export interface ImagePatch {
  metadata?: {
    resourceVersion?: string;
    annotations?: Record<string, string | null>;
    labels?: Record<string, string | null>;
  };
  spec?: Record<string, unknown>;
}

export function buildImagePatch(
  kind: WorkloadKind,
  changes: readonly ContainerImageChange[],
  options: ImagePatchOptions = {},
): ImagePatch {
  const patch: ImagePatch = {};
  const metadata = metadataPatch(options);
  if (metadata !== undefined) patch.metadata = metadata;
  const podSpec = podSpecPatch(changes);
  if (podSpec !== undefined) {
    // podSpecPath starts with "spec": nest the rest of it below patch.spec
    const [, ...below] = podSpecPath(kind).split(".");
    patch.spec = nest(below, podSpec);
  }
  return patch;
}

/** The patch that carries out a plan, or undefined when it writes nothing. */
export function buildTriggerPatch(
  workload: Workload,
  plan: TriggerPlan,
  rollout?: { status: RolloutStatus; statusChanged: boolean },
): ImagePatch | undefined {
  if (!plan.needsWrite) return undefined;
  const options: ImagePatchOptions = {};
  if (rollout?.statusChanged) options.rolloutStatus = rollout.status;
  if (plan.lastAppliedChanged) options.lastApplied = plan.lastApplied;
  if (Object.keys(plan.appliedLabels).length > 0) options.appliedLabels = plan.appliedLabels;
  const resourceVersion = workload.metadata?.resourceVersion;
  if (resourceVersion !== undefined) options.resourceVersion = resourceVersion;
  return buildImagePatch(workload.kind, plan.changes, options);
}

function metadataPatch(options: ImagePatchOptions): ImagePatch["metadata"] {
  const metadata: NonNullable<ImagePatch["metadata"]> = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.lastApplied !== undefined) {
    const empty = Object.keys(options.lastApplied).length === 0;
    // null deletes a map key in a strategic-merge (and JSON merge) patch
    metadata.annotations = {
      [ANN_LAST_APPLIED_IMAGES]: empty ? null : serializeLastApplied(options.lastApplied),
    };
  }
  if (options.rolloutStatus !== undefined) {
    metadata.annotations = {
      ...metadata.annotations,
      [ANN_ROLLOUT_STATUS]: serializeRolloutStatus(options.rolloutStatus) ?? null,
    };
  }
  if (options.appliedLabels !== undefined && Object.keys(options.appliedLabels).length > 0) {
    metadata.labels = Object.fromEntries(
      Object.entries(options.appliedLabels).map(([name, hash]) => [
        `${APPLIED_LABEL_PREFIX}${name}`,
        hash,
      ]),
    );
  }
  return Object.keys(metadata).length === 0 ? undefined : metadata;
}

function podSpecPatch(
  changes: readonly ContainerImageChange[],
): Record<string, unknown> | undefined {
  if (changes.length === 0) return undefined;
  const lists: Partial<Record<ContainerList, { name: string; image: string }[]>> = {};
  for (const change of changes) {
    const list = lists[change.containerList] ?? [];
    list.push({ name: change.containerName, image: change.newImage });
    lists[change.containerList] = list;
  }
  return lists;
}

function nest(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}
