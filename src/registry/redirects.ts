// Requests that follow redirects (blob downloads go to object stores and
// CDNs), with a bound, loop detection, no HTTPS->HTTP downgrade unless
// insecure, and the Authorization header dropped when leaving the origin the
// credential was meant for.

import type { TlsContexts } from "./tls.js";
import { type HttpResponse, headerValue, isRedirect, type Transport } from "./transport.js";
import { ImportError } from "./types.js";

export interface FetchInit {
  method: "GET" | "HEAD" | "POST";
  headers: Record<string, string>;
  /** a form for the token service; a request with a body never follows a redirect */
  body?: string;
  maxBodyBytes: number;
  insecure: boolean;
  signal?: AbortSignal | undefined;
}

export interface FetchSettings {
  transport: Transport;
  tls: TlsContexts;
  timeoutMs: number;
  maxRedirects: number;
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
}

function nextLocation(response: HttpResponse, insecure: boolean): URL {
  const location = headerValue(response.headers, "location");
  const host = response.url.host;
  let next: URL;
  try {
    next = new URL(location ?? "", response.url);
  } catch {
    throw new ImportError("InternalError", `registry ${host} sent an invalid redirect`);
  }
  if (!location || (next.protocol !== "https:" && next.protocol !== "http:")) {
    throw new ImportError("InternalError", `registry ${host} sent an invalid redirect`);
  }
  if (response.url.protocol === "https:" && next.protocol === "http:" && !insecure) {
    throw new ImportError("InternalError", `registry ${host} redirected to plain HTTP`);
  }
  return next;
}

export async function fetchFollowingRedirects(
  settings: FetchSettings,
  url: URL,
  init: FetchInit,
): Promise<HttpResponse> {
  const visited = new Set<string>();
  let current = url;
  let headers = init.headers;
  for (let redirects = 0; ; redirects++) {
    visited.add(current.href);
    const response = await settings.transport.send({
      url: current,
      method: init.method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      maxBodyBytes: init.maxBodyBytes,
      timeoutMs: settings.timeoutMs,
      tls: settings.tls.settingsFor(current.host, init.insecure),
      signal: init.signal,
    });
    // a body holds a secret meant for this URL only: its redirect is the caller's failure
    if (!isRedirect(response.status) || init.body !== undefined) return response;
    const next = nextLocation(response, init.insecure);
    if (visited.has(next.href)) {
      throw new ImportError("InternalError", `registry ${current.host} sent a redirect loop`);
    }
    if (redirects >= settings.maxRedirects) {
      throw new ImportError("InternalError", `registry ${url.host} redirected too many times`);
    }
    if (next.origin !== current.origin) headers = withoutAuthorization(headers);
    current = next;
  }
}
