// The client against a fake registry that says "slow down": the whole host
// rests, every repository on it, and nothing is sent until it may be.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";

let h: Harness;
let clock: number;
beforeEach(async () => {
  clock = Date.parse("2026-01-01T12:00:00Z");
  h = await startHarness({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

function answerManifests(repo: string, status: number, headers: Record<string, string>): void {
  h.fake.use((_req, res, url) => {
    if (!url.pathname.startsWith(`/v2/${repo}/manifests/`)) return false;
    res.writeHead(status, headers).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
    return true;
  });
}

describe("a registry host that answered 429 with Retry-After", () => {
  it("defers the host's other repositories without a request, then imports them", async () => {
    h.fake.addImage("team/other", "v1");
    answerManifests("team/busy", 429, { "retry-after": "20" });
    const first = await importErrorOf(h.client.importImage(request(`${h.fake.host}/team/busy:v1`)));
    expect(first).toMatchObject({ reason: "RateLimited", retryAfterSeconds: 20 });

    const sentBefore = h.fake.requests.length;
    clock += 12_000;
    const deferred = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/team/other:v1`)),
    );
    expect(deferred).toMatchObject({
      reason: "RateLimited",
      message: `registry ${h.fake.host} rate limit reached (retry after 8s)`,
      retryAfterSeconds: 8,
    });
    expect(h.fake.requests.length).toBe(sentBefore);

    clock += 8_000;
    const imported = await h.client.importImage(request(`${h.fake.host}/team/other:v1`));
    expect(imported.image.digest).toMatch(/^sha256:/);
    expect(h.fake.requests.length).toBeGreaterThan(sentBefore);
  });
});

describe("a registry that reports its pull quota", () => {
  it("reports Docker Hub style quota headers to the observer, and rests at 0", async () => {
    const quota: number[] = [];
    await h.close();
    h = await startHarness({
      now: () => clock,
      onThrottle: { quotaRemaining: (_host, remaining) => quota.push(remaining) },
    });
    h.fake.addImage("team/app", "v1");
    let remaining = 2;
    h.fake.use((_req, res, url) => {
      if (url.pathname.includes("/manifests/")) {
        res.setHeader("ratelimit-limit", "100;w=21600");
        res.setHeader("ratelimit-remaining", `${remaining};w=21600`);
      }
      return false;
    });
    await h.client.importImage(request(`${h.fake.host}/team/app:v1`));
    remaining = 0;
    await h.client.importImage(request(`${h.fake.host}/team/app:v1`));
    // one value per manifest answer (how many a first import sends is not the point)
    expect(quota).toContain(2);
    expect(quota.at(-1)).toBe(0);
    const sentBefore = h.fake.requests.length;
    const refused = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/team/app:v1`)),
    );
    expect(refused).toMatchObject({ reason: "RateLimited", retryAfterSeconds: 216 });
    expect(h.fake.requests.length).toBe(sentBefore);
  });
});
