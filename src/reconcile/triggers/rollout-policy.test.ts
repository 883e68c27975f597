import { describe, expect, it } from "vitest";
import {
  ANN_ROLLOUT_POLICY,
  formatDuration,
  parseDuration,
  parseRolloutPolicy,
  readRolloutPolicy,
} from "./rollout-policy.js";
import { workload } from "./testdata.js";

describe("parseRolloutPolicy", () => {
  it("reads every field", () => {
    const policy = parseRolloutPolicy(
      JSON.stringify({
        progressDeadline: "5m",
        rollback: false,
        soak: "1h30m",
        debounce: "90s",
        windows: ["Mon-Fri 09:00-17:00"],
        timeZone: "Europe/Paris",
      }),
    );
    expect(policy).toMatchObject({
      progressDeadlineMs: 300_000,
      rollback: false,
      soakMs: 5_400_000,
      debounceMs: 90_000,
      windows: { timeZone: "Europe/Paris" },
    });
  });

  it("rolls back by default and follows nothing without a deadline", () => {
    expect(parseRolloutPolicy("{}")).toEqual({ rollback: true });
  });

  it.each([
    ["[", "is not valid JSON"],
    ["[]", "must be a JSON object"],
    ['{"deadline": "5m"}', 'unknown field "deadline"'],
    ['{"progressDeadline": 300}', 'progressDeadline must be a duration such as "90s"'],
    ['{"soak": "5 minutes"}', "soak must be a duration"],
    ['{"debounce": "0s"}', "debounce must be longer than 0s"],
    ['{"soak": "200h"}', "at most 168h"],
    ['{"rollback": "false"}', "rollback must be a JSON boolean"],
    ['{"timeZone": "UTC"}', "timeZone is given without windows"],
    ['{"windows": ["Mon 9-5"]}', 'window "Mon 9-5" is not'],
  ])("%s: %s", (raw, message) => {
    expect(parseRolloutPolicy(raw)).toContain(message);
  });
});

describe("readRolloutPolicy", () => {
  it("none without the annotation; a problem that says tag moves are held", () => {
    expect(readRolloutPolicy(workload("Deployment", { web: "x" }))).toEqual({ policy: undefined });
    const broken = workload(
      "Deployment",
      { web: "x" },
      { annotations: { [ANN_ROLLOUT_POLICY]: "{" } },
    );
    const read = readRolloutPolicy(broken);
    expect(read.problem?.reason).toBe("InvalidRolloutPolicy");
    expect(read.problem?.message).toContain("tag moves are not rolled");
  });
});

describe("durations", () => {
  it.each([
    ["45s", 45_000, "45s"],
    ["5m", 300_000, "5m"],
    ["1h30m", 5_400_000, "1h30m"],
    ["2h0m5s", 7_205_000, "2h5s"],
  ])("%s", (text, ms, formatted) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(formatted);
  });
});
