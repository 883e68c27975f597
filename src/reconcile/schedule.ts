// When an observed tag needs another look (ADR 0005): failed imports retried
// with capped exponential backoff (OpenShift never retries), scheduled tags
// at their stream's slots (ADR 0014: a stable phase within the interval, so
// checks spread evenly, also after a restart). Time comes in as `now` and the
// controller's in-memory AttemptLog; a failed tag without a record is retried
// at once, a scheduled tag without one is first given a record by
// watchScheduled and checked at its next slot.

import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagReference } from "../api/types.js";
import { RETRY_AFTER_CAP_SECONDS } from "../registry/rate-headers.js";
import { findStatusTag, pendingCause } from "./generations.js";
import { nextSlotMs, slotPhaseMs } from "./slots.js";
import { classifySource, isDigestReference } from "./spec-tags.js";
import {
  type AttemptLog,
  type AttemptRecord,
  type FailureReason,
  type Outcome,
  type PlannerConfig,
  REPOSITORY_KEY,
  type StatusTag,
} from "./types.js";

export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_CAP_MS = 10 * 60_000;
/** A registry's Retry-After is honoured up to this, so a bogus value cannot park a tag for days. */
export const RETRY_AFTER_CAP_MS = RETRY_AFTER_CAP_SECONDS * 1000;
export const DEFAULT_SCHEDULED_INTERVAL_SECONDS = 900;

/** 10 s, 20 s, 40 s ... capped at 10 min; never sooner than the registry's Retry-After. */
export function backoffMs(consecutiveFailures: number, retryAfterSeconds?: number): number {
  const n = Math.max(1, Math.floor(consecutiveFailures));
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 20));
  const asked = retryAfterSeconds && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
  return Math.max(exponential, Math.min(asked, RETRY_AFTER_CAP_MS));
}

export function scheduledIntervalMs(cfg: PlannerConfig = {}): number {
  return (cfg.scheduledIntervalSeconds ?? DEFAULT_SCHEDULED_INTERVAL_SECONDS) * 1000;
}

/** importPolicy.scheduled on an importable DockerImage tag; a digest only until it was imported. */
export function isScheduled(
  tag: TagReference,
  statusTag: StatusTag | undefined,
  cfg: PlannerConfig = {},
): boolean {
  if (cfg.disableScheduledImport || tag.importPolicy?.scheduled !== true) return false;
  if (tag.from?.kind !== "DockerImage" || tag.reference === true) return false;
  const imported = (statusTag?.items?.length ?? 0) > 0;
  return !(imported && isDigestReference(tag.from.name));
}

/** The user must change the spec; retrying the same input cannot help. */
const NOT_RETRIED: ReadonlySet<FailureReason> = new Set<FailureReason>(["InvalidReference"]);

const RETRIED_SOURCES = new Set(["docker", "copy-istag", "isimage"]);

function currentFailure(statusTag: StatusTag | undefined) {
  const c = statusTag?.conditions?.find((x) => x.type === "ImportSuccess");
  return c?.status === "False" ? c : undefined;
}

export interface Due {
  /** epoch ms; 0 when due at once (no attempt on record) */
  atMs: number;
  /** recheck: a registry push asked for it (never capped, unlike scheduled) */
  cause: "retry" | "scheduled" | "recheck";
}

function isRetryable(stream: ImageStream, tag: TagReference, statusTag: StatusTag | undefined) {
  const failure = currentFailure(statusTag);
  return (
    failure !== undefined &&
    !NOT_RETRIED.has(failure.reason as FailureReason) &&
    RETRIED_SOURCES.has(classifySource(stream, tag).kind)
  );
}

/** The first of the stream's slots after `afterMs`. */
export function nextScheduledSlotMs(
  stream: ImageStream,
  afterMs: number,
  cfg: PlannerConfig = {},
): number {
  const interval = scheduledIntervalMs(cfg);
  const phase = slotPhaseMs(stream.metadata.namespace ?? "", stream.metadata.name ?? "", interval);
  return nextSlotMs(phase, afterMs, interval);
}

/**
 * For a tag whose current spec was observed: when to look again, or
 * undefined for never. A scheduled tag is due at the first of its stream's
 * slots after its last attempt; one without a record is not due yet (see
 * watchScheduled).
 */
