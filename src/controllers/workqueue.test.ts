import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./workqueue.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("WorkQueue", () => {
  it("made paused, collects keys (each once) and runs them only after start()", async () => {
    const seen: string[] = [];
    const q = new WorkQueue(
      async (key) => {
        seen.push(key);
        return undefined;
      },
      { name: "t", concurrency: 2, paused: true },
    );
    for (const key of ["a", "b", "a"]) q.add(key);
    await tick();
    expect(seen).toEqual([]);
    expect(q.length).toBe(2);
    q.start();
    await q.idle();
    expect(seen).toEqual(["a", "b"]);
  });

  it("deduplicates a key that is already waiting", async () => {
    const seen: string[] = [];
    const gate = deferred();
    const q = new WorkQueue(
      async (key) => {
        if (key === "block") await gate.promise;
        seen.push(key);
        return undefined;
      },
      { name: "t", concurrency: 1 },
    );
    q.add("block");
    q.add("a");
    q.add("a");
    q.add("a");
    expect(q.length).toBe(1); // "block" is running, "a" waits once
    gate.resolve();
    await q.idle();
    expect(seen).toEqual(["block", "a"]);
  });

  it("never runs one key twice at once, and re-runs a key added while running", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const gate = deferred();
    const q = new WorkQueue(
      async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await gate.promise;
        running--;
        return undefined;
      },
      { name: "t", concurrency: 4 },
    );
    q.add("k");
    await tick();
    q.add("k"); // marks dirty
    q.add("k"); // still just dirty
    await tick();
    expect(runs).toBe(1);
    gate.resolve();
    await tick();
    await q.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it("bounds concurrency across keys", async () => {
    let running = 0;
    let maxRunning = 0;
    const q = new WorkQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick();
        running--;
        return undefined;
      },
      { name: "t", concurrency: 3 },
    );
    for (let i = 0; i < 20; i++) q.add(`k${i}`);
    await q.idle();
    expect(maxRunning).toBe(3);
  });

  it("retries failures with exponential backoff and forgets on success", async () => {
    let calls = 0;
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        calls++;
        if (calls < 4) throw new Error("boom");
        return undefined;
      },
      {
        name: "t",
        concurrency: 1,
        baseDelayMs: 2,
        jitter: 0,
        onError: (_k, _e, d) => delays.push(d),
      },
    );
    q.add("k");
    await new Promise((r) => setTimeout(r, 100));
    await q.idle();
    expect(calls).toBe(4);
    expect(delays).toEqual([2, 4, 8]);
    expect(q.failureCount("k")).toBe(0);
  });

  it("caps the backoff and adds bounded jitter", () => {
    const q = new WorkQueue(async () => undefined, {
      name: "t",
      concurrency: 1,
      baseDelayMs: 500,
      maxDelayMs: 300_000,
      jitter: 0.1,
      random: () => 1,
    });
    expect(q.backoffDelay(1)).toBe(550);
    expect(q.backoffDelay(2)).toBe(1100);
    expect(q.backoffDelay(40)).toBe(330_000);
  });

  it("keeps only the earliest requeue timer per key", async () => {
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        calls++;
        return undefined;
      },
      { name: "t", concurrency: 1 },
    );
    q.addAfter("k", 60_000);
    q.addAfter("k", 10);
    q.addAfter("k", 30_000);
    await new Promise((r) => setTimeout(r, 50));
    await q.idle();
    expect(calls).toBe(1);
    await q.shutdown(100);
  });

  it("honours requeueAfterMs from the reconcile result", async () => {
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        calls++;
        return calls === 1 ? { requeueAfterMs: 10 } : undefined;
      },
      { name: "t", concurrency: 1 },
    );
    q.add("k");
    await new Promise((r) => setTimeout(r, 60));
    await q.idle();
    expect(calls).toBe(2);
  });

  it("stops accepting keys on shutdown and waits for running work", async () => {
    const gate = deferred();
    let finished = false;
    const q = new WorkQueue(
      async () => {
        await gate.promise;
        finished = true;
        return undefined;
      },
      { name: "t", concurrency: 1 },
    );
    q.add("k");
    await tick();
    const done = q.shutdown(1000);
    q.add("later");
    gate.resolve();
    expect(await done).toBe(true);
    expect(finished).toBe(true);
    expect(q.length).toBe(0);
  });
});

describe("WorkQueue delayed adds on shared ticks", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A queue under a fake clock that records when each key ran (ms since T0). */
  function recording(t0: number) {
    const ran: [string, number][] = [];
    const q = new WorkQueue(
      async (key) => {
        ran.push([key, Date.now() - t0]);
        return undefined;
      },
      { name: "t", concurrency: 4 },
    );
    return { q, ran };
  }

  it("fires keys due within one second together, at its end and never before their delay", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T12:00:00.000Z") });
    const t0 = Date.now();
    const { q, ran } = recording(t0);
    q.addAfter("a", 30_100);
    q.addAfter("b", 30_400);
    q.addAfter("c", 30_999);
    q.addAfter("d", 31_001);
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(30_999);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual([
      ["a", 31_000],
      ["b", 31_000],
      ["c", 31_000],
    ]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ran.at(-1)).toEqual(["d", 32_000]);
    await q.shutdown(100);
  });

  it("keeps short delays exact, and an earlier add moves the key out of its later tick", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T12:00:00.250Z") });
    const t0 = Date.now();
    const { q, ran } = recording(t0);
    q.addAfter("retry", 550);
    q.addAfter("slot", 60_000);
    q.addAfter("slot", 20_000);
    // the later tick was cleared with its only key: two timers, not three
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(550);
    expect(ran).toEqual([["retry", 550]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ran).toEqual([
      ["retry", 550],
      ["slot", 20_750],
    ]);
    await q.shutdown(100);
  });
});
