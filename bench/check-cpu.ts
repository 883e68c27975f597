// npm run bench:check-cpu: the operator's own CPU for an unchanged scheduled
// check, without the rest of the process (informers, timers, the metrics
// endpoint) and without the API server. The real import reconciler and
// registry client check ISO_BENCH_STREAMS (default 1000) single-tag streams
// against the test environment's plain registry (hack/cluster.sh up;
// $REGISTRY), with the API replaced by the in-memory one of the unit tests
// (an unchanged check writes nothing, so nothing of it is measured away).
// Images come from bench:import's fixture (ISO_BENCH_FIXTURE, 1 tag per stream).
// One cold import, then ISO_BENCH_ROUNDS (default 5) rounds with the clock moved
// past the interval, 4 checks at a time as the operator's 4 workers; prints the
// CPU (user and system) per check. Run it with --cpu-prof to see where it goes.
// ISO_BENCH_WIRED=1 adds what the operator wraps around each check: its
// configuration's registry limits, metrics (with the process defaults) and
// the instrumented work queue with its child logger per reconcile.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import PQueue from "p-queue";
import type { ImageStream } from "../src/api/types.js";
import { type Config, parseConfig } from "../src/config.js";
import { MemoryApi, memoryReconciler } from "../src/controllers/imagestreams/testing.js";
import { instrumentedQueue } from "../src/controllers/instrumented-queue.js";
import { createLogger } from "../src/observability/logger.js";
import { createMetrics } from "../src/observability/metrics.js";
import { registryObservers } from "../src/observability/registry-metrics.js";
import { makeStream } from "../src/reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../src/registry/client.js";

const STREAMS = Number(process.env.ISO_BENCH_STREAMS ?? 1000);
const ROUNDS = Number(process.env.ISO_BENCH_ROUNDS ?? 5);
const INTERVAL_S = 900;
const registry = process.env.REGISTRY;
const fixtureFile = process.env.ISO_BENCH_FIXTURE;
if (!registry || !fixtureFile) {
  console.error("needs REGISTRY (hack/cluster.sh up) and ISO_BENCH_FIXTURE (from bench:import)");
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(fixtureFile, "utf8")) as {
  repositories: [string, string][];
};
const repositories = fixture.repositories.slice(0, STREAMS);

const log = createLogger("warn");
const api = new MemoryApi();
const cache = new Map<string, ImageStream>();
let clock = new Date();
const WIRED = process.env.ISO_BENCH_WIRED === "1";
/** with WIRED: one check every PACE_MS, as a spread schedule runs them (0: all at once) */
const PACE_MS = Number(process.env.ISO_BENCH_PACE_MS ?? 0);
/** with PACE_MS: checks added together before each pause (a timer tick's batch) */
const BATCH = Number(process.env.ISO_BENCH_BATCH ?? 1);
const config = parseConfig([], {}) as Config;
const metrics = createMetrics(true);
const client = new HttpRegistryClient({
  requestTimeoutMs: 10_000,
  ...(WIRED
    ? {
        rateLimits: config.registryRateLimits,
        concurrency: config.registryConcurrency,
        ...registryObservers(metrics),
      }
    : {}),
});
// the unit tests' in-memory API, read through a cache as the informer's view
// (refreshed after the cold import)
const reconciler = memoryReconciler(api, client, {
  getStream: (namespace, name) => cache.get(`${namespace}/${name}`) ?? api.cached(namespace, name),
  planner: { scheduledIntervalSeconds: INTERVAL_S },
  now: () => clock,
});

for (const [name, repository] of repositories) {
  api.put(
    makeStream({
      name,
      namespace: "bench",
      tags: [
        {
          name: "v1",
          from: { kind: "DockerImage", name: `${registry}/${repository}:v1` },
          importPolicy: { insecure: true, scheduled: true },
          referencePolicy: { type: "Source" },
        },
      ],
    }),
  );
}

const queue = instrumentedQueue({
  controller: "imagestream",
  concurrency: 4,
  log,
  metrics,
  reconcile: (key, l) => reconciler.reconcile(key, l),
});

async function round(): Promise<void> {
  if (WIRED) {
    // no requeue timers: the clock is moved by hand
    for (const [index, [name]] of repositories.entries()) {
      queue.add(`bench/${name}`);
      if (PACE_MS > 0 && (index + 1) % BATCH === 0) await sleep(PACE_MS);
    }
    await queue.idle();
    return;
  }
  const pool = new PQueue({ concurrency: 4 });
  await Promise.all(
    repositories.map(([name]) => pool.add(() => reconciler.reconcile(`bench/${name}`, log))),
  );
}

// cold import (and the stamping of generations), then what the informer would now hold
await round();
await round();
for (const [name] of repositories)
  cache.set(`bench/${name}`, api.cached("bench", name) as ImageStream);
const writesBefore = api.writes.length;
const cpu = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < ROUNDS; i++) {
  clock = new Date(clock.getTime() + (INTERVAL_S + 1) * 1000);
  await round();
}
const used = process.cpuUsage(cpu);
const checks = ROUNDS * repositories.length;
const ms = (us: number) => (us / 1000 / checks).toFixed(3);
console.log(
  `${checks} unchanged checks in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
    `CPU per check user ${ms(used.user)} ms, system ${ms(used.system)} ms; ` +
    `${(((used.user + used.system) / 1e6 / checks) * 5000).toFixed(2)} s per 5,000 checks; ` +
    `writes ${api.writes.length - writesBefore}`,
);
client.close();
await queue.shutdown(1000);
