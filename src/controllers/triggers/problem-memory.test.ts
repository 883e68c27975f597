import { describe, expect, it } from "vitest";
import type { TriggerProblem } from "../../reconcile/triggers/index.js";
import { ProblemMemory } from "./problem-memory.js";

const NO_TAG: TriggerProblem = {
  reason: "InvalidTrigger",
  message: 'from.name "web" has no tag: write "web:TAG", e.g. "web:latest"',
  position: 0,
};
const NO_CONTAINER: TriggerProblem = {
  reason: "NoSuchContainer",
  message: 'no such container: "wbe"; containers are: [0] web',
  position: 1,
};
const HOUR = 3_600_000;

/** A memory whose every due problem is reported successfully. */
function reportingAll(memory: ProblemMemory, workload: string, problems: TriggerProblem[]) {
  const due = memory.due(workload, problems);
  for (const p of due) memory.sent(workload, p);
  return due;
}

describe("ProblemMemory: Warning Events on transitions, resent when lost or expired", () => {
  it("reports problems once, not again on the next pass (resync, status update)", () => {
    const memory = new ProblemMemory();
    expect(reportingAll(memory, "w", [NO_TAG, NO_CONTAINER])).toEqual([NO_TAG, NO_CONTAINER]);
    expect(reportingAll(memory, "w", [NO_TAG, NO_CONTAINER])).toEqual([]);
  });

  it("reports only the new problem when one is added, and nothing when one is fixed", () => {
    const memory = new ProblemMemory();
    reportingAll(memory, "w", [NO_TAG]);
    expect(reportingAll(memory, "w", [NO_TAG, NO_CONTAINER])).toEqual([NO_CONTAINER]);
    expect(reportingAll(memory, "w", [NO_CONTAINER])).toEqual([]);
  });

  it("reports a problem again when it comes back after being fixed", () => {
    const memory = new ProblemMemory();
    reportingAll(memory, "w", [NO_TAG]);
    reportingAll(memory, "w", []);
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([NO_TAG]);
  });

  it("keeps workloads apart, and forgets a deleted one", () => {
    const memory = new ProblemMemory();
    reportingAll(memory, "a", [NO_TAG]);
    expect(reportingAll(memory, "b", [NO_TAG])).toEqual([NO_TAG]);
    memory.forget("a");
    expect(reportingAll(memory, "a", [NO_TAG])).toEqual([NO_TAG]);
  });

  it("treats the same text at another position as another problem", () => {
    const memory = new ProblemMemory();
    reportingAll(memory, "w", [NO_TAG]);
    expect(reportingAll(memory, "w", [{ ...NO_TAG, position: 2 }])).toEqual([
      { ...NO_TAG, position: 2 },
    ]);
  });

  it("reports again on the next pass when the Event could not be written", () => {
    const memory = new ProblemMemory();
    expect(memory.due("w", [NO_TAG])).toEqual([NO_TAG]); // the write failed: no sent()
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([NO_TAG]);
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([]);
  });

  it("reports a lasting problem again once its Event has expired, at most hourly", () => {
    const clock = { t: 0 };
    const memory = new ProblemMemory(HOUR, () => clock.t);
    reportingAll(memory, "w", [NO_TAG]);
    clock.t = HOUR - 1;
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([]);
    clock.t = HOUR;
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([NO_TAG]);
    clock.t = HOUR + 60_000;
    expect(reportingAll(memory, "w", [NO_TAG])).toEqual([]);
  });
});
