// Scheduled checks through the whole import path (ImportReconciler -> the
// real HttpRegistryClient -> FakeRegistry), with a fake clock: a restarted
// reconciler (empty attempt log) spreads its checks over the stream slots
// instead of checking everything at once, a stream's tags share one check,
// and the cap on scheduled imports defers only scheduled checks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../observability/logger.js";
import { nextScheduledSlotMs } from "../../reconcile/schedule.js";
import { dockerTag, makeStream } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import type { ImportReconciler } from "./controller.js";
import { ScheduledImportCap } from "./scheduled-cap.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const INTERVAL_S = 60;
const INTERVAL_MS = INTERVAL_S * 1000;
const T0 = Date.parse("2026-01-01T12:00:00Z");
const STREAMS = 12;
const SCHEDULED = { importPolicy: { insecure: true, scheduled: true } };

let fake: FakeRegistry;
let client: HttpRegistryClient;
let api: MemoryApi;
const clock = { ms: T0 };
const counted = { due: 0, deferred: 0 };

beforeEach(async () => {
  fake = await FakeRegistry.start();
  client = new HttpRegistryClient({});
  api = new MemoryApi();
  clock.ms = T0;
  counted.due = 0;
  counted.deferred = 0;
  for (const tag of ["v1", "v2", "v3"]) fake.addImage("app", tag);
  for (let i = 0; i < STREAMS; i++) {
    const tags = i === 0 ? ["v1", "v2", "v3"] : ["v1"];
    api.put(
      makeStream({
        name: `s${i}`,
        tags: tags.map((t) => dockerTag(t, `${fake.host}/app:${t}`, SCHEDULED)),
      }),
    );
  }
});

afterEach(async () => {
  client.close();
  await fake.close();
});

const keys = Array.from({ length: STREAMS }, (_, i) => `team/s${i}`);

function reconciler(perMinute = 0): ImportReconciler {
  return memoryReconciler(api, client, {
    planner: { scheduledIntervalSeconds: INTERVAL_S },
    scheduledCap: new ScheduledImportCap({
      perMinute,
      intervalMs: INTERVAL_MS,
      now: () => clock.ms,
      onDue: () => counted.due++,
      onDeferred: () => counted.deferred++,
    }),
    now: () => new Date(clock.ms),
  });
}

/** Manifest requests by tag (not by digest), since `from` (an index into fake.requests). */
function manifestRequests(from: number): string[] {
  return fake.requests
    .slice(from)
    .map((r) => r.path.split("/manifests/")[1] ?? "")
    .filter((ref) => ref !== "" && !ref.startsWith("sha256:"));
}

/** One pass of every stream: the tags each pass asked the registry for, and its requeue. */
async function passOfAll(r: ImportReconciler) {
  const passes = new Map<string, { tags: string[]; requeueAfterMs: number | undefined }>();
  for (const key of keys) {
    const before = fake.requests.length;
    const result = await r.reconcile(key, log);
    passes.set(key, { tags: manifestRequests(before), requeueAfterMs: result?.requeueAfterMs });
  }
  return passes;
}

function slotOf(key: string, afterMs: number): number {
  const stream = api.cached("team", key.split("/")[1] ?? "");
  if (!stream) throw new Error(`no stream ${key}`);
  return nextScheduledSlotMs(stream, afterMs, { scheduledIntervalSeconds: INTERVAL_S });
}

async function importAll(r: ImportReconciler): Promise<void> {
  for (const key of keys) await r.reconcile(key, log);
}

describe("scheduled checks after a restart", () => {
  it("are not made at once: each stream waits for its own slot, within one interval", async () => {
    await importAll(reconciler());
    clock.ms += 5 * INTERVAL_MS + 1234; // the operator restarts some time later
    const restarted = reconciler();
    const before = fake.requests.length;
    const requeues = new Map<string, number>();
    for (const key of keys) {
      const result = await restarted.reconcile(key, log);
      requeues.set(key, result?.requeueAfterMs ?? -1);
    }
    expect(manifestRequests(before)).toEqual([]);
    expect(counted.due).toBe(0);
    for (const key of keys) {
      const wait = requeues.get(key) ?? -1;
      expect(wait).toBe(slotOf(key, clock.ms) - clock.ms);
      expect(wait).toBeLessThanOrEqual(INTERVAL_MS);
    }
  });

  it("each stream is checked once at its slot; a stream of 3 tags in one pass", async () => {
    await importAll(reconciler());
    clock.ms += 5 * INTERVAL_MS;
    const restarted = reconciler();
    await importAll(restarted); // the informer's initial adds: nothing due
    const start = clock.ms;
    const bySlot = [...keys].sort((a, b) => slotOf(a, start) - slotOf(b, start));
    for (const key of bySlot) {
      clock.ms = slotOf(key, start);
      const before = fake.requests.length;
      const result = await restarted.reconcile(key, log);
      const expected = key === "team/s0" ? ["v1", "v2", "v3"] : ["v1"];
      expect(manifestRequests(before).sort()).toEqual(expected); // one HEAD per tag
      expect(result?.requeueAfterMs).toBe(INTERVAL_MS); // its next slot
    }
    expect(clock.ms - start).toBeLessThanOrEqual(INTERVAL_MS);
    expect(counted).toEqual({ due: STREAMS, deferred: 0 });
  });
});

