import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS } from "../../api/types.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  APPLIED_LABEL_PREFIX,
  appliedImageHash,
  serializeLastApplied,
} from "./last-applied.js";
import { parseTriggers } from "./parse-triggers.js";
import { planTriggerUpdates, type TriggerPlan } from "./plan.js";
import type { TriggerLookups } from "./tag-image.js";
import { recordedAs, SIDECAR_PATH, trigger, WEB_PATH, withTriggers, workload } from "./testdata.js";
import type { Workload } from "./types.js";

const V1 = "quay.io/shop/web@sha256:1111";
const V2 = "quay.io/shop/web@sha256:2222";
const HAND = "quay.io/shop/web:hotfix";

/**
 * Tags by "namespace/stream:tag", their earlier images in `earlier`; streams
 * in "images" let only "shop" follow them.
 */
function lookups(
  tags: Record<string, string>,
  earlier: Record<string, string[]> = {},
): TriggerLookups {
  return {
    tagImage: (namespace, stream, tag) => tags[`${namespace}/${stream}:${tag}`],
    crossNamespaceAllowed: (namespace, _stream, target) =>
      namespace === "images" && target === "shop",
    heldBefore: (namespace, stream, tag, image) =>
      earlier[`${namespace}/${stream}:${tag}`]?.includes(image) ?? false,
  };
}

interface Case {
  container: string;
  record?: string;
  tag?: string;
  /** the tag's earlier images */
  history?: string[];
  paused?: boolean;
}

function scenario({ container, record, tag, history, paused }: Case) {
  const metadata = record === undefined ? {} : recordedAs({ [WEB_PATH]: record });
  const object = withTriggers(workload("Deployment", { web: container }, metadata), [
    trigger("web:latest", WEB_PATH, paused === undefined ? {} : { paused }),
  ]);
  const tags: Record<string, string> = tag === undefined ? {} : { "shop/web:latest": tag };
  return plan(object, lookups(tags, history ? { "shop/web:latest": history } : {}));
}

function plan(object: Workload, lookup: TriggerLookups): TriggerPlan {
  const parsed = parseTriggers(object.metadata?.annotations?.[ANN_TRIGGERS], object);
  return planTriggerUpdates(object, parsed, lookup);
}

