import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeInstant,
  inWindow,
  nextWindowStart,
  parseWindows,
  type Windows,
} from "./windows.js";

function windows(texts: string[], timeZone?: string): Windows {
  const parsed = parseWindows(texts, timeZone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const at = (iso: string) => Date.parse(iso);

describe("parseWindows", () => {
  it.each([
    [["Mon-Fri 09:00-17:00"], undefined],
    [["Sat,Sun 22:00-02:00", "* 12:00-13:00"], "Europe/Paris"],
    [["Fri-Mon 00:00-24:00"], "America/New_York"],
    [["09:00-17:00"], "UTC"],
    [["monday 08:30-09:00"], "Asia/Tokyo"],
  ])("%j in %s parses", (texts, zone) => {
    expect(parseWindows(texts, zone).ok).toBe(true);
  });

  it.each([
    [[], undefined, "non-empty list"],
    ["Mon 09:00-17:00", undefined, "non-empty list"],
    [["Mon 9-17"], undefined, 'is not "DAYS HH:MM-HH:MM"'],
    [["Mun 09:00-17:00"], undefined, 'is not "DAYS HH:MM-HH:MM"'],
    [["Mon 25:00-26:00"], undefined, 'is not "DAYS HH:MM-HH:MM"'],
    [["Mon 09:00-09:00"], undefined, "is empty"],
    [["Mon 09:00-17:00"], "Mars/Olympus", "is not an IANA time zone"],
  ])("%j in %s: %s", (texts, zone, message) => {
    const parsed = parseWindows(texts, zone);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe("inWindow and nextWindowStart", () => {
  const office = windows(["Mon-Fri 09:00-17:00"], "Europe/Paris");

  it.each([
    // 2026-12-02 is a Wednesday; Paris is UTC+1 in December
    ["2026-12-02T08:00:00Z", true, "2026-12-02T08:00:00Z"],
    ["2026-12-02T16:30:00Z", false, "2026-12-03T08:00:00Z"],
    ["2026-12-04T17:00:00Z", false, "2026-12-07T08:00:00Z"], // Friday evening -> Monday
    ["2026-12-05T10:00:00Z", false, "2026-12-07T08:00:00Z"], // Saturday
    ["2026-12-02T07:59:00Z", false, "2026-12-02T08:00:00Z"],
  ])("at %s: inside %s, next %s", (now, inside, next) => {
    expect(inWindow(at(now), office)).toBe(inside);
    expect(nextWindowStart(at(now), office)).toBe(at(next));
  });

  it("a window past midnight belongs to the day it starts on", () => {
    const night = windows(["Sat 22:00-02:00"], "UTC");
    expect(inWindow(at("2026-12-06T01:00:00Z"), night)).toBe(true); // Sunday 01:00
    expect(inWindow(at("2026-12-07T01:00:00Z"), night)).toBe(false); // Monday 01:00
    expect(nextWindowStart(at("2026-12-06T03:00:00Z"), night)).toBe(at("2026-12-12T22:00:00Z"));
  });

  it("follows the zone's daylight saving time", () => {
    const morning = windows(["* 09:00-10:00"], "Europe/Paris");
    // summer: UTC+2; winter: UTC+1 (the switch is 2026-10-25)
    expect(nextWindowStart(at("2026-10-24T10:00:00Z"), morning)).toBe(at("2026-10-25T08:00:00Z"));
    expect(nextWindowStart(at("2026-10-23T10:00:00Z"), morning)).toBe(at("2026-10-24T07:00:00Z"));
  });

  it("a window starting in a spring-forward gap opens when the gap ends", () => {
    // 2026-03-29 02:00 does not exist in Paris: clocks go from 02:00 to 03:00 (01:00 UTC)
    const gap = windows(["Sun 02:30-04:00"], "Europe/Paris");
    expect(nextWindowStart(at("2026-03-28T12:00:00Z"), gap)).toBe(at("2026-03-29T01:00:00Z"));
  });

  it("says when, in the zone", () => {
    expect(describeInstant(at("2026-12-07T08:00:00Z"), "Europe/Paris")).toBe(
      "Mon 2026-12-07 09:00 Europe/Paris",
    );
  });
});

const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
const DAY_SETS = ["Mon-Fri", "Sat,Sun", "*", "Wed", "Fri-Mon", "Tue,Thu"];
const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const windowText = fc
  .tuple(fc.constantFrom(...DAY_SETS), time, time)
  .filter(([, a, b]) => a !== b)
  .map(([days, a, b]) => `${days} ${a}-${b}`);
const instant = fc.integer({ min: at("2024-01-01T00:00:00Z"), max: at("2030-12-31T00:00:00Z") });

describe("windows (properties)", () => {
  it("nextWindowStart is inside a window, not before now, and no minute before it is", () => {
    fc.assert(
      fc.property(
        fc.array(windowText, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...ZONES),
        instant,
        (texts, zone, now) => {
          const w = windows(texts, zone);
          const next = nextWindowStart(now, w);
          expect(next).toBeGreaterThanOrEqual(now);
          expect(next - now).toBeLessThanOrEqual(8 * 24 * 3600_000);
          expect(inWindow(next, w)).toBe(true);
          // every whole minute between now and next is outside the windows
          const step = Math.max(60_000, Math.floor((next - now) / 100 / 60_000) * 60_000);
          for (let t = Math.ceil(now / 60_000) * 60_000; t < next; t += step) {
            expect(inWindow(t, w)).toBe(false);
          }
          if (next > now) expect(inWindow(next - 60_000, w)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000);
});
