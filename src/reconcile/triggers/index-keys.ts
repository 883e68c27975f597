// Keys of the controller's index from image stream tags to the workloads
// that follow them. Stream events are turned into the keys whose trigger
// value actually changed, so a stream update that moves no tag (a status
// condition, a scheduled import finding the same digest) wakes no workload.

import type { ImageStream } from "../../api/types.js";
import { ANN_ALLOWED_NAMESPACES } from "./plan.js";
import { currentTagImage, type TagImageOptions } from "./tag-image.js";
import type { ValidTrigger } from "./types.js";

/** "namespace/stream:tag" */
export function tagIndexKey(namespace: string, stream: string, tag: string): string {
  return `${namespace}/${stream}:${tag}`;
}

/**
 * The tags a workload follows. Paused triggers and cross-namespace ones not
 * (yet) allowed are included: unpausing is an edit of the workload anyway,
 * and the source stream granting access must wake the workload.
 */
export function triggerIndexKeys(triggers: readonly ValidTrigger[]): Set<string> {
  return new Set(triggers.map((t) => tagIndexKey(t.from.namespace, t.stream, t.tag)));
}

/**
 * The tags of a stream whose trigger value differs between two versions of
 * it (undefined: not there). A change of the allowed-namespaces annotation
 * counts for every tag, since it decides which namespaces may follow them.
 */
export function changedTagKeys(
  previous: ImageStream | undefined,
  current: ImageStream | undefined,
  options: TagImageOptions = {},
): Set<string> {
  const either = current ?? previous;
  if (either === undefined) return new Set();
  const namespace = either.metadata.namespace ?? "";
  const name = either.metadata.name ?? "";
  const tags = new Set([...tagNames(previous), ...tagNames(current)]);
  const accessChanged = allowedNamespaces(previous) !== allowedNamespaces(current);
  const changed = [...tags].filter(
    (tag) => accessChanged || imageOf(previous, tag, options) !== imageOf(current, tag, options),
  );
  return new Set(changed.map((tag) => tagIndexKey(namespace, name, tag)));
}

function tagNames(stream: ImageStream | undefined): string[] {
  return (stream?.status?.tags ?? []).map((t) => t.tag);
}

function imageOf(stream: ImageStream | undefined, tag: string, options: TagImageOptions) {
  return stream === undefined ? undefined : currentTagImage(stream, tag, options);
}

function allowedNamespaces(stream: ImageStream | undefined): string | undefined {
  return stream?.metadata.annotations?.[ANN_ALLOWED_NAMESPACES];
}
