// The operator's one HTTPS server (ADR 0022), run by every replica: the
// aggregated image views, and later the admission webhook and push receivers,
// join it as routes. Its certificate is replaced in place (setSecureContext)
// when the Secret changes, so renewals need no restart. Client certificates
// are requested but not required at the TLS layer: a route that needs the
// front-proxy identity checks it (FrontProxyAuthenticator).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import type { KeyPair } from "./certificates.js";

/** Who the API server says is asking (front-proxy request headers). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface RequestContext {
  /** set when the route requires front-proxy authentication */
  user?: UserInfo;
  log: Logger;
}

export interface Route {
  /** matched against the path, e.g. "/apis/image.imagestream-operator.io" */
  prefix: string;
  /** the user must come through the API server's front proxy */
  frontProxy: boolean;
  handler: (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void> | void;
}

export interface Authenticator {
  authenticate: (req: IncomingMessage) => UserInfo | { error: string };
  /** CA certificates client certificates are asked for (TLS certificate_authorities) */
  clientCa: () => string | undefined;
}

export interface ServingServerOptions {
  addr: { host: string; port: number };
  routes: Route[];
  authenticator?: Authenticator;
  log: Logger;
}

export class ServingServer {
  private server: Server | undefined;
  private current: KeyPair | undefined;

  constructor(private readonly options: ServingServerOptions) {}

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Starts on the first key pair; later calls swap the certificate in place. */
  async serve(pair: KeyPair): Promise<void> {
    const same = this.current?.cert === pair.cert && this.current?.key === pair.key;
    if (same && this.server) return;
    this.current = pair;
    if (this.server) {
      this.server.setSecureContext(this.tlsOptions(pair));
      this.options.log.info("serving certificate reloaded");
      return;
    }
    const server = createServer(
      { ...this.tlsOptions(pair), requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.dispatch(req, res),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.addr.port, this.options.addr.host, () => resolve());
    });
    this.server = server;
  }

  /** The client CA changed (the API server's ConfigMap): renegotiate with the new one. */
  refreshClientCa(): void {
    if (this.server && this.current) this.server.setSecureContext(this.tlsOptions(this.current));
  }

  address(): number | undefined {
    const a = this.server?.address();
    return typeof a === "object" && a ? a.port : undefined;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private tlsOptions(pair: KeyPair) {
    const ca = this.options.authenticator?.clientCa();
    return {
      cert: pair.cert,
      key: pair.key,
      ...(ca ? { ca } : {}),
      minVersion: "TLSv1.2" as const,
    };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const log = this.options.log;
    if (path === "/healthz" || path === "/readyz" || path === "/livez") {
      return send(res, 200, "text/plain", "ok\n");
    }
    const route = this.options.routes.find((r) => matches(path, r.prefix));
    if (!route) return sendStatus(res, 404, "NotFound", `the server could not find ${path}`);
    const ctx: RequestContext = { log };
    if (route.frontProxy) {
      const who = this.options.authenticator?.authenticate(req) ?? {
        error: "no authenticator configured",
      };
      if ("error" in who) {
        log.debug({ path, reason: who.error }, "request refused: not from the front proxy");
        return sendStatus(res, 401, "Unauthorized", "Unauthorized");
      }
      ctx.user = who;
    }
    try {
      await route.handler(req, res, ctx);
    } catch (err) {
      log.error({ path, err: errorSummary(err) }, "serving handler failed");
      if (!res.headersSent) sendStatus(res, 500, "InternalError", "internal error");
      else res.destroy();
    }
  }
}

function matches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

export function peerCertificate(req: IncomingMessage) {
  const socket = req.socket as TLSSocket;
  return { authorized: socket.authorized, cert: socket.getPeerX509Certificate?.() };
}

export function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, "application/json", JSON.stringify(body));
}

/** A meta.k8s.io/v1 Status, as the API server relays it to kubectl. */
export function sendStatus(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  sendJson(res, code, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}
