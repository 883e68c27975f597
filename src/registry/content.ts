// Fetching manifests and config blobs of one repository through a session.
// HEAD first (Docker Hub does not count a HEAD as a pull), GET by digest only
// when the bytes are not cached; every body is verified against its digest.
// Caches are keyed by registry/repository@digest, never by digest alone, and
// a top-level reference is always checked with the caller's credential, so a
// cached manifest is never handed to a tenant who could not read it.

import { createHash } from "node:crypto";
import type { ImageConfigMetadata } from "../api/types.js";
import { credentialIdentity } from "./auth.js";
import { parseImageConfig } from "./config.js";
import { BoundedCache } from "./lru.js";
import {
  type Descriptor,
  digestOf,
  isImageConfigType,
  MANIFEST_ACCEPT,
  type ManifestDocument,
  parseManifest,
  verifyDigest,
} from "./manifest.js";
import type { Limits } from "./options.js";
import { isValidDigest } from "./reference.js";
import type { RegistrySession } from "./session.js";
import { headerValue } from "./transport.js";
import { type DockerCredential, ImportError } from "./types.js";

interface StoredManifest {
  body: Buffer;
  contentType: string | undefined;
}

export interface FetchedManifest {
  digest: string;
  size: number;
  document: ManifestDocument;
}

/**
 * Content caches shared by all imports of a client. An unchanged re-check
 * needs none of this (it compares a HEAD with the digests the status
 * records, RegistryClient.recheck), so they only save fetches within a burst:
 * list children, and streams importing the same image at about the same
 * time. Small, bounded by entries and bytes (issue "Scale": caches hold only
 * what is read).
 */
export class ContentCaches {
  readonly manifests = new BoundedCache<string, StoredManifest>(1000, 8 * 1024 * 1024);
  readonly configs = new BoundedCache<string, ImageConfigMetadata>(1000);
  /**
   * When a digest of a repository was last read with a credential (its
   * identity hash, never the secret): answers the pull check before a
   * trigger writes that digest (ADR 0030) without asking again.
   */
  private readonly seen = new BoundedCache<string, number>(20_000);

  markSeen(repositoryKey: string, digest: string, credentialKey: string, at: number): void {
    this.seen.set(seenKey(repositoryKey, digest, credentialKey), at);
  }

  seenAt(
    repositoryKey: string,
    digest: string,
    credential: DockerCredential | undefined,
  ): number | undefined {
    return this.seen.get(seenKey(repositoryKey, digest, credentialIdentity(credential)));
  }
}

/**
 * 128 bits of SHA-256 over the three parts, as one flat 22-character string:
 * a key built by concatenation would keep a chain of string pieces and the
 * repository and digest strings alive: 456 bytes of heap an entry against
 * 145 (measured with 20,000 entries, 2026-12-08), and there are up to 20,000
 * entries (one per tag read). A collision is as unlikely as one of two
 * 128-bit random values.
 */
function seenKey(repositoryKey: string, digest: string, credentialKey: string): string {
  return createHash("sha256")
    .update(repositoryKey)
    .update("\0")
    .update(digest)
    .update("\0")
    .update(credentialKey)
    .digest()
    .toString("base64url", 0, 16);
}

export interface RepositoryContentOptions {
  session: RegistrySession;
  caches: ContentCaches;
  limits: Limits;
  /** registry/repository, the cache namespace */
  repositoryKey: string;
  host: string;
  /** the user's reference, for messages */
  reference: string;
  /** credentialIdentity of the session's credential, for ContentCaches.markSeen */
  credentialKey?: string;
  now?: () => number;
}

export class RepositoryContent {
  constructor(private readonly options: RepositoryContentOptions) {}

  /**
   * The manifest a tag or digest names, checked with the session's
   * credential. A tag is fetched at once (a HEAD first would only add a round
   * trip: nothing is known to compare its answer with).
   */
  async manifestFor(tagOrDigest: string): Promise<FetchedManifest> {
    if (!isValidDigest(tagOrDigest)) return this.manifestByTag(tagOrDigest);
    if (!this.cached(tagOrDigest)) return this.fetchByDigest(tagOrDigest);
    // a cached body is only used once the registry said yes to this credential
    const head = await this.head(tagOrDigest);
    return head.answered ? this.manifestByDigest(tagOrDigest) : this.fetchByDigest(tagOrDigest);
  }

  /**
   * The digest the registry gives for a tag or digest (one HEAD, which Docker
   * Hub does not count as a pull); undefined when the registry cannot answer
   * HEAD with a digest. Refusals (401, 404, 429) are thrown.
   */
  async headDigest(tagOrDigest: string): Promise<string | undefined> {
    return (await this.head(tagOrDigest)).digest;
  }

