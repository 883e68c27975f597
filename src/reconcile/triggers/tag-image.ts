// The image reference a trigger writes for a tag, as OpenShift computes it:
// the current status item's dockerImageReference (referencePolicy Source), or
// the stream's own repository by digest (Local). Local needs an integrated
// registry to pull through; without one configured, Local acts as Source so
// workloads keep pulling from a place that exists.

import type { ImageStream, TagEvent } from "../../api/types.js";

export interface TagImageOptions {
  /** hostname of a registry serving status.dockerImageRepository; enables Local */
  localRegistryHostname?: string;
}

export function currentTagImage(
  stream: ImageStream,
  tag: string,
  options: TagImageOptions = {},
): string | undefined {
  const current = stream.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
  return current === undefined ? undefined : tagEventReference(stream, tag, current, options);
}

/**
 * The pull spec of one status item of a tag under the tag's reference policy
 * (currentTagImage for items[0]; image lookup also resolves older items by digest).
 */
export function tagEventReference(
  stream: ImageStream,
  tag: string,
  item: TagEvent,
  options: TagImageOptions = {},
): string | undefined {
  if (item.dockerImageReference === "") return undefined;
  const repository = stream.status?.dockerImageRepository ?? "";
  const local =
    referencePolicyOf(stream, tag) === "Local" &&
    (options.localRegistryHostname ?? "") !== "" &&
    repository !== "" &&
    item.image !== "";
  return local ? `${repository}@${item.image}` : item.dockerImageReference;
}

function referencePolicyOf(stream: ImageStream, tag: string): string {
  const type = stream.spec?.tags?.find((t) => t.name === tag)?.referencePolicy?.type;
  return type === undefined || type === "" ? "Source" : type;
}

/** The tag's current image reference, or undefined (no stream, tag or image). */
export type TagLookup = (namespace: string, stream: string, tag: string) => string | undefined;

/** Whether workloads in targetNamespace may follow tags of the stream namespace/stream. */
export type CrossNamespacePolicy = (
  namespace: string,
  stream: string,
  targetNamespace: string,
) => boolean;

export interface TriggerLookups {
  tagImage: TagLookup;
  crossNamespaceAllowed: CrossNamespacePolicy;
  /**
   * Whether the stream exists (asked for same-namespace triggers only): a
   * missing stream is usually a typo in from.name and is reported, where a
   * tag without an image yet is not. Left out: never reported.
   */
  streamExists?: (namespace: string, stream: string) => boolean;
  /**
   * false only for a stream that exists without the tag (in neither spec nor
   * status): reported as a likely typo. Left out: never reported.
   */
  tagExists?: (namespace: string, stream: string, tag: string) => boolean;
  /**
   * Whether image is one of the tag's earlier images (its history after the
   * current item): a container created at it, never written by us, moved
   * with the tag. Left out: never.
   */
  heldBefore?: (namespace: string, stream: string, tag: string, image: string) => boolean;
}

/** Whether a history item is image: the same reference, or the same digest by another name. */
export function isItemOf(item: TagEvent, image: string): boolean {
  if (item.dockerImageReference === image) return true;
  const at = image.lastIndexOf("@");
  return at >= 0 && item.image !== "" && image.slice(at + 1) === item.image;
}

/**
 * Builds the planner's lookups from an image stream cache and the stream
 * opt-in predicate (isCrossNamespaceAllowed in src/reconcile, passed in so
 * this module does not depend on it). A stream that does not exist denies:
 * a user who can only edit workloads must not learn which streams exist in
 * other namespaces from the difference between "denied" and "no image".
 */
export function lookupsFromStreams(
  getStream: (namespace: string, name: string) => ImageStream | undefined,
  isCrossNamespaceAllowed: (sourceStream: ImageStream, targetNamespace: string) => boolean,
  options: TagImageOptions = {},
): TriggerLookups {
  const tagItems = tagItemsFromStreams(getStream);
  return {
    tagImage(namespace, stream, tag) {
      const found = getStream(namespace, stream);
      return found === undefined ? undefined : currentTagImage(found, tag, options);
    },
    crossNamespaceAllowed(namespace, stream, targetNamespace) {
      const found = getStream(namespace, stream);
      return found !== undefined && isCrossNamespaceAllowed(found, targetNamespace);
    },
    streamExists: (namespace, stream) => getStream(namespace, stream) !== undefined,
    tagExists(namespace, stream, tag) {
      const found = getStream(namespace, stream);
      if (found === undefined) return true; // reported as a missing stream, or not at all
      const inSpec = found.spec?.tags?.some((t) => t.name === tag) ?? false;
      return inSpec || (found.status?.tags?.some((t) => t.tag === tag) ?? false);
    },
    heldBefore: (namespace, stream, tag, image) =>
      tagItems(namespace, stream, tag)
        .slice(1)
        .some((item) => isItemOf(item, image)),
  };
}

/** A tag's history (status items, newest first) from an image stream cache; empty when unknown. */
export function tagItemsFromStreams(
  getStream: (namespace: string, name: string) => ImageStream | undefined,
): (namespace: string, stream: string, tag: string) => TagEvent[] {
  return (namespace, stream, tag) =>
    getStream(namespace, stream)?.status?.tags?.find((t) => t.tag === tag)?.items ?? [];
}
