import { describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagReference } from "../api/types.js";
import {
  isImportPending,
  observedGeneration,
  pendingCause,
  planSettledGenerations,
  planSpecGenerations,
  withFirstRepositoryCheck,
} from "./generations.js";
import { specFingerprint } from "./spec-tags.js";
import {
  digest,
  dockerTag,
  event,
  failure,
  istag,
  makeStream,
  patchSpec,
  statusTag,
} from "./test-fixtures.js";
import type { PlannerConfig, StatusTag } from "./types.js";

/** A stream whose status records an outcome for `recorded` (the spec the last import used). */
function observedStream(opts: {
  spec: TagReference;
  recorded?: TagReference;
  observed: number;
  generation: number;
  cfg?: PlannerConfig;
}): ImageStream {
  const base = makeStream({ tags: [opts.spec], generation: opts.generation });
  const hash = specFingerprint(base, opts.recorded ?? opts.spec, opts.cfg);
  base.status = {
    tags: [statusTag(opts.spec.name, [event(digest("a"), opts.observed)], { specHash: hash })],
  };
  return base;
}

describe("observedGeneration", () => {
  it.each<[string, StatusTag | undefined, number]>([
    ["no status tag", undefined, 0],
    ["items null, no condition", statusTag("t", null), 0],
    ["items[0] only", statusTag("t", [event(digest("a"), 3), event(digest("b"), 7)]), 3],
    [
      "failure newer than items",
      statusTag("t", [event(digest("a"), 3)], { conditions: [failure("NotFound", 5)] }),
      5,
    ],
    [
      "items newer than condition",
      statusTag("t", [event(digest("a"), 6)], { conditions: [failure("NotFound", 5)] }),
      6,
    ],
    ["failure only", statusTag("t", null, { conditions: [failure("Unauthorized", 2)] }), 2],
  ])("%s", (_name, tag, expected) => {
    expect(observedGeneration(tag)).toBe(expected);
  });
});

describe("planSpecGenerations: which tags are stamped", () => {
  const ref = "quay.io/org/app:1";
  const cases: [string, ImageStream, { name: string; generation: number }[]][] = [
    [
      "new stream: tags without generation get metadata.generation",
      makeStream({
        generation: 1,
        tags: [
          dockerTag("a", ref, { generation: undefined }),
          dockerTag("b", ref, { generation: null }),
        ],
      }),
      [
        { name: "a", generation: 1 },
        { name: "b", generation: 1 },
      ],
    ],
    [
      "generation 0 (re-import request) on an imported tag",
      observedStream({ spec: dockerTag("t", ref, { generation: 0 }), observed: 4, generation: 9 }),
      [{ name: "t", generation: 9 }],
    ],
    [
      "unchanged and observed: nothing",
      observedStream({ spec: dockerTag("t", ref, { generation: 4 }), observed: 4, generation: 9 }),
      [],
    ],
    [
      "from.name changed after the import: stamped",
      observedStream({
        spec: dockerTag("t", "quay.io/org/app:2", { generation: 4 }),
        recorded: dockerTag("t", ref),
        observed: 4,
        generation: 9,
      }),
      [{ name: "t", generation: 9 }],
    ],
    [
      "from.kind changed: stamped",
      observedStream({
        spec: istag("t", "other:1", { generation: 4 }),
        recorded: dockerTag("t", "other:1"),
        observed: 4,
        generation: 6,
      }),
      [{ name: "t", generation: 6 }],
    ],
    [
      "reference changed: stamped",
      observedStream({
        spec: dockerTag("t", ref, { generation: 4, reference: true }),
        recorded: dockerTag("t", ref),
        observed: 4,
        generation: 5,
      }),
      [{ name: "t", generation: 5 }],
    ],
    [
      "importMode changed: stamped",
      observedStream({
        spec: dockerTag("t", ref, {
          generation: 4,
          importPolicy: { importMode: "PreserveOriginal" },
        }),
        recorded: dockerTag("t", ref),
        observed: 4,
        generation: 5,
      }),
      [{ name: "t", generation: 5 }],
    ],
    [
      "importMode empty -> Legacy under default Legacy is no change",
      observedStream({
        spec: dockerTag("t", ref, { generation: 4, importPolicy: { importMode: "Legacy" } }),
        recorded: dockerTag("t", ref, { importPolicy: { importMode: "" } }),
        observed: 4,
        generation: 5,
      }),
      [],
    ],
    [
      "insecure, scheduled and referencePolicy alone are no change",
      observedStream({
        spec: dockerTag("t", ref, {
          generation: 4,
          importPolicy: { insecure: true, scheduled: true },
          referencePolicy: { type: "Local" },
        }),
        recorded: dockerTag("t", ref),
        observed: 4,
        generation: 5,
      }),
      [],
    ],
    [
      "from.namespace set to the stream's own namespace is no change",
      observedStream({
        spec: istag("t", "other:1", {
          generation: 2,
          from: { kind: "ImageStreamTag", name: "other:1", namespace: "team" },
        }),
        recorded: istag("t", "other:1"),
        observed: 2,
        generation: 3,
      }),
      [],
    ],
    [
      "from.namespace changed to another namespace: stamped",
      observedStream({
        spec: istag("t", "other:1", {
          generation: 2,
          from: { kind: "ImageStreamTag", name: "other:1", namespace: "shared" },
        }),
        recorded: istag("t", "other:1"),
        observed: 2,
        generation: 3,
      }),
      [{ name: "t", generation: 3 }],
    ],
    [
      "changed but already pending (generation above observed): not stamped again",
      observedStream({
        spec: dockerTag("t", "quay.io/org/app:2", { generation: 7 }),
        recorded: dockerTag("t", ref),
        observed: 4,
        generation: 8,
      }),
      [],
    ],
    [
      "new tag with a generation the user set: already pending, kept",
      makeStream({ generation: 3, tags: [dockerTag("t", ref, { generation: 2 })] }),
      [],
    ],
    [
      "status observed beyond metadata.generation: stamp goes above observed",
      observedStream({
        spec: dockerTag("t", "quay.io/org/app:2", { generation: 4 }),
        recorded: dockerTag("t", ref),
        observed: 12,
        generation: 5,
      }),
      [{ name: "t", generation: 13 }],
    ],
    [
      "status without fingerprint (bulk-imported tag now in spec): stamped once",
      (() => {
        const s = makeStream({ generation: 2, tags: [dockerTag("t", ref, { generation: 1 })] });
        s.status = { tags: [statusTag("t", [event(digest("a"), 1)])] };
        return s;
      })(),
      [{ name: "t", generation: 2 }],
    ],
  ];
  it.each(cases)("%s", (_name, stream, expected) => {
    const plan = planSpecGenerations(stream);
    expect(plan.updates.map(({ name, generation }) => ({ name, generation }))).toEqual(expected);
  });

  it("with default PreserveOriginal, empty -> Legacy is a change", () => {
    const cfg: PlannerConfig = { defaultImportMode: "PreserveOriginal" };
    const stream = observedStream({
      spec: dockerTag("t", ref, { generation: 4, importPolicy: { importMode: "Legacy" } }),
      recorded: dockerTag("t", ref),
      observed: 4,
      generation: 5,
      cfg,
    });
    expect(planSpecGenerations(stream, cfg).updates).toEqual([
      { index: 0, name: "t", generation: 5 },
    ]);
  });
});

