import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import { applyPatch } from "../testing/json-patch.js";
import { parseImportOptions } from "./options.js";
import { type ImportPlan, planImport } from "./plan.js";

const NS = "team";
const CHECK = "openshift.io/image.dockerRepositoryCheck";

function options(...args: string[]) {
  const o = parseImportOptions(args);
  if (o.kind !== "import") throw new Error("help");
  return o;
}

function stream(spec: ImageStream["spec"], annotations?: Record<string, string>): ImageStream {
  return {
    metadata: {
      name: "app",
      namespace: NS,
      resourceVersion: "7",
      ...(annotations ? { annotations } : {}),
    },
    spec,
  };
}

function after(current: ImageStream, plan: ImportPlan): ImageStream {
  if (plan.write.kind === "patch") return applyPatch(current, plan.write.ops);
  if (plan.write.kind === "none") return current;
  throw new Error("unexpected create");
}

const v1: TagReference = {
  name: "v1",
  annotations: { "importer.image.openshift.io/prefer-arch": "arm64" },
  from: { kind: "DockerImage", name: "quay.io/org/app:1" },
  generation: 5,
  importPolicy: { scheduled: true },
  referencePolicy: { type: "Local" },
};

/** A multi-architecture tag (seed 6.7.2). */
const multi: TagReference = {
  name: "multi",
  from: { kind: "DockerImage", name: "quay.io/org/multi:1" },
  generation: 2,
  importPolicy: { importMode: "PreserveOriginal" },
};

