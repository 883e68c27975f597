// The rollout policy of a triggered workload (ADR 0030), an annotation of
// ours next to image.openshift.io/triggers, e.g.
//   imagestream-operator.io/rollout: '{"progressDeadline": "5m", "soak": "10m",
//     "debounce": "2m", "windows": ["Mon-Fri 09:00-17:00"], "timeZone": "Europe/Paris"}'
// Every field is optional; no annotation means OpenShift's behaviour (roll at
// once, walk away). A policy that does not parse holds every tag move of the
// workload: it may have been meant to keep a rollout out of the night.

import type { TriggerProblem, Workload } from "./types.js";
import { parseWindows, type Windows } from "./windows.js";

export const ANN_ROLLOUT_POLICY = "imagestream-operator.io/rollout";

export interface RolloutPolicy {
  /** follow each rollout this long; undefined: not followed (no health gate) */
  progressDeadlineMs?: number;
  /** on a failed rollout, write the previous image back (default true) */
  rollback: boolean;
  /** a digest must have been the tag's image this long before it rolls */
  soakMs?: number;
  /** the first move after our last write opens a window this long; it rolls at its end, to the last digest */
  debounceMs?: number;
  windows?: Windows;
}

export type PolicyRead =
  | { policy: RolloutPolicy | undefined; problem?: undefined }
  | { policy?: undefined; problem: TriggerProblem };

const FIELDS = ["progressDeadline", "rollback", "soak", "debounce", "windows", "timeZone"];
const MAX_DURATION_MS = 7 * 24 * 3600_000;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function readRolloutPolicy(workload: Workload): PolicyRead {
  const raw = workload.metadata?.annotations?.[ANN_ROLLOUT_POLICY];
  if (raw === undefined) return { policy: undefined };
  const result = parseRolloutPolicy(raw);
  return typeof result === "string" ? { problem: policyProblem(result) } : { policy: result };
}

export function parseRolloutPolicy(raw: string): RolloutPolicy | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'is not valid JSON: write an object such as {"progressDeadline": "5m"}';
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return 'must be a JSON object such as {"progressDeadline": "5m"}';
  }
  const entry = value as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    return `has unknown field ${JSON.stringify(unknown[0])}: the fields are ${FIELDS.join(", ")}`;
  }
  const policy: RolloutPolicy = { rollback: true };
  for (const field of ["progressDeadline", "soak", "debounce"] as const) {
    if (entry[field] === undefined) continue;
    const ms = parseDuration(entry[field]);
    if (typeof ms === "string") return `${field} ${ms}`;
    policy[`${field}Ms`] = ms;
  }
  if (entry.rollback !== undefined) {
    if (typeof entry.rollback !== "boolean")
      return "rollback must be a JSON boolean: true or false";
    policy.rollback = entry.rollback;
  }
  if (entry.windows !== undefined) {
    const windows = parseWindows(entry.windows, entry.timeZone);
    if (!windows.ok) return windows.message;
    policy.windows = windows.value;
  } else if (entry.timeZone !== undefined) {
    return "timeZone is given without windows: add windows, or remove timeZone";
  }
  return policy;
}

/** "90s", "5m", "1h30m" (Go's units h, m, s), at most 7 days. */
export function parseDuration(value: unknown): number | string {
  const expected = 'must be a duration such as "90s", "5m" or "1h30m"';
  if (typeof value !== "string" || value === "") return expected;
  const match = DURATION.exec(value);
  if (!match) return expected;
  const [, h = "0", m = "0", s = "0"] = match;
  const ms = (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  if (ms === 0) return "must be longer than 0s (leave the field out for none)";
  if (ms > MAX_DURATION_MS) return "must be at most 168h (7 days)";
  return ms;
}

/** "5m", "1h30m", "45s": a duration as the annotation writes it. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
  return text === "" ? "0s" : text;
}

function policyProblem(what: string): TriggerProblem {
  return {
    reason: "InvalidRolloutPolicy",
    message:
      `annotation ${ANN_ROLLOUT_POLICY} ${what}; until it is fixed, tag moves are not rolled ` +
      "(new triggers still are)",
  };
}
