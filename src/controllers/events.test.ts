import { describe, expect, it } from "vitest";
import { type EventRecord, ProblemReports, type Recorder, RepeatFilter } from "./events.js";

const warning: EventRecord = {
  target: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
  type: "Warning",
  reason: "InvalidTrigger",
  action: "ResolveTrigger",
  note: "trigger 1: fieldPath is invalid",
};
const rollout: EventRecord = {
  ...warning,
  type: "Normal",
  reason: "ImageTriggered",
  action: "UpdateImage",
  note: "moved: set B (was A)",
  forEachWrite: true,
};

function filterAt(clock: { t: number }): RepeatFilter {
  return new RepeatFilter(60_000, () => clock.t);
}

describe("RepeatFilter", () => {
  it("drops an identical event within the window and lets it through after", () => {
    const clock = { t: 0 };
    const filter = filterAt(clock);
    expect(filter.isRepeat(warning)).toBe(false);
    clock.t = 59_999;
    expect(filter.isRepeat(warning)).toBe(true);
    clock.t = 60_000;
    expect(filter.isRepeat(warning)).toBe(false);
  });

  it("keeps events that differ in target, reason or note", () => {
    const filter = filterAt({ t: 0 });
    expect(filter.isRepeat(warning)).toBe(false);
    expect(filter.isRepeat({ ...warning, note: "trigger 2: fieldPath is invalid" })).toBe(false);
    expect(filter.isRepeat({ ...warning, reason: "NoSuchStream" })).toBe(false);
    expect(filter.isRepeat({ ...warning, target: { ...warning.target, name: "api" } })).toBe(false);
  });

  it("never drops an event for a write we made: a tag moving A, B, A, B within a minute", () => {
    const filter = filterAt({ t: 0 });
    expect([1, 2, 3].map(() => filter.isRepeat(rollout))).toEqual([false, false, false]);
  });
});

describe("RepeatFilter.forget", () => {
  it("lets an event whose write failed through again at once", () => {
    const filter = filterAt({ t: 0 });
    expect(filter.isRepeat(warning)).toBe(false);
    filter.forget(warning);
    expect(filter.isRepeat(warning)).toBe(false);
  });
});

/** A recorder whose writes succeed while `up` is true. */
function scriptedRecorder(state: { up: boolean }): Recorder & { written: EventRecord[] } {
  const written: EventRecord[] = [];
  return {
    written,
    record: async (e) => {
      if (!state.up) return false;
      written.push(e);
      return true;
    },
  };
}

describe("ProblemReports: one Warning per object and reason per hour", () => {
  const HOUR = 3_600_000;
  const rejected: EventRecord = { ...warning, reason: "ImageUpdateRejected", note: "denied: a" };

  it("sends the first report, suppresses repeats (any note) within the hour, resends after", async () => {
    const clock = { t: 0 };
    const recorder = scriptedRecorder({ up: true });
    const reports = new ProblemReports(recorder, HOUR, () => clock.t);
    await reports.report(rejected);
    clock.t = HOUR - 1;
    await reports.report({ ...rejected, note: "denied: b" });
    expect(recorder.written.map((e) => e.note)).toEqual(["denied: a"]);
    clock.t = HOUR;
    await reports.report({ ...rejected, note: "denied: b" });
    expect(recorder.written.map((e) => e.note)).toEqual(["denied: a", "denied: b"]);
  });

  it("keeps objects and reasons apart", async () => {
    const recorder = scriptedRecorder({ up: true });
    const reports = new ProblemReports(recorder, HOUR, () => 0);
    await reports.report(rejected);
    await reports.report({ ...rejected, reason: "StatusUpdateRejected" });
    await reports.report({ ...rejected, target: { ...rejected.target, name: "api" } });
    expect(recorder.written).toHaveLength(3);
  });

  it("tries again on the next failure when the Event write failed", async () => {
    const state = { up: false };
    const recorder = scriptedRecorder(state);
    const reports = new ProblemReports(recorder, HOUR, () => 0);
    await reports.report(rejected);
    expect(recorder.written).toHaveLength(0);
    state.up = true;
    await reports.report(rejected);
    await reports.report(rejected);
    expect(recorder.written).toHaveLength(1);
  });
});
