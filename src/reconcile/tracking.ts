// Tracking tags (ImageStreamTag of the same stream): symlinks that mirror
// their source tag's items[0] every time, under the tracking tag's own
// generation. Resolved after the other outcomes of a pass, so an import and
// the tags that follow it land in one status write.

import type { ImageStream, TagReference } from "../api/types.js";
import { effectiveGeneration } from "./generations.js";
import { classifySource, specFingerprint } from "./spec-tags.js";
import { type NewTagEvent, recordSuccess } from "./tag-events.js";
import type { PlannerConfig, StatusTag } from "./types.js";

interface Tracking {
  tag: TagReference;
  sourceTag: string;
}

function trackingTags(stream: ImageStream): Tracking[] {
  const out: Tracking[] = [];
  for (const tag of stream.spec?.tags ?? []) {
    const source = classifySource(stream, tag);
    if (source.kind === "tracking") out.push({ tag, sourceTag: source.sourceTag });
  }
  return out;
}

function mirrorEvent(
  stream: ImageStream,
  t: Tracking,
  tags: ReadonlyMap<string, StatusTag>,
): NewTagEvent | undefined {
  const head = tags.get(t.sourceTag)?.items?.[0];
  if (!head) return undefined;
  return {
    dockerImageReference: head.dockerImageReference,
    image: head.image,
    generation: effectiveGeneration(stream, t.tag),
  };
}

/** Whether mirroring would change the tag (a tracking work item for the plan). */
export function trackingOutOfDate(
  stream: ImageStream,
  tag: TagReference,
  sourceTag: string,
  cfg: PlannerConfig = {},
): boolean {
  const tags = new Map((stream.status?.tags ?? []).map((t) => [t.tag, t as StatusTag]));
  const ev = mirrorEvent(stream, { tag, sourceTag }, tags);
  if (!ev) return false;
  const current = tags.get(tag.name);
  const hash = specFingerprint(stream, tag, cfg);
  return (
    recordSuccess(current, tag.name, ev, hash, new Date(0)).changed || current?.specHash !== hash
  );
}

/**
 * Mirrors every tracking tag into `tags` (the caller's working copy) until
 * nothing moves, so chains (a -> b -> c) settle in one pass. A source without
 * an image leaves its followers as they are, as OpenShift does. Bounded by the
 * number of tracking tags, so a cycle cannot spin. Returns whether any
 * tracking tag's history or conditions changed.
 */
export function syncTrackingTags(
  stream: ImageStream,
  tags: Map<string, StatusTag>,
  now: Date,
  cfg: PlannerConfig = {},
): boolean {
  const all = trackingTags(stream);
  let changed = false;
  for (let pass = 0; pass <= all.length; pass++) {
    let moved = false;
    for (const t of all) {
      const ev = mirrorEvent(stream, t, tags);
      if (!ev) continue;
      const current = tags.get(t.tag.name);
      const hash = specFingerprint(stream, t.tag, cfg);
      const result = recordSuccess(current, t.tag.name, ev, hash, now);
      if (result.changed || current?.specHash !== hash) {
        tags.set(t.tag.name, result.tag);
        moved ||= result.changed;
      }
    }
    changed ||= moved;
    if (!moved) break;
  }
  return changed;
}
