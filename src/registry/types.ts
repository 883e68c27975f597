// The contract between the registry client (src/registry, the only code that
// talks to registries) and its callers (controllers, CLI). Pure data.

import type { ImageConfigMetadata, ImageLayer, ImageManifest } from "../api/types.js";

/** A parsed pull spec, as container tools read it. */
export interface ImageReference {
  /** registry host[:port] as written, or "docker.io" when defaulted */
  registry: string;
  /** repository path, with "library/" added for docker.io single-segment names */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Platform preference for Legacy import of a manifest list. */
export interface PlatformPreference {
  os?: string;
  architecture?: string;
}

export interface DockerCredential {
  username: string;
  password: string;
  /** where it came from ("namespace/secret"), safe to show; never the secret itself */
  source?: string;
}

export interface ImportRequest {
  /** from.name of the spec tag, as the user wrote it */
  reference: string;
  insecure: boolean;
  importMode: "Legacy" | "PreserveOriginal";
  /** tag annotations prefer-arch/prefer-os, then the configured default */
  preferredPlatforms: PlatformPreference[];
  /** credentials matched most-specific first; tried in order */
  credentials: DockerCredential[];
}

/** Metadata of one imported manifest (what becomes an Image object). */
export interface ImportedImage {
  digest: string;
  mediaType: string;
  manifestSize: number;
  /** repo@digest, the user's reference with the tag replaced by the digest */
  dockerImageReference: string;
  size: number;
  layers: ImageLayer[];
  config?: ImageConfigMetadata;
  /** set for manifest lists / indexes */
  manifests?: ImageManifest[];
}

export interface ImportResult {
  /** the digest the tag records: the list digest (PreserveOriginal) or the chosen child (Legacy) */
  image: ImportedImage;
  /** PreserveOriginal: every child, imported as its own Image */
  children: ImportedImage[];
}

export type ImportFailureReason =
  | "Unauthorized"
  | "NotFound"
  | "InvalidReference"
  | "Forbidden"
  | "InsecureRequired"
  | "ContentIntegrity"
  | "TooLarge"
  | "RateLimited"
  | "Timeout"
  | "Unsupported"
  | "InternalError";

/**
 * Every failure the client reports. `message` is short and sanitised: never a
 * response body, header or credential. `retryAfterSeconds` comes from 429/503.
 */
export class ImportError extends Error {
  constructor(
    readonly reason: ImportFailureReason,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ImportError";
  }
}

export interface RegistryClient {
  importImage(req: ImportRequest, signal?: AbortSignal): Promise<ImportResult>;
  /** tags of a repository, for spec.dockerImageRepository bulk import */
  listTags(
    req: Omit<ImportRequest, "importMode" | "preferredPlatforms">,
    signal?: AbortSignal,
  ): Promise<string[]>;
}
