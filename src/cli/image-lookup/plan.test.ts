import { describe, expect, it } from "vitest";
import { ANN_RESOLVE_NAMES } from "../../reconcile/image-lookup.js";
import { formatLookupTable, lookupEnabled, lookupPatch } from "./plan.js";
import { parseTargets } from "./targets.js";

const [stream, deployment, cronJob, pod] = parseTargets([
  "app",
  "deployment/web",
  "cronjob/c",
  "pod/p",
]);
if (!stream || !deployment || !cronJob || !pod) throw new Error("targets");

describe("set image-lookup patches", () => {
  it.each([
    ["a stream", stream, true, { spec: { lookupPolicy: { local: true } } }],
    ["a stream, off", stream, false, { spec: { lookupPolicy: { local: false } } }],
    [
      "a Deployment: its pod template",
      deployment,
      true,
      { spec: { template: { metadata: { annotations: { [ANN_RESOLVE_NAMES]: "*" } } } } },
    ],
    [
      "a CronJob, off: the annotation removed",
      cronJob,
      false,
      {
        spec: {
          jobTemplate: {
            spec: { template: { metadata: { annotations: { [ANN_RESOLVE_NAMES]: null } } } },
          },
        },
      },
    ],
    [
      "a Pod: its own metadata",
      pod,
      true,
      { metadata: { annotations: { [ANN_RESOLVE_NAMES]: "*" } } },
    ],
  ])("%s", (_, target, enabled, patch) => {
    expect(lookupPatch(target, enabled)).toEqual(patch);
  });

  it("reads back what it writes", () => {
    expect(lookupEnabled(deployment, lookupPatch(deployment, true))).toBe(true);
    expect(lookupEnabled(deployment, {})).toBe(false);
    expect(lookupEnabled(stream, { metadata: {}, ...lookupPatch(stream, true) })).toBe(true);
    expect(lookupEnabled(stream, { metadata: {} })).toBe(false);
    // the annotation on a Deployment's own metadata counts too, as the webhook reads it
    expect(
      lookupEnabled(deployment, { metadata: { annotations: { [ANN_RESOLVE_NAMES]: "*" } } }),
    ).toBe(true);
  });
});

describe("set image-lookup table", () => {
  it("prints oc's NAME/LOCAL columns", () => {
    expect(
      formatLookupTable([
        { name: "app", local: true },
        { name: "deployment.apps/web", local: false },
      ]),
    ).toBe(
      [
        "NAME                 LOCAL",
        "app                  true",
        "deployment.apps/web  false",
      ].join("\n"),
    );
  });
});
