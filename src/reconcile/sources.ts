// Sources that need no registry call: reference tags, spec tags we cannot
// act on, and tags or images of other streams (read by the controller from
// its informer cache and passed in through `lookup`).

import type { ImageStream } from "../api/types.js";
import { crossNamespaceDeniedMessage, isCrossNamespaceAllowed } from "./tenancy.js";
import type {
  CopyTagWork,
  FailedOutcome,
  FailureReason,
  ImageIdWork,
  Outcome,
  TagWork,
} from "./types.js";

export type StreamLookup = (namespace: string, name: string) => ImageStream | undefined;

export type LocalWork = Exclude<TagWork, { kind: "docker" }>;

/**
 * The outcome of a work item that needs no registry. Tracking items return
 * undefined: applyOutcomes mirrors every tracking tag after the other
 * outcomes, so a source imported in the same pass propagates at once.
 */
export function resolveLocally(
  stream: ImageStream,
  item: LocalWork,
  lookup: StreamLookup,
): Outcome | undefined {
  const base = { tag: item.tag, generation: item.generation, specHash: item.specHash };
  switch (item.kind) {
    case "reference":
      return { ...base, kind: "resolved", dockerImageReference: item.reference, image: "" };
    case "invalid":
      return { ...base, kind: "failed", reason: item.reason, message: item.message };
    case "tracking":
      return undefined;
    case "copy-istag":
    case "isimage":
      return resolveFromStream(stream, item, lookup);
  }
}

function resolveFromStream(
  stream: ImageStream,
  item: CopyTagWork | ImageIdWork,
  lookup: StreamLookup,
): Outcome {
  const base = { tag: item.tag, generation: item.generation, specHash: item.specHash };
  const fail = (reason: FailureReason, message: string): FailedOutcome => ({
    ...base,
    kind: "failed",
    reason,
    message,
  });
  const targetNamespace = stream.metadata.namespace ?? "";
  const source = lookup(item.source.namespace, item.source.name);
  if (item.source.namespace !== targetNamespace) {
    if (!source || !isCrossNamespaceAllowed(source, targetNamespace)) {
      return fail("Forbidden", crossNamespaceDeniedMessage(item.source, targetNamespace));
    }
  }
  const sourceName = `${item.source.namespace}/${item.source.name}`;
  if (!source) return fail("NotFound", `image stream ${sourceName} not found`);
  const found =
    item.kind === "copy-istag"
      ? resolveTag(source, item.sourceTag, sourceName)
      : resolveImageId(source, item.imageId, sourceName);
  if ("reason" in found) return fail(found.reason, found.message);
  return { ...base, kind: "resolved", ...found };
}

type Resolution =
  | { dockerImageReference: string; image: string }
  | { reason: FailureReason; message: string };

function resolveTag(source: ImageStream, tag: string, sourceName: string): Resolution {
  const head = source.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
  if (!head)
    return {
      reason: "NotFound",
      message: `tag ${tag} of image stream ${sourceName} has no image yet`,
    };
  return { dockerImageReference: head.dockerImageReference, image: head.image };
}

/**
 * OpenShift's ImageStreamImage lookup: a full digest or a unique prefix of
 * one (with or without "sha256:"), searched in every status tag's history.
 */
export function resolveImageId(
  source: ImageStream,
  imageId: string,
  sourceName: string,
): Resolution {
  if (imageId === "") return { reason: "InvalidReference", message: "empty image id" };
  const matches = new Map<string, string>();
  for (const statusTag of source.status?.tags ?? []) {
    for (const item of statusTag.items ?? []) {
      if (!item.image || matches.has(item.image)) continue;
      const hex = item.image.slice(item.image.indexOf(":") + 1);
      if (item.image.startsWith(imageId) || hex.startsWith(imageId)) {
        matches.set(item.image, item.dockerImageReference);
      }
    }
  }
  if (matches.size === 0) {
    return {
      reason: "NotFound",
      message: `image ${imageId} not found in image stream ${sourceName}`,
    };
  }
  if (matches.size > 1) {
    const images = [...matches.keys()].sort().join(", ");
    return {
      reason: "Conflict",
      message: `multiple images match the prefix "${imageId}": ${images}`,
    };
  }
  const [image, dockerImageReference] = [...matches.entries()][0] as [string, string];
  return { dockerImageReference, image };
}
