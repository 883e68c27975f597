import { describe, expect, it } from "vitest";
import { parseTargets, targetLabel } from "./targets.js";

describe("set image-lookup targets", () => {
  it.each([
    ["app", "stream", "imagestream.image.openshift.io/app"],
    ["is/app", "stream", "imagestream.image.openshift.io/app"],
    ["imagestreams.image.openshift.io/app", "stream", "imagestream.image.openshift.io/app"],
    ["deployment/web", "object", "deployment.apps/web"],
    ["deploy/web", "object", "deployment.apps/web"],
    ["Deployments.apps/web", "object", "deployment.apps/web"],
    ["sts/web", "object", "statefulset.apps/web"],
    ["ds/web", "object", "daemonset.apps/web"],
    ["rs/web", "object", "replicaset.apps/web"],
    ["job/web", "object", "job.batch/web"],
    ["cj/web", "object", "cronjob.batch/web"],
    ["po/web", "object", "pod/web"],
  ])("%s", (arg, type, label) => {
    const [target] = parseTargets([arg]);
    expect(target?.type).toBe(type);
    expect(target && targetLabel(target)).toBe(label);
  });

  it("knows where each kind keeps its pod spec", () => {
    const [cronJob, pod] = parseTargets(["cronjob/c", "pod/p"]);
    expect(cronJob?.type === "object" && cronJob.kind.podSpecPath).toEqual([
      "spec",
      "jobTemplate",
      "spec",
      "template",
      "spec",
    ]);
    expect(pod?.type === "object" && pod.kind).toMatchObject({ apiVersion: "v1", kind: "Pod" });
  });

  it.each([
    ["configmap/x", "the resource configmap does not support altering image lookup"],
    ["deployment/", '"deployment/" names no object'],
    ["App", 'invalid image stream name "App"'],
    ["is/App", 'invalid image stream name "App"'],
  ])("refuses %s", (arg, message) => {
    expect(() => parseTargets([arg])).toThrow(message);
  });
});