describe("import-image of one tag", () => {
  it("sets generation 0 and changes nothing else (OpenShift complaint #5)", () => {
    const current = stream({ tags: [v1] });
    const plan = planImport(current, options("app:v1"), NS);
    expect(plan.wait).toEqual({ kind: "tags", tags: ["v1"] });
    expect(plan.notices).toEqual([]);
    expect(after(current, plan).spec?.tags).toEqual([{ ...v1, generation: 0 }]);
  });

  it("without --import-mode turns a PreserveOriginal tag back to Legacy, and says so (seed 6.7.3)", () => {
    const current = stream({ tags: [multi] });
    const plan = planImport(current, options("app:multi"), NS);
    expect(after(current, plan).spec?.tags).toEqual([
      { ...multi, generation: 0, importPolicy: { importMode: "Legacy" } },
    ]);
    expect(plan.notices).toEqual([
      "Tag app:multi import mode changed from PreserveOriginal to Legacy: one platform of a manifest list is imported (pass --import-mode=PreserveOriginal to keep every platform).",
    ]);
    const kept = planImport(current, options("app:multi", "--import-mode=PreserveOriginal"), NS);
    expect(after(current, kept).spec?.tags).toEqual([{ ...multi, generation: 0 }]);
    expect(kept.notices).toEqual([]);
  });

  it("imports nothing for a reference tag, and says so", () => {
    const ref: TagReference = { ...v1, reference: true };
    const plan = planImport(stream({ tags: [ref] }), options("app:v1"), NS);
    expect(plan).toEqual({
      write: { kind: "none" },
      wait: { kind: "tags", tags: [] },
      notices: [
        "Tag app:v1 is a reference to quay.io/org/app:1 (reference: true): nothing is imported; the pull spec is used as written.",
      ],
    });
    expect(() => planImport(stream({ tags: [ref] }), options("app:v1", "--scheduled"), NS)).toThrow(
      `tag "v1" is a reference (reference: true), nothing is imported for it: use the 'tag' command to change it`,
    );
  });

  it("applies only the flags given", () => {
    const current = stream({ tags: [v1] });
    const plan = planImport(current, options("app:v1", "--import-mode=Legacy", "--insecure"), NS);
    expect(after(current, plan).spec?.tags?.[0]).toEqual({
      ...v1,
      generation: 0,
      importPolicy: { importMode: "Legacy", scheduled: true, insecure: true },
    });
  });

  it("re-imports the tag a tracking tag follows", () => {
    const latest: TagReference = { name: "latest", from: { kind: "ImageStreamTag", name: "v1" } };
    const current = stream({ tags: [latest, v1] });
    const plan = planImport(current, options("app"), NS);
    expect(plan.wait).toEqual({ kind: "tags", tags: ["v1"] });
    expect(after(current, plan).spec?.tags).toEqual([latest, { ...v1, generation: 0 }]);
  });

  it("changes the source only with --confirm", () => {
    const current = stream({ tags: [v1] });
    expect(() => planImport(current, options("app:v1", "--from=quay.io/org/app:2"), NS)).toThrow(
      'the tag "v1" points to "quay.io/org/app:1": pass --confirm to change the source to "quay.io/org/app:2"',
    );
    const plan = planImport(
      current,
      options("app:v1", "--from=quay.io/org/app:2", "--confirm"),
      NS,
    );
    expect(after(current, plan).spec?.tags?.[0]).toEqual({
      ...v1,
      from: { kind: "DockerImage", name: "quay.io/org/app:2" },
      generation: 0,
    });
  });

  it("accepts --from equal to the current source without --confirm", () => {
    const current = stream({ tags: [v1] });
    expect(() =>
      planImport(current, options("app:v1", "--from=quay.io/org/app:1"), NS),
    ).not.toThrow();
  });

  it("creates a missing tag only with --from and --confirm", () => {
    const current = stream({ tags: [v1] });
    expect(() => planImport(current, options("app:v2"), NS)).toThrow(
      "the tag \"v2\" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag",
    );
    expect(() => planImport(current, options("app:v2", "--from=quay.io/org/app:2"), NS)).toThrow(
      'the tag "v2" does not exist on the image stream, pass --confirm to create it from "quay.io/org/app:2"',
    );
    const plan = planImport(
      current,
      options("app:v2", "--from=quay.io/org/app:2", "--confirm"),
      NS,
    );
    expect(after(current, plan).spec?.tags?.[1]).toEqual({
      name: "v2",
      from: { kind: "DockerImage", name: "quay.io/org/app:2" },
      generation: 0,
      importPolicy: {},
      referencePolicy: { type: "Source" },
    });
  });

  it("creates latest from the stream's repository", () => {
    const current = stream({ dockerImageRepository: "quay.io/org/app" });
    const plan = planImport(current, options("app", "--confirm"), NS);
    expect(after(current, plan).spec?.tags?.[0]?.from).toEqual({
      kind: "DockerImage",
      name: "quay.io/org/app",
    });
  });

  it.each([
    [
      { name: "v1", from: { kind: "ImageStreamImage", name: "app@sha256:abc" } },
      'tag "v1" points to existing ImageStreamImage "app@sha256:abc", it cannot be re-imported',
    ],
    [{ name: "v1" }, 'tag "v1" has no source'],
  ])("refuses %j", (tag, message) => {
    expect(() => planImport(stream({ tags: [tag] }), options("app:v1"), NS)).toThrow(message);
  });
});

describe("import-image of a stream that does not exist", () => {
  it("needs --confirm", () => {
    expect(() => planImport(undefined, options("app", "--from=quay.io/org/app:1"), NS)).toThrow(
      'no image stream named "app" exists, pass --confirm to create and import',
    );
  });

  it("creates it with the tag, from --from or the target pull spec", () => {
    const fromFlag = planImport(
      undefined,
      options("app:v1", "--from=quay.io/org/app:1", "--confirm"),
      NS,
    );
    const fromTarget = planImport(undefined, options("quay.io/org/app:1", "--confirm"), NS);
    for (const [plan, tag] of [
      [fromFlag, "v1"],
      [fromTarget, "1"],
    ] as const) {
      expect(plan.wait).toEqual({ kind: "tags", tags: [tag] });
      expect(plan.write).toEqual({
        kind: "create",
        stream: {
          apiVersion: "image.openshift.io/v1",
          kind: "ImageStream",
          metadata: { name: "app", namespace: NS },
          spec: {
            tags: [
              {
                name: tag,
                from: { kind: "DockerImage", name: "quay.io/org/app:1" },
                generation: 0,
                importPolicy: {},
                referencePolicy: { type: "Source" },
              },
            ],
          },
        },
      });
    }
  });

  it("with --all, imports the whole repository", () => {
    const plan = planImport(
      undefined,
      options("app", "--all", "--from=quay.io/org/app", "--confirm", "--insecure"),
      NS,
    );
    expect(plan).toEqual({
      write: {
        kind: "create",
        stream: {
          apiVersion: "image.openshift.io/v1",
          kind: "ImageStream",
          metadata: {
            name: "app",
            namespace: NS,
            annotations: { "openshift.io/image.insecureRepository": "true" },
          },
          spec: { dockerImageRepository: "quay.io/org/app" },
        },
      },
      wait: { kind: "repository" },
      notices: [],
    });
  });
});

