// The RegistryClient: the only code in the product that talks to registries.
// It ties reference parsing, policy, endpoint discovery, auth sessions and
// content fetching together, and tries the caller's credentials in order.

import { credentialIdentity, TokenCache } from "./auth.js";
import { ContentCaches, RepositoryContent } from "./content.js";
import { EndpointResolver } from "./endpoint.js";
import { errorFromConnection } from "./errors.js";
import { assembleImport } from "./importer.js";
import { type Limits, type RegistryClientOptions, resolveLimits } from "./options.js";
import { RegistryPolicy } from "./policy.js";
import type { FetchSettings } from "./redirects.js";
import { apiHost, type ParsedReference, parseImageReference } from "./reference.js";
import { RegistrySession } from "./session.js";
import { listAllTags } from "./tags.js";
import { RegistryThrottle } from "./throttle.js";
import { TlsContexts } from "./tls.js";
import { Transport } from "./transport.js";
import {
  type DockerCredential,
  ImportError,
  type ImportRequest,
  type ImportResult,
  type PullCheckRequest,
  type PullCheckResult,
  type RecheckRequest,
  type RecheckResult,
  type RegistryClient,
} from "./types.js";

type CredentialRequest = Omit<ImportRequest, "importMode" | "preferredPlatforms">;

type Work<T> = (
  content: RepositoryContent,
  session: RegistrySession,
  credential: DockerCredential | undefined,
) => Promise<T>;

/** Those credentials meant for the endpoint's scheme (a host:80 key only over plain HTTP, ADR 0026). */
function usableOver(
  credentials: readonly (DockerCredential | undefined)[],
  origin: string,
): (DockerCredential | undefined)[] {
  const scheme = origin.startsWith("http:") ? "http" : "https";
  return credentials.filter((c) => c?.onlyOver === undefined || c.onlyOver === scheme);
}

/**
 * Credentials in the caller's order, those meant for the endpoint's scheme,
 * then anonymous (a public image must not fail on a bad secret).
 */
function candidates(
  credentials: DockerCredential[],
  origin: string,
): (DockerCredential | undefined)[] {
  const usable = usableOver(credentials, origin);
  const seen = new Set<string>();
  const ordered: (DockerCredential | undefined)[] = [];
  for (const credential of [...usable, undefined]) {
    const identity = credentialIdentity(credential);
    if (seen.has(identity)) continue;
    seen.add(identity);
    ordered.push(credential);
  }
  return ordered;
}

/** The tag or digest a reference asks the registry for. */
function referenceOf(parsed: ParsedReference): string {
  return parsed.digest ?? parsed.tag ?? "latest";
}

export class HttpRegistryClient implements RegistryClient {
  private readonly limits: Limits;
  private readonly now: () => number;
  private readonly policy: RegistryPolicy;
  private readonly transport: Transport;
  private readonly throttle: RegistryThrottle;
  private readonly settings: FetchSettings;
  private readonly endpoints: EndpointResolver;
  private readonly tokens: TokenCache;
  private readonly caches = new ContentCaches();

  constructor(options: RegistryClientOptions = {}) {
    this.limits = resolveLimits(options);
    this.now = options.now ?? Date.now;
    this.policy = new RegistryPolicy(options);
    this.throttle = new RegistryThrottle({
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.onThrottle ? { observer: options.onThrottle } : {}),
      now: this.now,
    });
    this.transport = new Transport(this.policy, options.onRequest, this.throttle);
    this.settings = {
      transport: this.transport,
      tls: new TlsContexts(options),
      timeoutMs: this.limits.requestTimeoutMs,
      maxRedirects: this.limits.maxRedirects,
    };
    this.endpoints = new EndpointResolver(this.settings, this.now);
    this.tokens = new TokenCache(this.now);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  async importImage(req: ImportRequest, signal?: AbortSignal): Promise<ImportResult> {
    const parsed = parseImageReference(req.reference);
    return this.withCredentials(req, parsed, signal, async (content) =>
      assembleImport(content, parsed, req, await content.manifestFor(referenceOf(parsed))),
    );
  }

  async recheck(req: RecheckRequest, signal?: AbortSignal): Promise<RecheckResult> {
    const parsed = parseImageReference(req.reference);
    return this.withCredentials(req, parsed, signal, async (content) => {
      // expecting a change, the GET's answer is both the check and the import
      if (req.expectChange) {
        const top = await content.manifestFor(referenceOf(parsed));
        if (req.recorded.includes(top.digest)) return { unchanged: top.digest };
        return assembleImport(content, parsed, req, top);
      }
      const current = await content.headDigest(referenceOf(parsed));
      if (current && req.recorded.includes(current)) return { unchanged: current };
      const top = current
        ? await content.manifestByDigest(current)
        : await content.manifestFor(referenceOf(parsed));
      return assembleImport(content, parsed, req, top);
    });
  }

