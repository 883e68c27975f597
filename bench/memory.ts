// npm run bench:memory: where the operator's memory goes, per cached object,
// measured rather than guessed (issue "Scale"). No cluster needed.
//
// Each figure is the V8 heap retained by N objects held the way an informer
// holds them (JSON text parsed, as the watch does, then shaped by
// src/controllers/cache-shape.ts, kept in a Map by key), after a full GC,
// divided by N; "as received" is the same without shaping (what the caches
// held before). The objects are synthetic but shaped like the API server's:
// managedFields of two managers, kubectl's last-applied annotation where
// `kubectl apply` would add one, realistic Deployment and Image bodies.
//
// The fixed cost of loading @kubernetes/client-node is measured in child
// processes (a bare Node, then one that imports it), RSS and heap after GC.
import { execFileSync } from "node:child_process";
import {
  shapeForCache,
  shapeImageForCache,
  shapeWorkloadForCache,
} from "../src/controllers/cache-shape.js";

const N = Number(process.env.ISO_BENCH_OBJECTS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run bench:memory does)");

const managed = (manager: string, fields: Record<string, unknown>) => ({
  manager,
  operation: "Update",
  apiVersion: "image.openshift.io/v1",
  time: "2026-11-30T10:00:00Z",
  fieldsType: "FieldsV1",
  fieldsV1: fields,
});

function tagEvent(i: number, j: number) {
  const d = `sha256:${(i * 1000 + j).toString(16).padStart(64, "0")}`;
  return {
    created: "2026-11-30T10:00:00Z",
    dockerImageReference: `registry.example.com/team-${i}/app-${i}@${d}`,
    image: d,
    generation: 1,
  };
}

function stream(i: number, tags: number, items: number): string {
  const specTags = Array.from({ length: tags }, (_, t) => ({
    name: `v${t + 1}`,
    from: { kind: "DockerImage", name: `registry.example.com/team-${i}/app-${i}:v${t + 1}` },
    importPolicy: { scheduled: true, importMode: "Legacy" },
    referencePolicy: { type: "Source" },
    generation: 1,
  }));
  const spec = { lookupPolicy: { local: false }, tags: specTags };
  return JSON.stringify({
    apiVersion: "image.openshift.io/v1",
    kind: "ImageStream",
    metadata: {
      name: `app-${i}`,
      namespace: `team-${i % 100}`,
      uid: `0000-${i}`,
      resourceVersion: String(100000 + i),
      generation: 2,
      creationTimestamp: "2026-11-30T10:00:00Z",
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ spec }),
        "openshift.io/image.dockerRepositoryCheck": "2026-11-30T10:00:00Z",
      },
      managedFields: [
        managed("kubectl-client-side-apply", { "f:spec": { "f:tags": {} } }),
        managed("imagestream-operator", { "f:status": { "f:tags": {} } }),
      ],
    },
    spec,
    status: {
      dockerImageRepository: "",
      tags: specTags.map((t) => ({
        tag: t.name,
        items: Array.from({ length: items }, (_, j) => tagEvent(i, j)),
        specHash: "0123456789abcdef",
      })),
    },
  });
}

function container(name: string, i: number) {
  return {
    name,
    image: `registry.example.com/team-${i}/app-${i}@sha256:${"a".repeat(64)}`,
    ports: [{ containerPort: 8080, protocol: "TCP" }],
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10 },
    terminationMessagePath: "/dev/termination-log",
    imagePullPolicy: "IfNotPresent",
  };
}

function deployment(i: number): string {
  const triggers = JSON.stringify([
    {
      from: { kind: "ImageStreamTag", name: `app-${i}:v1` },
      fieldPath: 'spec.template.spec.containers[?(@.name=="app")].image',
    },
  ]);
  return JSON.stringify({
    metadata: {
      name: `web-${i}`,
      namespace: `team-${i % 100}`,
      uid: `1111-${i}`,
      resourceVersion: String(200000 + i),
      generation: 3,
      labels: { app: `web-${i}`, "app.kubernetes.io/part-of": "shop" },
      annotations: {
        "image.openshift.io/triggers": triggers,
        "deployment.kubernetes.io/revision": "3",
        "kubectl.kubernetes.io/last-applied-configuration": "{".padEnd(1500, "x"),
      },
      managedFields: [
        managed("kubectl-client-side-apply", { "f:spec": { "f:template": {} } }),
        managed("kube-controller-manager", { "f:status": {} }),
      ],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: `web-${i}` } },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
      },
      template: {
        metadata: { labels: { app: `web-${i}` } },
        spec: {
          containers: [container("app", i), container("sidecar", i)],
          restartPolicy: "Always",
          dnsPolicy: "ClusterFirst",
          securityContext: { runAsNonRoot: true },
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2, conditions: [{ type: "Available", status: "True" }] },
  });
}