describe("import-image --all of an existing stream", () => {
  const v2: TagReference = {
    name: "v2",
    from: { kind: "DockerImage", name: "quay.io/org/app:2" },
    generation: 3,
  };
  const alias: TagReference = {
    name: "latest",
    from: { kind: "ImageStreamTag", name: "v2" },
    generation: 1,
  };

  it("re-imports every tag naming a container image", () => {
    const current = stream({ tags: [v1, alias, v2] });
    const plan = planImport(current, options("app", "--all"), NS);
    expect(plan.wait).toEqual({ kind: "tags", tags: ["v1", "v2"] });
    expect(after(current, plan).spec?.tags).toEqual([
      { ...v1, generation: 0 },
      alias,
      { ...v2, generation: 0 },
    ]);
  });

  it("skips reference tags and turns PreserveOriginal ones to Legacy, with a line for each", () => {
    const ref: TagReference = { ...v2, reference: true };
    const current = stream({ tags: [ref, multi] });
    const plan = planImport(current, options("app", "--all"), NS);
    expect(plan.wait).toEqual({ kind: "tags", tags: ["multi"] });
    expect(plan.notices).toHaveLength(2);
    expect(plan.notices[0]).toMatch(/^Tag app:v2 is a reference to quay.io\/org\/app:2 /);
    expect(plan.notices[1]).toMatch(
      /^Tag app:multi import mode changed from PreserveOriginal to Legacy/,
    );
    expect(after(current, plan).spec?.tags?.[1]?.importPolicy).toEqual({ importMode: "Legacy" });
  });

  it("refuses a stream without any", () => {
    expect(() => planImport(stream({ tags: [alias] }), options("app", "--all"), NS)).toThrow(
      "image stream does not have tags pointing to external container images",
    );
  });

  it("re-imports the repository by removing the check annotation", () => {
    const current = stream(
      { dockerImageRepository: "quay.io/org/app" },
      { [CHECK]: "2024-01-01T00:00:00Z", keep: "x" },
    );
    const plan = planImport(current, options("app", "--all"), NS);
    expect(plan.wait).toEqual({ kind: "repository" });
    expect(after(current, plan).metadata.annotations).toEqual({ keep: "x" });
  });

  it("changes the repository only with --confirm", () => {
    const current = stream({ dockerImageRepository: "quay.io/org/app" });
    expect(() =>
      planImport(current, options("app", "--all", "--from=quay.io/org/other"), NS),
    ).toThrow(
      'the image stream has a different import spec "quay.io/org/app", pass --confirm to update',
    );
    expect(() =>
      planImport(stream({ tags: [v1] }), options("app", "--all", "--from=quay.io/org/other"), NS),
    ).toThrow(
      "the image stream does not currently import an entire Docker repository, pass --confirm to update",
    );
    const plan = planImport(
      current,
      options("app", "--all", "--from=quay.io/org/other", "--confirm"),
      NS,
    );
    expect(after(current, plan).spec?.dockerImageRepository).toBe("quay.io/org/other");
  });

  it("refuses tag settings for a repository import", () => {
    const current = stream({ dockerImageRepository: "quay.io/org/app" });
    expect(() => planImport(current, options("app", "--all", "--scheduled"), NS)).toThrow(
      "cannot be used when importing a whole repository",
    );
  });
});