describe("planTriggerUpdates: when a container is written (ADR 0006)", () => {
  it.each([
    // what the container runs, what we last applied, where the tag points -> outcome
    ["new trigger: brought to the tag", { container: V1, tag: V2 }, "NewTrigger", V2],
    [
      "new trigger at an image the tag never held: brought to the tag",
      { container: V1, tag: V2, history: [HAND] },
      "NewTrigger",
      V2,
    ],
    [
      "created at the tag's earlier image, unrecorded: the tag moved",
      { container: V1, tag: V2, history: [V1] },
      "TagMoved",
      V2,
    ],
    ["tag moved: rolled", { container: V1, record: V1, tag: V2 }, "TagMoved", V2],
    [
      "tag moved after a manual change: rolled",
      { container: HAND, record: V1, tag: V2 },
      "TagMoved",
      V2,
    ],
    [
      "manual change, tag unchanged: left alone",
      { container: HAND, record: V2, tag: V2 },
      "ManualOverride",
      V2,
    ],
    [
      "rollout undo, tag unchanged: left alone",
      { container: V1, record: V2, tag: V2 },
      "ManualOverride",
      V2,
    ],
    [
      "paused, tag moved: nothing",
      { container: V1, record: V1, tag: V2, paused: true },
      "Paused",
      V1,
    ],
    [
      "paused new trigger: nothing, nothing recorded",
      { container: V1, tag: V2, paused: true },
      "Paused",
      undefined,
    ],
    ["tag without image: nothing", { container: V1, record: V1 }, "NoImage", V1],
    [
      "already at the tag: nothing to change",
      { container: V2, record: V2, tag: V2 },
      "UpToDate",
      V2,
    ],
    [
      "already at the tag, unrecorded: recorded with the next write, no write of its own",
      { container: V2, tag: V2 },
      "UpToDate",
      V2,
    ],
    [
      "set by hand to the moved tag: recorded with the next write, no write of its own",
      { container: V2, record: V1, tag: V2 },
      "UpToDate",
      V2,
    ],
  ] as [string, Case, string, string | undefined][])("%s", (_, input, outcome, recorded) => {
    const result = scenario(input);
    const changed = result.changes.map((c) => c.cause);
    const skipped = result.skipped.map((s) => s.reason);
    expect([...changed, ...skipped]).toEqual([outcome]);
    expect(result.lastApplied[WEB_PATH]).toBe(recorded);
    expect(result.problems).toEqual([]);
    const recordMoved = recorded !== input.record;
    expect(result.lastAppliedChanged).toBe(recordMoved);
    const writes = changed.length > 0 || (recordMoved && outcome !== "UpToDate");
    expect(result.needsWrite).toBe(writes);
  });

  it("describes a change with the container, both images and the trigger", () => {
    const result = scenario({ container: V1, record: V1, tag: V2 });
    expect(result.changes).toEqual([
      {
        containerList: "containers",
        containerName: "web",
        oldImage: V1,
        newImage: V2,
        trigger: expect.objectContaining({ fieldPath: WEB_PATH }),
        cause: "TagMoved",
      },
    ]);
  });

  it.each([
    [
      { container: HAND, record: V2, tag: V2 },
      `container "web" was changed to ${HAND} after we set ${V2}; it is left alone until shop/web:latest moves`,
    ],
    [{ container: V1, record: V1, tag: V2, paused: true }, "trigger on shop/web:latest is paused"],
    [{ container: V1 }, "image stream tag shop/web:latest has no image yet"],
    [{ container: V2, tag: V2 }, `container "web" already runs shop/web:latest (${V2})`],
  ] as [Case, string][])("says why nothing was written: %j", (input, message) => {
    expect(scenario(input).skipped.map((s) => s.message)).toEqual([message]);
  });
});

describe("planTriggerUpdates: several triggers and namespaces", () => {
  const base = workload(
    "Deployment",
    { web: V1, sidecar: "quay.io/shop/proxy:1" },
    { initContainers: { migrate: "quay.io/shop/migrate:1" } },
  );

  it("plans each trigger on its own and records all of them", () => {
    const object = withTriggers(base, [
      trigger("web:latest", WEB_PATH),
      {
        from: { kind: "ImageStreamTag", name: "proxy:stable", namespace: "images" },
        fieldPath: SIDECAR_PATH,
      },
      trigger("migrate:latest", "spec.template.spec.initContainers[0].image"),
    ]);
    const result = plan(
      object,
      lookups({
        "shop/web:latest": V2,
        "images/proxy:stable": "quay.io/shop/proxy@sha256:99",
        "shop/migrate:latest": "quay.io/shop/migrate:1",
      }),
    );
    expect(result.changes.map((c) => [c.containerName, c.newImage])).toEqual([
      ["web", V2],
      ["sidecar", "quay.io/shop/proxy@sha256:99"],
    ]);
    expect(result.skipped.map((s) => [s.trigger.container.name, s.reason])).toEqual([
      ["migrate", "UpToDate"],
    ]);
    expect(result.lastApplied).toEqual({
      [WEB_PATH]: V2,
      [SIDECAR_PATH]: "quay.io/shop/proxy@sha256:99",
      'spec.template.spec.initContainers[?(@.name=="migrate")].image': "quay.io/shop/migrate:1",
    });
  });

  it("refuses a cross-namespace trigger the source stream does not allow, with the fix", () => {
    const object = withTriggers(workload("Deployment", { web: V1 }, { namespace: "other" }), [
      {
        from: { kind: "ImageStreamTag", name: "web:latest", namespace: "images" },
        fieldPath: WEB_PATH,
      },
    ]);
    const result = plan(object, lookups({ "images/web:latest": V2 }));
    expect(result.changes).toEqual([]);
    const message =
      'cross-namespace trigger not allowed: imagestream images/web does not exist or is not shared with namespace "other"; ' +
      'add annotation imagestream-operator.io/allowed-namespaces: "other" (a comma-separated list, or "*") to imagestream images/web';
    expect(result.problems).toEqual([{ reason: "CrossNamespaceNotAllowed", message, position: 0 }]);
    expect(result.skipped.map((s) => [s.reason, s.message])).toEqual([
      ["CrossNamespaceNotAllowed", message],
    ]);
    expect(result.needsWrite).toBe(false);
  });

  it("reports a denied cross-namespace trigger even when paused", () => {
    const object = withTriggers(workload("Deployment", { web: V1 }, { namespace: "other" }), [
      {
        from: { kind: "ImageStreamTag", name: "web:latest", namespace: "images" },
        fieldPath: WEB_PATH,
        paused: true,
      },
    ]);
    expect(plan(object, lookups({})).problems.map((p) => p.reason)).toEqual([
      "CrossNamespaceNotAllowed",
    ]);
  });
});

