// Docker's `identitytoken` (ADR 0031): an OAuth2 refresh token that only the
// registry's token service understands. It is exchanged at the challenge's
// realm with the refresh-token grant (the distribution spec's "OAuth2 token"
// request: a form POST), never sent to the registry itself, never in a query
// string (URLs end up in logs), and never as Basic credentials.
//
// Messages name the pull secret and its registry key, never the token.

import type { Challenge } from "./auth.js";
import { registryErrorCodes } from "./errors.js";
import type { HttpResponse } from "./transport.js";
import { ImportError, type RefreshTokenCredential } from "./types.js";

/** Who is asking, as the spec's `client_id` wants it said. */
export const OAUTH_CLIENT_ID = "imagestream-operator";

/** The form body of the refresh-token grant for one scope. */
export function refreshTokenForm(
  challenge: Challenge,
  scope: string,
  credential: RefreshTokenCredential,
): string {
  const form = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: credential.identityToken,
    client_id: OAUTH_CLIENT_ID,
    scope,
  });
  if (challenge.params.service) form.set("service", challenge.params.service);
  return form.toString();
}

/** "pull secret ns/name entry "key"", or as much of it as is known. */
function entryName(credential: RefreshTokenCredential): string {
  const entry = credential.entry === undefined ? "" : ` entry "${credential.entry}"`;
  return `pull secret ${credential.source ?? "(unnamed)"}${entry}`;
}

/** The registry (or its token service) has no use for identity tokens. */
export function identityTokensNotAccepted(
  credential: RefreshTokenCredential,
  host: string,
): ImportError {
  return new ImportError(
    "Unauthorized",
    `registry ${host} does not accept identity tokens: ${entryName(credential)} has only an identitytoken (use a username and password there)`,
  );
}

function identityTokenRefused(
  credential: RefreshTokenCredential,
  host: string,
  maybeUnsupported: boolean,
): ImportError {
  const or = maybeUnsupported ? ", or the registry does not accept identity tokens" : "";
  return new ImportError(
    "Unauthorized",
    `the token service ${host} refused the identitytoken of ${entryName(credential)}: it is wrong, expired or revoked${or}`,
  );
}

/** OAuth2's `error` field of a refusal (RFC 6749 5.2), if the body has one. */
function oauthError(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    const error = (parsed as { error?: unknown } | null)?.error;
    return typeof error === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}

const UNSUPPORTED_GRANT = new Set(["unsupported_grant_type", "unauthorized_client"]);

/**
 * The error for a token service's refusal of the grant, or undefined when
 * the answer is not a refusal (other failures are the caller's). 404 and
 * 405: no OAuth2 endpoint at the realm (the spec says such services only do
 * GET). 401 also comes from services that do not do the grant at all.
 */
export function refreshTokenRefusal(
  response: HttpResponse,
  credential: RefreshTokenCredential,
): ImportError | undefined {
  const host = response.url.host;
  const { status } = response;
  if (status === 404 || status === 405) return identityTokensNotAccepted(credential, host);
  if (status !== 400 && status !== 401 && status !== 403) return undefined;
  const error = oauthError(response.body);
  if (error !== undefined && UNSUPPORTED_GRANT.has(error)) {
    return identityTokensNotAccepted(credential, host);
  }
  if (error === "invalid_grant") return identityTokenRefused(credential, host, false);
  if (status === 400 && registryErrorCodes(response.body).includes("UNSUPPORTED")) {
    return identityTokensNotAccepted(credential, host);
  }
  return identityTokenRefused(credential, host, true);
}
