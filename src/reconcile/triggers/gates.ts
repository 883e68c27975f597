// When a tag move may roll under a rollout policy (ADR 0030): soak (the
// digest has been the tag's image long enough; a new move restarts it),
// debounce (the first move after our last write opens a window; the roll
// happens at its end, to whatever the tag holds then), and maintenance
// windows (the roll waits for the next allowed time). All from the tag's
// history, which records when each move happened: no state of our own, so
// the controller and `kubectl imagestream why` compute the same answer.

import type { TagEvent } from "../../api/types.js";
import { formatDuration, type RolloutPolicy } from "./rollout-policy.js";
import { isItemOf } from "./tag-image.js";
import { describeInstant, nextWindowStart } from "./windows.js";

const DAY_MS = 24 * 3600_000;

export interface GateVerdict {
  /** epoch ms the roll may happen; <= now: now */
  at: number;
  /** why it waits, for messages (empty when it may roll now) */
  waits: string[];
}

function createdAt(item: TagEvent | undefined): number | undefined {
  const t = Date.parse(item?.created ?? "");
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The first move after the image we last applied: the oldest history item
 * newer than it. Not in the history (trimmed, or never recorded): the oldest
 * item there is, so the debounce never waits on a move it cannot see.
 */
function firstMoveSince(
  items: readonly TagEvent[],
  applied: string | undefined,
): TagEvent | undefined {
  if (applied !== undefined) {
    const index = items.findIndex((item, i) => i > 0 && isItemOf(item, applied));
    if (index > 0) return items[index - 1];
  }
  return items[items.length - 1];
}

export function gateVerdict(
  policy: RolloutPolicy,
  items: readonly TagEvent[],
  applied: string | undefined,
  now: number,
): GateVerdict {
  const waits: string[] = [];
  let at = now;
  const moved = createdAt(items[0]);
  if (policy.soakMs !== undefined && moved !== undefined && moved + policy.soakMs > now) {
    at = Math.max(at, moved + policy.soakMs);
    waits.push(
      `soak: the digest is the tag's image since ${items[0]?.created}, rolls after ${formatDuration(policy.soakMs)}`,
    );
  }
  const first = createdAt(firstMoveSince(items, applied));
  if (policy.debounceMs !== undefined && first !== undefined && first + policy.debounceMs > now) {
    at = Math.max(at, first + policy.debounceMs);
    waits.push(
      `debounce: the tag first moved at ${new Date(first).toISOString()}; later moves within ${formatDuration(policy.debounceMs)} roll once, to the last digest`,
    );
  }
  if (policy.windows !== undefined) {
    const open = nextWindowStart(at, policy.windows);
    if (!Number.isFinite(open)) {
      // no window opens within a week (every one falls in a clock change): look again tomorrow
      waits.push("no maintenance window opens within a week");
      return { at: at + DAY_MS, waits };
    }
    if (open > at) {
      waits.push(
        `outside the maintenance windows (${policy.windows.windows.map((w) => w.text).join(", ")}, ${policy.windows.timeZone}): the next opens ${describeInstant(open, policy.windows.timeZone)}`,
      );
      at = open;
    }
  }
  return { at, waits };
}
