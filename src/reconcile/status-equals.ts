// Semantic equality of two statuses, so the controller writes nothing when a
// pass changed nothing. Differences that do not mean anything are ignored:
// tag order, items null vs [], absent vs empty conditions, absent vs "" for
// optional strings, and time strings that name the same second.

import type { ImageStreamStatus, TagEvent, TagEventCondition } from "../api/types.js";
import type { StatusTag } from "./types.js";

function time(t: string | undefined): string {
  if (!t) return "";
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

function item(i: TagEvent) {
  return [time(i.created), i.dockerImageReference ?? "", i.image ?? "", i.generation ?? 0];
}

function condition(c: TagEventCondition) {
  return [
    c.type,
    c.status,
    time(c.lastTransitionTime),
    c.reason ?? "",
    c.message ?? "",
    c.generation ?? 0,
  ];
}

function canonical(status: ImageStreamStatus | undefined) {
  const tags = [...(status?.tags ?? [])]
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((t) => [
      t.tag,
      (t.items ?? []).map(item),
      (t.conditions ?? []).map(condition),
      (t as StatusTag).specHash ?? "",
    ]);
  return [
    status?.dockerImageRepository ?? "",
    status?.publicDockerImageRepository ?? "",
    tags,
    status?.repository ? (status.repository.additionalTags ?? []) : null,
    status?.tagCount ?? null,
    time(status?.lastUpdated),
  ];
}

export function statusEquals(
  a: ImageStreamStatus | undefined,
  b: ImageStreamStatus | undefined,
): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
