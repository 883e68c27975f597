import { describe, expect, it } from "vitest";
import type { HostSettings, RateBudget } from "./host-budget.js";
import {
  RATE_LIMITED_DEFAULT_PAUSE_SECONDS,
  RegistryThrottle,
  Slots,
  TokenBucket,
} from "./throttle.js";
import { ImportError } from "./types.js";

/** A clock that only moves when a wait is spent; sleeps resolve in due order. */
function fakeClock(startMs = 1_000_000) {
  let now = startMs;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

const rates = (
  budget: RateBudget,
  hosts: Record<string, RateBudget> = {},
): HostSettings<RateBudget> => ({
  default: budget,
  hosts,
});

function headers(values: Record<string, string>) {
  return (name: string) => values[name];
}

describe("TokenBucket", () => {
  it("lets a burst through, then spaces takers at the rate, in order", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    // the 4th waits half a second, the 5th a whole one
    expect([bucket.take(), bucket.take()]).toEqual([500, 1000]);
    clock.advance(10_000);
    // refilled up to the burst, not beyond
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 500]);
  });

  it("gives back the token of a request never sent", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, clock.now);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(1000);
    bucket.giveBack();
    expect(bucket.take()).toBe(1000);
  });

  it("never waits without a rate", () => {
    const bucket = new TokenBucket({ perSecond: 0, burst: 1 }, () => 0);
    expect(Array.from({ length: 1000 }, () => bucket.take()).every((ms) => ms === 0)).toBe(true);
  });
});

describe("Slots", () => {
  it("holds the limit and hands slots over first come first served", async () => {
    const slots = new Slots(2);
    await slots.acquire();
    await slots.acquire();
    const order: number[] = [];
    const third = slots.acquire().then(() => order.push(3));
    const fourth = slots.acquire().then(() => order.push(4));
    expect(slots.busy).toBe(2);
    slots.release();
    await third;
    slots.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(slots.busy).toBe(2);
  });

  it("drops a waiter whose signal aborts", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ reason: "Timeout" });
    slots.release();
    expect(slots.busy).toBe(0);
  });
});

