// What the operator knows about the rollouts it caused (ADR 0030), kept on
// the workload in the annotation imagestream-operator.io/rollout-status, so
// that it survives restarts and leader changes and shows in `kubectl
// describe`: one entry per triggered container (canonical fieldPath key).
//
//   Progressing  we wrote `image` at `since` and follow the rollout
//                (healthySince: seen healthy, settling)
//   Succeeded    that rollout became healthy and stayed so HEALTHY_SETTLE_MS
//   Failed       it did not; `previous` was written back (rolledBack) or not
//                (rollback: false, or nothing to go back to); `image` is not
//                rolled again until the tag moves to another digest
//   Refused      `image` was not written: not pullable, or not for the nodes
//
// `kubectl rollout undo` restores a Deployment's annotations from a
// ReplicaSet (ADR 0006), so an entry can come back stale: every entry is
// checked against the truth (the applied-image label, the tag) before use.

import type { TriggerProblem, Workload } from "./types.js";

export const ANN_ROLLOUT_STATUS = "imagestream-operator.io/rollout-status";

export type RolloutPhase = "Progressing" | "Succeeded" | "Failed" | "Refused";

export interface RolloutEntry {
  phase: RolloutPhase;
  /** the image written (Progressing, Succeeded, Failed) or refused (Refused) */
  image: string;
  /** the container's image before our write: what a rollback writes */
  previous?: string;
  /** RFC 3339: when written, refused, or found failed */
  since: string;
  /** Failed: why (ProgressDeadlineExceeded, JobFailed...); Refused: ImageNotPullable, PlatformMismatch */
  reason?: string;
  message?: string;
  /** Failed: previous was written back */
  rolledBack?: boolean;
  /** Progressing: RFC 3339, first seen healthy; Succeeded once that held HEALTHY_SETTLE_MS */
  healthySince?: string;
}

/** canonical fieldPath -> entry */
export type RolloutStatus = Record<string, RolloutEntry>;

const PHASES: readonly RolloutPhase[] = ["Progressing", "Succeeded", "Failed", "Refused"];

export interface RolloutStatusRead {
  status: RolloutStatus;
  raw: string | undefined;
  problem?: TriggerProblem;
}

export function readRolloutStatus(workload: Workload): RolloutStatusRead {
  const raw = workload.metadata?.annotations?.[ANN_ROLLOUT_STATUS];
  if (raw === undefined) return { status: {}, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { status: {}, raw, problem: damaged() };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { status: {}, raw, problem: damaged() };
  }
  const status: RolloutStatus = {};
  for (const [key, value] of Object.entries(parsed)) {
    const entry = asEntry(value);
    if (entry === undefined) return { status: {}, raw, problem: damaged() };
    status[key] = entry;
  }
  return { status, raw };
}

function asEntry(value: unknown): RolloutEntry | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!PHASES.includes(v.phase as RolloutPhase)) return undefined;
  if (typeof v.image !== "string" || typeof v.since !== "string") return undefined;
  const entry: RolloutEntry = { phase: v.phase as RolloutPhase, image: v.image, since: v.since };
  for (const field of ["previous", "reason", "message", "healthySince"] as const) {
    if (typeof v[field] === "string") entry[field] = v[field];
  }
  if (v.rolledBack === true) entry.rolledBack = true;
  return entry;
}

function damaged(): TriggerProblem {
  return {
    reason: "InvalidRolloutStatus",
    message:
      `annotation ${ANN_ROLLOUT_STATUS} is not what the operator writes; do not edit it: ` +
      "it is treated as empty and rewritten",
  };
}

/** Stable text: sorted keys, fields in one order, so equal states compare equal. */
export function serializeRolloutStatus(status: RolloutStatus): string | undefined {
  const keys = Object.keys(status).sort();
  if (keys.length === 0) return undefined;
  const ordered = keys.map((key) => {
    const e = status[key] as RolloutEntry;
    const entry: Record<string, unknown> = { phase: e.phase, image: e.image };
    if (e.previous !== undefined) entry.previous = e.previous;
    entry.since = e.since;
    if (e.reason !== undefined) entry.reason = e.reason;
    if (e.message !== undefined) entry.message = e.message;
    if (e.rolledBack) entry.rolledBack = true;
    if (e.healthySince !== undefined) entry.healthySince = e.healthySince;
    return [key, entry];
  });
  return JSON.stringify(Object.fromEntries(ordered));
}
