// One bounded HTTP exchange. Everything here is controlled by a remote party,
// so every exchange has a deadline covering connect, headers and body (a body
// that never ends is a Timeout), a byte limit enforced while streaming (never
// an unbounded read) and a resolved-address check before connecting.

import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { SecureContext } from "node:tls";
import { throttleKey } from "./host-budget.js";
import type { RequestObserver } from "./options.js";
import type { RegistryPolicy } from "./policy.js";
import { RegistryThrottle } from "./throttle.js";
import { ImportError } from "./types.js";

/** Error bodies are only read for their error code; a longer one is cut, not fatal. */
const ERROR_BODY_LIMIT = 64 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface TlsSettings {
  secureContext?: SecureContext;
  rejectUnauthorized: boolean;
}

export interface HttpRequest {
  url: URL;
  method: "GET" | "HEAD" | "POST";
  headers: Record<string, string>;
  /** sent as is; the caller sets its content-type */
  body?: string;
  /** limit for a successful body; exceeding it aborts the read with TooLarge */
  maxBodyBytes: number;
  timeoutMs: number;
  tls: TlsSettings;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A failure below HTTP (refused, reset, TLS); the caller decides about fallbacks. */
export class ConnectionError extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
    readonly certificateProblem: boolean,
  ) {
    super(`connection to ${host} failed (${code})`);
    this.name = "ConnectionError";
  }
}

const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function policyLookup(policy: RegistryPolicy): LookupFunction {
  return (hostname, options, callback) => {
    policy.resolveForConnect(hostname).then(
      (addresses) => {
        const usable = options.family
          ? addresses.filter((entry) => entry.family === options.family)
          : addresses;
        const first = usable[0];
        if (options.all) callback(null, usable);
        else if (first) callback(null, first.address, first.family);
        else callback(Object.assign(new Error("no address"), { code: "ENOTFOUND" }), "", 0);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

export class Transport {
  // No socket cap here: the throttle's per-host concurrency slots (ADR 0013)
  // bound the requests in flight, and with them the sockets, per host.
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly lookup: LookupFunction;

  constructor(
    private readonly policy: RegistryPolicy,
    private readonly observe?: RequestObserver,
    readonly throttle = new RegistryThrottle(),
  ) {
    this.lookup = policyLookup(policy);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One exchange, no redirects followed. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    // every hop: a redirect or token realm may point at a blocked host
    this.policy.checkConnection(request.url.host);
    const hostname = request.url.hostname;
    // Node skips the lookup hook for IP literals, so they are checked here
    if (isIP(hostname.replace(/^\[|\]$/g, "")) !== 0) await this.policy.resolveForConnect(hostname);
    // a paused host fails here, and waiting for its budget is not on the clock
    return this.throttle.run(request.url.host, () => this.sendNow(request), request.signal);
  }

  private async sendNow(request: HttpRequest): Promise<HttpResponse> {
    const host = request.url.host;
    const started = performance.now();
    const observe = (code: string) =>
      this.observe?.(request.method, code, (performance.now() - started) / 1000, throttleKey(host));
    try {
      const response = await new Promise<HttpResponse>((resolve, reject) =>
        this.exchange(request, resolve, reject),
      );
      observe(String(response.status));
      this.throttle.observe(host, {
        status: response.status,
        header: (name) => headerValue(response.headers, name),
      });
      return response;
    } catch (error) {
      observe("error");
      throw error;
    }
  }

  private exchange(
    request: HttpRequest,
    resolve: (response: HttpResponse) => void,
    reject: (error: Error) => void,
  ): void {
    const isHttps = request.url.protocol === "https:";
    const host = request.url.host;
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) {
        outgoing.destroy();
        reject(translateError(error, host, request.signal));
      } else if (response) resolve(response);
    };
    const options: https.RequestOptions & { secureContext?: SecureContext } = {
      method: request.method,
      headers: { "user-agent": "imagestream-operator", ...request.headers },
      agent: isHttps ? this.httpsAgent : this.httpAgent,
      lookup: this.lookup,
      signal: request.signal,
    };
    if (isHttps) {
      options.rejectUnauthorized = request.tls.rejectUnauthorized;
      if (request.tls.secureContext) options.secureContext = request.tls.secureContext;
    }
    const outgoing = (isHttps ? https : http).request(request.url, options, (incoming) => {
      readBody(incoming, request, finish);
    });
    // The deadline runs from the moment a socket is assigned: waiting for a
    // socket (a fresh connection's DNS lookup and policy check included) is not
    // the registry being slow, and must not fail an import as a Timeout. The
    // throttle's waits happen before this request exists, so are not counted.
    outgoing.once("socket", () => {
      if (settled) return;
      deadline = setTimeout(() => {
        finish(
          new ImportError("Timeout", `timed out after ${request.timeoutMs} ms talking to ${host}`),
        );
      }, request.timeoutMs);
    });
    outgoing.on("error", (error) => finish(error));
    outgoing.end(request.body);
  }
}

function readBody(
  incoming: http.IncomingMessage,
  request: HttpRequest,
  finish: (error: Error | undefined, response?: HttpResponse) => void,
): void {
  const status = incoming.statusCode ?? 0;
  const respond = (body: Buffer): void =>
    finish(undefined, { url: request.url, status, headers: incoming.headers, body });
  if (request.method === "HEAD") {
    // No body follows: reading the (empty) rest hands the connection back to
    // the agent. Destroying the response would close it, and every unchanged
    // scheduled check would pay a new TCP (and TLS) connection.
    incoming.resume();
    respond(Buffer.alloc(0));
    return;
  }
  if (REDIRECT_STATUSES.has(status)) {
    // a redirect body is never needed, and draining it could take forever
    incoming.destroy();
    respond(Buffer.alloc(0));
    return;
  }
  const truncate = status >= 400;
  const limit = truncate ? ERROR_BODY_LIMIT : request.maxBodyBytes;
  const tooLarge = (): ImportError =>
    new ImportError(
      "TooLarge",
      `response from ${request.url.host} exceeds the limit of ${request.maxBodyBytes} bytes`,
    );
  const declared = Number(incoming.headers["content-length"]);
  if (!truncate && Number.isFinite(declared) && declared > limit) {
    finish(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  incoming.on("data", (chunk: Buffer) => {
    const room = limit - received;
    received += chunk.length;
    if (received <= limit) {
      chunks.push(chunk);
      return;
    }
    if (!truncate) {
      finish(tooLarge());
      return;
    }
    chunks.push(chunk.subarray(0, Math.max(room, 0)));
    respond(Buffer.concat(chunks));
    incoming.destroy();
  });
  incoming.on("end", () => respond(Buffer.concat(chunks)));
  incoming.on("error", (error) => finish(error));
}

function translateError(error: Error, host: string, signal?: AbortSignal): Error {
  if (error instanceof ImportError) return error;
  if (signal?.aborted || error.name === "AbortError") {
    return new ImportError("Timeout", `request to ${host} was cancelled`);
  }
  const code = (error as NodeJS.ErrnoException).code ?? "UNKNOWN";
  return new ConnectionError(host, code, CERTIFICATE_CODES.has(code));
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}