describe("planTriggerUpdates: a stream that does not exist", () => {
  const object = withTriggers(workload("Deployment", { web: V1, sidecar: "proxy" }), [
    trigger("wbe:latest", WEB_PATH),
    trigger("proxy:stable", SIDECAR_PATH, { paused: true }),
  ]);
  const withStreams = (names: string[]): TriggerLookups => ({
    ...lookups({ "shop/web:latest": V2 }),
    streamExists: (namespace, stream) => names.includes(`${namespace}/${stream}`),
  });

  it("reports a same-namespace stream that is missing, paused or not, and writes nothing", () => {
    const result = plan(object, withStreams(["shop/web"]));
    const message =
      'image stream shop/wbe does not exist: check from.name "wbe:latest" (STREAM:TAG), ' +
      'or create image stream shop/wbe with tag "latest"';
    expect(result.problems[0]).toEqual({ reason: "NoSuchStream", message, position: 0 });
    expect(result.problems.map((p) => [p.reason, p.position])).toEqual([
      ["NoSuchStream", 0],
      ["NoSuchStream", 1],
    ]);
    expect(result.skipped.map((s) => s.reason)).toEqual(["NoImage", "NoImage"]);
    expect(result.needsWrite).toBe(false);
  });

  it("says nothing about an existing stream whose tag has no image yet", () => {
    const result = plan(object, withStreams(["shop/wbe", "shop/proxy"]));
    expect(result.problems).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(["NoImage", "Paused"]);
  });

  it("keeps the record of a trigger whose stream went missing", () => {
    const recorded = withTriggers(
      workload("Deployment", { web: V1 }, recordedAs({ [WEB_PATH]: V1 })),
      [trigger("web:latest", WEB_PATH)],
    );
    const result = plan(recorded, withStreams([]));
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V1 });
    expect(result.needsWrite).toBe(false);
  });
});

