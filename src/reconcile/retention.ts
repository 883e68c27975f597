// Bounded tag history (ADR 0012). OpenShift keeps every item a tag ever had;
// a tag that moves on every CI build then grows its stream past etcd's object
// size limit, after which every status write fails. Two rules, applied to a
// status the controller is about to write anyway:
//   1. each tag keeps its newest N items, plus the items triggered workloads
//      currently run (a rollback target that is in use is never lost);
//   2. the whole status stays below a byte budget: over it, the oldest
//      unprotected items across tags go first (never a tag's current item).
// Pure: the running images come in, the trimmed status and counts come out.

import type { ImageStream, ImageStreamStatus, TagEvent } from "../api/types.js";

export const ANN_MAX_TAG_HISTORY = "imagestream-operator.io/max-tag-history";

/** Deployments keep 10 old ReplicaSets by default (revisionHistoryLimit): as far back as `rollout undo` goes. */
export const DEFAULT_MAX_TAG_HISTORY = 10;

/**
 * JSON bytes of the status: etcd refuses requests over 1.5 MiB, and the
 * object also carries metadata, managedFields and the spec.
 */
export const STATUS_BUDGET_BYTES = 1024 * 1024;

export interface HistoryLimit {
  /** items kept per tag; 0 keeps every item (the byte budget still applies) */
  maxItems: number;
  /** the annotation's value when it is not a usable count */
  invalid?: string;
}

/** The stream's own limit (annotation), else the operator's default. */
export function historyLimitOf(stream: ImageStream, fallback: number): HistoryLimit {
  const raw = stream.metadata.annotations?.[ANN_MAX_TAG_HISTORY];
  if (raw === undefined) return { maxItems: fallback };
  const value = raw.trim();
  return /^\d{1,9}$/.test(value)
    ? { maxItems: Number(value) }
    : { maxItems: fallback, invalid: raw };
}

export function invalidLimitMessage(limit: HistoryLimit): string {
  return (
    `annotation ${ANN_MAX_TAG_HISTORY} must be a whole number of items per tag ` +
    `(0 keeps every item), got ${JSON.stringify(limit.invalid)}; using ${limit.maxItems}`
  );
}

export interface RetentionRules {
  maxItems: number;
  budgetBytes: number;
  /** image references (pull specs) triggered workloads run for a tag of this stream */
  runningImages: (tag: string) => readonly string[];
}

export interface Retention {
  status: ImageStreamStatus;
  droppedByCount: number;
  droppedByBudget: number;
  /** JSON bytes of the returned status */
  bytes: number;
}

export function retainHistory(status: ImageStreamStatus, rules: RetentionRules): Retention {
  let droppedByCount = 0;
  const kept = new Map<string, Set<number>>();
  const tags = (status.tags ?? []).map((t) => {
    const items = t.items ?? [];
    const keep = keptPositions(items, rules.maxItems, rules.runningImages(t.tag));
    kept.set(t.tag, keep.protectedOld);
    droppedByCount += items.length - keep.positions.length;
    return t.items ? { ...t, items: keep.positions.map((i) => items[i] as TagEvent) } : t;
  });
  const counted: ImageStreamStatus = { ...status, tags };
  const budgeted = trimToBudget(counted, rules.budgetBytes, kept);
  return { ...budgeted, droppedByCount };
}

interface KeptPositions {
  positions: number[];
  /** positions (in the kept list) of protected items beyond the newest N */
  protectedOld: Set<number>;
}

function keptPositions(
  items: TagEvent[],
  maxItems: number,
  running: readonly string[],
): KeptPositions {
  const protectedAt = new Set(running.map((image) => newestMatch(items, image)));
  const positions: number[] = [];
  const protectedOld = new Set<number>();
  items.forEach((_, i) => {
    const newest = maxItems === 0 || i < maxItems;
    if (!newest && !protectedAt.has(i)) return;
    if (protectedAt.has(i)) protectedOld.add(positions.length);
    positions.push(i);
  });
  return { positions, protectedOld };
}

/** Index of the newest item a container image is (same pull spec, or same digest); -1 if none. */
export function newestMatch(items: readonly TagEvent[], containerImage: string): number {
  const digest = digestOf(containerImage);
  return items.findIndex(
    (item) =>
      item.dockerImageReference === containerImage ||
      (digest !== undefined && item.image === digest),
  );
}

function digestOf(reference: string): string | undefined {
  const at = reference.lastIndexOf("@");
  return at < 0 ? undefined : reference.slice(at + 1);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

interface Candidate {
  tag: number;
  position: number;
  created: number;
  bytes: number;
}

/**
 * Drops the oldest unprotected items (by created; a tag's older position
 * first on a tie) until the status fits. Removing an element that is not an
 * array's only one removes its text and one comma, so the size is tracked
 * exactly without serialising again. Items[0] is never a candidate.
 */
function trimToBudget(
  status: ImageStreamStatus,
  budgetBytes: number,
  protectedOld: Map<string, Set<number>>,
): Omit<Retention, "droppedByCount"> {
  let bytes = jsonBytes(status);
  if (bytes <= budgetBytes) return { status, droppedByBudget: 0, bytes };
  const tags = status.tags ?? [];
  const candidates: Candidate[] = [];
  tags.forEach((t, tag) => {
    const keep = protectedOld.get(t.tag) ?? new Set();
    (t.items ?? []).forEach((item, position) => {
      if (position === 0 || keep.has(position)) return;
      const created = Date.parse(item.created) || 0; // unreadable: oldest
      candidates.push({ tag, position, created, bytes: jsonBytes(item) + 1 });
    });
  });
  candidates.sort((a, b) => a.created - b.created || b.position - a.position);
  const dropped = new Set<string>();
  for (const c of candidates) {
    if (bytes <= budgetBytes) break;
    dropped.add(`${c.tag}/${c.position}`);
    bytes -= c.bytes;
  }
  const trimmed = tags.map((t, tag) =>
    t.items ? { ...t, items: t.items.filter((_, p) => !dropped.has(`${tag}/${p}`)) } : t,
  );
  return { status: { ...status, tags: trimmed }, droppedByBudget: dropped.size, bytes };
}

export function budgetTrimmedMessage(r: Retention, budgetBytes: number): string {
  const over = r.bytes > budgetBytes ? "; still over it: the rest is current or in use" : "";
  return (
    `dropped ${r.droppedByBudget} oldest tag history item(s) to keep the status below ` +
    `${budgetBytes} bytes (now ${r.bytes})${over}`
  );
}
