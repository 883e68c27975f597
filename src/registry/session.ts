// Authenticated requests against one repository with one credential (or
// none). A 401 is answered once with fresh authorization; a second 401 is
// Unauthorized, so a registry that keeps refusing cannot loop us.

import {
  basicAuthorization,
  type Challenge,
  parseChallenges,
  parseTokenAnswer,
  pickChallenge,
  pullScope,
  type TokenAnswer,
  TokenCache,
  tokenRealm,
  tokenRequestUrl,
} from "./auth.js";
import type { Endpoint } from "./endpoint.js";
import { errorFromResponse, unauthorized } from "./errors.js";
import { type FetchSettings, fetchFollowingRedirects } from "./redirects.js";
import {
  identityTokensNotAccepted,
  refreshTokenForm,
  refreshTokenRefusal,
} from "./refresh-token.js";
import { type HttpResponse, headerValue } from "./transport.js";
import type { DockerCredential, RefreshTokenCredential } from "./types.js";

export interface SessionContext {
  settings: FetchSettings;
  tokens: TokenCache;
  maxTokenBytes: number;
  now: () => number;
}

export interface SessionTarget {
  endpoint: Endpoint;
  registryHost: string;
  repository: string;
  credential: DockerCredential | undefined;
  insecure: boolean;
  /** the user's reference, for messages */
  reference: string;
  signal?: AbortSignal | undefined;
}

export interface SessionRequest {
  method: "GET" | "HEAD";
  /** path and query below the origin, e.g. /v2/<repo>/manifests/<ref> */
  path: string;
  accept?: string;
  maxBodyBytes: number;
}

export class RegistrySession {
  private challenge: Challenge | undefined;

  constructor(
    private readonly context: SessionContext,
    private readonly target: SessionTarget,
  ) {
    this.challenge = target.endpoint.challenge;
  }

  /** Sends the request; any status other than 2xx becomes an ImportError. */
  async send(request: SessionRequest): Promise<HttpResponse> {
    const url = new URL(request.path, this.target.endpoint.origin);
    let response = await this.attempt(url, request, await this.authorization(false));
    if (response.status === 401) {
      const offered = pickChallenge(
        parseChallenges(headerValue(response.headers, "www-authenticate")),
      );
      this.challenge = offered ?? this.challenge;
      const fresh = await this.authorization(true);
      if (fresh === undefined) throw unauthorized(this.target.reference);
      response = await this.attempt(url, request, fresh);
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorFromResponse(response, {
        reference: this.target.reference,
        now: this.context.now,
      });
    }
    return response;
  }

  /** The absolute URL a path resolves to, for pagination links. */
  resolve(path: string): URL {
    return new URL(path, this.target.endpoint.origin);
  }

  private attempt(url: URL, request: SessionRequest, authorization: string | undefined) {
    const headers: Record<string, string> = {};
    if (request.accept) headers.accept = request.accept;
    if (authorization) headers.authorization = authorization;
    return fetchFollowingRedirects(this.context.settings, url, {
      method: request.method,
      headers,
      maxBodyBytes: request.maxBodyBytes,
      insecure: this.target.insecure,
      signal: this.target.signal,
    });
  }

  private async authorization(refresh: boolean): Promise<string | undefined> {
    const challenge = this.challenge;
    const { credential } = this.target;
    if (challenge?.scheme === "basic") {
      if (credential?.kind === "refresh-token") {
        throw identityTokensNotAccepted(credential, this.target.registryHost);
      }
      return credential ? basicAuthorization(credential) : undefined;
    }
    if (challenge?.scheme !== "bearer") return undefined;
    const scope = pullScope(this.target.repository);
    const key = TokenCache.key(this.target.registryHost, scope, credential);
    if (refresh) this.context.tokens.delete(key);
    const cached = this.context.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    const token = await this.fetchToken(challenge, scope);
    this.context.tokens.set(key, token.token, token.lifetimeSeconds);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<TokenAnswer> {
    const { credential, insecure, reference } = this.target;
    if (credential?.kind === "refresh-token") {
      return this.exchangeRefreshToken(challenge, scope, credential);
    }
    const url = tokenRequestUrl(challenge, scope, credential, insecure, reference);
    const headers: Record<string, string> = { accept: "application/json" };
    if (credential) headers.authorization = basicAuthorization(credential);
    const response = await fetchFollowingRedirects(this.context.settings, url, {
      method: "GET",
      headers,
      maxBodyBytes: this.context.maxTokenBytes,
      insecure,
      signal: this.target.signal,
    });
    if (response.status === 401 || response.status === 403) throw unauthorized(reference);
    return this.tokenFrom(response);
  }

  /** The OAuth2 refresh-token grant: a form POST to the realm (ADR 0031). */
  private async exchangeRefreshToken(
    challenge: Challenge,
    scope: string,
    credential: RefreshTokenCredential,
  ): Promise<TokenAnswer> {
    const { insecure, reference } = this.target;
    const url = tokenRealm(challenge, credential, insecure, reference);
    const response = await fetchFollowingRedirects(this.context.settings, url, {
      method: "POST",
      headers: {
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: refreshTokenForm(challenge, scope, credential),
      maxBodyBytes: this.context.maxTokenBytes,
      insecure,
      signal: this.target.signal,
    });
    const refusal = refreshTokenRefusal(response, credential);
    if (refusal) throw refusal;
    return this.tokenFrom(response);
  }

  private tokenFrom(response: HttpResponse): TokenAnswer {
    if (response.status < 200 || response.status >= 300) {
      throw errorFromResponse(response, {
        reference: this.target.reference,
        now: this.context.now,
      });
    }
    return parseTokenAnswer(response.body, response.url.host);
  }
}
