// npm run bench:import: throughput, request economy and memory of the import
// controller on the real test environment (hack/cluster.sh up; npm run build),
// with the real operator running as its ServiceAccount.
//
// Before timing, ISO_BENCH_STREAMS x ISO_BENCH_TAGS (default 1000 x 3)
// distinct images are pushed to the plain registry: repository <run>/s<i>,
// tags v1..vN, one random layer each, so every tag has its own digest and a
// first import cannot be answered from the operator's content cache. Every
// stream names its repository's tags, importPolicy.scheduled: true.
//
// 1. Cold import: all streams created (16 at a time); time until every tag's
//    status holds its digest; registry requests and API writes per tag.
// 2. Steady state: three full resyncs (--resync-seconds 5) of the settled
//    streams: registry requests and API writes (expected: none).
// 3. Re-import request (generation 0 on every tag, as `oc tag` sends) with
//    nothing pushed: time until all are answered; requests and writes per tag.
// 4. Scheduled re-checks, nothing pushed: the operator is restarted with
//    --scheduled-import-seconds ISO_BENCH_SCHEDULED_SECONDS (default 30;
//    phases 1-3 ran with a week, so hardly any scheduled check falls inside
//    them) and the default resync (600 s, so no resync falls inside it). A
//    restarted operator checks each stream at its slot (ADR 0014), so the
//    first round after the restart (4a, nothing in the operator's memory or
//    caches) spreads over one interval; it and ISO_BENCH_ROUNDS further rounds
//    (4b, default 2) are reported separately, per re-check, with the busiest
//    second seen by the registry. The cap on scheduled imports is
//    ISO_BENCH_CAP per minute (default 0, off: its default of 60 a minute
//    would stretch a round of 1,000 streams to about 15 minutes).
//
// The streams name a counting proxy in front of the plain registry
// (test/e2e/support/registry-proxy.ts), so registry requests are counted on
// the registry's side as well as by the operator's metrics (requests by
// method, API writes by resource and verb, imports, CPU, RSS, heap); Events
// are counted in the namespace. ISO_BENCH_REIMPORT=0 skips phase 3.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createNamespace, deleteNamespace, sleep } from "../test/e2e/imports-support.js";
import { testEnv } from "../test/e2e/support/env.js";
import { type RunningOperator, startOperator } from "../test/e2e/support/operator.js";
import { type RegistryProxy, startRegistryProxy } from "../test/e2e/support/registry-proxy.js";
import {
  type Counters,
  delta,
  eventCount,
  importsDone,
  perUnit,
  readCounters,
  total,
} from "./import-metrics.js";
import {
  createStreams,
  deleteImages,
  distinctDigests,
  type Fixture,
  importedAll,
  nameRegistry,
  pushImages,
  reimportsAnswered,
  requestReimports,
  sameStatuses,
  statuses,
  waitStreams,
} from "./import-streams.js";

const STREAMS = Number(process.env.ISO_BENCH_STREAMS ?? 1000);
const TAGS = Number(process.env.ISO_BENCH_TAGS ?? 3);
const TOTAL_TAGS = STREAMS * TAGS;
/** phases 1-3: a resync every 5 s, so phase 2 sees three of them */
const RESYNC_SECONDS = 5;
/** phase 4: the operator's default, so the CPU of a round is the checks' and not resyncs' */
const DEFAULT_RESYNC_SECONDS = 600;
const SCHEDULED_SECONDS = Number(process.env.ISO_BENCH_SCHEDULED_SECONDS ?? 30);
const SCHEDULED_ROUNDS = Number(process.env.ISO_BENCH_ROUNDS ?? 2);
const REIMPORT = process.env.ISO_BENCH_REIMPORT !== "0";
const WAIT_LIMIT_MS = 20 * 60_000;

interface Bench {
  operator: RunningOperator;
  namespace: string;
  fixture: Fixture;
  proxy: RegistryProxy;
}

/** What the registry saw between two times: content requests, and the busiest second. */
function registrySide(proxy: RegistryProxy, fromMs: number, toMs: number): string {
  const perSecond = proxy.perSecond(fromMs, toMs);
  const all = perSecond.reduce((a, b) => a + b, 0);
  const busiest = Math.max(0, ...perSecond);
  const mean = all / Math.max(1, perSecond.length);
  return `  registry side: ${all} requests in ${perSecond.length} s, busiest second ${busiest}, mean ${mean.toFixed(1)}/s`;
}

function registryCount(proxy: RegistryProxy, fromMs: number, toMs: number): number {
  return proxy.perSecond(fromMs, toMs).reduce((a, b) => a + b, 0);
}

