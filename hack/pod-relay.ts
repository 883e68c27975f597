// The pod network's way to the host (ADR 0032): kube-apiserver and the plain
// registry listen on 127.0.0.1 only, which a pod in its own network namespace
// cannot reach. This relays plain TCP (TLS passes through untouched) from the
// pod bridge's gateway address to the same port on 127.0.0.1, for the ports
// the config names and no others. Self-contained (Node builtins only) so
// hack/cluster.sh runs it with `hack/node hack/pod-relay.ts CONFIG.json`.
//
// CONFIG.json: {listenHost, targetHost, ports: [number]}.

import { readFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { pathToFileURL } from "node:url";

export interface RelayConfig {
  listenHost: string;
  targetHost: string;
  ports: number[];
}

export function parseRelayConfig(text: string): RelayConfig {
  const config = JSON.parse(text) as Partial<RelayConfig>;
  if (typeof config.listenHost !== "string" || typeof config.targetHost !== "string") {
    throw new Error("relay config: listenHost and targetHost must be strings");
  }
  const ports = config.ports;
  if (!Array.isArray(ports) || ports.length === 0 || !ports.every(isPort)) {
    throw new Error("relay config: ports must be a non-empty list of TCP ports");
  }
  return { listenHost: config.listenHost, targetHost: config.targetHost, ports };
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}

/**
 * Pipes client to a new connection to host:port. Half-open both ways: an end
 * from one side is passed on while the other still answers; a side closes
 * once both of its directions are done, and then the other goes too.
 */
function relay(client: Socket, host: string, port: number): void {
  const upstream = connect({ host, port, allowHalfOpen: true });
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);
  client.pipe(upstream);
  upstream.pipe(client);
}

/** One listener per port; a port it cannot listen on is an error event (the process exits). */
export function startRelay(config: RelayConfig): Server[] {
  return config.ports.map((port) =>
    createServer({ allowHalfOpen: true }, (client) =>
      relay(client, config.targetHost, port),
    ).listen({ host: config.listenHost, port }, () =>
      console.log(`relaying ${config.listenHost}:${port} -> ${config.targetHost}:${port}`),
    ),
  );
}

function main(): void {
  const path = process.argv[2];
  if (!path) throw new Error("usage: pod-relay.ts CONFIG.json");
  startRelay(parseRelayConfig(readFileSync(path, "utf8")));
  process.on("SIGTERM", () => process.exit(0));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
