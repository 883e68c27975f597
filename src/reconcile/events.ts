// Events from a status transition: computed by comparing the status before
// and after a pass, so an unchanged status (every resync) yields none.

import type { ImageStreamStatus, NamedTagEventList, TagEventCondition } from "../api/types.js";
import type { PlannedEvent } from "./types.js";

function failing(tag: NamedTagEventList | undefined): TagEventCondition | undefined {
  const c = tag?.conditions?.find((x) => x.type === "ImportSuccess");
  return c?.status === "False" ? c : undefined;
}

/**
 * TagUpdated when items[0].image moves (or, for reference tags, which have no
 * image, when the reference moves); ImportFailed when a tag starts failing;
 * ImportRecovered when it stops. Tags that disappeared get nothing.
 */
export function planTagEvents(
  oldStatus: ImageStreamStatus | undefined,
  newStatus: ImageStreamStatus | undefined,
): PlannedEvent[] {
  const before = new Map((oldStatus?.tags ?? []).map((t) => [t.tag, t]));
  const events: PlannedEvent[] = [];
  for (const now of newStatus?.tags ?? []) {
    const old = before.get(now.tag);
    const updated = tagUpdated(now.tag, old, now);
    if (updated) events.push(updated);
    const wasFailing = failing(old);
    const isFailing = failing(now);
    if (isFailing && !wasFailing) {
      events.push({
        type: "Warning",
        reason: "ImportFailed",
        action: "Import",
        tag: now.tag,
        note: `Import of tag ${now.tag} failed (${isFailing.reason ?? "Unknown"}): ${isFailing.message ?? ""}`,
      });
    }
    if (wasFailing && !isFailing) {
      events.push({
        type: "Normal",
        reason: "ImportRecovered",
        action: "Import",
        tag: now.tag,
        note: `Import of tag ${now.tag} succeeded again after failing (${wasFailing.reason ?? "Unknown"})`,
      });
    }
  }
  return events;
}

function tagUpdated(
  tag: string,
  old: NamedTagEventList | undefined,
  now: NamedTagEventList,
): PlannedEvent | undefined {
  const head = now.items?.[0];
  if (!head) return undefined;
  const prev = old?.items?.[0];
  const base = { type: "Normal" as const, reason: "TagUpdated" as const, action: "UpdateTag", tag };
  if (head.image === "") {
    if (prev?.image === "" && prev.dockerImageReference === head.dockerImageReference)
      return undefined;
    return { ...base, note: `Tag ${tag} now references ${head.dockerImageReference}` };
  }
  if (prev?.image === head.image) return undefined;
  return { ...base, note: `Tag ${tag} updated from ${prev?.image || "<none>"} to ${head.image}` };
}
