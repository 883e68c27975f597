// npm run bench:import: throughput, request economy and memory of the import
// controller on the real test environment (hack/cluster.sh up; npm run build),
// with the real operator running as its ServiceAccount.
//
// 1. Cold import: ISO_BENCH_STREAMS streams (default 300), one DockerImage tag
//    each, all naming the same plain-registry image; time from the first
//    create to every tag imported; registry requests and API writes per tag.
// 2. Steady state: three full resyncs (--resync-seconds 5) of the settled
//    streams: registry requests and API writes (expected: none), CPU seconds.
// 3. Re-import request on every stream (generation 0, as `oc tag` does) with
//    nothing pushed: time to answer all, writes per stream (expected: one spec
//    write, no status write).
// Memory: the operator's resident set (process_resident_memory_bytes) after
// each phase.

import { CustomObjectsApi } from "@kubernetes/client-node";
import type { ImageStream } from "../src/api/types.js";
import {
  API_WRITES,
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  getStream,
  REGISTRY_REQUESTS,
  requestReimport,
  sleep,
  targets,
  uniqueRepository,
} from "../test/e2e/imports-support.js";
import { adminKubeConfig, testEnv } from "../test/e2e/support/env.js";
import { type RunningOperator, startOperator } from "../test/e2e/support/operator.js";
import { pushImage } from "../test/support/registry-push.js";

const STREAMS = Number(process.env.ISO_BENCH_STREAMS ?? 300);
const custom = adminKubeConfig.makeApiClient(CustomObjectsApi);

interface Counters {
  requests: number;
  writes: number;
  cpu: number;
  rssMiB: number;
}

async function counters(op: RunningOperator): Promise<Counters> {
  return {
    requests: await counterSum(op, REGISTRY_REQUESTS),
    writes: await counterSum(op, API_WRITES),
    cpu: await op.metric("process_cpu_seconds_total"),
    rssMiB: (await op.metric("process_resident_memory_bytes")) / 1024 / 1024,
  };
}

async function listStreams(ns: string): Promise<ImageStream[]> {
  const list = (await custom.listNamespacedCustomObject({
    group: "image.openshift.io",
    version: "v1",
    plural: "imagestreams",
    namespace: ns,
  })) as { items: ImageStream[] };
  return list.items;
}

async function waitAll(ns: string, done: (s: ImageStream) => boolean): Promise<void> {
  for (;;) {
    const streams = await listStreams(ns);
    if (streams.length === STREAMS && streams.every(done)) return;
    await sleep(200);
  }
}

const imported = (digest: string) => (s: ImageStream) =>
  s.status?.tags?.[0]?.items?.[0]?.image === digest;

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function delta(a: Counters, b: Counters) {
  return { requests: b.requests - a.requests, writes: b.writes - a.writes, cpu: b.cpu - a.cpu };
}

async function main(): Promise<void> {
  const operator = await startOperator(["--resync-seconds", "5", "--log-level", "warn"]);
  const ns = await createNamespace("bench-import");
  const names = Array.from({ length: STREAMS }, (_, i) => `s${i}`);
  try {
    const repository = uniqueRepository("bench-import");
    const image = await pushImage(targets.plain, { repository, tag: "v1" });
    const from = `${testEnv.registry}/${repository}:v1`;
    const c0 = await counters(operator);
    const t0 = performance.now();
    await inBatches(names, 50, (n) =>
      createStream(ns, n, { tags: [dockerTag("v1", from, { importPolicy: { insecure: true } })] }),
    );
    await waitAll(ns, imported(image.digest));
    const coldMs = performance.now() - t0;
    await sleep(1000);
    const c1 = await counters(operator);
    const cold = delta(c0, c1);
    console.log(
      `cold import: ${STREAMS} streams in ${(coldMs / 1000).toFixed(2)} s ` +
        `(${((STREAMS / coldMs) * 1000).toFixed(0)} tags/s); ` +
        `registry requests/tag ${(cold.requests / STREAMS).toFixed(2)}, ` +
        `API writes/tag ${(cold.writes / STREAMS).toFixed(2)}, CPU ${cold.cpu.toFixed(2)} s, ` +
        `RSS ${c1.rssMiB.toFixed(0)} MiB`,
    );

    await sleep(16_000); // three resync periods of 5 s
    const c2 = await counters(operator);
    const steady = delta(c1, c2);
    console.log(
      `steady state (3 resyncs of ${STREAMS} streams): registry requests ${steady.requests}, ` +
        `API writes ${steady.writes}, CPU ${steady.cpu.toFixed(2)} s, RSS ${c2.rssMiB.toFixed(0)} MiB`,
    );

    const before = await getStream(ns, names[0] ?? "s0");
    const t1 = performance.now();
    await inBatches(names, 50, (n) => requestReimport(ns, n, "v1"));
    await waitAll(ns, (s) => (s.spec?.tags?.[0]?.generation ?? 0) > 0);
    const reimportMs = performance.now() - t1;
    await sleep(1000);
    const c3 = await counters(operator);
    const re = delta(c2, c3);
    const after = await getStream(ns, names[0] ?? "s0");
    const statusSame = JSON.stringify(after.status) === JSON.stringify(before.status);
    console.log(
      `re-import request x${STREAMS}, nothing pushed: answered in ${(reimportMs / 1000).toFixed(2)} s; ` +
        `registry requests/stream ${(re.requests / STREAMS).toFixed(2)}, ` +
        `API writes/stream ${(re.writes / STREAMS).toFixed(2)}, status unchanged: ${statusSame}, ` +
        `RSS ${c3.rssMiB.toFixed(0)} MiB`,
    );
  } finally {
    await deleteNamespace(ns);
    await operator.stop();
  }
}

await main();
