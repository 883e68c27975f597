// The elector against a scripted Lease (optimistic concurrency as the API
// server does it) on fake time: every timer and request latency is virtual,
// each elector reads the shared time through its own skewed clock.
import { describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.js";
import { type Clock, LeaderElector, type LeaseApi, type LeaseRecord } from "./leader.js";
import { DEFAULT_TIMINGS } from "./leader-timings.js";

const HOUR = 3_600_000;
const { leaseDurationMs: LEASE, renewDeadlineMs: DEADLINE, retryPeriodMs: RETRY } = DEFAULT_TIMINGS;

const settle = () => new Promise<void>((r) => setImmediate(r));

/** Virtual time: timers run in order, and promise chains settle after each one. */
class FakeTime {
  now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  clock(offsetMs = 0): Clock {
    return {
      now: () => this.now + offsetMs,
      setTimeout: (fn, ms) => this.at(this.now + Math.max(0, ms), fn),
      clearTimeout: (h) => this.timers.delete(h as number),
    };
  }

  at(when: number, fn: () => void): number {
    this.seq += 1;
    this.timers.set(this.seq, { at: when, fn });
    return this.seq;
  }

  /** Runs every timer due up to `until`; `check` runs after each one. */
  async run(until: number, check: () => void = () => {}): Promise<void> {
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await settle();
      check();
    }
    this.now = until;
  }
}

/** Deterministic random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Verb = "get" | "create" | "update";
/** How one request behaves: answered after latencyMs, never answered, or a 500. */
type Behaviour = { latencyMs: number } | "hang" | "fail";

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

/** One Lease with resourceVersions; a request takes effect at a point inside its latency. */
class LeaseStore {
  record: LeaseRecord | undefined;
  private rv = 0;
  readonly signals: AbortSignal[] = [];

  constructor(
    private readonly time: FakeTime,
    private readonly rand: () => number = () => 0.5,
  ) {}

  put(record: Omit<LeaseRecord, "resourceVersion">): LeaseRecord {
    this.rv += 1;
    this.record = { ...record, resourceVersion: String(this.rv) };
    return { ...this.record };
  }

  api(behaviour: (verb: Verb) => Behaviour): LeaseApi {
    const call = <T>(verb: Verb, op: () => T, signal: AbortSignal): Promise<T> => {
      this.signals.push(signal);
      const b = behaviour(verb);
      if (b === "hang") return new Promise<T>(() => {}); // ignores the signal, too
      const latency = b === "fail" ? 50 : b.latencyMs;
      return new Promise<T>((resolve, reject) => {
        let outcome: () => void = () => reject(apiError(500));
        if (b !== "fail") {
          this.time.at(this.time.now + latency * this.rand(), () => {
            try {
              const value = op();
              outcome = () => resolve(value);
            } catch (err) {
              outcome = () => reject(err);
            }
          });
        }
        this.time.at(this.time.now + latency, () => outcome());
      });
    };
    return {
      get: (signal) => call("get", () => (this.record ? { ...this.record } : undefined), signal),
      create: (record, signal) =>
        call(
          "create",
          () => {
            if (this.record) throw apiError(409);
            return this.put(record);
          },
          signal,
        ),
      update: (record, signal) =>
        call(
          "update",
          () => {
            if (!this.record) throw apiError(404);
            if (record.resourceVersion !== this.record.resourceVersion) throw apiError(409);
            return this.put(record);
          },
          signal,
        ),
    };
  }
}

interface Candidate {
  elector: LeaderElector;
  identity: string;
  started: number[];
  stopped: number[];
  logs: { level: number; msg: string }[];
}

function candidate(
  time: FakeTime,
  api: LeaseApi,
  identity: string,
  offsetMs = 0,
  onStopped: () => void = () => {},
): Candidate {
  const c: Candidate = {
    identity,
    started: [],
    stopped: [],
    logs: [],
  } as unknown as Candidate;
  c.elector = new LeaderElector({
    api,
    identity,
    name: "test",
    clock: time.clock(offsetMs),
    log: createLogger("debug", { write: (line: string) => c.logs.push(JSON.parse(line)) }),
    onStartedLeading: () => c.started.push(time.now),
    onStoppedLeading: () => {
      c.stopped.push(time.now);
      onStopped();
    },
  });
  return c;
}

const fast = (): Behaviour => ({ latencyMs: 20 });
const WARN = 40;

