import { describe, expect, it } from "vitest";
import { BEHIND_REPORT_MS, type Behind, ScheduledImportCap, TokenBucket } from "./scheduled-cap.js";

describe("TokenBucket", () => {
  it("OpenShift's default (60 a minute): a burst of 120, then one a second", () => {
    const bucket = new TokenBucket(1, 120, 0);
    const waits = Array.from({ length: 123 }, () => bucket.take(0));
    expect(waits.slice(0, 120).every((w) => w === 0)).toBe(true);
    expect(waits.slice(120)).toEqual([1000, 2000, 3000]);
  });

  it.each<[string, number[], number[]]>([
    // perSecond 0.5, burst 2; take at these ms -> waits
    ["refills at its rate", [0, 0, 2000, 4000], [0, 0, 0, 0]],
    ["reservations queue up behind each other", [0, 0, 0, 0, 0], [0, 0, 2000, 4000, 6000]],
    ["a reservation is paid back before the next token", [0, 0, 0, 1000], [0, 0, 2000, 3000]],
    ["never holds more than the burst", [0, 0, 60_000, 60_000, 60_000], [0, 0, 0, 0, 2000]],
    [
      "a clock that goes back is treated as no time passing",
      [10_000, 10_000, 10_000, 5_000],
      [0, 0, 2000, 4000],
    ],
  ])("%s", (_name, at, expected) => {
    const bucket = new TokenBucket(0.5, 2, at[0] ?? 0);
    expect(at.map((t) => bucket.take(t))).toEqual(expected);
  });
});

/** A cap at `perMinute` with a fake clock, counting what it reports. */
function capWith(perMinute: number, intervalMs = 60_000) {
  const clock = { ms: 1_000_000 };
  const seen = { due: 0, deferred: 0, behind: [] as Behind[] };
  const cap = new ScheduledImportCap({
    perMinute,
    intervalMs,
    now: () => clock.ms,
    onDue: () => seen.due++,
    onDeferred: () => seen.deferred++,
    onBehind: (b) => seen.behind.push(b),
  });
  return { cap, clock, seen };
}

describe("ScheduledImportCap", () => {
  it("admits a burst of twice the per-minute cap, then defers with a reservation", () => {
    const { cap, seen } = capWith(6); // 0.1/s, burst 12
    const answers = Array.from({ length: 14 }, (_, i) => cap.admit(`ns/s${i}`));
    expect(answers.slice(0, 12)).toEqual(new Array(12).fill(undefined));
    expect(answers.slice(12)).toEqual([10_000, 20_000]);
    expect(seen).toMatchObject({ due: 14, deferred: 2 });
  });

  it("a deferred stream keeps its reservation: asking again early counts nothing new", () => {
    const { cap, clock, seen } = capWith(6);
    for (let i = 0; i < 12; i++) cap.admit(`ns/s${i}`);
    expect(cap.admit("ns/late")).toBe(10_000);
    clock.ms += 4_000; // an informer event wakes it early
    expect(cap.admit("ns/late")).toBe(6_000);
    expect(seen).toMatchObject({ due: 13, deferred: 1 });
    clock.ms += 6_000;
    expect(cap.admit("ns/late")).toBeUndefined(); // its reserved token
    expect(cap.admit("ns/other")).toBe(10_000); // that token was taken: the next one
    expect(seen).toMatchObject({ due: 14, deferred: 2 });
  });

  it("holds the per-minute rate over time: in 10 minutes, the burst plus 10 minutes' tokens", () => {
    const { cap, clock } = capWith(12); // 0.2/s, burst 24
    const waiting = new Map<string, number>(); // key -> when it may ask again
    let admitted = 0;
    for (let t = 0; t < 600; t++) {
      for (let s = 0; s < 50; s++) {
        const key = `ns/s${s}`;
        if ((waiting.get(key) ?? 0) > clock.ms) continue;
        const wait = cap.admit(key);
        if (wait === undefined) {
          admitted++;
          waiting.set(key, clock.ms + 20_000); // its next round
        } else waiting.set(key, clock.ms + wait);
      }
      clock.ms += 1000;
    }
    expect(admitted).toBeLessThanOrEqual(24 + 12 * 10);
    expect(admitted).toBeGreaterThanOrEqual(24 + 12 * 10 - 1);
  });

  it("with no cap (0), admits everything and still counts the checks due", () => {
    const { cap, seen } = capWith(0);
    for (let i = 0; i < 1000; i++) expect(cap.admit(`ns/s${i}`)).toBeUndefined();
    expect(seen).toMatchObject({ due: 1000, deferred: 0, behind: [] });
  });

  it("reports falling behind once the wait outlasts the interval, at most every 5 minutes", () => {
    const { cap, clock, seen } = capWith(6, 30_000); // 0.1/s: 12 burst + 3 per 30 s
    for (let i = 0; i < 15; i++) cap.admit(`ns/s${i}`); // waits up to 30 s: not behind yet
    expect(seen.behind).toEqual([]);
    cap.admit("ns/s15"); // waits 40 s > 30 s
    expect(seen.behind).toEqual([
      { waitMs: 40_000, reserved: 4, perMinute: 6, intervalMs: 30_000 },
    ]);
    cap.admit("ns/s16");
    expect(seen.behind).toHaveLength(1);
    clock.ms += BEHIND_REPORT_MS;
    for (let i = 17; i < 60; i++) cap.admit(`ns/s${i}`);
    expect(seen.behind).toHaveLength(2);
  });

  it("forgets the reservation of a deleted stream", () => {
    const { cap, seen } = capWith(6);
    for (let i = 0; i < 12; i++) cap.admit(`ns/s${i}`);
    cap.admit("ns/gone");
    cap.forget("ns/gone");
    cap.admit("ns/gone"); // recreated: a new check, a new reservation
    expect(seen).toMatchObject({ due: 14, deferred: 2 });
  });
});
