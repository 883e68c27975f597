// Push-notification receivers: one node:http handler per sender format,
// mounted on a route table (/hooks/<format>, and /registry-events as the
// distribution receiver's old path), served by the operator's HTTPS server
// on every replica (ADR 0027). Each one authenticates as its sender can,
// reads a bounded body, parses its format and hands the pushed tags on;
// nothing from a body is echoed back. A receiver without a key in the
// receiver Secret is off (404); a replica that does not lead answers 503.

import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../observability/logger.js";
import type { PushedTag } from "../reconcile/push-events.js";
import { parsePushBody, RECEIVER_FORMATS, type ReceiverFormat } from "../reconcile/push-formats.js";
import { readBoundedBytes } from "./bounded-body.js";
import {
  type AuthResult,
  checkAuthorization,
  checkGenericSignature,
  checkGitHubSignature,
  checkPathSecret,
  ReplayGuard,
} from "./push-auth.js";

export const HOOKS_PREFIX = "/hooks";
export const LEGACY_DISTRIBUTION_PATH = "/registry-events";
export const MAX_BODY_BYTES = 1024 * 1024;

export type NotificationResult = "accepted" | "unauthenticated" | "malformed" | "no_matching_tag";

export interface ReceiverDeps {
  /** the receiver Secret's keys (receiver name -> secret); read on every request, so rotation applies at once */
  secrets: () => ReadonlyMap<string, string>;
  log: Logger;
  /** the pushed tags; returns how many stream tags they concern */
  onPush: (pushed: PushedTag[], receiver: ReceiverFormat) => number;
  onResult?: (receiver: ReceiverFormat, result: NotificationResult) => void;
  /** the receivers served (default all); the others are not in the table */
  receivers?: readonly ReceiverFormat[];
  /** receiver -> registry its pushes are matched against instead of the payload's (a mirror) */
  registryHosts?: Readonly<Record<string, string>>;
  now?: () => number;
}

