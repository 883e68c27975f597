import { describe, expect, it } from "vitest";
import { nextSlotMs, slotPhaseMs } from "./slots.js";

const MINUTE = 60_000;
const INTERVAL = 15 * MINUTE;

describe("slotPhaseMs", () => {
  it("is stable: the same key gives the same phase (across restarts and replicas)", () => {
    // pinned, so a change of the hash (which would move every stream's slot) is seen
    expect(slotPhaseMs("team", "app", INTERVAL)).toBe(slotPhaseMs("team", "app", INTERVAL));
    expect(slotPhaseMs("team", "app", INTERVAL)).toBe(887_736);
    expect(slotPhaseMs("team", "app", 20_000)).toBe(7_736);
  });

  it("depends on namespace and name, not on their concatenation alone", () => {
    expect(slotPhaseMs("a", "bc", INTERVAL)).not.toBe(slotPhaseMs("ab", "c", INTERVAL));
  });

  // As even as a uniform random assignment can be: every bucket within 4
  // standard deviations (sqrt of the mean) of the mean, i.e. no hot spot that
  // the hash itself adds. 10,000 keys over 15 minutes: 167 +- 52 a bucket.
  it.each<[number, number, number]>([
    // keys, interval ms, buckets
    [10_000, INTERVAL, 60],
    [1_000, 20_000, 20],
    [200, 20_000, 4],
  ])("spreads %d keys evenly over %d ms (%d buckets)", (keys, interval, buckets) => {
    const counts = new Array(buckets).fill(0);
    for (let i = 0; i < keys; i++) {
      const phase = slotPhaseMs(`ns-${i % 7}`, `stream-${i}`, interval);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(interval);
      counts[Math.floor((phase / interval) * buckets)]++;
    }
    const mean = keys / buckets;
    const tolerance = 4 * Math.sqrt(mean);
    expect(Math.max(...counts)).toBeLessThanOrEqual(mean + tolerance);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(mean - tolerance);
  });

  it("no second of a 20 s interval holds more than 3x the mean of 200 streams", () => {
    // the e2e test's setting (test/e2e/schedule-spread.test.ts)
    const perSecond = new Array(20).fill(0);
    for (let i = 0; i < 200; i++)
      perSecond[Math.floor(slotPhaseMs("e2e", `s${i}`, 20_000) / 1000)]++;
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(30);
  });
});

describe("nextSlotMs", () => {
  const I = 1_000;
  it.each<[string, number, number, number]>([
    ["before the phase in the period", 300, 10_100, 10_300],
    ["after the phase: next period", 300, 10_400, 11_300],
    ["exactly on a slot: the next one (strictly after)", 300, 10_300, 11_300],
    ["phase 0", 0, 10_001, 11_000],
    ["just before a slot", 999, 10_998, 10_999],
  ])("%s", (_name, phase, after, expected) => {
    expect(nextSlotMs(phase, after, I)).toBe(expected);
  });

  it("slots after a restart: every key is due within one interval of the start, at its phase", () => {
    const interval = 20_000;
    const startedAt = 1_767_268_800_123; // any wall-clock moment
    const due = Array.from({ length: 500 }, (_, i) => {
      const phase = slotPhaseMs("team", `s${i}`, interval);
      const slot = nextSlotMs(phase, startedAt, interval);
      expect(slot % interval).toBe(phase % interval);
      return slot - startedAt;
    });
    expect(Math.min(...due)).toBeGreaterThan(0);
    expect(Math.max(...due)).toBeLessThanOrEqual(interval);
    // a restart a little later keeps every key's slot: the same wall-clock moments
    const later = startedAt + 7_500;
    for (let i = 0; i < 500; i++) {
      const phase = slotPhaseMs("team", `s${i}`, interval);
      const before = nextSlotMs(phase, startedAt, interval);
      const after = nextSlotMs(phase, later, interval);
      expect(after === before || after === before + interval).toBe(true);
    }
  });
});
