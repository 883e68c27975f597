// Registry answers -> ImportError. Messages name the image and the registry
// host, never a response body, header value or credential: registries echo
// requests back in error bodies, and these messages end up in tag conditions.

import { parseRetryAfter } from "./rate-headers.js";
import { ConnectionError, type HttpResponse, headerValue } from "./transport.js";
import { ImportError } from "./types.js";

const NOT_FOUND_CODES = new Set([
  "MANIFEST_UNKNOWN",
  "NAME_UNKNOWN",
  "BLOB_UNKNOWN",
  "TAG_INVALID",
]);
const UNAUTHORIZED_CODES = new Set(["UNAUTHORIZED", "DENIED"]);

export interface ErrorContext {
  /** the user's reference as written */
  reference: string;
  now: () => number;
}

export function unauthorized(reference: string): ImportError {
  return new ImportError(
    "Unauthorized",
    `you may not have access to the container image "${reference}"`,
  );
}

export function notFound(reference: string): ImportError {
  return new ImportError("NotFound", `dockerimage.image.openshift.io "${reference}" not found`);
}

/** The distribution error codes of an error body, ignoring anything malformed. */
export function registryErrorCodes(body: Buffer): string[] {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .map((entry) => (entry as { code?: unknown })?.code)
      .filter((code): code is string => typeof code === "string");
  } catch {
    return [];
  }
}

export function errorFromResponse(response: HttpResponse, context: ErrorContext): ImportError {
  const { status } = response;
  const host = response.url.host;
  const codes = registryErrorCodes(response.body);
  const retryAfter = parseRetryAfter(headerValue(response.headers, "retry-after"), context.now());
  if (status === 401 || status === 403 || codes.some((code) => UNAUTHORIZED_CODES.has(code))) {
    return unauthorized(context.reference);
  }
  if (status === 404 || codes.some((code) => NOT_FOUND_CODES.has(code))) {
    return notFound(context.reference);
  }
  if (status === 429 || codes.includes("TOOMANYREQUESTS")) {
    const after = retryAfter === undefined ? "" : ` (retry after ${retryAfter}s)`;
    return new ImportError(
      "RateLimited",
      `registry ${host} rate limit reached${after}`,
      retryAfter,
    );
  }
  if (status >= 500) {
    return new ImportError(
      "InternalError",
      `registry ${host} answered ${status} for "${context.reference}"`,
      retryAfter,
    );
  }
  return new ImportError(
    "InternalError",
    `registry ${host} answered unexpected status ${status} for "${context.reference}"`,
  );
}

/** The common ways a connection fails, said as a user would; the code stays for searching. */
const CONNECTION_FAILURES: Record<string, (host: string) => string> = {
  ECONNREFUSED: (host) => `registry ${host} refused the connection: nothing is listening there`,
  ECONNRESET: (host) => `registry ${host} closed the connection before answering`,
  ENOTFOUND: (host) => `the host name of registry ${host} does not resolve`,
  EAI_AGAIN: (host) => `the host name of registry ${host} could not be resolved now`,
  ETIMEDOUT: (host) => `connecting to registry ${host} timed out`,
  UND_ERR_CONNECT_TIMEOUT: (host) => `connecting to registry ${host} timed out`,
  EHOSTUNREACH: (host) => `registry ${host} is unreachable from here`,
  ENETUNREACH: (host) => `registry ${host} is unreachable from here`,
};

function connectionFailure(host: string, code: string): string {
  const said = CONNECTION_FAILURES[code];
  return said ? `${said(host)} (${code})` : `connection to registry ${host} failed (${code})`;
}

/** Failures below HTTP, with the code but not the library's message. */
export function errorFromConnection(error: unknown): ImportError {
  if (error instanceof ImportError) return error;
  if (error instanceof ConnectionError) {
    if (error.certificateProblem) {
      return new ImportError(
        "InternalError",
        `the certificate of registry ${error.host} is not trusted (${error.code})`,
      );
    }
    return new ImportError("InternalError", connectionFailure(error.host, error.code));
  }
  return new ImportError("InternalError", "unexpected failure talking to the registry");
}

export function malformed(host: string, what: string): ImportError {
  return new ImportError("InternalError", `registry ${host} returned a malformed ${what}`);
}
