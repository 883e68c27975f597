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

describe("ProblemMemory: Warning Events on transitions only", () => {
  it("reports problems once, not again on the next pass (resync, status update)", () => {
    const memory = new ProblemMemory();
    expect(memory.update("w", [NO_TAG, NO_CONTAINER])).toEqual([NO_TAG, NO_CONTAINER]);
    expect(memory.update("w", [NO_TAG, NO_CONTAINER])).toEqual([]);
  });

  it("reports only the new problem when one is added, and nothing when one is fixed", () => {
    const memory = new ProblemMemory();
    memory.update("w", [NO_TAG]);
    expect(memory.update("w", [NO_TAG, NO_CONTAINER])).toEqual([NO_CONTAINER]);
    expect(memory.update("w", [NO_CONTAINER])).toEqual([]);
  });

  it("reports a problem again when it comes back after being fixed", () => {
    const memory = new ProblemMemory();
    memory.update("w", [NO_TAG]);
    memory.update("w", []);
    expect(memory.update("w", [NO_TAG])).toEqual([NO_TAG]);
  });

  it("keeps workloads apart, and forgets a deleted one", () => {
    const memory = new ProblemMemory();
    memory.update("a", [NO_TAG]);
    expect(memory.update("b", [NO_TAG])).toEqual([NO_TAG]);
    memory.forget("a");
    expect(memory.update("a", [NO_TAG])).toEqual([NO_TAG]);
  });

  it("treats the same text at another position as another problem", () => {
    const memory = new ProblemMemory();
    memory.update("w", [NO_TAG]);
    expect(memory.update("w", [{ ...NO_TAG, position: 2 }])).toEqual([{ ...NO_TAG, position: 2 }]);
  });
});
