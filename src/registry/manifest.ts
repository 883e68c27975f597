// Manifest media types, parsing with shape checks (digests from a manifest go
// into request paths, so they are validated), digest verification, and the
// Legacy platform choice for manifest lists.

import { createHash } from "node:crypto";
import type { ImageLayer, ImageManifest } from "../api/types.js";
import { isValidDigest } from "./reference.js";
import { ImportError, type PlatformPreference } from "./types.js";

export const MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(", ");

const LIST_TYPES = new Set<string>([MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]);
const SCHEMA1_TYPES = new Set<string>([MEDIA_TYPES.dockerSchema1, MEDIA_TYPES.dockerSchema1Signed]);
const IMAGE_CONFIG_TYPES = new Set<string>([MEDIA_TYPES.dockerConfig, MEDIA_TYPES.ociConfig]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ImageManifestDocument {
  kind: "image";
  mediaType: string;
  config: Descriptor;
  layers: ImageLayer[];
}

export interface ManifestListDocument {
  kind: "list";
  mediaType: string;
  manifests: ImageManifest[];
}

export type ManifestDocument = ImageManifestDocument | ManifestListDocument;

export function digestOf(body: Buffer, algorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(body).digest("hex")}`;
}

/** Throws ContentIntegrity unless the bytes hash to the expected digest. */
export function verifyDigest(body: Buffer, expected: string, what: string): void {
  const algorithm = expected.slice(0, expected.indexOf(":"));
  if (digestOf(body, algorithm) !== expected) {
    throw new ImportError(
      "ContentIntegrity",
      `content integrity error: the ${what} does not match its digest ${expected}`,
    );
  }
}

export function isImageConfigType(mediaType: string): boolean {
  return IMAGE_CONFIG_TYPES.has(mediaType);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function descriptor(value: unknown, fail: () => ImportError): Descriptor {
  if (!isRecord(value)) throw fail();
  const { mediaType, digest, size } = value;
  if (typeof digest !== "string" || !isValidDigest(digest)) throw fail();
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw fail();
  return { mediaType: typeof mediaType === "string" ? mediaType : "", digest, size };
}

function listEntry(value: unknown, fail: () => ImportError): ImageManifest {
  const base = descriptor(value, fail);
  const platform = isRecord(value) && isRecord(value.platform) ? value.platform : {};
  const text = (field: unknown): string => (typeof field === "string" ? field : "");
  const entry: ImageManifest = {
    digest: base.digest,
    mediaType: base.mediaType,
    manifestSize: base.size,
    architecture: text(platform.architecture),
    os: text(platform.os),
  };
  if (text(platform.variant)) entry.variant = text(platform.variant);
  return entry;
}

/** The media type: the document's own field, else the header, else its shape. */
function mediaTypeOf(document: Record<string, unknown>, contentType: string | undefined): string {
  if (typeof document.mediaType === "string" && document.mediaType) return document.mediaType;
  const header = contentType?.split(";")[0]?.trim() ?? "";
  if (header && header !== "application/json") return header;
  if (document.schemaVersion === 1) return MEDIA_TYPES.dockerSchema1;
  return Array.isArray(document.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
}

export function parseManifest(
  body: Buffer,
  contentType: string | undefined,
  host: string,
  reference: string,
): ManifestDocument {
  const fail = () =>
    new ImportError("InternalError", `registry ${host} returned a malformed manifest`);
  let document: unknown;
  try {
    document = JSON.parse(body.toString("utf8"));
  } catch {
    throw fail();
  }
  if (!isRecord(document)) throw fail();
  const mediaType = mediaTypeOf(document, contentType);
  if (SCHEMA1_TYPES.has(mediaType) || document.schemaVersion === 1) {
    throw new ImportError(
      "Unsupported",
      `"${reference}" uses the Docker schema 1 manifest format, which is not supported`,
    );
  }
  if (LIST_TYPES.has(mediaType)) {
    if (!Array.isArray(document.manifests)) throw fail();
    return {
      kind: "list",
      mediaType,
      manifests: document.manifests.map((m) => listEntry(m, fail)),
    };
  }
  if (IMAGE_TYPES.has(mediaType)) {
    if (!Array.isArray(document.layers)) throw fail();
    const config = descriptor(document.config, fail);
    const layers = document.layers.map((layer) => {
      const { digest, size, mediaType: layerType } = descriptor(layer, fail);
      return { name: digest, size, mediaType: layerType };
    });
    return { kind: "image", mediaType, config, layers };
  }
  throw new ImportError(
    "Unsupported",
    `"${reference}" has an unsupported manifest media type ${JSON.stringify(printableMediaType(mediaType))}`,
  );
}

// The media type comes from the registry and ends up in status: only the
// characters a media type is made of, and no more than one can be long.
function printableMediaType(mediaType: string): string {
  return mediaType.replace(/[^\w.+/-]/g, "?").slice(0, 100);
}

function matches(entry: ImageManifest, preference: PlatformPreference): boolean {
  if (!preference.os && !preference.architecture) return false;
  return (
    (!preference.os || entry.os === preference.os) &&
    (!preference.architecture || entry.architecture === preference.architecture)
  );
}

/**
 * Legacy import keeps one child: the first preference that matches (os and
 * architecture, variant ignored), else linux/amd64, else the first entry.
 */
export function choosePlatform(
  manifests: ImageManifest[],
  preferences: PlatformPreference[],
): ImageManifest | undefined {
  const ordered = [...preferences, { os: "linux", architecture: "amd64" }];
  for (const preference of ordered) {
    const found = manifests.find((entry) => matches(entry, preference));
    if (found) return found;
  }
  return manifests[0];
}
