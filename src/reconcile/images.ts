// Image objects (cluster-scoped, named by digest) from import results.

import { API_VERSION, type Image, imageObjectName } from "../api/types.js";
import type { ImportedImage } from "../registry/types.js";
import type { Outcome } from "./types.js";

/** Every image an import recorded: the tag's image and, for PreserveOriginal, each child; once per digest. */
export function collectImages(outcomes: readonly Outcome[]): ImportedImage[] {
  const byDigest = new Map<string, ImportedImage>();
  for (const o of outcomes) {
    if (o.kind !== "imported") continue;
    for (const img of [o.result.image, ...o.result.children]) {
      if (!byDigest.has(img.digest)) byDigest.set(img.digest, img);
    }
  }
  return [...byDigest.values()];
}

/**
 * The Image object to create. Content-addressed, so an existing object with
 * the same name already holds the same metadata: create and ignore
 * AlreadyExists.
 */
export function toImageObject(img: ImportedImage): Image {
  return {
    apiVersion: API_VERSION,
    kind: "Image",
    metadata: { name: imageObjectName(img.digest) },
    dockerImageReference: img.dockerImageReference,
    dockerImageManifestMediaType: img.mediaType,
    digest: img.digest,
    size: img.size,
    layers: img.layers.map((l) => ({ ...l })),
    ...(img.config ? { config: structuredClone(img.config) } : {}),
    ...(img.manifests ? { dockerImageManifests: img.manifests.map((m) => ({ ...m })) } : {}),
  };
}
