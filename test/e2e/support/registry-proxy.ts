// A loopback HTTP proxy in front of a plain-HTTP test registry, so e2e tests
// see the registry's side of the traffic: every request is counted (by second,
// method and path) where the registry would count it, not by the operator's
// own metrics. An optional fault hook answers some requests itself (a 429
// with Retry-After, a 503), as real registries under load do and our test
// registry cannot.
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  /** epoch ms when the proxy received it */
  atMs: number;
  method: string;
  /** path and query, e.g. /v2/ns/app/manifests/v1 */
  path: string;
  /** status sent to the client */
  status: number;
  /** the Docker-Content-Digest the registry answered with, if any */
  digest?: string;
}

export interface ProxyOptions {
  /**
   * forward the client's Host header instead of the registry's address: the
   * registry then names the proxy in its upload locations and in its push
   * notifications (request.host), so a push through the proxy notifies the
   * streams that import through it
   */
  preserveHost?: boolean;
  /** where to listen; default 127.0.0.1 on a free port */
  listen?: ProxyListen;
}

export interface FaultAnswer {
  status: number;
  headers?: Record<string, string>;
  /** default: a TOOMANYREQUESTS error document */
  body?: string;
}

/** Returns an answer to send instead of forwarding, or undefined to forward. */
export type FaultHook = (req: {
  method: string;
  path: string;
  /** the Authorization header the client sent, if any */
  authorization?: string | undefined;
}) => FaultAnswer | undefined;

/** Where the proxy listens: 127.0.0.1 on a free port unless given (a port below 1024 needs root). */
export interface ProxyListen {
  host: string;
  port: number;
}

export interface RegistryProxy {
  /** host:port to use in image references instead of the registry's */
  host: string;
  requests: ProxiedRequest[];
  /** requests per whole second since `sinceMs`, manifests and blobs only (not /v2/ pings) */
  perSecond(sinceMs: number, untilMs?: number): number[];
  setFault(hook: FaultHook | undefined): void;
  /** holds every manifest/blob request this long before forwarding it (0: none) */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

function isContentRequest(path: string): boolean {
  return /^\/v2\/.+\/(manifests|blobs|tags)\//.test(path);
}

function forward(
  target: string,
  req: IncomingMessage,
  onAnswer: (status: number, digest: string | undefined) => void,
  res: ServerResponse,
  options: ProxyOptions,
) {
  const [hostname, port] = target.split(":");
  const upstream = request(
    {
      hostname,
      port: Number(port),
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: options.preserveHost ? req.headers.host : target },
    },
    (up) => {
      const digest = up.headers["docker-content-digest"];
      onAnswer(up.statusCode ?? 502, typeof digest === "string" ? digest : undefined);
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => {
    onAnswer(502, undefined);
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** Starts a proxy on 127.0.0.1 forwarding to `target` (host:port of a plain-HTTP registry). */
export async function startRegistryProxy(
  target: string,
  options: ProxyOptions = {},
): Promise<RegistryProxy> {
  const listen = options.listen ?? { host: "127.0.0.1", port: 0 };
  const requests: ProxiedRequest[] = [];
  let fault: FaultHook | undefined;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    const entry: ProxiedRequest = {
      atMs: Date.now(),
      method: req.method ?? "",
      path: req.url ?? "",
      status: 0,
    };
    requests.push(entry);
    const answer = fault?.({
      method: entry.method,
      path: entry.path,
      authorization: req.headers.authorization,
    });
    if (answer) {
      entry.status = answer.status;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      const body = answer.body ?? '{"errors":[{"code":"TOOMANYREQUESTS"}]}';
      res.end(entry.method === "HEAD" ? undefined : body);
      req.resume();
      return;
    }
    const answered = (status: number, digest: string | undefined) => {
      entry.status = status;
      if (digest) entry.digest = digest;
    };
    const send = () => forward(target, req, answered, res, options);
    if (delayMs > 0 && isContentRequest(entry.path)) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `${listen.host}:${port}`,
    requests,
    perSecond(sinceMs, untilMs = Date.now()) {
      const buckets = new Array(Math.max(1, Math.ceil((untilMs - sinceMs) / 1000))).fill(0);
      for (const r of requests) {
        if (r.atMs < sinceMs || r.atMs >= untilMs || !isContentRequest(r.path)) continue;
        buckets[Math.floor((r.atMs - sinceMs) / 1000)]++;
      }
      return buckets;
    },
    setFault(hook) {
      fault = hook;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
