import { describe, expect, it } from "vitest";
import { type EventRecord, RepeatFilter } from "./events.js";

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
