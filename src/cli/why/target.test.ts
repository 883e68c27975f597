import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseWorkloadRef, workloadLabel } from "./target.js";

describe("parseWorkloadRef", () => {
  it.each([
    [["deployment/web"], { kind: "Deployment", name: "web" }],
    [["deploy/web"], { kind: "Deployment", name: "web" }],
    [["sts", "db"], { kind: "StatefulSet", name: "db" }],
    [["DaemonSet/agent"], { kind: "DaemonSet", name: "agent" }],
    [["cronjob.batch/nightly"], { kind: "CronJob", name: "nightly" }],
  ])("%j", (args, ref) => {
    expect(parseWorkloadRef(args)).toEqual(ref);
  });

  it("refuses kinds triggers do not act on", () => {
    expect(() => parseWorkloadRef(["pod/web"])).toThrow(
      '"pod" is not a workload image triggers act on: use deployment, statefulset, daemonset or cronjob',
    );
  });

  it.each([[[]], [["web"]], [["deployment/"]], [["a", "b", "c"]]])(
    "%j is a usage error",
    (args) => {
      expect(() => parseWorkloadRef(args)).toThrow(UsageError);
    },
  );

  it("labels as kubectl does", () => {
    expect(workloadLabel({ kind: "StatefulSet", name: "db" })).toBe("statefulset/db");
  });
});
