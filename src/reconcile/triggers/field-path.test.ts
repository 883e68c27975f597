import { describe, expect, it } from "vitest";
import { canonicalFieldPath, parseFieldPath } from "./field-path.js";
import type { FieldPathTarget, WorkloadKind } from "./types.js";

const TEMPLATE = "spec.template.spec";
const CRON = "spec.jobTemplate.spec.template.spec";

describe("parseFieldPath accepts", () => {
  const cases: [WorkloadKind, string, FieldPathTarget][] = [
    [
      "Deployment",
      `${TEMPLATE}.containers[?(@.name=="web")].image`,
      { containerList: "containers", selector: { name: "web" } },
    ],
    [
      "StatefulSet",
      `${TEMPLATE}.containers[0].image`,
      { containerList: "containers", selector: { index: 0 } },
    ],
    [
      "DaemonSet",
      `${TEMPLATE}.initContainers[12].image`,
      { containerList: "initContainers", selector: { index: 12 } },
    ],
    [
      "CronJob",
      `${CRON}.containers[?(@.name=="job")].image`,
      { containerList: "containers", selector: { name: "job" } },
    ],
    [
      "CronJob",
      `${CRON}.initContainers[?(@.name=='setup')].image`,
      { containerList: "initContainers", selector: { name: "setup" } },
    ],
    [
      "Deployment",
      `${TEMPLATE}.containers[?(@.name == "web")].image`,
      { containerList: "containers", selector: { name: "web" } },
    ],
    [
      "Deployment",
      `  ${TEMPLATE}.containers[ ?( @.name=='web' ) ].image `,
      { containerList: "containers", selector: { name: "web" } },
    ],
  ];
  it.each(cases)("%s %s", (kind, fieldPath, target) => {
    expect(parseFieldPath(fieldPath, kind)).toEqual({ ok: true, target });
  });
});

describe("parseFieldPath rejects", () => {
  it.each([
    ["Deployment", `${TEMPLATE}.containers[?(@.name=="web")]`, ""],
    ["Deployment", `${TEMPLATE}.containers.web.image`, ""],
    ["Deployment", `${TEMPLATE}.ephemeralContainers[0].image`, ""],
    ["Deployment", "containers[0].image", ""],
    [
      "Deployment",
      `${CRON}.containers[0].image`,
      "a Deployment's pod spec is at spec.template.spec",
    ],
    ["CronJob", `${TEMPLATE}.containers[0].image`, `a CronJob's pod spec is at ${CRON}`],
    ["Deployment", "spec.containers[0].image", "a Deployment's pod spec is at spec.template.spec"],
    [
      "Deployment",
      `${TEMPLATE}.containers[?(@.name="web")].image`,
      'the container selector [?(@.name="web")] is not understood',
    ],
    [
      "Deployment",
      `${TEMPLATE}.containers[?(@.name=="web')].image`,
      "the container selector [?(@.name==\"web')] is not understood",
    ],
    [
      "Deployment",
      `${TEMPLATE}.containers[-1].image`,
      "the container selector [-1] is not understood",
    ],
    [
      "Deployment",
      `${TEMPLATE}.containers[web].image`,
      "the container selector [web] is not understood",
    ],
  ] as [WorkloadKind, string, string][])("%s %s", (kind, fieldPath, detail) => {
    const result = parseFieldPath(fieldPath, kind);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^field path is not valid: /);
    expect(result.message).toContain(JSON.stringify(fieldPath));
    expect(result.message).toContain(detail);
    const prefix = kind === "CronJob" ? CRON : TEMPLATE;
    expect(result.message).toContain(
      `expected ${prefix}.containers[<sel>].image or ${prefix}.initContainers[<sel>].image`,
    );
  });
});

describe("canonicalFieldPath", () => {
  it("uses double quotes and the kind's pod spec path", () => {
    expect(canonicalFieldPath("CronJob", "initContainers", "setup")).toBe(
      `${CRON}.initContainers[?(@.name=="setup")].image`,
    );
  });

  it("round-trips through parseFieldPath", () => {
    const path = canonicalFieldPath("DaemonSet", "containers", "agent");
    expect(parseFieldPath(path, "DaemonSet")).toEqual({
      ok: true,
      target: { containerList: "containers", selector: { name: "agent" } },
    });
  });
});
