import { describe, expect, it } from "vitest";
import type { Refusal } from "../../reconcile/triggers/index.js";
import { CheckBackoff } from "./check-backoff.js";

const KEY = 'spec.template.spec.containers[?(@.name=="web")].image';
const IMAGE = `reg/app@sha256:${"a".repeat(64)}`;
const refusal: Refusal = { reason: "ImageNotPullable", image: IMAGE, message: "gone" };
const T0 = 1_000_000;

describe("CheckBackoff", () => {
  it("holds a refusal until its re-check is due, doubling how long it waits (30 s to 10 min)", () => {
    const backoff = new CheckBackoff();
    // nothing checked yet (e.g. after a restart): checked again at once
    expect(backoff.held("w", T0, "").size).toBe(0);
    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 }, refusal);
    expect(backoff.nextCheck("w")).toBe(T0 + 30_000);
    expect(backoff.held("w", T0 + 29_000, "").get(KEY)).toEqual(refusal);
    expect(backoff.held("w", T0 + 30_000, "").size).toBe(0);

    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 + 30_000 }, refusal);
    expect(backoff.nextCheck("w")).toBe(T0 + 90_000); // refused for 30 s: waits 60 s
    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 + 3_600_000 }, refusal);
    expect(backoff.nextCheck("w")).toBe(T0 + 3_600_000 + 600_000);
  });

  it("a pass or forget ends the wait; another image starts a new one", () => {
    const backoff = new CheckBackoff();
    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 }, refusal);
    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 + 1000 });
    expect(backoff.nextCheck("w")).toBeUndefined();
    expect(backoff.held("w", T0 + 2000, "").size).toBe(0);
    backoff.checked("w", KEY, { image: IMAGE, inputs: "", now: T0 }, refusal);
    const other = { ...refusal, image: "reg/app@sha256:b" };
    backoff.checked("w", KEY, { image: other.image, inputs: "", now: T0 + 3_600_000 }, other);
    expect(backoff.nextCheck("w")).toBe(T0 + 3_600_000 + 30_000);
    backoff.forget("w");
    expect(backoff.held("w", T0 + 1000, "").size).toBe(0);
  });

  it("a change of what the check reads (pull secrets, node selection) re-checks at once", () => {
    const backoff = new CheckBackoff();
    backoff.checked("w", KEY, { image: IMAGE, inputs: "secrets: a", now: T0 }, refusal);
    expect(backoff.held("w", T0 + 1000, "secrets: a").size).toBe(1);
    expect(backoff.held("w", T0 + 1000, "secrets: b").size).toBe(0);
  });
});
