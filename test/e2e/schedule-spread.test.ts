// Registry politeness of scheduled imports (ADR 0014), counted where the
// registry would count it: every stream's tag points at a counting proxy in
// front of the plain registry (test/e2e/support/registry-proxy.ts), one
// registry tag per stream, so each request names the stream it checks.
//
// 1. A restarted operator with 200 scheduled streams x 1 tag and a 20 s
//    interval spreads its checks over the interval: no second holds more than
//    3x the mean, the first round after the restart included; every tag is
//    checked within one interval of the start, at the same point of the
//    interval as before the restart (stable slots).
// 2. --max-scheduled-image-imports-per-minute holds at the proxy: after the
//    burst, no minute holds more checks than the cap; deferred checks are
//    counted and a warning names the flag.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageStream } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  copyTag,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  pool,
  saveOperatorLog,
  sleep,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { adminKubeConfig, testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { type RegistryProxy, startRegistryProxy } from "./support/registry-proxy.js";

const custom = adminKubeConfig.makeApiClient(CustomObjectsApi);
const SCHEDULED = { importPolicy: { insecure: true, scheduled: true } };

/** Pushes one image and tags it `tags` times (t0, t1, ...): one registry tag per stream. */
async function pushTags(repository: string, tags: number): Promise<void> {
  await pushImage(targets.plain, { repository, tag: "t0", layerCount: 1, layerBytes: 64 });
  const others = Array.from({ length: tags - 1 }, (_, i) => `t${i + 1}`);
  await copyTag(targets.plain, repository, "t0", others);
}

/** Streams s0..s<n-1>, each with one scheduled tag naming registry tag t<i> through the proxy. */
function createStreams(namespace: string, from: string, n: number): Promise<void> {
  return pool(
    Array.from({ length: n }, (_, i) => i),
    16,
    (i) =>
      createStream(namespace, `s${i}`, { tags: [dockerTag("v1", `${from}:t${i}`, SCHEDULED)] }),
  );
}

async function importedCount(namespace: string): Promise<number> {
  const list = (await custom.listNamespacedCustomObject({
    group: "image.openshift.io",
    version: "v1",
    plural: "imagestreams",
    namespace,
  })) as { items: ImageStream[] };
  return list.items.filter((s) => (s.status?.tags?.[0]?.items?.length ?? 0) > 0).length;
}

async function waitImported(namespace: string, n: number, timeoutMs = 120_000): Promise<void> {
  await eventually(
    `${n} streams imported in ${namespace}`,
    async () => (await importedCount(namespace)) === n,
    timeoutMs,
    1000,
  );
}

/** Tag-manifest requests (a check asks for the tag; blobs and digests follow) by registry tag. */
function checks(proxy: RegistryProxy, repository: string, sinceMs: number, untilMs: number) {
  const pattern = new RegExp(`^/v2/${repository}/manifests/(t\\d+)$`);
  const out: { tag: string; atMs: number }[] = [];
  for (const r of proxy.requests) {
    if (r.atMs < sinceMs || r.atMs >= untilMs) continue;
    const tag = pattern.exec(r.path)?.[1];
    if (!tag) continue;
    // a check that asks for the tag twice (HEAD, then GET) is one check; two
    // checks of one tag are at least a second apart (the requeue floor)
    const last = out.findLast((c) => c.tag === tag);
    if (!last || r.atMs - last.atMs > 250) out.push({ tag, atMs: r.atMs });
  }
  return out;
}

function firstCheckByTag(found: { tag: string; atMs: number }[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const c of found) if (!first.has(c.tag)) first.set(c.tag, c.atMs);
  return first;
}

/** Distance between two points of a cycle of length `period`. */
function cyclicDistance(a: number, b: number, period: number): number {
  const d = Math.abs((((a - b) % period) + period) % period);
  return Math.min(d, period - d);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("scheduled checks after a restart spread over the interval", () => {
  const STREAMS = 200;
  const INTERVAL_S = 20;
  const INTERVAL_MS = INTERVAL_S * 1000;
  const repository = uniqueRepository("spread");
  let proxy: RegistryProxy;
  let namespace: string;
  let operator: RunningOperator | undefined;

  const start = (ns: string) =>
    startOperator([
      "--namespaces",
      ns,
      "--scheduled-import-seconds",
      String(INTERVAL_S),
      "--max-scheduled-image-imports-per-minute",
      "0", // this test is about spreading; the cap has its own below
      "--image-gc-interval-seconds",
      "0",
      "--log-level",
      "info",
    ]);

  beforeAll(async () => {
    proxy = await startRegistryProxy(testEnv.registry);
    namespace = await createNamespace("spread");
    await pushTags(repository, STREAMS);
    await createStreams(namespace, `${proxy.host}/${repository}`, STREAMS);
  }, 180_000);

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "schedule-spread")).toEqual([]);
    await proxy?.close();
    if (namespace) await deleteNamespace(namespace);
  });

  it("spreads every round, keeps each stream's slot across the restart, and checks every tag within one interval", async () => {
    operator = await start(namespace);
    await waitImported(namespace, STREAMS);
    // one round of the first operator: where in the interval each stream's check falls
    const firstRoundFrom = Date.now() + 1000;
    await sleep(INTERVAL_MS + 2000);
    const before = firstCheckByTag(checks(proxy, repository, firstRoundFrom, Date.now()));
    expect(before.size).toBe(STREAMS);

    await operator.stop();
    operator = undefined;
    await sleep(3000);
    const restartedAt = Date.now();
    operator = await start(namespace);
    const readyAt = Date.now();
    await sleep(2 * INTERVAL_MS + 3000);
    const until = restartedAt + 2 * INTERVAL_MS;

    // every second of both rounds after the restart, from the registry's side
    const perSecond = proxy.perSecond(restartedAt, until);
    const firstRound = perSecond.slice(0, INTERVAL_S);
    const secondRound = perSecond.slice(INTERVAL_S);
    const summary = { firstRound, secondRound, readyMs: readyAt - restartedAt };
    console.log(`requests per second after the restart: ${JSON.stringify(summary)}`);
    for (const round of [firstRound, secondRound]) {
      expect(mean(round)).toBeGreaterThan(0);
      expect(Math.max(...round)).toBeLessThanOrEqual(3 * mean(round));
    }

    // every tag checked within one interval of the start (plus the start-up itself)
    const after = firstCheckByTag(checks(proxy, repository, restartedAt, until));
    expect(after.size).toBe(STREAMS);
    const latest = Math.max(...after.values());
    expect(latest - readyAt).toBeLessThanOrEqual(INTERVAL_MS + 2000);

    // at the same point of the interval as before the restart
    const moved = [...after].filter(
      ([tag, at]) => cyclicDistance(at, before.get(tag) ?? Number.NaN, INTERVAL_MS) > 1500,
    );
    expect(moved).toEqual([]);
  }, 240_000);
});