export function nextDue(
  stream: ImageStream,
  tag: TagReference,
  attempts: AttemptLog,
  cfg: PlannerConfig = {},
): Due | undefined {
  const statusTag = findStatusTag(stream, tag.name);
  const record = attempts.get(tag.name);
  const retryable = isRetryable(stream, tag, statusTag);
  const scheduled = isScheduled(tag, statusTag, cfg);
  // a push concerns any tag that names the pushed source, scheduled or not (ADR 0024)
  if (record?.recheck && (retryable || scheduled || classifySource(stream, tag).kind === "docker"))
    return { atMs: 0, cause: "recheck" };
  if (retryable) {
    if (!record) return { atMs: 0, cause: "retry" };
    const delay = backoffMs(record.consecutiveFailures, record.retryAfterSeconds);
    return { atMs: record.at.getTime() + delay, cause: "retry" };
  }
  if (scheduled && record) {
    return { atMs: nextScheduledSlotMs(stream, record.at.getTime(), cfg), cause: "scheduled" };
  }
  return undefined;
}

/**
 * The log with a record at `now` for every scheduled tag it has none for
 * (after a start or a leader change the log is empty; a tag may become
 * scheduled later): such a tag was last checked at most an interval ago, by
 * us or by the previous leader, so it is next checked at its stream's next
 * slot, not at once. Failing tags keep their immediate retry; pending tags are
 * this pass's work. Returns `attempts` itself when nothing is added.
 */
export function watchScheduled(
  stream: ImageStream,
  attempts: AttemptLog,
  now: Date,
  cfg: PlannerConfig = {},
): AttemptLog {
  let next: Map<string, AttemptRecord> | undefined;
  for (const tag of stream.spec?.tags ?? []) {
    if (attempts.has(tag.name) || pendingCause(stream, tag, cfg) !== undefined) continue;
    const statusTag = findStatusTag(stream, tag.name);
    if (!isScheduled(tag, statusTag, cfg) || isRetryable(stream, tag, statusTag)) continue;
    next ??= new Map(attempts);
    next.set(tag.name, { at: now, consecutiveFailures: 0 });
  }
  return next ?? attempts;
}

/** The bulk import runs until it succeeded once (status.repository and the check annotation set). */
export function repositoryDue(stream: ImageStream, attempts: AttemptLog): Due | undefined {
  if (!stream.spec?.dockerImageRepository?.trim()) return undefined;
  const checked = Boolean(stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK]);
  if (checked && stream.status?.repository) return undefined;
  const record = attempts.get(REPOSITORY_KEY);
  if (!record || record.consecutiveFailures === 0) return { atMs: 0, cause: "retry" };
  const delay = backoffMs(record.consecutiveFailures, record.retryAfterSeconds);
  return { atMs: record.at.getTime() + delay, cause: "retry" };
}

/**
 * When this stream next needs attention, from the state after this pass's
 * writes (updated stream and attempts): the earliest future retry or
 * scheduled import; 0 if something is due now; undefined when nothing is.
 * Pending imports are not counted: they are this pass's work.
 */
export function requeueAfterMs(
  stream: ImageStream,
  attempts: AttemptLog,
  now: Date,
  cfg: PlannerConfig = {},
  skip: ReadonlySet<string> = new Set(),
): number | undefined {
  let earliest: number | undefined;
  const consider = (due: Due | undefined) => {
    if (!due) return;
    const wait = Math.max(0, due.atMs - now.getTime());
    earliest = earliest === undefined ? wait : Math.min(earliest, wait);
  };
  for (const tag of stream.spec?.tags ?? []) {
    if (skip.has(tag.name) || pendingCause(stream, tag, cfg) !== undefined) continue;
    consider(nextDue(stream, tag, attempts, cfg));
  }
  if (!skip.has(REPOSITORY_KEY)) consider(repositoryDue(stream, attempts));
  return earliest;
}

/**
 * The AttemptLog after this pass: every outcome is an attempt; failures
 * count up, successes reset. Records of tags gone from spec are dropped so the
 * log cannot grow without bound.
 */
export function recordAttempts(
  previous: AttemptLog,
  outcomes: readonly Outcome[],
  now: Date,
  stream: ImageStream,
): Map<string, AttemptRecord> {
  const next = new Map(previous);
  for (const o of outcomes) {
    if (o.kind === "failed") {
      const failures = (previous.get(o.tag)?.consecutiveFailures ?? 0) + 1;
      next.set(o.tag, {
        at: now,
        consecutiveFailures: failures,
        ...(o.retryAfterSeconds !== undefined ? { retryAfterSeconds: o.retryAfterSeconds } : {}),
      });
    } else {
      next.set(o.tag, { at: now, consecutiveFailures: 0 });
    }
  }
  const keep = new Set((stream.spec?.tags ?? []).map((t) => t.name));
  if (stream.spec?.dockerImageRepository) keep.add(REPOSITORY_KEY);
  for (const key of next.keys()) if (!keep.has(key)) next.delete(key);
  return next;
}
