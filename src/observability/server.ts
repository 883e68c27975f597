// /metrics (Prometheus), /healthz (process alive) and /readyz (caches synced
// and not shutting down) on one port.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface ProbeState {
  ready: () => boolean;
}

export function startObservabilityServer(
  addr: { host: string; port: number },
  registry: Registry,
  probes: ProbeState,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end("metrics unavailable\n");
        });
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
      return;
    }
    if (path === "/readyz") {
      const ready = probes.ready();
      res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" });
      res.end(ready ? "ok\n" : "not ready\n");
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}
