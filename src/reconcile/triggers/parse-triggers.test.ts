import { describe, expect, it } from "vitest";
import { parseTriggers } from "./parse-triggers.js";
import { CRON_JOB_PATH, SIDECAR_PATH, trigger, WEB_PATH, workload } from "./testdata.js";

const deployment = workload(
  "Deployment",
  { web: "quay.io/shop/web:1", sidecar: "quay.io/shop/proxy:2" },
  { namespace: "shop", initContainers: { migrate: "quay.io/shop/migrate:1" } },
);

function parse(triggers: unknown) {
  return parseTriggers(JSON.stringify(triggers), deployment);
}

describe("parseTriggers: valid annotations", () => {
  it("returns nothing for a missing or blank annotation", () => {
    expect(parseTriggers(undefined, deployment)).toEqual({ triggers: [], problems: [] });
    expect(parseTriggers("  ", deployment)).toEqual({ triggers: [], problems: [] });
    expect(parseTriggers("[]", deployment)).toEqual({ triggers: [], problems: [] });
  });

  it("resolves a trigger, defaulting the namespace to the workload's", () => {
    const result = parse([trigger("web:latest", WEB_PATH)]);
    expect(result.problems).toEqual([]);
    expect(result.triggers).toEqual([
      {
        position: 0,
        from: { kind: "ImageStreamTag", name: "web:latest", namespace: "shop" },
        stream: "web",
        tag: "latest",
        fieldPath: WEB_PATH,
        paused: false,
        container: {
          containerList: "containers",
          index: 0,
          name: "web",
          image: "quay.io/shop/web:1",
          key: WEB_PATH,
        },
      },
    ]);
  });

  it("keeps an explicit namespace and paused flag, and an empty namespace means the workload's", () => {
    const result = parse([
      trigger("base:v2", WEB_PATH, { paused: true }),
      {
        from: { kind: "ImageStreamTag", name: "proxy:1.0", namespace: "" },
        fieldPath: SIDECAR_PATH,
      },
    ]);
    expect(result.problems).toEqual([]);
    expect(result.triggers.map((t) => [t.from.namespace, t.paused])).toEqual([
      ["shop", true],
      ["shop", false],
    ]);
    const other = parse([
      {
        from: { kind: "ImageStreamTag", name: "base:v2", namespace: "images" },
        fieldPath: WEB_PATH,
      },
    ]);
    expect(other.triggers[0]?.from).toEqual({
      kind: "ImageStreamTag",
      name: "base:v2",
      namespace: "images",
    });
  });

  it("accepts index selectors, init containers and the CronJob path", () => {
    const result = parse([
      trigger("proxy:1", "spec.template.spec.containers[1].image"),
      trigger("migrate:1", "spec.template.spec.initContainers[?(@.name == 'migrate')].image"),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.triggers.map((t) => [t.container.containerList, t.container.name])).toEqual([
      ["containers", "sidecar"],
      ["initContainers", "migrate"],
    ]);
    const cronJob = workload("CronJob", { job: "quay.io/shop/report:1" });
    const cron = parseTriggers(JSON.stringify([trigger("report:nightly", CRON_JOB_PATH)]), cronJob);
    expect(cron.problems).toEqual([]);
    expect(cron.triggers[0]?.container.name).toBe("job");
  });

  it('ignores "pause": "false", which many real annotations carry', () => {
    const result = parse([
      trigger("web:latest", WEB_PATH, { pause: "false" }),
      trigger("proxy:1", SIDECAR_PATH, { pause: false }),
    ]);
    expect(result.problems).toEqual([]);
    expect(result.triggers.map((t) => t.paused)).toEqual([false, false]);
  });

  it("accepts the layouts found in real manifests: pretty-printed, spaced, escaped quotes", () => {
    const prettyPrinted = `[ {
  "from" : {
    "kind" : "ImageStreamTag",
    "name" : "web:latest",
    "apiVersion" : "image.openshift.io/v1"
  },
  "fieldPath" : "spec.template.spec.containers[?(@.name==\\"web\\")].image"
} ]`;
    const spaced =
      '[{"from":{"kind":"ImageStreamTag","name":"proxy:1"},"fieldPath": "spec.template.spec.containers[1].image"}]';
    for (const text of [prettyPrinted, spaced]) {
      const result = parseTriggers(text, deployment);
      expect(result.problems).toEqual([]);
      expect(result.triggers).toHaveLength(1);
    }
  });

  it("reads field names in any case, as OpenShift's Go JSON decoder does", () => {
    const result = parse([
      {
        From: { KIND: "ImageStreamTag", Name: "web:latest", NameSpace: "shop" },
        FieldPath: WEB_PATH,
        Paused: true,
      },
      { from: { kind: "ImageStreamTag", name: "proxy:1" }, fieldpath: SIDECAR_PATH },
    ]);
    expect(result.problems).toEqual([]);
    expect(
      result.triggers.map((t) => [t.from.name, t.from.namespace, t.fieldPath, t.paused]),
    ).toEqual([
      ["web:latest", "shop", WEB_PATH, true],
      ["proxy:1", "shop", SIDECAR_PATH, false],
    ]);
  });

  it("prefers the exact spelling when a field is given twice", () => {
    const result = parse([{ ...trigger("web:latest", WEB_PATH), FieldPath: "nonsense" }]);
    expect(result.problems).toEqual([]);
    expect(result.triggers.map((t) => t.fieldPath)).toEqual([WEB_PATH]);
  });

  it("ignores fields it does not know", () => {
    const result = parse([{ ...trigger("web:latest", WEB_PATH), comment: "rolled by CI" }]);
    expect(result.problems).toEqual([]);
    expect(result.triggers).toHaveLength(1);
  });
});

describe("parseTriggers: whole-annotation problems", () => {
  it("points at the position of a JSON syntax error", () => {
    const text = `[{"from": {"kind": "ImageStreamTag", "name": "web:latest"}, "fieldPath": "x",}]`;
    const result = parseTriggers(text, deployment);
    expect(result.triggers).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.reason).toBe("InvalidJSON");
    expect(result.problems[0]?.message).toBe(
      "annotation image.openshift.io/triggers is not valid JSON: at position 77 (line 1 column 78): " +
        'expected a property name: remove the trailing ","; write a JSON array such as ' +
        '[{"from": {"kind": "ImageStreamTag", "name": "app:latest"}, "fieldPath": "..."}]',
    );
  });

  it.each([
    [trigger("web:latest", WEB_PATH), "not an object: wrap the trigger in [ ]"],
    ["web:latest", "not a string: write [ ] around a list of triggers"],
    [null, "not null: write [ ] around a list of triggers"],
  ])("rejects a document that is not an array: %j", (document, ending) => {
    const result = parse(document);
    expect(result).toEqual({
      triggers: [],
      problems: [
        {
          reason: "NotAnArray",
          message: `annotation image.openshift.io/triggers must be a JSON array of triggers, ${ending}`,
        },
      ],
    });
  });
});

