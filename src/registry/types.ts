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

interface CredentialPlace {
  /** where it came from ("namespace/secret"), safe to show; never the secret itself */
  source?: string;
  /** the pull secret's registry key it came from, safe to show */
  entry?: string;
  /**
   * Send it only over this scheme: the pull secret's key said so by its port
   * (OpenShift's rule, ADR 0026: `host:80` is plain HTTP, `host` HTTPS).
   * Absent: either.
   */
  onlyOver?: "https" | "http";
}

/** A username and password (a pull secret's `auth`, or `username` and `password`). */
export interface PasswordCredential extends CredentialPlace {
  kind?: "password";
  username: string;
  password: string;
}

/**
 * A pull secret entry with only an `identitytoken`: an OAuth2 refresh token
 * for the registry's token service, never sent to the registry itself
 * (ADR 0031).
 */
export interface RefreshTokenCredential extends CredentialPlace {
  kind: "refresh-token";
  identityToken: string;
}

export type DockerCredential = PasswordCredential | RefreshTokenCredential;

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
  /** Legacy import of a manifest list: the list the child was chosen from */
  listDigest?: string;
}

/** A re-check of a tag that was imported before. */
export interface RecheckRequest extends ImportRequest {
  /**
   * Digests meaning "the tag has not moved" when the registry answers one of
   * them: what the status records, and for a Legacy child the list it was
   * chosen from. Then nothing is fetched.
   */
  recorded: string[];
  /**
   * The caller has reason to expect a change (a push notification): GET the
   * manifest at once instead of a HEAD first. The GET answers the digest
   * too, so an unchanged tag still costs one request and a moved one saves
   * the HEAD (ADR 0027).
   */
  expectChange?: boolean;
}

/** Either a new import, or the registry's digest for a tag that has not moved. */
export type RecheckResult = ImportResult | { unchanged: string };

/** Can a workload's pods pull this reference (by digest)? (ADR 0030) */
export interface PullCheckRequest {
  /** repository@digest, the reference a trigger writes */
  reference: string;
  insecure: boolean;
  /** the credentials the pods would use for it (their pull secrets' matching entries) */
  credentials: DockerCredential[];
  /** a read of this digest with one of these credentials this recent answers without a request */
  freshMs: number;
}

export interface PullCheckResult {
  /** "import": this client read the digest recently with that credential; "registry": a HEAD now */
  answeredBy: "import" | "registry";
  /** the secret ("namespace/name") whose credential was accepted; absent: anonymous */
  credential?: string;
}

/** The digest the registry gave for the reference itself (a list's own digest, not its child's). */
export function answeredDigest(result: RecheckResult): string {
  return "unchanged" in result ? result.unchanged : (result.listDigest ?? result.image.digest);
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
  /** a first import: one manifest GET by tag (no HEAD: nothing to compare it with), config GETs */
  importImage(req: ImportRequest, signal?: AbortSignal): Promise<ImportResult>;
  /**
   * one HEAD (a GET with req.expectChange); only when the digest is not in
   * req.recorded, the import (by that digest)
   */
  recheck(req: RecheckRequest, signal?: AbortSignal): Promise<RecheckResult>;
  /** a HEAD by digest with the pods' credentials, unless a recent read answers it (ADR 0030) */
  checkPullable(req: PullCheckRequest, signal?: AbortSignal): Promise<PullCheckResult>;
  /** tags of a repository, for spec.dockerImageRepository bulk import */
  listTags(
    req: Omit<ImportRequest, "importMode" | "preferredPlatforms">,
    signal?: AbortSignal,
  ): Promise<string[]>;
}
