// What the trigger controller last wrote into each triggered container, kept
// on the workload's own metadata (not the pod template: `rollout undo`
// replaces the template, and template changes roll pods). Comparing the tag's
// image against this record, rather than against the container, is what lets
// a manual `set image` or `rollout undo` stand until the tag moves (ADR 0006).
//
// The annotation is not enough on its own: the Deployment controller copies a
// Deployment's annotations onto each ReplicaSet, and `kubectl rollout undo`
// puts the annotations of the ReplicaSet it returns to back on the
// Deployment, record included. A restored record names the image we applied
// back then, so the tag would look as if it had moved since. Each record
// entry is therefore mirrored in a label holding a hash of the image: labels
// are not copied to ReplicaSets nor restored by `rollout undo`, and a hash
// fits a label value where an image reference may not.

import { createHash } from "node:crypto";
import type { TriggerProblem, Workload } from "./types.js";

export const ANN_LAST_APPLIED_IMAGES = "imagestream-operator.io/last-applied-images";

/** Label prefix; the label name is the container's (unique across init and regular containers). */
export const APPLIED_LABEL_PREFIX = "last-applied.imagestream-operator.io/";

/** container name -> appliedImageHash of the image last written there */
export type AppliedLabels = Record<string, string>;

/** 40 hex digits of sha256: a valid label value for any image reference. */
export function appliedImageHash(image: string): string {
  return createHash("sha256").update(image).digest("hex").slice(0, 40);
}

export function readAppliedLabels(workload: Workload): AppliedLabels {
  const labels = workload.metadata?.labels ?? {};
  const found: AppliedLabels = {};
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(APPLIED_LABEL_PREFIX)) found[key.slice(APPLIED_LABEL_PREFIX.length)] = value;
  }
  return found;
}

/** canonical fieldPath -> image reference last written there */
export type LastAppliedRecord = Record<string, string>;

export interface ReadLastApplied {
  record: LastAppliedRecord;
  /** the annotation as found, to tell whether a write is needed */
  raw: string | undefined;
  problem?: TriggerProblem;
}

export function readLastApplied(workload: Workload): ReadLastApplied {
  const raw = workload.metadata?.annotations?.[ANN_LAST_APPLIED_IMAGES];
  if (raw === undefined) return { record: {}, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { record: {}, raw, problem: unreadable("is not valid JSON") };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { record: {}, raw, problem: unreadable("is not a JSON object") };
  }
  const entries = Object.entries(parsed);
  if (!entries.every(([, image]) => typeof image === "string")) {
    return { record: {}, raw, problem: unreadable("has values that are not strings") };
  }
  return { record: Object.fromEntries(entries) as LastAppliedRecord, raw };
}

// Treating a damaged record as empty makes every trigger "new", which brings
// the containers to their tags' images once: the same as OpenShift would do,
// and the record is rewritten whole with that write.
function unreadable(what: string): TriggerProblem {
  return {
    reason: "InvalidLastApplied",
    message:
      `annotation ${ANN_LAST_APPLIED_IMAGES} ${what}; it is written by the operator, do not edit it: ` +
      "it is treated as empty, so triggered containers are set to their tags' images and it is rewritten",
  };
}

/** Stable text for the annotation: sorted keys, so equal records compare equal. */
export function serializeLastApplied(record: LastAppliedRecord): string {
  const sorted = Object.keys(record)
    .sort()
    .map((key) => [key, record[key]]);
  return JSON.stringify(Object.fromEntries(sorted));
}
