// npm run bench:image-lookup: latency of the image lookup admission webhook
// with 10,000 image streams in the cache (ISO_BENCH_STREAMS), no cluster
// needed. Two series, each over a mix of AdmissionReviews the API server
// sends (Pod CREATE resolving one of two containers, Deployment UPDATE with
// its old object, images naming no stream, a tag with no image: a warning):
//   1. handler: JSON.parse of the body, handleImageLookup, JSON.stringify;
//   2. HTTP: POSTs over loopback (keep-alive, plain HTTP: the shared server's
//      TLS adds its cost per connection, not per request) to the request
//      function on a node:http server, one at a time and 8 concurrently.
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { imageLookupEndpoint } from "../src/admission/endpoint.js";
import { handleImageLookup, type StreamCache } from "../src/admission/image-lookup.js";
import { localStream, podReview } from "../src/admission/testing.js";
import type { ImageStream } from "../src/api/types.js";
import { percentile } from "./percentile.js";

const STREAMS = Number(process.env.ISO_BENCH_STREAMS ?? 10_000);
const NAMESPACES = 100;
const HANDLER_CALLS = Number(process.env.ISO_BENCH_CALLS ?? 20_000);
const HTTP_CALLS = Number(process.env.ISO_BENCH_HTTP_CALLS ?? 5_000);

/** Laid out like client-node's informer cache: namespace -> name -> object. */
function buildCache(): StreamCache {
  const byNamespace = new Map<string, Map<string, ImageStream>>();
  for (let i = 0; i < STREAMS; i++) {
    const namespace = `ns-${i % NAMESPACES}`;
    const names = byNamespace.get(namespace) ?? new Map<string, ImageStream>();
    names.set(`app-${i}`, localStream(namespace, `app-${i}`, i % 2 === 0));
    byNamespace.set(namespace, names);
  }
  return { get: (namespace, name) => byNamespace.get(namespace)?.get(name) };
}

function deploymentUpdate(namespace: string, image: string, uid: string): unknown {
  const template = (images: string[]) => ({
    metadata: { labels: { app: "web" } },
    spec: {
      initContainers: [{ name: "init", image: "busybox:1.36" }],
      containers: images.map((img, i) => ({
        name: `c${i}`,
        image: img,
        ports: [{ containerPort: 8080 }],
      })),
    },
  });
  const deployment = (images: string[]) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace,
      labels: { app: "web" },
      annotations: { note: "x".repeat(200) },
    },
    spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: template(images) },
  });
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      namespace,
      operation: "UPDATE",
      userInfo: { username: "alice", groups: ["system:authenticated"] },
      object: deployment([image, "quay.io/org/sidecar:2"]),
      oldObject: deployment(["quay.io/org/old:1", "quay.io/org/sidecar:2"]),
    },
  };
}

/** Request bodies cycling over the mix, each naming a stream chosen across the cache. */
function bodies(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = (i * 7919) % STREAMS; // a stride over all streams, local and not
    const namespace = `ns-${n % NAMESPACES}`;
    const uid = `uid-${i}`;
    switch (i % 4) {
      case 0:
        out.push(
          JSON.stringify(podReview(namespace, [`app-${n}:v1`, "docker.io/library/redis:7"], uid)),
        );
        break;
      case 1:
        out.push(JSON.stringify(deploymentUpdate(namespace, `app-${n}`, uid)));
        break;
      case 2:
        out.push(JSON.stringify(podReview(namespace, ["nginx:1.27", "quay.io/org/x:1"], uid)));
        break;
      default:
        out.push(JSON.stringify(podReview(namespace, [`app-${n}:missing`], uid)));
    }
  }
  return out;
}

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(3)} ms`;
  return (
    `${name.padEnd(28)} p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  ` +
    `p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? Number.NaN)}  (n=${sorted.length})`
  );
}

function handlerSeries(cache: StreamCache, input: string[]): number[] {
  const times: number[] = [];
  let patched = 0;
  for (const body of input) {
    const start = process.hrtime.bigint();
    const answer = handleImageLookup(JSON.parse(body), cache);
    JSON.stringify(answer);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (answer.response.patch) patched++;
  }
  if (patched === 0) throw new Error("no review was patched: the benchmark measures nothing");
  return times;
}

function post(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - start) / 1e6);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function httpSeries(port: number, input: string[], concurrency: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < input.length) {
      const body = input[next++] as string;
      times.push(await post(agent, port, body));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return times;
}

async function main(): Promise<void> {
  const cache = buildCache();
  console.log(
    `image lookup: ${STREAMS} streams in ${NAMESPACES} namespaces; ${cpus().length} CPUs, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}, node ${process.version}`,
  );
  handlerSeries(cache, bodies(2_000)); // warm-up: JIT, caches
  console.log(summary("handler", handlerSeries(cache, bodies(HANDLER_CALLS))));

  const endpoint = imageLookupEndpoint(cache);
  const server = createServer((req, res) => void endpoint(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const input = bodies(HTTP_CALLS);
  await httpSeries(port, bodies(500), 1); // warm-up
  console.log(summary("HTTP, 1 at a time", await httpSeries(port, input, 1)));
  console.log(summary("HTTP, 8 concurrent", await httpSeries(port, input, 8)));
  server.close();
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

await main();
