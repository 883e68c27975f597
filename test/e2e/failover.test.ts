// Leader failover with real operator processes (issue 8): two, then three
// replicas under the operator's ServiceAccount, election on, one Lease name
// per run, client-go's default timings (15 s lease, 10 s renew deadline, 2 s
// retry).
//
// 1. kill -9 of the leader in the middle of an import storm (300 scheduled
//    streams created at once): the standby is importing within 20 s (printed);
//    tags moved during the gap are imported; every tag's history is exactly
//    what the registry held, no item duplicated or lost.
// 2. SIGTERM of the new leader while its reconciles wait on a slow registry:
//    it drains them, then releases the Lease, and a third replica takes over
//    within a few seconds (printed).
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageStream } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  copyTag,
  counterSum,
  createNamespace,
  createStream,
  custom,
  deleteNamespace,
  dockerTag,
  eventually,
  pool,
  registryDigest,
  saveOperatorLog,
  sleep,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { adminKubeConfig, testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { type RegistryProxy, startRegistryProxy } from "./support/registry-proxy.js";

const LEASE_NAMESPACE = "imagestream-operator-system";
const LEASE = `e2e-failover-${Date.now().toString(36)}`;
const STORM = 300;
const MOVED = 40; // streams s0..s39 move to a new digest while no one leads
const KILL_AFTER_IMPORTS = 60;
const SCHEDULED = { importPolicy: { insecure: true, scheduled: true } };
const IMPORTS = 'imagestream_imports_total{result="success"';
const LEADING = `leader_election_master_status{name="${LEASE}"}`;

const ARGS = [
  "--leader-election-id",
  LEASE,
  "--leader-election-namespace",
  LEASE_NAMESPACE,
  "--scheduled-import-seconds",
  "20",
  "--max-scheduled-image-imports-per-minute",
  "0",
];

const replica = () => startOperator(ARGS, {}, { leaderElect: true });

async function streams(namespace: string): Promise<ImageStream[]> {
  const list = (await custom.listNamespacedCustomObject({
    group: "image.openshift.io",
    version: "v1",
    plural: "imagestreams",
    namespace,
  })) as { items: ImageStream[] };
  return list.items;
}

/** The history of each stream's only tag, newest first, by stream name. */
async function histories(namespace: string): Promise<Map<string, string[]>> {
  return new Map(
    (await streams(namespace)).map((s) => [
      s.metadata.name ?? "",
      (s.status?.tags?.[0]?.items ?? []).map((i) => i.image),
    ]),
  );
}

/** Polls `check` every 50 ms; resolves with the epoch ms it first held. */
async function whenTrue(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

type LogLine = Record<string, unknown> & { msg: string; time: string; atMs: number };

/** pino lines of an operator's log with the given message (epoch ms in `atMs`). */
function logged(operator: RunningOperator, msg: string): LogLine[] {
  return operator
    .logs()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg === msg)
    .map((l) => ({ ...l, atMs: Date.parse(l.time) }));
}

function createStreams(namespace: string, from: string, n: number): Promise<void> {
  return pool(
    Array.from({ length: n }, (_, i) => i),
    16,
    (i) =>
      createStream(namespace, `s${i}`, { tags: [dockerTag("v1", `${from}:t${i}`, SCHEDULED)] }),
  );
}

describe("leader failover with real processes", () => {
  const repository = uniqueRepository("failover");
  const operators: Record<string, RunningOperator> = {};
  const namespaces: string[] = [];
  let proxy: RegistryProxy;
  let first: string; // digest every tag starts at
  let moved: string; // digest s0..s39 move to

  beforeAll(async () => {
    await pushImage(targets.plain, { repository, tag: "t0", layerCount: 1, layerBytes: 64 });
    const tags = Array.from({ length: STORM - 1 }, (_, i) => `t${i + 1}`);
    await copyTag(targets.plain, repository, "t0", tags);
    await pushImage(targets.plain, { repository, tag: "moved", layerCount: 1, layerBytes: 64 });
    first = await registryDigest(targets.plain, repository, "t0");
    moved = await registryDigest(targets.plain, repository, "moved");
    proxy = await startRegistryProxy(testEnv.registry);
    operators.a = await replica();
    await whenTrue("a to lead", async () => (await operators.a?.metric(LEADING)) === 1, 30_000);
    operators.b = await replica();
  });

  afterAll(async () => {
    for (const [name, op] of Object.entries(operators)) {
      if (op.process.exitCode === null && op.process.signalCode === null) await op.stop();
      // a killed leader logs nothing more; the others must not have logged errors
      expect(saveOperatorLog(op, `failover-${name}`)).toEqual([]);
    }
    await proxy?.close();
    for (const ns of namespaces) await deleteNamespace(ns);
    await adminKubeConfig
      .makeApiClient(CoordinationV1Api)
      .deleteNamespacedLease({ namespace: LEASE_NAMESPACE, name: LEASE })
      .catch(() => undefined);
  });

  it("kill -9 mid-storm: the standby imports within 20 s, no history item lost or doubled", async () => {
    const a = operators.a as RunningOperator;
    const b = operators.b as RunningOperator;
    const ns = await createNamespace("failover");
    namespaces.push(ns);
    expect(await b.metric(LEADING)).toBe(0);

    await createStreams(ns, `${testEnv.registry}/${repository}`, STORM);
    await whenTrue(
      `${KILL_AFTER_IMPORTS} imports by a`,
      async () => (await counterSum(a, IMPORTS)) >= KILL_AFTER_IMPORTS,
      60_000,
    );
    a.kill("SIGKILL");
    const killedAt = Date.now();
    await a.exited;
    expect(await counterSum(b, IMPORTS)).toBe(0); // the standby never imported

    // during the gap: s0..s39 move to a new digest
    await copyTag(
      targets.plain,
      repository,
      "moved",
      Array.from({ length: MOVED }, (_, i) => `t${i}`),
    );
    const beforeTakeover = await histories(ns);
    const importedByA = [...beforeTakeover.values()].filter((h) => h.length > 0).length;
    expect(importedByA).toBeLessThan(STORM); // the kill came mid-storm

    const leadingAt = await whenTrue(
      "b to lead",
      async () => (await b.metric(LEADING)) === 1,
      30_000,
    );
    const importingAt = await whenTrue(
      "b's first import",
      async () => (await counterSum(b, IMPORTS)) > 0,
      10_000,
    );
    const takeover = (importingAt - killedAt) / 1000;
    console.log(
      `failover after kill -9: b leads ${((leadingAt - killedAt) / 1000).toFixed(1)} s and imports ` +
        `${takeover.toFixed(1)} s after the kill (a had imported ${importedByA} of ${STORM} streams)`,
    );
    expect(takeover).toBeLessThan(20);

    const expected = (name: string) => {
      const i = Number(name.slice(1));
      if (i >= MOVED) return [first];
      // a tag a had imported keeps that item under the new one
      return beforeTakeover.get(name)?.length ? [moved, first] : [moved];
    };
    const settled = await eventually(
      "every stream imported, every moved tag at its new digest",
      async () => {
        const now = await histories(ns);
        const done = [...now].every(([name, h]) => h[0] === expected(name)[0]);
        return now.size === STORM && done ? now : undefined;
      },
      60_000,
      1000,
    );
    const wrong = [...settled].filter(
      ([name, h]) => JSON.stringify(h) !== JSON.stringify(expected(name)),
    );
    expect(wrong).toEqual([]);
  });

  it("SIGTERM: the leader drains its in-flight reconciles, releases, and the next takes over in seconds", async () => {
    const b = operators.b as RunningOperator;
    operators.c = await replica();
    const c = operators.c;
    const ns = await createNamespace("failover-term");
    namespaces.push(ns);
    proxy.setDelay(1000); // every manifest and blob answer takes a second
    const since = Date.now();
    await createStreams(ns, `${proxy.host}/${repository}`, 20);
    await whenTrue(
      "b's imports through the slow proxy",
      async () => proxy.requests.filter((r) => r.atMs >= since).length >= 4,
      30_000,
    );
    b.kill("SIGTERM");
    const termAt = Date.now();
    const cLeadsAt = await whenTrue(
      "c to lead",
      async () => (await c.metric(LEADING)) === 1,
      30_000,
    );
    expect(await b.exited).toBe(0);
    console.log(
      `hand-over after SIGTERM: c leads ${((cLeadsAt - termAt) / 1000).toFixed(1)} s after it`,
    );
    expect(cLeadsAt - termAt).toBeLessThan(8000);

    const [draining] = logged(b, "draining: no new reconciles; waiting for those in flight");
    const [drained] = logged(b, "drained: every in-flight reconcile finished");
    const [released] = logged(b, "released the lease");
    expect(Number(draining?.inFlight)).toBeGreaterThan(0);
    expect(drained).toBeDefined();
    expect(released).toBeDefined();
    // drained before releasing: no write of b's can follow c's first
    expect(Number(released?.atMs)).toBeGreaterThanOrEqual(Number(drained?.atMs));
    console.log(
      `b drained ${String(draining?.inFlight)} in-flight reconciles in ${String(drained?.ms)} ms before releasing`,
    );

    proxy.setDelay(0);
    const settled = await eventually(
      "every stream of the second namespace imported once",
      async () => {
        const now = await histories(ns);
        return now.size === 20 && [...now.values()].every((h) => h.length > 0) ? now : undefined;
      },
      60_000,
      1000,
    );
    for (const [name, h] of settled) {
      const i = Number(name.slice(1));
      expect(h).toEqual([i < MOVED ? moved : first]);
    }
  });
});