  /** A manifest whose digest comes from verified content (a list entry). */
  async manifestByDigest(digest: string): Promise<FetchedManifest> {
    const cached = this.cached(digest);
    if (!cached) return this.fetchByDigest(digest);
    // a list entry is readable with the credential that read its list
    this.seen(digest);
    return this.parsed(digest, cached);
  }

  /**
   * The digest exists and this credential may read it: one HEAD (which
   * Docker Hub does not count as a pull). Refusals are thrown; a registry
   * that cannot answer HEAD gets a GET.
   */
  async requireDigest(digest: string): Promise<void> {
    const head = await this.head(digest);
    if (!head.answered) await this.fetchByDigest(digest);
  }

  private seen(digest: string | undefined): void {
    const { credentialKey, now } = this.options;
    if (digest === undefined || credentialKey === undefined || now === undefined) return;
    this.options.caches.markSeen(this.options.repositoryKey, digest, credentialKey, now());
  }

  private async fetchByDigest(digest: string): Promise<FetchedManifest> {
    const { stored } = await this.download(digest, digest);
    return this.parsed(digest, stored);
  }

  /** Metadata from the config blob; undefined for artifacts that are not images. */
  async imageConfig(config: Descriptor): Promise<ImageConfigMetadata | undefined> {
    if (!isImageConfigType(config.mediaType)) return undefined;
    const key = `${this.options.repositoryKey}@${config.digest}`;
    const cached = this.options.caches.configs.get(key);
    if (cached) return cached;
    if (config.size > this.options.limits.maxConfigBytes) {
      throw new ImportError(
        "TooLarge",
        `the image config of "${this.options.reference}" is too large`,
      );
    }
    const response = await this.options.session.send({
      method: "GET",
      path: `/v2/${this.repository()}/blobs/${config.digest}`,
      maxBodyBytes: this.options.limits.maxConfigBytes,
    });
    verifyDigest(response.body, config.digest, "image config");
    const metadata = parseImageConfig(response.body, this.options.host);
    this.options.caches.configs.set(key, metadata);
    return metadata;
  }

  private repository(): string {
    return this.options.repositoryKey.slice(this.options.repositoryKey.indexOf("/") + 1);
  }

  private manifestPath(tagOrDigest: string): string {
    return `/v2/${this.repository()}/manifests/${tagOrDigest}`;
  }

  private cached(digest: string): StoredManifest | undefined {
    return this.options.caches.manifests.get(`${this.options.repositoryKey}@${digest}`);
  }

  /**
   * HEAD on a manifest. Refusals (401, 404, 429...) are final; a registry that
   * fails HEAD otherwise (405, 5xx) gets a GET instead.
   */
  private async head(tagOrDigest: string): Promise<{ answered: boolean; digest?: string }> {
    try {
      const response = await this.options.session.send({
        method: "HEAD",
        path: this.manifestPath(tagOrDigest),
        accept: MANIFEST_ACCEPT,
        maxBodyBytes: 0,
      });
      const digest = headerValue(response.headers, "docker-content-digest");
      const valid = digest && isValidDigest(digest) ? digest : undefined;
      this.seen(valid);
      if (isValidDigest(tagOrDigest)) this.seen(tagOrDigest);
      return valid ? { answered: true, digest: valid } : { answered: true };
    } catch (error) {
      if (error instanceof ImportError && error.reason === "InternalError") {
        return { answered: false };
      }
      throw error;
    }
  }

  private async download(
    tagOrDigest: string,
    expected: string | undefined,
  ): Promise<{ digest: string; stored: StoredManifest }> {
    const response = await this.options.session.send({
      method: "GET",
      path: this.manifestPath(tagOrDigest),
      accept: MANIFEST_ACCEPT,
      maxBodyBytes: this.options.limits.maxManifestBytes,
    });
    const announced = headerValue(response.headers, "docker-content-digest");
    const claimed = expected ?? (announced && isValidDigest(announced) ? announced : undefined);
    if (claimed) verifyDigest(response.body, claimed, "manifest");
    // without a claim (no digest header on a tag) the content names itself
    const digest = claimed ?? digestOf(response.body);
    const stored = {
      body: response.body,
      contentType: headerValue(response.headers, "content-type"),
    };
    this.seen(digest);
    this.options.caches.manifests.set(
      `${this.options.repositoryKey}@${digest}`,
      stored,
      stored.body.length,
    );
    return { digest, stored };
  }

  private async manifestByTag(tag: string): Promise<FetchedManifest> {
    const { digest, stored } = await this.download(tag, undefined);
    return this.parsed(digest, stored);
  }

  private parsed(digest: string, stored: StoredManifest): FetchedManifest {
    const document = parseManifest(
      stored.body,
      stored.contentType,
      this.options.host,
      this.options.reference,
    );
    return { digest, size: stored.body.length, document };
  }
}