describe("planTriggerUpdates: a tag that does not exist in an existing stream", () => {
  const object = withTriggers(workload("Deployment", { web: V1, sidecar: "proxy" }), [
    trigger("web:lates", WEB_PATH),
    trigger("proxy:stable", SIDECAR_PATH, { paused: true }),
  ]);
  const withTags = (tags: string[]): TriggerLookups => ({
    ...lookups({ "shop/web:latest": V2 }),
    streamExists: () => true,
    tagExists: (namespace, stream, tag) => tags.includes(`${namespace}/${stream}:${tag}`),
  });

  it("reports the missing tag, paused or not, and writes nothing", () => {
    const result = plan(object, withTags(["shop/web:latest"]));
    const message =
      'image stream shop/web has no tag "lates": check from.name "web:lates", ' +
      "or add the tag (kubectl imagestream tag SOURCE web:lates)";
    expect(result.problems[0]).toEqual({ reason: "NoSuchTag", message, position: 0 });
    expect(result.problems.map((p) => [p.reason, p.position])).toEqual([
      ["NoSuchTag", 0],
      ["NoSuchTag", 1],
    ]);
    expect(result.skipped.map((s) => [s.reason, s.message])).toEqual([
      ["NoImage", `image stream tag shop/web:lates has no image: ${message}`],
      ["NoImage", expect.stringContaining('image stream shop/proxy has no tag "stable"')],
    ]);
    expect(result.needsWrite).toBe(false);
  });

  it("says nothing about a tag that exists without an image yet", () => {
    const result = plan(object, withTags(["shop/web:lates", "shop/proxy:stable"]));
    expect(result.problems).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(["NoImage", "Paused"]);
  });
});

describe("planTriggerUpdates: the record", () => {
  function recorded(record: Record<string, string>, triggers: unknown, container = V1): Workload {
    const { annotations, labels } = recordedAs(record);
    annotations[ANN_TRIGGERS] = typeof triggers === "string" ? triggers : JSON.stringify(triggers);
    return workload(
      "Deployment",
      { web: container, sidecar: "quay.io/shop/proxy:1" },
      { annotations, labels },
    );
  }
  const tags = lookups({ "shop/web:latest": V2 });

  it("drops entries of triggers that were removed", () => {
    const object = recorded({ [WEB_PATH]: V2, [SIDECAR_PATH]: "quay.io/shop/proxy:1" }, [
      trigger("web:latest", WEB_PATH),
    ]);
    const result = plan(object, tags);
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2 });
    expect(result.lastAppliedChanged).toBe(true);
    expect(result.changes).toEqual([]);
  });

  it("empties the record when the triggers annotation is gone", () => {
    const object = recorded({ [WEB_PATH]: V2 }, "");
    const result = plan(object, tags);
    expect(result.lastApplied).toEqual({});
    expect(result.lastAppliedChanged).toBe(true);
    expect(result.needsWrite).toBe(true);
  });

  it("keeps every entry while the annotation has problems, so fixing a typo undoes no rollback", () => {
    const object = recorded({ [WEB_PATH]: V2, [SIDECAR_PATH]: "quay.io/shop/proxy:1" }, [
      trigger("web:latest", WEB_PATH),
      trigger("proxy", SIDECAR_PATH),
    ]);
    const result = plan(object, tags);
    expect(result.problems.map((p) => p.reason)).toEqual(["InvalidTrigger"]);
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2, [SIDECAR_PATH]: "quay.io/shop/proxy:1" });
    expect(result.skipped.map((s) => s.reason)).toEqual(["ManualOverride"]);
    expect(result.needsWrite).toBe(false);
  });

  it("treats a damaged record as empty, reports it, and rewrites it", () => {
    const object = recorded({}, [trigger("web:latest", WEB_PATH)]);
    const annotations = object.metadata?.annotations ?? {};
    annotations[ANN_LAST_APPLIED_IMAGES] = "{not json";
    const result = plan(object, tags);
    expect(result.problems.map((p) => p.reason)).toEqual(["InvalidLastApplied"]);
    expect(result.changes.map((c) => c.cause)).toEqual(["NewTrigger"]);
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2 });
    expect(result.lastAppliedChanged).toBe(true);
  });

  it("matches a record written under another spelling of the same container", () => {
    const object = recorded({ [WEB_PATH]: V2 }, [
      trigger("web:latest", "spec.template.spec.containers[0].image"),
    ]);
    const result = plan(object, tags);
    expect(result.skipped.map((s) => s.reason)).toEqual(["ManualOverride"]);
    expect(result.needsWrite).toBe(false);
  });
});

