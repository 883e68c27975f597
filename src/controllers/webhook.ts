// The push receivers' listener (plain HTTP today; the receivers are plain
// node:http handlers on a route table, so the operator's HTTPS server can
// mount the same table). Paths outside the table answer 404.
import { createServer, type RequestListener, type Server } from "node:http";
import { routeFor } from "./receivers.js";

export interface WebhookOptions {
  addr: { host: string; port: number };
  routes: ReadonlyMap<string, RequestListener>;
}

export function startWebhookServer(opts: WebhookOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const handler = routeFor(opts.routes, req.url);
    if (handler) return handler(req, res);
    res.writeHead(404, { "content-type": "text/plain", connection: "close" });
    res.end("not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.addr.port, opts.addr.host, () => resolve(server));
  });
}
