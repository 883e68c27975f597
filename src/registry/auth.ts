// The registry auth dance: WWW-Authenticate challenges, Basic credentials and
// Bearer tokens from the challenge's realm (the distribution token spec, as
// Docker Hub, Quay, GHCR and the distribution server implement it).

import { createHash } from "node:crypto";
import { BoundedCache } from "./lru.js";
import type { DockerCredential, PasswordCredential } from "./types.js";
import { ImportError } from "./types.js";

export interface Challenge {
  /** lower-case scheme: "basic", "bearer", ... */
  scheme: string;
  params: Record<string, string>;
}

const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
const MAX_TOKEN_CACHE_ENTRIES = 1000;

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/;
const QUOTED = /^"((?:[^"\\]|\\.)*)"/;

/**
 * Parses `Bearer realm="...",service="...", Basic realm="..."`: a header may
 * hold several challenges; a name not followed by `=` starts a new one.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header ?? "";
  let current: Challenge | undefined;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, "");
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break;
    rest = rest.slice(name.length);
    const equals = /^\s*=\s*/.exec(rest);
    if (!equals) {
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }
    rest = rest.slice(equals[0].length);
    const quoted = QUOTED.exec(rest);
    const raw = quoted ? quoted[0] : (/^[^,\s]*/.exec(rest)?.[0] ?? "");
    rest = rest.slice(raw.length);
    const value = quoted ? (quoted[1] ?? "").replace(/\\(.)/g, "$1") : raw;
    if (current) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/** The challenge we answer: Bearer when offered, else Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return (
    challenges.find((challenge) => challenge.scheme === "bearer" && challenge.params.realm) ??
    challenges.find((challenge) => challenge.scheme === "basic")
  );
}

export function basicAuthorization(credential: PasswordCredential): string {
  const pair = `${credential.username}:${credential.password}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/** Identifies a credential in cache keys without holding the secret itself. */
export function credentialIdentity(credential: DockerCredential | undefined): string {
  if (!credential) return "anonymous";
  const secret =
    credential.kind === "refresh-token"
      ? `\0refresh-token\0${credential.identityToken}`
      : `${credential.username}\0${credential.password}`;
  return createHash("sha256").update(secret).digest("hex").slice(0, 32);
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Bearer tokens per registry + scope + credential identity, until they expire. */
export class TokenCache {
  private readonly entries = new BoundedCache<string, CachedToken>(MAX_TOKEN_CACHE_ENTRIES);

  constructor(private readonly now: () => number) {}

  static key(registryHost: string, scope: string, credential?: DockerCredential): string {
    return `${registryHost}|${scope}|${credentialIdentity(credential)}`;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: string, lifetimeSeconds: number): void {
    const lifetimeMs = lifetimeSeconds * 1000;
    // renew a little early so a token does not expire between check and use
    const margin = Math.min(5000, lifetimeMs / 10);
    this.entries.set(key, { token, expiresAt: this.now() + lifetimeMs - margin });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export interface TokenAnswer {
  token: string;
  lifetimeSeconds: number;
}

/** Reads `{"token"|"access_token": string, "expires_in"?: number}`. */
export function parseTokenAnswer(body: Buffer, host: string): TokenAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ImportError("InternalError", `token service ${host} returned malformed JSON`);
  }
  const answer = (parsed ?? {}) as {
    token?: unknown;
    access_token?: unknown;
    expires_in?: unknown;
  };
  const token =
    typeof answer.token === "string" && answer.token ? answer.token : answer.access_token;
  if (typeof token !== "string" || token.length === 0) {
    throw new ImportError("InternalError", `token service ${host} returned no token`);
  }
  const expiresIn = answer.expires_in;
  // a token service that claims a lifetime of years is not believed: a day at
  // most, so a revoked token cannot live on in the cache
  const lifetimeSeconds =
    typeof expiresIn === "number" && Number.isFinite(expiresIn) && expiresIn > 0
      ? Math.min(expiresIn, MAX_TOKEN_LIFETIME_SECONDS)
      : DEFAULT_TOKEN_LIFETIME_SECONDS;
  return { token, lifetimeSeconds };
}

/** The challenge's realm; throws when it is invalid or credentials would travel in clear text. */
export function tokenRealm(
  challenge: Challenge,
  credential: DockerCredential | undefined,
  insecure: boolean,
  reference: string,
): URL {
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm ?? "");
  } catch {
    throw new ImportError("InternalError", "the registry sent an invalid token realm");
  }
  if (realm.protocol !== "https:" && realm.protocol !== "http:") {
    throw new ImportError("InternalError", "the registry sent an invalid token realm");
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(realm.hostname);
  if (credential && realm.protocol === "http:" && !insecure && !loopback) {
    throw new ImportError(
      "InternalError",
      `the token service of "${reference}" uses plain HTTP; credentials are only sent there with the insecure flag`,
    );
  }
  return realm;
}

/** The token request URL of a GET (anonymous or Basic credentials): service and scope in the query. */
export function tokenRequestUrl(
  challenge: Challenge,
  scope: string,
  credential: DockerCredential | undefined,
  insecure: boolean,
  reference: string,
): URL {
  const realm = tokenRealm(challenge, credential, insecure, reference);
  if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
  realm.searchParams.set("scope", scope);
  return realm;
}
