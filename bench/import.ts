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
//    --scheduled-import-seconds 30 (phases 1-3 ran with 3600, so no scheduled
//    check falls inside them). A restarted operator checks each stream at its
//    slot (ADR 0014), so the restart round spreads over one interval, then
//    every 30 s: the restart round and the next two rounds are reported
//    separately, per re-check. The cap on scheduled imports is off here
//    (its default, 60 a minute, would stretch a round of 1,000 streams to
//    about 15 minutes): this phase measures the cost of a check.
//
// Figures come from the operator's own metrics (registry requests by method,
// API writes by resource and verb, imports, CPU, RSS) and the namespace's
// Events, which the operator's write counter does not include.
import { cpus, loadavg } from "node:os";
import { createNamespace, deleteNamespace, sleep } from "../test/e2e/imports-support.js";
import { type RunningOperator, startOperator } from "../test/e2e/support/operator.js";
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
const RESYNC_SECONDS = 5;
const SCHEDULED_SECONDS = 30;
const SCHEDULED_ROUNDS = 2;
const WAIT_LIMIT_MS = 20 * 60_000;

interface Bench {
  operator: RunningOperator;
  namespace: string;
  fixture: Fixture;
}

function startBenchOperator(scheduledSeconds: number): Promise<RunningOperator> {
  return startOperator(
    [
      ["--resync-seconds", String(RESYNC_SECONDS)],
      ["--scheduled-import-seconds", String(scheduledSeconds)],
      ["--max-scheduled-image-imports-per-minute", "0"],
      // a collection pass could delete Images left by an earlier run, which
      // would count as this run's writes
      ["--image-gc-interval-seconds", "0"],
      ["--log-level", "warn"],
    ].flat(),
  );
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
    `  imports ${d.imports} (failed ${d.failedImports}), operator CPU ${d.cpuSeconds.toFixed(1)} s, ` +
    `RSS ${d.rssMiB.toFixed(0)} MiB`
  );
}

/** Polls the operator's imports counter (cheap) until it reaches target. */
async function waitImports(operator: RunningOperator, target: number): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while ((await importsDone(operator)) < target) {
    if (Date.now() > deadline) throw new Error(`fewer than ${target} imports after 20 min`);
    await sleep(250);
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
  await createStreams(b.namespace, b.fixture);
  const createdMs = performance.now() - started;
  await waitImports(b.operator, before.imports + TOTAL_TAGS);
  await waitStreams(b.namespace, STREAMS, importedAll(b.fixture));
  const ms = performance.now() - started;
  const after = await settled(b);
  console.log(
    `1. cold import: ${TOTAL_TAGS} tags in ${seconds(ms)} = ${((TOTAL_TAGS / ms) * 1000).toFixed(1)} tags/s ` +
      `(the ${STREAMS} creates took ${seconds(createdMs)})\n${economy(delta(before, after), TOTAL_TAGS, "tag")}`,
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
    events,
  };
}

async function scheduledRechecks(b: Bench, was: Map<string, string>): Promise<void> {
  const zero = await startCounters(b.namespace);
  b.operator = await startBenchOperator(SCHEDULED_SECONDS);
  const started = performance.now();
  await waitImports(b.operator, TOTAL_TAGS);
  const restartMs = performance.now() - started;
  const restart = await readCounters(b.operator, b.namespace);
  console.log(
    `4a. restart (--scheduled-import-seconds ${SCHEDULED_SECONDS}): every scheduled tag re-checked (at its slot) in ` +
      `${seconds(restartMs)} = ${((TOTAL_TAGS / restartMs) * 1000).toFixed(1)} tags/s from ready (CPU includes start-up)\n` +
      economy(delta(zero, restart), restart.imports, "re-check"),
  );
  const target = TOTAL_TAGS * (1 + SCHEDULED_ROUNDS);
  await waitImports(b.operator, target);
  const rounds = await readCounters(b.operator, b.namespace);
  const d = delta(restart, rounds);
  const now = statuses(await waitStreams(b.namespace, STREAMS, () => true));
  console.log(
    `4b. ${SCHEDULED_ROUNDS} scheduled rounds (${d.imports} re-checks of unchanged tags) in ` +
      `${seconds(performance.now() - started - restartMs)}; every status unchanged since 3: ` +
      `${sameStatuses(was, now)}\n${economy(d, d.imports, "re-check")}`,
  );
}

async function prepare(): Promise<Fixture> {
  console.log(
    `machine: ${cpus().length} CPUs, load average ${load()}, Node ${process.version}; ` +
      `size: ${STREAMS} streams x ${TAGS} tags = ${TOTAL_TAGS} tags`,
  );
  const started = performance.now();
  const fixture = await pushImages(STREAMS, TAGS);
  console.log(
    `pushed ${TOTAL_TAGS} images (${distinctDigests(fixture)} distinct digests) to the plain ` +
      `registry in ${seconds(performance.now() - started)}`,
  );
  return fixture;
}

async function cleanUp(b: Partial<Bench>): Promise<void> {
  await b.operator?.stop();
  if (b.namespace) await deleteNamespace(b.namespace);
  const images = b.fixture ? await deleteImages(b.fixture) : 0;
  console.log(`cleaned up: namespace ${b.namespace} deleted, ${images} Image objects deleted`);
}

async function main(): Promise<void> {
  const b: Partial<Bench> = {};
  try {
    b.fixture = await prepare();
    b.namespace = await createNamespace("bench-import");
    b.operator = await startBenchOperator(3600);
    const bench = b as Bench;
    const cold = await coldImport(bench);
    const steady = await steadyState(bench, cold);
    const was = await reimportRequests(bench, steady);
    await bench.operator.stop();
    await scheduledRechecks(bench, was);
    console.log(`load average at the end: ${load()}`);
  } finally {
    await cleanUp(b);
  }
}

await main();