describe("RegistryThrottle", () => {
  it("spaces requests to one host at its rate and reports the wait; other hosts are not held up", async () => {
    const clock = fakeClock();
    const waited: [string, string, number][] = [];
    const throttle = new RegistryThrottle({
      rateLimits: rates(
        { perSecond: 100, burst: 100 },
        { "docker.io": { perSecond: 2, burst: 1 } },
      ),
      now: clock.now,
      sleep: clock.sleep,
      observer: { throttled: (host, cause, seconds) => waited.push([host, cause, seconds]) },
    });
    const sentAt: [string, number][] = [];
    const send = (host: string) => throttle.run(host, async () => sentAt.push([host, clock.now()]));
    for (const host of ["registry-1.docker.io", "index.docker.io", "docker.io", "quay.io"]) {
      await send(host);
    }
    const start = 1_000_000;
    expect(sentAt).toEqual([
      ["registry-1.docker.io", start],
      ["index.docker.io", start + 500],
      ["docker.io", start + 1000],
      ["quay.io", start + 1000],
    ]);
    expect(waited).toEqual([
      ["docker.io", "rate_limit", 0.5],
      ["docker.io", "rate_limit", 0.5],
    ]);
  });

  it("keeps at most the host's concurrency in flight", async () => {
    const throttle = new RegistryThrottle({
      rateLimits: rates({ perSecond: 0, burst: 1 }),
      concurrency: { default: 8, hosts: { "quay.io": 2 } },
    });
    let inFlight = 0;
    let most = 0;
    const send = () =>
      throttle.run("quay.io", async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
      });
    await Promise.all(Array.from({ length: 10 }, send));
    expect(most).toBe(2);
  });

  it("pauses a host for every caller after a 429 with Retry-After, then lets it go", async () => {
    const clock = fakeClock();
    const paused: number[] = [];
    const throttle = new RegistryThrottle({
      now: clock.now,
      sleep: clock.sleep,
      observer: { throttled: (_h, cause, s) => cause === "paused" && paused.push(s) },
    });
    throttle.observe("registry-1.docker.io", {
      status: 429,
      header: headers({ "retry-after": "20" }),
    });
    let sent = 0;
    const send = () => throttle.run("index.docker.io", async () => sent++);
    const refused = await send().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ImportError);
    expect(refused).toMatchObject({
      reason: "RateLimited",
      message: "registry docker.io rate limit reached (retry after 20s)",
      retryAfterSeconds: 20,
    });
    clock.advance(15_500);
    expect(() => throttle.checkPaused("docker.io")).toThrow(
      expect.objectContaining({ retryAfterSeconds: 5 }),
    );
    expect(() => throttle.checkPaused("quay.io")).not.toThrow();
    clock.advance(4_500);
    await send();
    expect(sent).toBe(1);
    expect(paused).toEqual([20]);
  });

  it("takes an HTTP-date, caps an absurd Retry-After at an hour, never shortens a pause", () => {
    const clock = fakeClock(Date.parse("2026-01-01T12:00:00Z"));
    const throttle = new RegistryThrottle({ now: clock.now });
    const retryIn = (host: string) => {
      try {
        throttle.checkPaused(host);
        return 0;
      } catch (error) {
        return (error as ImportError).retryAfterSeconds;
      }
    };
    throttle.observe("a.example", {
      status: 503,
      header: headers({ "retry-after": "Thu, 01 Jan 2026 12:02:00 GMT" }),
    });
    expect(retryIn("a.example")).toBe(120);
    throttle.observe("a.example", { status: 429, header: headers({ "retry-after": "5" }) });
    expect(retryIn("a.example")).toBe(120);
    throttle.observe("b.example", { status: 429, header: headers({ "retry-after": "31536000" }) });
    expect(retryIn("b.example")).toBe(3600);
  });

  it("a 503 with Retry-After pauses with the 503's reason; without one, no pause; a bare 429 pauses briefly", () => {
    const clock = fakeClock();
    const throttle = new RegistryThrottle({ now: clock.now });
    throttle.observe("a.example", { status: 503, header: headers({ "retry-after": "7" }) });
    expect(() => throttle.checkPaused("a.example")).toThrow(
      expect.objectContaining({
        reason: "InternalError",
        message: "registry a.example answered 503 (retry after 7s)",
      }),
    );
    throttle.observe("b.example", { status: 503, header: headers({}) });
    expect(() => throttle.checkPaused("b.example")).not.toThrow();
    throttle.observe("c.example", { status: 429, header: headers({}) });
    expect(() => throttle.checkPaused("c.example")).toThrow(
      expect.objectContaining({ retryAfterSeconds: RATE_LIMITED_DEFAULT_PAUSE_SECONDS }),
    );
    throttle.observe("d.example", { status: 200, header: headers({ "retry-after": "9" }) });
    expect(() => throttle.checkPaused("d.example")).not.toThrow();
  });

  it("reports Docker Hub's remaining quota, and pauses the host when it reaches 0", () => {
    const clock = fakeClock();
    const quota: [string, number][] = [];
    const throttle = new RegistryThrottle({
      now: clock.now,
      observer: { quotaRemaining: (host, n) => quota.push([host, n]) },
    });
    const answer = (remaining: string) => ({
      status: 200,
      header: headers({ "ratelimit-limit": "100;w=21600", "ratelimit-remaining": remaining }),
    });
    throttle.observe("registry-1.docker.io", answer("76;w=21600"));
    expect(() => throttle.checkPaused("docker.io")).not.toThrow();
    throttle.observe("registry-1.docker.io", answer("0;w=21600"));
    expect(quota).toEqual([
      ["docker.io", 76],
      ["docker.io", 0],
    ]);
    expect(() => throttle.checkPaused("docker.io")).toThrow(
      expect.objectContaining({
        reason: "RateLimited",
        message: "registry docker.io reports its pull quota used up (retry after 216s)",
      }),
    );
  });

  it("a request queued for its token is stopped by a pause that began meanwhile", async () => {
    const clock = fakeClock();
    let throttle: RegistryThrottle;
    const sleep = async (ms: number) => {
      clock.advance(ms);
      // while this request waits, another one's answer pauses the host
      throttle.observe("quay.io", { status: 429, header: headers({ "retry-after": "60" }) });
    };
    throttle = new RegistryThrottle({
      rateLimits: rates({ perSecond: 1, burst: 1 }),
      now: clock.now,
      sleep,
    });
    let sent = 0;
    await throttle.run("quay.io", async () => sent++);
    await expect(throttle.run("quay.io", async () => sent++)).rejects.toMatchObject({
      reason: "RateLimited",
    });
    expect(sent).toBe(1);
  });
});