describe("planSpecGenerations: the patch", () => {
  it("guards with resourceVersion and each tag's name, then adds the generation", () => {
    const stream = makeStream({
      resourceVersion: "42",
      generation: 3,
      tags: [
        dockerTag("keep", "r:1", { generation: undefined }),
        dockerTag("x", "r:2", { generation: 0 }),
      ],
    });
    expect(planSpecGenerations(stream).patch).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "test", path: "/spec/tags/0/name", value: "keep" },
      { op: "add", path: "/spec/tags/0/generation", value: 3 },
      { op: "test", path: "/spec/tags/1/name", value: "x" },
      { op: "add", path: "/spec/tags/1/generation", value: 3 },
    ]);
  });

  it("is empty when nothing changes", () => {
    const stream = observedStream({
      spec: dockerTag("t", "r:1", { generation: 2 }),
      observed: 2,
      generation: 2,
    });
    expect(planSpecGenerations(stream)).toEqual({ updates: [], patch: [] });
  });
});

describe("planSpecGenerations: no loop after our own patch bumps metadata.generation", () => {
  const starts: [string, ImageStream][] = [
    [
      "fresh stream",
      makeStream({
        generation: 1,
        tags: [dockerTag("a", "r:1", { generation: undefined }), istag("b", "a")],
      }),
    ],
    [
      "re-import request",
      observedStream({
        spec: dockerTag("t", "r:1", { generation: 0 }),
        observed: 3,
        generation: 3,
      }),
    ],
    [
      "changed source",
      observedStream({
        spec: dockerTag("t", "r:2", { generation: 3 }),
        recorded: dockerTag("t", "r:1"),
        observed: 3,
        generation: 4,
      }),
    ],
  ];
  it.each(starts)("%s: one stamp, then nothing, and the tag reads as pending", (_name, start) => {
    const first = planSpecGenerations(start);
    expect(first.updates.length).toBeGreaterThan(0);
    const patched = patchSpec(start, first.patch);
    expect(patched.metadata.generation).toBe((start.metadata.generation ?? 1) + 1);
    expect(planSpecGenerations(patched)).toEqual({ updates: [], patch: [] });
    for (const u of first.updates) {
      expect(pendingCause(patched, patched.spec?.tags?.[u.index] as TagReference)).toBeDefined();
    }
  });
});