describe("parseTriggers: problems of one trigger", () => {
  it.each([
    [
      "a non-object entry",
      "web:latest",
      'a trigger must be a JSON object such as {"from": {"kind": "ImageStreamTag", "name": "STREAM:TAG"}, "fieldPath": "..."}',
    ],
    [
      "paused given as a string",
      trigger("web:latest", WEB_PATH, { paused: "true" }),
      'paused must be a JSON boolean, not a string: use "paused": true',
    ],
    [
      "paused given as the string false",
      trigger("web:latest", WEB_PATH, { paused: "false" }),
      'paused must be a JSON boolean, not a string: use "paused": false',
    ],
    [
      "paused given as a number",
      trigger("web:latest", WEB_PATH, { paused: 1 }),
      'paused must be a JSON boolean: use "paused": true or "paused": false',
    ],
    [
      '"pause" given where "paused" is meant',
      trigger("web:latest", WEB_PATH, { pause: "true" }),
      '"pause" is not a trigger field (OpenShift ignores it and keeps the trigger active): to pause this trigger write "paused": true, to keep it active remove "pause"',
    ],
    [
      "an unknown kind",
      { from: { kind: "DockerImage", name: "quay.io/shop/web:1" }, fieldPath: WEB_PATH },
      'unknown kind "DockerImage": only ImageStreamTag is supported; use "kind": "ImageStreamTag" and name a tag of an image stream',
    ],
    [
      "a missing kind",
      { from: { name: "web:latest" }, fieldPath: WEB_PATH },
      'from.kind is missing: add "kind": "ImageStreamTag"',
    ],
    [
      "a missing from",
      { fieldPath: WEB_PATH },
      'from is missing: add "from": {"kind": "ImageStreamTag", "name": "STREAM:TAG"}',
    ],
    [
      "a name without a tag",
      trigger("web", WEB_PATH),
      'from.name "web" has no tag: write "web:TAG", e.g. "web:latest"',
    ],
    [
      "a namespace inside the name",
      trigger("shop/web:latest", WEB_PATH),
      'from.name "shop/web:latest" must not contain "/": write "STREAM:TAG" and put the namespace in from.namespace',
    ],
    [
      "a digest instead of a tag",
      trigger("web@sha256:abc", WEB_PATH),
      'from.name "web@sha256:abc" names an image digest, not a tag: triggers follow tags, write "STREAM:TAG"',
    ],
    [
      "an empty tag",
      trigger("web:", WEB_PATH),
      'from.name "web:" is not "STREAM:TAG" (a tag is letters, digits, "_", "." and "-", at most 128)',
    ],
    [
      "a missing name",
      { from: { kind: "ImageStreamTag" }, fieldPath: WEB_PATH },
      'from.name is missing: use "name": "STREAM:TAG", e.g. "app:latest"',
    ],
    [
      "a namespace that is not a string",
      { from: { kind: "ImageStreamTag", name: "web:latest", namespace: 3 }, fieldPath: WEB_PATH },
      'from.namespace must be a string: use "namespace": "NAMESPACE" or leave it out',
    ],
    [
      "an invalid fieldPath",
      trigger("web:latest", "spec.template.spec.containers[web].image"),
      'field path is not valid: "spec.template.spec.containers[web].image": the container selector [web] is not understood; expected spec.template.spec.containers[<sel>].image',
    ],
    [
      "a container that does not exist",
      trigger("web:latest", 'spec.template.spec.containers[?(@.name=="api")].image'),
      'no such container: "api"; containers are: [0] web, [1] sidecar',
    ],
  ])("%s", (_, entry, message) => {
    const result = parse([trigger("proxy:1", SIDECAR_PATH), entry]);
    expect(result.triggers.map((t) => t.from.name)).toEqual(["proxy:1"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.position).toBe(1);
    expect(result.problems[0]?.message.startsWith(message)).toBe(true);
  });

  it("reports every mistake of a trigger at once", () => {
    const result = parse([{ from: { name: "web" }, paused: "true" }]);
    expect(result.problems.map((p) => p.message.split(":")[0])).toEqual([
      "from.kind is missing",
      'from.name "web" has no tag',
      "paused must be a JSON boolean, not a string",
      "fieldPath is missing",
    ]);
    expect(result.problems.every((p) => p.reason === "InvalidTrigger")).toBe(true);
  });

  it("reports a container problem together with the trigger's other mistakes", () => {
    const result = parse([trigger("web", 'spec.template.spec.containers[?(@.name=="api")].image')]);
    expect(result.problems.map((p) => [p.reason, p.message.split(":")[0]])).toEqual([
      ["InvalidTrigger", 'from.name "web" has no tag'],
      ["NoSuchContainer", "no such container"],
    ]);
  });

  it("gives field path and container problems their own reasons", () => {
    const result = parse([
      trigger("web:latest", "spec.containers[0].image"),
      trigger("web:latest", "spec.template.spec.containers[5].image"),
    ]);
    expect(result.problems.map((p) => p.reason)).toEqual(["InvalidFieldPath", "NoSuchContainer"]);
  });
});

describe("parseTriggers: duplicates", () => {
  it("drops every trigger of a container named twice, keeping the others", () => {
    const result = parse([
      trigger("web:latest", WEB_PATH),
      trigger("proxy:1", SIDECAR_PATH),
      trigger("web:canary", "spec.template.spec.containers[0].image"),
    ]);
    expect(result.triggers.map((t) => t.from.name)).toEqual(["proxy:1"]);
    expect(result.problems).toEqual([
      {
        reason: "DuplicateTrigger",
        position: 2,
        message:
          'duplicate triggers are not allowed: triggers [0], [2] all set the image of containers "web"; remove all but one',
      },
    ]);
  });

  it("treats the same identical fieldPath twice as a duplicate", () => {
    const result = parse([trigger("web:latest", WEB_PATH), trigger("web:latest", WEB_PATH)]);
    expect(result.triggers).toEqual([]);
    expect(result.problems.map((p) => p.reason)).toEqual(["DuplicateTrigger"]);
  });
});