describe("--max-scheduled-image-imports-per-minute", () => {
  const STREAMS = 30;
  const INTERVAL_S = 10;
  const PER_MINUTE = 12; // 0.2 a second, burst 24; the streams ask for 180 a minute
  const repository = uniqueRepository("cap");
  let proxy: RegistryProxy;
  let namespace: string;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    proxy = await startRegistryProxy(testEnv.registry);
    namespace = await createNamespace("cap");
    await pushTags(repository, STREAMS);
    await createStreams(namespace, `${proxy.host}/${repository}`, STREAMS);
  }, 120_000);

  afterAll(async () => {
    await operator?.stop();
    if (operator) {
      const problems = saveOperatorLog(operator, "schedule-cap");
      expect(problems).toEqual([]);
    }
    await proxy?.close();
    if (namespace) await deleteNamespace(namespace);
  });

  it("holds at the registry: first imports at once, then the burst, then the cap a minute", async () => {
    const startedAt = Date.now();
    operator = await startOperator([
      "--namespaces",
      namespace,
      "--scheduled-import-seconds",
      String(INTERVAL_S),
      "--max-scheduled-image-imports-per-minute",
      String(PER_MINUTE),
      "--image-gc-interval-seconds",
      "0",
      "--log-level",
      "info",
    ]);
    // first imports are not capped: all 30 well before the cap would allow 30 checks
    await waitImported(namespace, STREAMS, 30_000);
    const importedAt = Date.now();
    await sleep(80_000);
    const end = Date.now();

    const all = checks(proxy, repository, startedAt, end);
    const firstImports = firstCheckByTag(all);
    const scheduled = all.filter((c) => c.atMs > (firstImports.get(c.tag) ?? 0));
    const tokens = (ms: number) => 2 * PER_MINUTE + (PER_MINUTE / 60) * (ms / 1000);
    // over the whole run: never more than the burst plus what the rate refilled
    expect(scheduled.length).toBeLessThanOrEqual(tokens(end - startedAt) + 1);
    // and the cap is not stricter than it says: it hands out (nearly) every token
    expect(scheduled.length).toBeGreaterThanOrEqual(tokens(end - importedAt) - 4);
    // any minute after the burst is spent holds at most the cap
    const burstSpent = importedAt + 15_000;
    for (let from = burstSpent; from + 60_000 <= end; from += 1000) {
      const inMinute = scheduled.filter((c) => c.atMs >= from && c.atMs < from + 60_000).length;
      expect(inMinute).toBeLessThanOrEqual(PER_MINUTE + 1);
    }
    console.log(
      `scheduled checks at the proxy: ${scheduled.length} in ${((end - importedAt) / 1000).toFixed(0)} s ` +
        `after the first imports (cap ${PER_MINUTE}/min, burst ${2 * PER_MINUTE})`,
    );

    const due = await operator.metric("imagestream_scheduled_checks_due_total");
    const deferred = await operator.metric("imagestream_scheduled_checks_deferred_total");
    expect(deferred).toBeGreaterThan(0);
    expect(due).toBeGreaterThanOrEqual(scheduled.length); // one per check, deferred or not
    expect(deferred).toBeLessThanOrEqual(due);
    const behind = operator
      .logs()
      .split("\n")
      .filter((l) => l.includes("scheduled checks fall behind"));
    expect(behind.length).toBe(1); // rate-limited: once per 5 minutes
    expect(behind[0]).toContain("--max-scheduled-image-imports-per-minute");
  }, 180_000);
});
