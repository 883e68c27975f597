// OpenShift's tag history rules (section 3), applied to one status tag.
// Every function returns new objects: the input may be an informer cache
// entry, which must never be mutated.

import type { TagEvent, TagEventCondition } from "../api/types.js";
import type { FailureReason, StatusTag } from "./types.js";

/** RFC 3339 in whole seconds, as metav1.Time serialises. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

export interface NewTagEvent {
  dockerImageReference: string;
  image: string;
  generation: number;
}

export interface TagChange {
  tag: StatusTag;
  /** history or conditions differ from the input */
  changed: boolean;
}

const MESSAGE_LIMIT = 1000;

function copyItems(items: TagEvent[] | null | undefined): TagEvent[] {
  return (items ?? []).map((i) => ({ ...i }));
}

function withSpecHash(tag: StatusTag, specHash: string | undefined): StatusTag {
  return specHash ? { ...tag, specHash } : tag;
}

/**
 * vs items[0]: same reference+image -> no new event; otherwise a new event is
 * prepended. A success always clears the conditions (our retries can succeed
 * at the generation that failed).
 *
 * Deviation from OpenShift (ADR 0003): on an unchanged image, OpenShift moves
 * items[0].generation to the request's generation, a status write per
 * re-import request. We move it only when the tag changes anyway (conditions
 * cleared); otherwise the controller settles the spec generation back to the
 * observed one, so a re-import that finds nothing new writes no status.
 */
export function recordSuccess(
  current: StatusTag | undefined,
  tagName: string,
  ev: NewTagEvent,
  specHash: string | undefined,
  now: Date,
): TagChange {
  const items = copyItems(current?.items);
  const head = items[0];
  let itemsChanged = false;
  const hadConditions = (current?.conditions?.length ?? 0) > 0;
  if (head && head.dockerImageReference === ev.dockerImageReference && head.image === ev.image) {
    if (hadConditions && head.generation !== ev.generation) {
      head.generation = ev.generation;
      itemsChanged = true;
    }
  } else {
    items.unshift({ created: formatTime(now), ...ev });
    itemsChanged = true;
  }
  const tag = withSpecHash({ tag: tagName, items }, specHash ?? current?.specHash);
  return { tag, changed: itemsChanged || hadConditions || !current };
}

export interface TagFailure {
  reason: FailureReason;
  message: string;
  generation: number;
}

/**
 * The conditions become one ImportSuccess=False; history is untouched. The
 * transition time stays while the tag keeps failing for the same reason, so
 * "failing since" means what it says.
 */
export function recordFailure(
  current: StatusTag | undefined,
  tagName: string,
  failure: TagFailure,
  specHash: string | undefined,
  now: Date,
): TagChange {
  const previous = current?.conditions?.find((c) => c.type === "ImportSuccess");
  const sameFailure = previous?.status === "False" && previous.reason === failure.reason;
  const condition: TagEventCondition = {
    type: "ImportSuccess",
    status: "False",
    lastTransitionTime:
      sameFailure && previous.lastTransitionTime ? previous.lastTransitionTime : formatTime(now),
    reason: failure.reason,
    message: truncate(failure.message),
    generation: failure.generation,
  };
  const items = current?.items ? copyItems(current.items) : null;
  const tag = withSpecHash(
    { tag: tagName, items, conditions: [condition] },
    specHash ?? current?.specHash,
  );
  const changed =
    current?.conditions?.length !== 1 ||
    !sameFailure ||
    previous.message !== condition.message ||
    previous.generation !== condition.generation;
  return { tag, changed };
}

function truncate(message: string): string {
  return message.length <= MESSAGE_LIMIT ? message : `${message.slice(0, MESSAGE_LIMIT - 1)}…`;
}