describe("LeaderElector", () => {
  it("never gives two leaders with clocks skewed +1 h and -1 h, over many hand-overs", async () => {
    const ROUNDS = 24; // of 40 virtual seconds; the invariant is checked after every timer
    const time = new FakeTime();
    const rand = random(8);
    const store = new LeaseStore(time, rand);
    const living: Candidate[] = [];
    const led = new Set<string>();
    let generation = 0;
    let outage: { identity: string; until: number } | undefined;
    const behaviour = (identity: string) => (): Behaviour => {
      if (outage && outage.identity === identity && time.now < outage.until) {
        return rand() < 0.5 ? "hang" : "fail";
      }
      return { latencyMs: 10 + Math.floor(rand() * 1500) };
    };
    // a process that lost the lease exits; its replacement starts a second later
    const spawn = (offsetMs: number) => {
      generation += 1;
      const identity = `${offsetMs > 0 ? "ahead" : "behind"}-${generation}`;
      const c = candidate(time, store.api(behaviour(identity)), identity, offsetMs, () => {
        living.splice(living.indexOf(c), 1);
        time.at(time.now + 1000, () => spawn(offsetMs));
      });
      living.push(c);
      c.elector.start();
    };
    spawn(+HOUR);
    spawn(-HOUR);

    let leaders = 0;
    const check = () => {
      const now = living.filter((c) => c.elector.isLeader);
      for (const c of now) led.add(c.identity.split("-")[0] as string);
      leaders = Math.max(leaders, now.length);
      expect(now.map((c) => c.identity).length).toBeLessThanOrEqual(1);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await time.run(time.now + 40_000, check);
      const leader = living.find((c) => c.elector.isLeader);
      if (!leader) continue;
      if (round % 5 === 4) {
        const stopping = leader.elector.stop(); // graceful: released
        await time.run(time.now + DEADLINE, check);
        await stopping;
        living.splice(living.indexOf(leader), 1);
        time.at(time.now + 1000, () => spawn(leader.identity.startsWith("ahead") ? HOUR : -HOUR));
      } else {
        // the leader's requests hang or fail for 20 s: it must step down
        outage = { identity: leader.identity, until: time.now + 20_000 };
      }
    }
    expect(leaders).toBe(1);
    expect(led).toEqual(new Set(["ahead", "behind"])); // both skews led at some point
    // leadership really moved, every round: each outage or release ended a leader
    expect(generation).toBeGreaterThanOrEqual(ROUNDS);
    expect(Number(store.record?.leaseTransitions)).toBeGreaterThanOrEqual(ROUNDS - 2);
  }, 30_000);

  it("steps down within the renew deadline (+ one retry period) when renews hang", async () => {
    const time = new FakeTime();
    const store = new LeaseStore(time);
    let hang = false;
    let calls = 0;
    const a = candidate(
      time,
      store.api(() => {
        calls += 1;
        return hang ? "hang" : fast();
      }),
      "a",
    );
    a.elector.start();
    await time.run(5_000);
    expect(a.elector.isLeader).toBe(true);
    const hungAt = time.now;
    const callsBefore = calls;
    hang = true;
    await time.run(hungAt + 30_000);
    expect(a.stopped).toHaveLength(1);
    const stoppedAfter = (a.stopped[0] as number) - hungAt;
    expect(stoppedAfter).toBeLessThanOrEqual(DEADLINE + RETRY);
    expect(stoppedAfter).toBeLessThan(LEASE);
    expect(a.elector.isLeader).toBe(false);
    // the loop was never stuck on the hung request: it timed out, aborted it, retried
    expect(calls - callsBefore).toBeGreaterThanOrEqual(2);
    expect(store.signals.at(-2)?.aborted).toBe(true);
    expect(a.logs.some((l) => l.msg === "lost leadership")).toBe(true);
  });

  it("takes a 409 on update as a lost round, and keeps campaigning", async () => {
    const time = new FakeTime();
    const store = new LeaseStore(time);
    const api = store.api(fast);
    // between b's read and its write, another holder renews: b's update carries a stale version
    const racing: LeaseApi = {
      ...api,
      update: (record, signal) => {
        store.put({ ...(store.record as LeaseRecord), holderIdentity: "x", renewTime: new Date() });
        return api.update(record, signal);
      },
    };
    store.put({ holderIdentity: undefined, leaseDurationSeconds: 1, leaseTransitions: 3 });
    const b = candidate(time, racing, "b");
    b.elector.start();
    await time.run(1_000);
    expect(b.elector.isLeader).toBe(false);
    expect(store.record?.holderIdentity).toBe("x");
    expect(b.logs.some((l) => l.msg.includes("lost a leader election round (409)"))).toBe(true);
    expect(b.logs.filter((l) => l.level >= WARN)).toEqual([]);
    expect(b.stopped).toEqual([]);
  });

  it("releases on stop: holder cleared, lease 1 s, and the next candidate takes over at once", async () => {
    const time = new FakeTime();
    const store = new LeaseStore(time);
    const a = candidate(time, store.api(fast), "a");
    a.elector.start();
    await time.run(1_000);
    const b = candidate(time, store.api(fast), "b");
    b.elector.start();
    await time.run(10_000);
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);

    const stopping = a.elector.stop();
    await time.run(time.now + 100);
    await stopping;
    expect(store.record).toMatchObject({ holderIdentity: undefined, leaseDurationSeconds: 1 });
    expect(a.elector.isLeader).toBe(false);
    expect(a.stopped).toEqual([]); // a release is not a lost leadership
    const released = time.now;
    await time.run(released + RETRY + 100);
    expect(b.elector.isLeader).toBe(true);
    expect((b.started[0] as number) - released).toBeLessThanOrEqual(RETRY + 100);
    expect(store.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  for (const [what, renewTime] of [
    ["renewed long ago", new Date(0)],
    ["renewed in the future", new Date(10 * HOUR)],
  ] as const) {
    it(`takes over an abandoned lease (${what}) only after its own lease-duration watch`, async () => {
      const time = new FakeTime();
      time.now = 2 * HOUR;
      const store = new LeaseStore(time);
      store.put({
        holderIdentity: "ghost",
        leaseDurationSeconds: 15,
        renewTime,
        acquireTime: renewTime,
        leaseTransitions: 0,
      });
      const b = candidate(time, store.api(fast), "b");
      const start = time.now;
      b.elector.start();
      await time.run(start + LEASE - 100, () => expect(b.elector.isLeader).toBe(false));
      await time.run(start + LEASE + RETRY + 100);
      expect(b.elector.isLeader).toBe(true);
      expect((b.started[0] as number) - start).toBeGreaterThanOrEqual(LEASE);
      expect(store.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    });
  }
});
