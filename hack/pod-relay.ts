// The pod network's way to the host (ADR 0032): kube-apiserver and the plain
// registry listen on 127.0.0.1 only, which a pod in its own network namespace
// cannot reach. This relays plain TCP (TLS passes through untouched) from the
// pod bridge's gateway address to the same port on 127.0.0.1, for the ports
// the config names and no others. Self-contained (Node builtins only) so
// hack/cluster.sh runs it with `hack/node hack/pod-relay.ts CONFIG.json`.
//
// CONFIG.json: {listenHost, targetHost, ports: [number]}.
//
// Or, for `make demo` (ADR 0033), a Service's stand-in where there is no
// kube-proxy: {listenHost, ports: [number], service: {namespace, name, portName}}
// relays each connection to a ready endpoint of that Service, looked up with
// kubectl (the environment's KUBECONFIG) when the connection comes, so a
// restarted pod with a new address is found.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { pathToFileURL } from "node:url";

/** A Service whose ready endpoints take the connections, at its port of this name. */
export interface ServiceTarget {
  namespace: string;
  name: string;
  portName: string;
}

export interface RelayConfig {
  listenHost: string;
  ports: number[];
  /** every port to the same port on this host */
  targetHost?: string;
  /** or every connection to a ready endpoint of this Service */
  service?: ServiceTarget;
}

export function parseRelayConfig(text: string): RelayConfig {
  const config = JSON.parse(text) as Partial<RelayConfig>;
  if (typeof config.listenHost !== "string") {
    throw new Error("relay config: listenHost must be a string");
  }
  const ports = config.ports;
  if (!Array.isArray(ports) || ports.length === 0 || !ports.every(isPort)) {
    throw new Error("relay config: ports must be a non-empty list of TCP ports");
  }
  const { targetHost, service } = config;
  if (typeof targetHost === "string" && service === undefined) {
    return { listenHost: config.listenHost, targetHost, ports };
  }
  if (targetHost === undefined && isServiceTarget(service)) {
    return { listenHost: config.listenHost, service, ports };
  }
  throw new Error(
    "relay config: needs either targetHost (a string) or service ({namespace, name, portName})",
  );
}

function isServiceTarget(value: unknown): value is ServiceTarget {
  const target = value as Partial<ServiceTarget> | undefined;
  return ["namespace", "name", "portName"].every(
    (key) => typeof target?.[key as keyof ServiceTarget] === "string",
  );
}

interface Endpoint {
  host: string;
  port: number;
}

interface EndpointSliceList {
  items?: {
    ports?: { name?: string; port?: number }[] | null;
    endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[] | null;
  }[];
}

/** The first ready address of the slices, with the slice's port of portName. */
export function readyEndpoint(slices: EndpointSliceList, portName: string): Endpoint | undefined {
  for (const slice of slices.items ?? []) {
    const port = slice.ports?.find((p) => p.name === portName)?.port;
    // ready unset means ready (the EndpointSlice API's rule)
    const ready = slice.endpoints?.find((e) => e.conditions?.ready !== false);
    const host = ready?.addresses?.[0];
    if (port !== undefined && host !== undefined) return { host, port };
  }
  return undefined;
}

function lookUpService(service: ServiceTarget): Promise<Endpoint> {
  const args = ["get", "endpointslices", "--namespace", service.namespace];
  args.push("--selector", `kubernetes.io/service-name=${service.name}`, "--output", "json");
  return new Promise((resolve, reject) => {
    execFile("kubectl", args, { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(error);
      const endpoint = readyEndpoint(JSON.parse(stdout) as EndpointSliceList, service.portName);
      if (endpoint) return resolve(endpoint);
      reject(new Error(`no ready endpoint of ${service.namespace}/${service.name}`));
    });
  });
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}

/**
 * Pipes client to a new connection to host:port. Half-open both ways: an end
 * from one side is passed on while the other still answers; a side closes
 * once both of its directions are done, and then the other goes too.
 */
function relay(client: Socket, { host, port }: Endpoint): void {
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

/** Where a connection to port goes: the same port on targetHost, or the Service's endpoint now. */
function targetOf(config: RelayConfig, port: number): () => Promise<Endpoint> {
  const { targetHost, service } = config;
  if (service) return () => lookUpService(service);
  return () => Promise.resolve({ host: targetHost ?? "", port });
}

function describeTarget(config: RelayConfig, port: number): string {
  const { service } = config;
  if (service)
    return `a ready endpoint of ${service.namespace}/${service.name} (${service.portName})`;
  return `${config.targetHost}:${port}`;
}

/** One listener per port; a port it cannot listen on is an error event (the process exits). */
export function startRelay(config: RelayConfig): Server[] {
  return config.ports.map((port) => {
    const target = targetOf(config, port);
    const serve = (client: Socket) =>
      target().then(
        (endpoint) => relay(client, endpoint),
        (error: Error) => {
          // the client sees a closed connection; the log says why
          console.error(`${config.listenHost}:${port}: ${error.message}`);
          client.destroy();
        },
      );
    return createServer({ allowHalfOpen: true }, serve).listen(
      { host: config.listenHost, port },
      () => console.log(`relaying ${config.listenHost}:${port} -> ${describeTarget(config, port)}`),
    );
  });
}

function main(): void {
  const path = process.argv[2];
  if (!path) throw new Error("usage: pod-relay.ts CONFIG.json");
  startRelay(parseRelayConfig(readFileSync(path, "utf8")));
  process.on("SIGTERM", () => process.exit(0));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