function image(i: number): string {
  const d = `sha256:${i.toString(16).padStart(64, "0")}`;
  return JSON.stringify({
    apiVersion: "image.openshift.io/v1",
    kind: "Image",
    metadata: {
      name: d.replace(":", "."),
      resourceVersion: String(300000 + i),
      creationTimestamp: "2026-11-30T10:00:00Z",
      annotations: { "imagestream-operator.io/manifests": "" },
      managedFields: [managed("imagestream-operator", { "f:dockerImageLayers": {} })],
    },
    dockerImageReference: `registry.example.com/team-${i}/app-${i}@${d}`,
    dockerImageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    dockerImageLayers: Array.from({ length: 6 }, (_, l) => ({
      name: `sha256:${(i * 10 + l).toString(16).padStart(64, "0")}`,
      size: 1_000_000 + l,
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    })),
    dockerImageMetadata: {
      Architecture: "amd64",
      Config: {
        Env: [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
          "LANG=C.UTF-8",
          "APP_VERSION=1.2.3",
        ],
        Labels: {
          "org.opencontainers.image.source": "https://example.com/app",
          maintainer: "team",
        },
        Entrypoint: ["/app"],
        WorkingDir: "/srv",
      },
      Created: "2026-11-30T10:00:00Z",
    },
  });
}

type Shape = (o: never) => unknown;

/** Heap bytes retained per object: parse N texts, shape, keep in a Map, GC, measure. */
function perObject(make: (i: number) => string, shape: Shape | undefined): number {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const cache = new Map<string, unknown>();
  for (let i = 0; i < N; i++) {
    const parsed = JSON.parse(make(i)) as never;
    cache.set(String(i), shape ? shape(parsed) : parsed);
  }
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const bytes = (after - before) / cache.size;
  cache.clear();
  return bytes;
}

function fixedCost(): string {
  const probe = (code: string) =>
    JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", code], {
        encoding: "utf8",
      }),
    ) as { rss: number; heap: number };
  const report =
    "globalThis.gc(); const m = process.memoryUsage(); console.log(JSON.stringify({ rss: m.rss, heap: m.heapUsed }));";
  const bare = probe(report);
  const loaded = probe(`await import("@kubernetes/client-node"); ${report}`);
  const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
  return (
    `bare Node: RSS ${mib(bare.rss)} MiB, heap ${mib(bare.heap)} MiB; ` +
    `after import("@kubernetes/client-node"): RSS ${mib(loaded.rss)} MiB (+${mib(loaded.rss - bare.rss)}), ` +
    `heap ${mib(loaded.heap)} MiB (+${mib(loaded.heap - bare.heap)})`
  );
}

const row = (what: string, received: number, cached: number) =>
  `| ${what} | ${Math.round(received)} | ${Math.round(cached)} |`;

const s111 = perObject((i) => stream(i, 1, 1), shapeForCache as Shape);
const s311 = perObject((i) => stream(i, 3, 1), shapeForCache as Shape);
const s3101 = perObject((i) => stream(i, 3, 10), shapeForCache as Shape);
const r311 = perObject((i) => stream(i, 3, 1), undefined);
const d = perObject(deployment, shapeWorkloadForCache as Shape);
const dr = perObject(deployment, undefined);
const img = perObject(image, shapeImageForCache as Shape);
const imgr = perObject(image, undefined);

console.log(
  `Node ${process.version}, ${N} objects per figure, bytes of V8 heap retained per object`,
);
console.log("| object | as received | as cached |\n|---|---|---|");
console.log(row("ImageStream, 3 tags x 1 history item", r311, s311));
console.log(row("Deployment with a trigger, 2 containers", dr, d));
console.log(row("Image (6 layers, config)", imgr, img));
console.log(
  `derived (as cached): stream base ${Math.round(s111 - (s311 - s111) / 2)} B, ` +
    `per tag ${Math.round((s311 - s111) / 2)} B, per history item ${Math.round((s3101 - s311) / 27)} B`,
);
console.log(fixedCost());