describe("the cap on scheduled imports", () => {
  /** All streams imported, then a restarted reconciler and the clock past every slot. */
  async function allDue(perMinute: number): Promise<ImportReconciler> {
    await importAll(reconciler(perMinute));
    const restarted = reconciler(perMinute);
    await importAll(restarted);
    clock.ms += INTERVAL_MS;
    return restarted;
  }

  it("never holds back first imports", async () => {
    const before = fake.requests.length;
    await importAll(reconciler(1)); // 1 a minute: a burst of 2
    expect(new Set(manifestRequests(before))).toEqual(new Set(["v1", "v2", "v3"]));
    for (let i = 0; i < STREAMS; i++) {
      const tags = api.cached("team", `s${i}`)?.status?.tags ?? [];
      expect(tags.map((t) => t.items?.length)).toEqual(i === 0 ? [1, 1, 1] : [1]);
    }
    expect(counted).toEqual({ due: 0, deferred: 0 });
  });

  it("admits a burst of twice the per-minute cap, then one stream per token, requeued for it", async () => {
    const r = await allDue(3); // 0.05/s, burst 6
    const passes = await passOfAll(r);
    const checked = keys.filter((k) => (passes.get(k)?.tags.length ?? 0) > 0);
    expect(checked).toEqual(keys.slice(0, 6)); // in the order they asked
    expect(passes.get("team/s0")?.tags.sort()).toEqual(["v1", "v2", "v3"]); // one token, 3 tags
    const deferredWaits = keys.slice(6).map((k) => passes.get(k)?.requeueAfterMs);
    expect(deferredWaits).toEqual([20_000, 40_000, 60_000, 80_000, 100_000, 120_000]);
    expect(counted).toEqual({ due: STREAMS, deferred: 6 });
  });

  it("a deferred stream woken early waits again, without another token or count", async () => {
    const r = await allDue(3);
    await passOfAll(r);
    const late = keys[6] ?? ""; // the first deferred one: its token in 20 s
    clock.ms += 5_000;
    const before = fake.requests.length;
    expect((await r.reconcile(late, log))?.requeueAfterMs).toBe(15_000);
    expect(manifestRequests(before)).toEqual([]);
    clock.ms += 15_000;
    const checked = await r.reconcile(late, log);
    expect(manifestRequests(before)).toEqual(["v1"]);
    expect(checked?.requeueAfterMs).toBe(slotOf(late, clock.ms) - clock.ms);
    expect(counted).toEqual({ due: STREAMS, deferred: 6 });
  });

  it("holds back only the scheduled tags: a new tag of a deferred stream and a push recheck go ahead", async () => {
    const r = await allDue(3);
    const passes = await passOfAll(r);
    const [withNewTag = "", pushed = ""] = keys.slice(6); // both deferred
    const name = withNewTag.split("/")[1] ?? "";
    const stream = api.cached("team", name);
    if (!stream?.spec?.tags) throw new Error("no stream");
    api.put({
      ...structuredClone(stream),
      spec: { tags: [...stream.spec.tags, dockerTag("v2", `${fake.host}/app:v2`, SCHEDULED)] },
    });
    let before = fake.requests.length;
    const afterEdit = await r.reconcile(withNewTag, log);
    expect(manifestRequests(before)).toEqual(["v2"]); // v1 still waits for its token
    expect(afterEdit?.requeueAfterMs).toBe(passes.get(withNewTag)?.requeueAfterMs); // same token

    r.recheck(pushed, ["v1"]);
    before = fake.requests.length;
    await r.reconcile(pushed, log);
    expect(manifestRequests(before)).toEqual(["v1"]);
    expect(counted.deferred).toBe(6);
  });
});
