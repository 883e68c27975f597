// Receiver for registry push notifications (CNCF distribution's
// `notifications.endpoints`, also sent by Harbor and others in this format).
// A push makes the tags that follow it re-import now instead of at the next
// scheduled check. The sender must present `Authorization: Bearer <secret>`;
// bodies are bounded; nothing from the body is echoed back.
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Logger } from "../observability/logger.js";
import { type PushedTag, pushedTags } from "../reconcile/push-events.js";
import { readBounded } from "./bounded-body.js";

export const WEBHOOK_PATH = "/registry-events";
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  addr: { host: string; port: number };
  secret: string;
  log: Logger;
  onPush: (pushed: PushedTag[]) => void;
}

export function startWebhookServer(opts: WebhookOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (code: number, text: string) => {
      res.writeHead(code, {
        "content-type": "text/plain",
        ...(code >= 400 ? { connection: "close" } : {}),
      });
      res.end(`${text}\n`);
    };
    if ((req.url ?? "").split("?")[0] !== WEBHOOK_PATH) return reply(404, "not found");
    if (req.method !== "POST") return reply(405, "method not allowed");
    if (!authorized(req.headers.authorization, opts.secret)) return reply(401, "unauthorized");
    readBounded(req, MAX_BODY_BYTES)
      .then((body) => {
        let envelope: unknown;
        try {
          envelope = JSON.parse(body);
        } catch {
          return reply(400, "body is not JSON");
        }
        const pushed = pushedTags(envelope);
        if (pushed.length > 0) {
          opts.log.info(
            { pushed: pushed.map((p) => `${p.registry}/${p.repository}:${p.tag}`) },
            "registry push",
          );
          opts.onPush(pushed);
        }
        reply(202, "accepted");
      })
      .catch(() => reply(413, "body too large"));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.addr.port, opts.addr.host, () => resolve(server));
  });
}

function authorized(header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
