// Image objects (cluster-scoped, named by digest) from import results.

import {
  ANN_IMAGE_MANIFESTS,
  API_VERSION,
  digestFromImageObjectName,
  type Image,
  imageObjectName,
} from "../api/types.js";
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
    metadata: {
      name: imageObjectName(img.digest),
      annotations: { [ANN_IMAGE_MANIFESTS]: (img.manifests ?? []).map((m) => m.digest).join(",") },
    },
    dockerImageReference: img.dockerImageReference,
    dockerImageManifestMediaType: img.mediaType,
    digest: img.digest,
    size: img.size,
    layers: img.layers.map((l) => ({ ...l })),
    ...(img.config ? { config: structuredClone(img.config) } : {}),
    ...(img.manifests ? { dockerImageManifests: img.manifests.map((m) => ({ ...m })) } : {}),
  };
}

/**
 * The child digests of an Image: from our annotation (all a metadata-only
 * cache holds), else from dockerImageManifests (a full object); undefined
 * when neither says, i.e. an Image written before the annotation existed and
 * read from the metadata cache.
 */
export function childDigests(img: Image): string[] | undefined {
  const recorded = img.metadata.annotations?.[ANN_IMAGE_MANIFESTS];
  if (recorded !== undefined) return recorded.split(",").filter(Boolean);
  if (img.dockerImageManifests) return img.dockerImageManifests.map((m) => m.digest);
  return img.digest ? [] : undefined;
}

/** The digest an Image object is for (its name says it when the body is not cached). */
export function imageDigest(img: Image): string {
  return img.digest || digestFromImageObjectName(img.metadata.name ?? "");
}