describe("isImportPending", () => {
  const ref = "quay.io/org/app:1";
  it.each<[string, ImageStream, string, boolean]>([
    ["new docker tag", makeStream({ tags: [dockerTag("t", ref)] }), "t", true],
    [
      "imported at its generation",
      observedStream({ spec: dockerTag("t", ref, { generation: 2 }), observed: 2, generation: 2 }),
      "t",
      false,
    ],
    [
      "generation above observed",
      observedStream({ spec: dockerTag("t", ref, { generation: 3 }), observed: 2, generation: 3 }),
      "t",
      true,
    ],
    [
      "spec changed, not yet stamped",
      observedStream({
        spec: dockerTag("t", "r:9", { generation: 2 }),
        recorded: dockerTag("t", ref),
        observed: 2,
        generation: 3,
      }),
      "t",
      true,
    ],
    [
      "failed at its generation (observed, retried by backoff instead)",
      (() => {
        const s = makeStream({ tags: [dockerTag("t", ref, { generation: 2 })], generation: 2 });
        s.status = {
          tags: [
            statusTag("t", null, {
              conditions: [failure("NotFound", 2)],
              specHash: specFingerprint(s, dockerTag("t", ref)),
            }),
          ],
        };
        return s;
      })(),
      "t",
      false,
    ],
    ["tracking tag", makeStream({ tags: [dockerTag("a", ref), istag("b", "a")] }), "b", false],
    ["tag without from", makeStream({ tags: [{ name: "t", generation: 1 }] }), "t", false],
    ["unknown tag", makeStream({ tags: [dockerTag("t", ref)] }), "nope", false],
    ["copy from another stream", makeStream({ tags: [istag("t", "base:1")] }), "t", true],
  ])("%s", (_name, stream, tag, expected) => {
    expect(isImportPending(stream, tag)).toBe(expected);
  });
});

describe("planSettledGenerations", () => {
  const ref = "quay.io/org/app:1";
  it.each<[string, ImageStream, string[], { name: string; generation: number }[]]>([
    [
      "re-import found the same image: back to the observed generation",
      observedStream({ spec: dockerTag("t", ref, { generation: 0 }), observed: 4, generation: 9 }),
      ["t"],
      [{ name: "t", generation: 4 }],
    ],
    [
      "stamped request, same image found: back down to the observed generation",
      observedStream({ spec: dockerTag("t", ref, { generation: 9 }), observed: 4, generation: 10 }),
      ["t"],
      [{ name: "t", generation: 4 }],
    ],
    [
      "null generation after an import",
      observedStream({
        spec: dockerTag("t", ref, { generation: null }),
        observed: 9,
        generation: 9,
      }),
      ["t"],
      [{ name: "t", generation: 9 }],
    ],
    [
      "already equal: nothing",
      observedStream({ spec: dockerTag("t", ref, { generation: 4 }), observed: 4, generation: 9 }),
      ["t"],
      [],
    ],
    [
      "tag without an outcome this pass is left alone",
      observedStream({ spec: dockerTag("t", ref, { generation: 0 }), observed: 4, generation: 9 }),
      [],
      [],
    ],
    [
      "nothing observed yet: nothing to settle to",
      makeStream({ tags: [dockerTag("t", ref, { generation: 0 })] }),
      ["t"],
      [],
    ],
  ])("%s", (_name, stream, outcomeTags, expected) => {
    const plan = planSettledGenerations(stream, new Set(outcomeTags));
    expect(plan.updates.map(({ name, generation }) => ({ name, generation }))).toEqual(expected);
    if (expected.length > 0) {
      const settled = patchSpec(stream, plan.patch);
      expect(pendingCause(settled, settled.spec?.tags?.[0] as TagReference)).toBeUndefined();
      expect(planSpecGenerations(settled)).toEqual({ updates: [], patch: [] });
    }
  });
});

describe("withFirstRepositoryCheck", () => {
  const AT = "2026-01-01T12:00:00Z";
  const stamp = {
    updates: [{ index: 0, name: "a", generation: 1 }],
    patch: [{ op: "add" as const, path: "/spec/tags/0/generation", value: 1 }],
  };
  it("adds the annotation map to a stream without annotations", () => {
    const plan = withFirstRepositoryCheck(makeStream({}), stamp, AT);
    expect(plan.patch.at(-1)).toEqual({
      op: "add",
      path: "/metadata/annotations",
      value: { [ANN_DOCKER_REPOSITORY_CHECK]: AT },
    });
  });
  it("adds one key (pointer-escaped) beside existing annotations", () => {
    const plan = withFirstRepositoryCheck(makeStream({ annotations: { x: "y" } }), stamp, AT);
    expect(plan.patch.at(-1)).toEqual({
      op: "add",
      path: "/metadata/annotations/openshift.io~1image.dockerRepositoryCheck",
      value: AT,
    });
  });
  it.each([
    ["no stamp to carry it", makeStream({}), { updates: [], patch: [] }],
    [
      "a stream checked before",
      makeStream({ annotations: { [ANN_DOCKER_REPOSITORY_CHECK]: "2025-01-01T00:00:00Z" } }),
      stamp,
    ],
  ])("leaves the plan alone with %s", (_what, s, plan) => {
    expect(withFirstRepositoryCheck(s, plan, AT)).toBe(plan);
  });
});
