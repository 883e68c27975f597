import { describe, expect, it } from "vitest";
import { eligibleNodes, type NodeLabels, type PodPlacement, platformVerdict } from "./platforms.js";

function node(name: string, arch: string, extra: Record<string, string> = {}): NodeLabels {
  return { name, labels: { "kubernetes.io/os": "linux", "kubernetes.io/arch": arch, ...extra } };
}

const NODES = [
  node("amd-1", "amd64", { pool: "general" }),
  node("amd-2", "amd64", { pool: "general" }),
  node("arm-1", "arm64", { pool: "graviton", gen: "3" }),
  node("arm-2", "arm64", { pool: "graviton", gen: "2" }),
];
const AMD64 = [{ os: "linux", architecture: "amd64" }];
const BOTH = [...AMD64, { os: "linux", architecture: "arm64" }];

const names = (placement: PodPlacement) => eligibleNodes(placement, NODES).map((n) => n.name);
const required = (...terms: object[]): PodPlacement => ({
  affinity: {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  },
});

describe("eligibleNodes", () => {
  it.each<[string, PodPlacement, string[]]>([
    ["no constraint", {}, ["amd-1", "amd-2", "arm-1", "arm-2"]],
    ["nodeSelector", { nodeSelector: { "kubernetes.io/arch": "arm64" } }, ["arm-1", "arm-2"]],
    [
      "In",
      required({ matchExpressions: [{ key: "pool", operator: "In", values: ["graviton"] }] }),
      ["arm-1", "arm-2"],
    ],
    [
      "NotIn",
      required({ matchExpressions: [{ key: "pool", operator: "NotIn", values: ["graviton"] }] }),
      ["amd-1", "amd-2"],
    ],
    [
      "Exists",
      required({ matchExpressions: [{ key: "gen", operator: "Exists" }] }),
      ["arm-1", "arm-2"],
    ],
    [
      "DoesNotExist",
      required({ matchExpressions: [{ key: "gen", operator: "DoesNotExist" }] }),
      ["amd-1", "amd-2"],
    ],
    [
      "Gt",
      required({ matchExpressions: [{ key: "gen", operator: "Gt", values: ["2"] }] }),
      ["arm-1"],
    ],
    [
      "terms are ORed, expressions ANDed",
      required(
        {
          matchExpressions: [
            { key: "gen", operator: "Lt", values: ["3"] },
            { key: "pool", operator: "Exists" },
          ],
        },
        { matchFields: [{ key: "metadata.name", operator: "In", values: ["amd-1"] }] },
      ),
      ["amd-1", "arm-2"],
    ],
    ["an empty term matches nothing", required({}), []],
  ])("%s", (_name, placement, expected) => {
    expect(names(placement)).toEqual(expected);
  });
});

describe("platformVerdict", () => {
  it("an amd64-only image on arm64 nodes is refused, naming the nodes", () => {
    const verdict = platformVerdict(
      { platforms: AMD64 },
      { nodeSelector: { pool: "graviton" } },
      NODES,
    );
    expect(verdict).toEqual({
      ok: false,
      missing: [{ os: "linux", architecture: "arm64" }],
      message:
        "the image is for linux/amd64, but the pods can be scheduled on linux/arm64 (2 nodes, e.g. arm-1)",
    });
  });

  it("every eligible platform must be covered", () => {
    expect(platformVerdict({ platforms: AMD64 }, {}, NODES).ok).toBe(false);
    expect(platformVerdict({ platforms: BOTH }, {}, NODES).ok).toBe(true);
    expect(
      platformVerdict({ platforms: AMD64 }, { nodeSelector: { pool: "general" } }, NODES).ok,
    ).toBe(true);
  });

  it("a Legacy import's choice is named with the fix", () => {
    const verdict = platformVerdict(
      { platforms: AMD64, legacyList: "sha256:list" },
      { nodeSelector: { "kubernetes.io/arch": "arm64" } },
      NODES,
    );
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.message).toContain(
        "the tag's Legacy import chose linux/amd64 from manifest list sha256:list: set importPolicy.importMode: PreserveOriginal",
      );
    }
  });

  it.each([
    ["no nodes known", AMD64, [], "no nodes are known"],
    ["no node matches", AMD64, [node("x", "arm64")], "no known node matches"],
    ["platforms unknown", [], NODES, "platforms are unknown"],
  ])("%s: rolls, with a note", (_name, platforms, nodes, note) => {
    const placement = { nodeSelector: { pool: "none" } };
    const verdict = platformVerdict({ platforms }, nodes.length === 1 ? placement : {}, nodes);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.note).toContain(note);
  });
});