  /**
   * Whether a reference by digest can be pulled with the credentials a
   * workload's pods would use (ADR 0030), as the kubelet tries them: each
   * matching credential, or anonymously when none match. Answered without a
   * request when this client read that digest with one of those credentials
   * less than freshMs ago (the import that found it, a re-check's HEAD).
   */
  async checkPullable(req: PullCheckRequest, signal?: AbortSignal): Promise<PullCheckResult> {
    const parsed = parseImageReference(req.reference);
    const digest = parsed.digest;
    if (digest === undefined) {
      throw new ImportError("InvalidReference", `"${req.reference}" names no digest`);
    }
    const tried = req.credentials.length > 0 ? req.credentials : [undefined];
    const repositoryKey = `${apiHost(parsed.registry)}/${parsed.repository}`;
    for (const credential of tried) {
      const seenAt = this.caches.seenAt(repositoryKey, digest, credential);
      if (seenAt !== undefined && this.now() - seenAt < req.freshMs) {
        return {
          answeredBy: "import",
          ...(credential?.source ? { credential: credential.source } : {}),
        };
      }
    }
    return this.withCredentials(
      req,
      parsed,
      signal,
      async (content, _session, credential) => {
        await content.requireDigest(digest);
        return {
          answeredBy: "registry",
          ...(credential?.source ? { credential: credential.source } : {}),
        };
      },
      tried,
    );
  }

  async listTags(req: CredentialRequest, signal?: AbortSignal): Promise<string[]> {
    const parsed = parseImageReference(req.reference);
    return this.withCredentials(req, parsed, signal, (_content, session) =>
      listAllTags(session, parsed.repository, this.limits, req.reference),
    );
  }

  /** Every failure leaves as an ImportError: connection failures and bugs included. */
  private async withCredentials<T>(
    req: CredentialRequest,
    parsed: ParsedReference,
    signal: AbortSignal | undefined,
    work: Work<T>,
    /** the credentials to try, as given (the pull check); default: the request's, then anonymous */
    tried?: (DockerCredential | undefined)[],
  ): Promise<T> {
    try {
      return await this.tryCredentials(req, parsed, signal, work, tried);
    } catch (error) {
      throw errorFromConnection(error);
    }
  }

  private async tryCredentials<T>(
    req: CredentialRequest,
    parsed: ParsedReference,
    signal: AbortSignal | undefined,
    work: Work<T>,
    tried: (DockerCredential | undefined)[] | undefined,
  ): Promise<T> {
    this.policy.checkRegistry(parsed.registry);
    const host = apiHost(parsed.registry);
    // a paused registry is not asked at all, not even for a token (ADR 0013)
    this.throttle.checkPaused(host);
    const endpoint = await this.endpoints.resolve({
      host,
      insecure: req.insecure,
      reference: req.reference,
      repository: `${parsed.registry}/${parsed.repository}`,
      signal,
    });
    let lastRefusal: ImportError | undefined;
    let tokenRefusal: ImportError | undefined;
    const order = tried
      ? usableOver(tried, endpoint.origin)
      : candidates(req.credentials, endpoint.origin);
    for (const credential of order) {
      const session = new RegistrySession(
        {
          settings: this.settings,
          tokens: this.tokens,
          maxTokenBytes: this.limits.maxTokenBytes,
          now: this.now,
        },
        {
          endpoint,
          registryHost: host,
          repository: parsed.repository,
          credential,
          insecure: req.insecure,
          reference: req.reference,
          signal,
        },
      );
      const content = new RepositoryContent({
        session,
        caches: this.caches,
        limits: this.limits,
        repositoryKey: `${host}/${parsed.repository}`,
        host,
        reference: req.reference,
        credentialKey: credentialIdentity(credential),
        now: this.now,
      });
      try {
        return await work(content, session, credential);
      } catch (error) {
        if (!(error instanceof ImportError) || error.reason !== "Unauthorized") throw error;
        lastRefusal = error;
        // says which entry and why (ADR 0031); anonymous's refusal after it would not
        if (credential?.kind === "refresh-token") tokenRefusal ??= error;
      }
    }
    throw (
      tokenRefusal ?? lastRefusal ?? new ImportError("Unauthorized", "no credential was accepted")
    );
  }
}

export function createRegistryClient(options: RegistryClientOptions = {}): HttpRegistryClient {
  return new HttpRegistryClient(options);
}