describe("planTriggerUpdates: a record restored by `kubectl rollout undo`", () => {
  // rollout undo puts the ReplicaSet's copy of the annotations back: the
  // record names V1 again, while the label still says we last applied V2
  function restored(container: string, labelImage: string | undefined): Workload {
    const annotations = { [ANN_LAST_APPLIED_IMAGES]: serializeLastApplied({ [WEB_PATH]: V1 }) };
    const labels =
      labelImage === undefined
        ? undefined
        : { [`${APPLIED_LABEL_PREFIX}web`]: appliedImageHash(labelImage) };
    return withTriggers(
      workload("Deployment", { web: container }, { annotations, ...(labels ? { labels } : {}) }),
      [trigger("web:latest", WEB_PATH)],
    );
  }

  it("leaves the rolled-back container alone and corrects the record, with no image write", () => {
    const result = plan(restored(V1, V2), lookups({ "shop/web:latest": V2 }));
    expect(result.skipped.map((s) => s.reason)).toEqual(["ManualOverride"]);
    expect(result.changes).toEqual([]);
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2 });
    expect(result.appliedLabels).toEqual({});
  });

  it("rolls it when the tag has moved since our last write", () => {
    const V3 = "quay.io/shop/web@sha256:3333";
    const result = plan(restored(V1, V2), lookups({ "shop/web:latest": V3 }));
    expect(result.changes.map((c) => [c.cause, c.newImage])).toEqual([["TagMoved", V3]]);
    expect(result.appliedLabels).toEqual({ web: appliedImageHash(V3) });
  });

  it("trusts the annotation of a workload written before labels; the label waits for a write", () => {
    const result = plan(restored(V1, undefined), lookups({ "shop/web:latest": V1 }));
    expect(result.skipped.map((s) => s.reason)).toEqual(["UpToDate"]);
    expect(result.lastAppliedChanged).toBe(false);
    expect(result.appliedLabels).toEqual({ web: appliedImageHash(V1) });
    expect(result.needsWrite).toBe(false);
  });

  it("stores the up-to-date containers' records along with another container's write", () => {
    const object = withTriggers(workload("Deployment", { web: V2, sidecar: "proxy:1" }), [
      trigger("web:latest", WEB_PATH),
      trigger("proxy:stable", SIDECAR_PATH),
    ]);
    const result = plan(
      object,
      lookups({ "shop/web:latest": V2, "shop/proxy:stable": "proxy@sha256:2" }),
    );
    expect(result.skipped.map((s) => s.reason)).toEqual(["UpToDate"]);
    expect(result.changes.map((c) => c.containerName)).toEqual(["sidecar"]);
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2, [SIDECAR_PATH]: "proxy@sha256:2" });
    expect(result.appliedLabels).toEqual({
      web: appliedImageHash(V2),
      sidecar: appliedImageHash("proxy@sha256:2"),
    });
    expect(result.needsWrite).toBe(true);
  });

  it("removes our labels from a workload whose triggers and record were both removed", () => {
    const { labels } = recordedAs({ [WEB_PATH]: V2 });
    const object = workload("Deployment", { web: V2 }, { labels });
    const result = plan(object, lookups({ "shop/web:latest": V2 }));
    expect(result.lastApplied).toEqual({});
    expect(result.appliedLabels).toEqual({ web: null });
    expect(result.needsWrite).toBe(true);
  });

  it("removes the labels of containers whose record entry is dropped", () => {
    const object = withTriggers(
      workload(
        "Deployment",
        { web: V2, sidecar: "proxy:1" },
        recordedAs({ [WEB_PATH]: V2, [SIDECAR_PATH]: "proxy:1" }),
      ),
      [trigger("web:latest", WEB_PATH)],
    );
    const result = plan(object, lookups({ "shop/web:latest": V2 }));
    expect(result.lastApplied).toEqual({ [WEB_PATH]: V2 });
    expect(result.appliedLabels).toEqual({ sidecar: null });
  });
});