// With ISO_BENCH_HEAPSNAPSHOT=dir, the operator writes a heap snapshot there
// on SIGUSR2, sent once the cold import has settled (npm run bench:heap-summary).
const SNAPSHOT_DIR = process.env.ISO_BENCH_HEAPSNAPSHOT;

function startBenchOperator(
  scheduledSeconds: number,
  resyncSeconds: number,
): Promise<RunningOperator> {
  // ISO_BENCH_NODE_OPTIONS: Node options for the operator (e.g. --cpu-prof, heap limits)
  const nodeOptions = [
    process.env.ISO_BENCH_NODE_OPTIONS ?? "",
    SNAPSHOT_DIR ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${SNAPSHOT_DIR}` : "",
  ].join(" ");
  const env: Record<string, string> = nodeOptions.trim()
    ? { NODE_OPTIONS: nodeOptions.trim() }
    : {};
  return startOperator(
    [
      ["--resync-seconds", String(resyncSeconds)],
      ["--scheduled-import-seconds", String(scheduledSeconds)],
      ["--max-scheduled-image-imports-per-minute", process.env.ISO_BENCH_CAP ?? "0"],
      // a collection pass could delete Images left by an earlier run, which
      // would count as this run's writes
      ["--image-gc-interval-seconds", "0"],
      ["--log-level", "warn"],
    ].flat(),
    env,
  ).then(reportDeath);
}

/**
 * An operator that dies mid-run (a heap limit, a crash) says why here: its
 * output lives only in this process, which would otherwise exit without it.
 */
function reportDeath(operator: RunningOperator): RunningOperator {
  const stop = operator.stop;
  let stopping = false;
  operator.process.once("exit", (code, signal) => {
    if (stopping) return;
    console.error(
      `the operator exited during the run (code ${code}, signal ${signal}); its last output:\n` +
        operator.logs().slice(-3000),
    );
  });
  operator.stop = () => {
    stopping = true;
    return stop();
  };
  return operator;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

/** Registry requests, API writes and Events of one phase, each divided by `per`. */
function economy(d: Counters, per: number, unit: string): string {
  return (
    `  registry requests/${unit}: ${perUnit(d.requests, per)}\n` +
    `  API writes/${unit}: ${perUnit(d.writes, per)}; Events/${unit}: ${(d.events / per).toFixed(2)}\n` +
    `  imports ${d.imports} (failed ${d.failedImports}), reconciles ${d.reconciles}, ` +
    `operator CPU ${d.cpuSeconds.toFixed(1)} s, ` +
    `RSS ${d.rssMiB.toFixed(0)} MiB, heap used ${d.heapMiB.toFixed(0)} MiB`
  );
}

/**
 * Where the resident memory is: V8's heap (committed and in use), memory
 * outside it that JS objects hold, and the kernel's split of RSS into
 * anonymous pages and pages of mapped files (the node binary's code).
 */
function memoryLine(d: Counters, pid: number | undefined): string {
  const status = pid ? readFileSync(`/proc/${pid}/status`, "utf8") : "";
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const mib = (v: number) => `${v.toFixed(0)} MiB`;
  return (
    `  memory: RSS ${mib(d.rssMiB)} = anonymous ${mib(kb("RssAnon") / 1024)} + files ${mib(kb("RssFile") / 1024)}; ` +
    `V8 heap committed ${mib(d.heapTotalMiB)}, used ${mib(d.heapMiB)}; external ${mib(d.externalMiB)}`
  );
}

/**
 * Polls the operator's imports counter until it reaches target. Once a
 * second: each poll is a whole /metrics scrape, and at 4 a second (as
 * before 2026-12-02) the scrapes cost the operator about a tenth of a
 * 1,000-tag round's CPU (a CPU profile's figure); Prometheus scrapes every 15-30 s.
 */
async function waitImports(operator: RunningOperator, target: number): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while ((await importsDone(operator)) < target) {
    if (Date.now() > deadline) throw new Error(`fewer than ${target} imports after 20 min`);
    await sleep(1000);
  }
}

/** Counters once nothing moved for two seconds: the phase's trailing writes included. */
async function settled(b: Bench): Promise<Counters> {
  let previous = await readCounters(b.operator, b.namespace);
  for (let quiet = 0; quiet < 2; ) {
    await sleep(1000);
    const now = await readCounters(b.operator, b.namespace);
    const moved = total(delta(previous, now).requests) + total(delta(previous, now).writes);
    quiet = moved === 0 && now.imports === previous.imports ? quiet + 1 : 0;
    previous = now;
  }
  return previous;
}

async function coldImport(b: Bench): Promise<Counters> {
  const before = await readCounters(b.operator, b.namespace);
  const started = performance.now();
  const startedAt = Date.now();
  await createStreams(b.namespace, b.fixture);
  const createdMs = performance.now() - started;
  await waitImports(b.operator, before.imports + TOTAL_TAGS);
  const importedMs = performance.now() - started;
  await waitStreams(b.namespace, STREAMS, importedAll(b.fixture));
  const after = await settled(b);
  const seen = registryCount(b.proxy, startedAt, Date.now());
  if (SNAPSHOT_DIR) {
    b.operator.process.kill("SIGUSR2");
    console.log(
      `heap snapshot requested into ${SNAPSHOT_DIR} (operator pid ${b.operator.process.pid})`,
    );
  }
  console.log(
    `1. cold import: ${TOTAL_TAGS} tags in ${seconds(importedMs)} = ${((TOTAL_TAGS / importedMs) * 1000).toFixed(1)} tags/s ` +
      `(the ${STREAMS} creates took ${seconds(createdMs)}; ${seconds(performance.now() - started)} until every status was listed)\n` +
      `${economy(delta(before, after), TOTAL_TAGS, "tag")}\n` +
      `${memoryLine(after, b.operator.process.pid)}\n` +
      `  registry side: ${(seen / TOTAL_TAGS).toFixed(2)} requests/tag`,
  );
  return after;
}

async function steadyState(b: Bench, before: Counters): Promise<Counters> {
  await sleep((3 * RESYNC_SECONDS + 1) * 1000);
  const after = await readCounters(b.operator, b.namespace);
  const d = delta(before, after);
  console.log(
    `2. steady state, 3 resyncs (${RESYNC_SECONDS} s) of ${STREAMS} settled streams: ` +
      `${d.reconciles} reconciles; registry requests ${total(d.requests)}, ` +
      `API writes ${total(d.writes)}, Events ${d.events}, imports ${d.imports}, ` +
      `operator CPU ${d.cpuSeconds.toFixed(1)} s, RSS ${d.rssMiB.toFixed(0)} MiB`,
  );
  return after;
}

async function reimportRequests(b: Bench, before: Counters): Promise<Map<string, string>> {
  const was = statuses(await waitStreams(b.namespace, STREAMS, () => true));
  const started = performance.now();
  await requestReimports(b.namespace, b.fixture);
  await waitImports(b.operator, before.imports + TOTAL_TAGS);
  const streams = await waitStreams(b.namespace, STREAMS, reimportsAnswered);
  const ms = performance.now() - started;
  const after = await settled(b);
  const now = statuses(streams);
  console.log(
    `3. re-import request on all ${TOTAL_TAGS} tags (one patch per stream), nothing pushed: ` +
      `answered in ${seconds(ms)}; every status unchanged: ${sameStatuses(was, now)}\n` +
      economy(delta(before, after), TOTAL_TAGS, "tag"),
  );
  return now;
}

/** Counters of a just-started operator: its own are zero, the namespace's Events are not. */
async function startCounters(namespace: string): Promise<Counters> {
  const events = await eventCount(namespace);
  return {
    requests: {},
    writes: {},
    imports: 0,
    failedImports: 0,
    reconciles: 0,
    cpuSeconds: 0,
    rssMiB: 0,
    heapMiB: 0,
    heapTotalMiB: 0,
    externalMiB: 0,
    events,
  };
}

async function scheduledRechecks(b: Bench, was: Map<string, string>): Promise<void> {
  const zero = await startCounters(b.namespace);
  b.operator = await startBenchOperator(SCHEDULED_SECONDS, DEFAULT_RESYNC_SECONDS);
  const started = performance.now();
  const startedAt = Date.now();
  await waitImports(b.operator, TOTAL_TAGS);
  const restartMs = performance.now() - started;
  const restartAt = Date.now();
  const restart = await readCounters(b.operator, b.namespace);
  console.log(
    `4a. restart (--scheduled-import-seconds ${SCHEDULED_SECONDS}): the first round re-checked every scheduled tag in ` +
      `${seconds(restartMs)} (CPU includes start-up)\n` +
      `${economy(delta(zero, restart), restart.imports, "re-check")}\n` +
      `${memoryLine(restart, b.operator.process.pid)}\n` +
      `${registrySide(b.proxy, startedAt, restartAt)}; ` +
      `${(registryCount(b.proxy, startedAt, restartAt) / restart.imports).toFixed(3)} requests/re-check`,
  );
  if (SCHEDULED_ROUNDS === 0) return;
  const target = TOTAL_TAGS * (1 + SCHEDULED_ROUNDS);
  await waitImports(b.operator, target);
  const rounds = await readCounters(b.operator, b.namespace);
  const d = delta(restart, rounds);
  const now = statuses(await waitStreams(b.namespace, STREAMS, () => true));
  console.log(
    `4b. ${SCHEDULED_ROUNDS} scheduled rounds (${d.imports} re-checks of unchanged tags) in ` +
      `${seconds(performance.now() - started - restartMs)}; every status unchanged since 3: ` +
      `${sameStatuses(was, now)}\n${economy(d, d.imports, "re-check")}\n` +
      `${memoryLine(rounds, b.operator.process.pid)}\n` +
      registrySide(b.proxy, restartAt, Date.now()),
  );
}

// ISO_BENCH_FIXTURE=file.json keeps the pushed images' names and digests, so
// a later run of the same size reuses them (pushing 30,000 images takes
// about 10 minutes here); ISO_BENCH_PUSH_ONLY=1 stops after the push.
const FIXTURE_FILE = process.env.ISO_BENCH_FIXTURE;

function savedFixture(): Fixture | undefined {
  if (!FIXTURE_FILE || !existsSync(FIXTURE_FILE)) return undefined;
  const saved = JSON.parse(readFileSync(FIXTURE_FILE, "utf8"));
  // a larger fixture serves a smaller run: its first STREAMS streams
  if (saved.repositories.length < STREAMS || saved.tagNames.length !== TAGS) {
    throw new Error(`${FIXTURE_FILE} holds another size; remove it or pick another file`);
  }
  const repositories = new Map<string, string>(saved.repositories.slice(0, STREAMS));
  const digests = new Map<string, string[]>(saved.digests);
  return {
    repositories,
    // pushes finish out of order: pick the digests by stream name
    digests: new Map([...repositories.keys()].map((name) => [name, digests.get(name) ?? []])),
    tagNames: saved.tagNames,
  };
}

async function prepare(): Promise<Fixture> {
  console.log(
    `machine: ${cpus().length} CPUs, load average ${load()}, Node ${process.version}; ` +
      `size: ${STREAMS} streams x ${TAGS} tags = ${TOTAL_TAGS} tags`,
  );
  const saved = savedFixture();
  if (saved) {
    console.log(`reusing the ${distinctDigests(saved)} images of ${FIXTURE_FILE}`);
    return saved;
  }
  const started = performance.now();
  const fixture = await pushImages(STREAMS, TAGS);
  if (FIXTURE_FILE) {
    const { repositories, digests, tagNames } = fixture;
    writeFileSync(
      FIXTURE_FILE,
      JSON.stringify({ repositories: [...repositories], digests: [...digests], tagNames }),
    );
  }
  console.log(
    `pushed ${TOTAL_TAGS} images (${distinctDigests(fixture)} distinct digests) to the plain ` +
      `registry in ${seconds(performance.now() - started)}`,
  );
  return fixture;
}

async function cleanUp(b: Partial<Bench>): Promise<void> {
  await b.operator?.stop();
  if (b.namespace) await deleteNamespace(b.namespace);
  const images = b.fixture && b.namespace ? await deleteImages(b.fixture) : 0;
  console.log(`cleaned up: namespace ${b.namespace} deleted, ${images} Image objects deleted`);
}

async function main(): Promise<void> {
  const b: Partial<Bench> = {};
  try {
    b.fixture = await prepare();
    if (process.env.ISO_BENCH_PUSH_ONLY === "1") return;
    b.proxy = await startRegistryProxy(testEnv.registry);
    nameRegistry(b.proxy.host);
    b.namespace = await createNamespace("bench-import");
    // a week: slots (ADR 0014) spread over it leave phases 1-3 nearly free of scheduled checks
    b.operator = await startBenchOperator(7 * 24 * 3600, RESYNC_SECONDS);
    const bench = b as Bench;
    const cold = await coldImport(bench);
    // ISO_BENCH_COLD_ONLY=1: phase 1 alone, e.g. to compare --workers settings
    if (process.env.ISO_BENCH_COLD_ONLY === "1") return;
    const steady = await steadyState(bench, cold);
    const was = REIMPORT
      ? await reimportRequests(bench, steady)
      : statuses(await waitStreams(bench.namespace, STREAMS, () => true));
    await bench.operator.stop();
    await scheduledRechecks(bench, was);
    console.log(`load average at the end: ${load()}`);
  } finally {
    await cleanUp(b);
    await b.proxy?.close();
  }
}

await main();
