import { describe, expect, it } from "vitest";
import { compareTagPriority, orderRepositoryTags, planRepositoryImports } from "./bulk.js";
import { planImports } from "./plan-imports.js";
import { applyOutcomes } from "./status.js";
import { digest, dockerTag, makeStream, NOW } from "./test-fixtures.js";
import type { Outcome, RepositoryWork } from "./types.js";

describe("orderRepositoryTags", () => {
  it.each<[string, string[], string[]]>([
    ["latest first", ["a", "latest", "1.0"], ["latest", "1.0", "a"]],
    [
      "semver descending",
      ["1.2.3", "1.10.0", "1.9.9", "2.0.0", "0.1.0"],
      ["2.0.0", "1.10.0", "1.9.9", "1.2.3", "0.1.0"],
    ],
    ["leading v tolerated", ["v1.0.0", "v2.0.0", "1.5.0"], ["v2.0.0", "1.5.0", "v1.0.0"]],
    ["short versions", ["1", "1.1", "2", "1.0.1"], ["2", "1.1", "1.0.1", "1"]],
    ["same version spelled twice: lexical", ["v1.0.0", "1.0", "1.0.0"], ["1.0", "1.0.0", "v1.0.0"]],
    [
      "release above its pre-releases",
      ["1.0.0-rc.1", "1.0.0", "1.0.0-beta", "1.0.0-rc.2"],
      ["1.0.0", "1.0.0-rc.2", "1.0.0-rc.1", "1.0.0-beta"],
    ],
    [
      "numeric pre-release below alphanumeric",
      ["1.0.0-alpha", "1.0.0-1"],
      ["1.0.0-alpha", "1.0.0-1"],
    ],
    [
      "longer pre-release set ranks higher",
      ["1.0.0-alpha", "1.0.0-alpha.1"],
      ["1.0.0-alpha.1", "1.0.0-alpha"],
    ],
    ["'+' is not allowed in a tag name: dropped", ["1.0.0+b2", "1.0.1"], ["1.0.1"]],
    [
      "non-semver after semver, lexically",
      ["main", "1.0", "dev", "alpine", "sha-abc"],
      ["1.0", "alpine", "dev", "main", "sha-abc"],
    ],
    [
      "variant suffixes read as pre-releases",
      ["1.2-alpine", "1.2", "1.3-alpine"],
      ["1.3-alpine", "1.2", "1.2-alpine"],
    ],
    ["lexical is by code unit, not locale", ["b", "B", "a"], ["B", "a", "b"]],
    ["duplicates and invalid names dropped", ["x", "x", "", ".bad", "ok"], ["ok", "x"]],
    ["empty", [], []],
  ])("%s", (_name, tags, expected) => {
    expect(orderRepositoryTags(tags).import).toEqual(expected);
  });

  it("splits at the limit", () => {
    const tags = Array.from({ length: 60 }, (_, i) => `1.${i}.0`);
    const got = orderRepositoryTags(tags);
    expect(got.import).toHaveLength(50);
    expect(got.import[0]).toBe("1.59.0");
    expect(got.additional).toEqual([
      "1.9.0",
      "1.8.0",
      "1.7.0",
      "1.6.0",
      "1.5.0",
      "1.4.0",
      "1.3.0",
      "1.2.0",
      "1.1.0",
      "1.0.0",
    ]);
    expect(orderRepositoryTags(["a", "b", "c"], 2)).toEqual({
      import: ["a", "b"],
      additional: ["c"],
    });
    expect(orderRepositoryTags(["a"], 0)).toEqual({ import: [], additional: ["a"] });
  });

  it("the comparator is antisymmetric", () => {
    const tags = ["latest", "v2", "1.0.0-rc.1", "1.0.0", "main", "1.0"];
    for (const a of tags)
      for (const b of tags)
        expect(Math.sign(compareTagPriority(a, b)) + Math.sign(compareTagPriority(b, a))).toBe(0);
  });
});

describe("planRepositoryImports", () => {
  const item: RepositoryWork = {
    kind: "repository",
    tag: "<repository>",
    cause: "new",
    request: { reference: "quay.io/org/app", insecure: true },
    importMode: "Legacy",
    preferredPlatforms: [{ os: "linux", architecture: "amd64" }],
    generation: 4,
  };

  it("imports the top tags as status-only docker items, leaves spec tags to the spec", () => {
    const stream = makeStream({
      dockerImageRepository: "quay.io/org/app",
      tags: [dockerTag("latest", "quay.io/other:1")],
    });
    const got = planRepositoryImports(item, stream, ["1.0", "latest", "2.0", "dev"], 2);
    expect(got.additionalTags).toEqual(["dev"]);
    expect(got.items).toEqual([
      {
        kind: "docker",
        tag: "2.0",
        generation: 4,
        specHash: "",
        cause: "new",
        request: {
          reference: "quay.io/org/app:2.0",
          insecure: true,
          importMode: "Legacy",
          preferredPlatforms: [{ os: "linux", architecture: "amd64" }],
        },
      },
      expect.objectContaining({
        tag: "1.0",
        request: expect.objectContaining({ reference: "quay.io/org/app:1.0" }),
      }),
    ]);
  });

  it("end to end: status tags only, no spec tags, and no repository item afterwards", () => {
    const stream = makeStream({ dockerImageRepository: "quay.io/org/app", generation: 1 });
    const [repoItem] = planImports(stream, { now: NOW }).items;
    expect(repoItem?.kind).toBe("repository");
    const { items, additionalTags } = planRepositoryImports(
      repoItem as RepositoryWork,
      stream,
      ["v1", "v2", "v3"],
      2,
    );
    const outcomes: Outcome[] = items.map((w, i) => ({
      kind: "resolved",
      tag: w.tag,
      generation: w.generation,
      specHash: w.specHash,
      dockerImageReference: `quay.io/org/app@${digest(String(i))}`,
      image: digest(String(i)),
    }));
    const applied = applyOutcomes(stream, outcomes, NOW, { repository: { additionalTags } });
    expect(applied.status.tags?.map((t) => t.tag)).toEqual(["v2", "v3"]);
    expect(applied.status.repository).toEqual({ additionalTags: ["v1"] });
    expect(applied.stampRepositoryCheck).toBe(true);
    const after = {
      ...stream,
      metadata: {
        ...stream.metadata,
        annotations: { "openshift.io/image.dockerRepositoryCheck": "2026-01-01T12:00:00Z" },
      },
      status: applied.status,
    };
    expect(after.spec?.tags).toEqual([]);
    expect(planImports(after, { now: NOW }).items).toEqual([]);
  });
});