interface Request {
  req: IncomingMessage;
  body: Buffer;
  /** the path below the receiver's own, e.g. the secret segment */
  rest: string;
  secret: string;
  nowMs: number;
  replays: ReplayGuard;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

// How each sender proves itself (docs/push.md has the sender side).
const AUTHENTICATE: Record<ReceiverFormat, (r: Request) => AuthResult> = {
  distribution: (r) => checkAuthorization(header(r.req, "authorization"), r.secret),
  gitlab: (r) => checkAuthorization(header(r.req, "authorization"), r.secret),
  harbor: (r) => checkAuthorization(header(r.req, "authorization"), r.secret),
  // Docker Hub, Quay and Pub/Sub push set no headers of their own
  dockerhub: (r) => checkPathSecret(r.rest || undefined, r.secret),
  quay: (r) => checkPathSecret(r.rest || undefined, r.secret),
  gar: (r) => checkPathSecret(r.rest || undefined, r.secret),
  github: (r) => checkGitHubSignature(header(r.req, "x-hub-signature-256"), r.body, r.secret),
  generic: (r) => {
    const given = {
      timestamp: header(r.req, "x-signature-timestamp"),
      signature: header(r.req, "x-signature-256"),
    };
    const result = checkGenericSignature(given, r.body, r.secret, r.nowMs);
    if (result !== "ok" || !given.signature) return result;
    return r.replays.firstSeen(given.signature, r.nowMs) ? "ok" : "bad";
  },
};

/** Senders whose proof covers the body: checked once it is read. */
const SIGNS_BODY = new Set<ReceiverFormat>(["github", "generic"]);

/** The route table: path -> handler, one per receiver format plus the legacy alias. */
export function receiverRoutes(deps: ReceiverDeps): Map<string, RequestListener> {
  const served = deps.receivers ?? RECEIVER_FORMATS;
  const routes = new Map<string, RequestListener>();
  for (const format of served) {
    const path = `${HOOKS_PREFIX}/${format}`;
    routes.set(path, receiverHandler(format, path, deps));
  }
  if (served.includes("distribution")) {
    const legacy = LEGACY_DISTRIBUTION_PATH;
    routes.set(legacy, receiverHandler("distribution", legacy, deps));
  }
  return routes;
}

/**
 * One listener for the whole table. Only the leader acts on pushes (it runs
 * the import controller); a standby reached anyway (the receiver Service
 * points at the leader, ADR 0027) answers 503 with Retry-After, which
 * retrying senders (distribution, Harbor) retry.
 */
export function receiversListener(
  routes: ReadonlyMap<string, RequestListener>,
  acting: () => boolean = () => true,
): RequestListener {
  return (req, res) => {
    const handler = routeFor(routes, req.url);
    if (!handler) return reply(res, 404, "not found");
    if (!acting()) {
      req.resume();
      res.setHeader("retry-after", String(NOT_LEADING_RETRY_SECONDS));
      return reply(res, 503, "not the leader");
    }
    return handler(req, res);
  };
}

/** What a standby asks a sender to wait: about a leader takeover (lease 15 s). */
const NOT_LEADING_RETRY_SECONDS = 5;

/** The handler a request's path selects: its own path, or its parent's (a secret last segment). */
export function routeFor(
  routes: ReadonlyMap<string, RequestListener>,
  url: string | undefined,
): RequestListener | undefined {
  const path = (url ?? "").split("?")[0] ?? "";
  return routes.get(path) ?? routes.get(path.slice(0, path.lastIndexOf("/")));
}

export function receiverHandler(
  format: ReceiverFormat,
  mountPath: string,
  deps: ReceiverDeps,
): RequestListener {
  const now = deps.now ?? Date.now;
  const replays = new ReplayGuard();
  return (req, res) => {
    const secret = deps.secrets().get(format);
    if (!secret) return reply(res, 404, "not found");
    if (req.method !== "POST") return reply(res, 405, "method not allowed");
    const count = (result: NotificationResult) => deps.onResult?.(format, result);
    const refuse = (why: string) => {
      deps.log.warn({ receiver: format, reason: why }, "push notification refused");
      count("malformed");
      reply(res, 400, "bad request");
    };
    const unauthenticated = (auth: AuthResult) => {
      deps.log.debug({ receiver: format, auth }, "push notification not authenticated");
      count("unauthenticated");
      reply(res, auth === "missing" ? 401 : 403, "unauthorized");
    };
    const path = (req.url ?? "").split("?")[0] ?? "";
    const proof = { req, rest: path.slice(mountPath.length + 1), secret, replays };
    // a sender proving itself without the body is checked before reading it
    if (!SIGNS_BODY.has(format)) {
      const auth = AUTHENTICATE[format]({ ...proof, body: Buffer.alloc(0), nowMs: now() });
      if (auth !== "ok") {
        req.resume();
        return unauthenticated(auth);
      }
    }
    readBoundedBytes(req, MAX_BODY_BYTES).then(
      (body) => {
        if (SIGNS_BODY.has(format)) {
          const auth = AUTHENTICATE[format]({ ...proof, body, nowMs: now() });
          if (auth !== "ok") return unauthenticated(auth);
        }
        if (format === "github" && header(req, "x-github-event") === "ping") {
          count("no_matching_tag");
          return reply(res, 200, "pong");
        }
        let json: unknown;
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          return refuse("body is not JSON");
        }
        const parsed = parsePushBody(format, json);
        if ("unknown" in parsed) return refuse(parsed.unknown);
        const host = deps.registryHosts?.[format];
        const pushed = host ? parsed.pushed.map((p) => ({ ...p, registry: host })) : parsed.pushed;
        const matched = pushed.length > 0 ? deps.onPush(pushed, format) : 0;
        // a registry also notifies blob pushes and pulls: only tags are worth a line
        deps.log[pushed.length > 0 ? "info" : "debug"](
          {
            receiver: format,
            pushed: pushed.map((p) => `${p.registry}/${p.repository}:${p.tag}`),
            streamTags: matched,
          },
          "registry push",
        );
        count(matched > 0 ? "accepted" : "no_matching_tag");
        reply(res, 202, "accepted");
      },
      () => refuse(`body over ${MAX_BODY_BYTES} bytes`),
    );
  };
}

function reply(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    "content-type": "text/plain",
    ...(code >= 400 ? { connection: "close" } : {}),
  });
  res.end(`${text}\n`);
}
