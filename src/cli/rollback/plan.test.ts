import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import {
  applyOutcomes,
  planImports,
  planSpecGenerations,
  resolveLocally,
} from "../../reconcile/index.js";
import { retainHistory } from "../../reconcile/retention.js";
import type { LocalWork } from "../../reconcile/sources.js";
import { digest, event, makeStream, NOW, statusTag } from "../../reconcile/test-fixtures.js";
import { applyPatch } from "../testing/json-patch.js";
import { ANN_PINNED_TAGS, pinRecords, pinState } from "./pin.js";
import { planRollback, planUndo, type RollbackTarget, settingsList } from "./plan.js";

const A = digest("a");
const B = digest("b");
const C = digest("c");
const SOURCE = "quay.io/org/app:latest";
const followed: TagReference = {
  name: "latest",
  annotations: { "importer.image.openshift.io/prefer-arch": "arm64" },
  from: { kind: "DockerImage", name: SOURCE },
  importPolicy: { scheduled: true, insecure: true, importMode: "PreserveOriginal" },
  referencePolicy: { type: "Local" },
  generation: 3,
};

/** latest: A (current, generation 3), B, C, all imported from SOURCE. */
function stream(tag: TagReference = followed, extra: Partial<ImageStream["metadata"]> = {}) {
  const s = makeStream({
    tags: [tag],
    status: [statusTag("latest", [event(A, 3), event(B, 2), event(C, 1)])],
    resourceVersion: "7",
  });
  return { ...s, metadata: { ...s.metadata, ...extra } };
}

const roll = (s: ImageStream, to: RollbackTarget = { kind: "previous" }) =>
  planRollback(s, "latest", to, "app:latest", NOW);

describe("planRollback: the target", () => {
  it.each([
    [{ kind: "previous" }, B, 2],
    [{ kind: "revision", revision: 1 }, C, 1],
    [{ kind: "digest", digest: C }, C, 1],
    [{ kind: "digest", digest: "cccccc" }, C, 1],
    [{ kind: "digest", digest: "sha256:bbbb" }, B, 2],
  ] as const)("%j -> %s (revision %i)", (to, image, revision) => {
    const plan = roll(stream(), to);
    expect(plan.to.event.image).toBe(image);
    expect(plan.to.revision).toBe(revision);
    expect(plan.from).toMatchObject({ revision: 3, current: true, event: { image: A } });
  });

  it("previous skips items of the current image (a rollback toggles back)", () => {
    const s = makeStream({
      tags: [followed],
      status: [statusTag("latest", [event(B, 5), event(B, 4), event(A, 3)])],
    });
    expect(roll(s).to.event.image).toBe(A);
  });

  it.each([
    [{ kind: "revision", revision: 3 }, "already points at"],
    [{ kind: "revision", revision: 9 }, "has no revision 9: it has revisions 1 to 3"],
    [{ kind: "digest", digest: "dddddd" }, "is not in the history of tag app:latest"],
    [{ kind: "digest", digest: A }, "already points at"],
  ] as const)("%j is refused: %s", (to, message) => {
    expect(() => roll(stream(), to)).toThrow(message);
  });

  it("refuses a tag without history, without an earlier image, or without a spec tag", () => {
    const empty = makeStream({ tags: [followed], status: [] });
    expect(() => roll(empty)).toThrow("has no history yet");
    const single = makeStream({ tags: [followed], status: [statusTag("latest", [event(A)])] });
    expect(() => roll(single)).toThrow("has no earlier image to roll back to");
    const statusOnly = makeStream({
      tags: [],
      status: [statusTag("latest", [event(A), event(B)])],
    });
    expect(() => roll(statusOnly)).toThrow("has no spec tag");
    const missing = makeStream({ tags: [], status: [] });
    expect(() => roll(missing)).toThrow("does not exist on image stream team/app");
  });

  it("refuses an item without a digest (a reference tag)", () => {
    const s = makeStream({
      tags: [{ ...followed, reference: true }],
      status: [
        statusTag("latest", [event("", 2, "quay.io/org/app:2"), event("", 1, "quay.io/org/app:1")]),
      ],
    });
    expect(() => roll(s, { kind: "revision", revision: 1 })).toThrow("has no image digest");
  });
});

describe("planRollback: the write", () => {
  it("pins the tag to the image, keeps its annotations and reference policy, remembers the rest", () => {
    const plan = roll(stream());
    expect(plan.ops[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "7" });
    const after = applyPatch(stream(), plan.ops);
    expect(after.spec?.tags).toEqual([
      {
        name: "latest",
        annotations: followed.annotations,
        from: { kind: "ImageStreamImage", name: `app@${B}` },
        reference: false,
        referencePolicy: { type: "Local" },
        generation: 0,
      },
    ]);
    const { name: _n, generation: _g, ...previous } = followed;
    expect(pinRecords(after)).toEqual({
      latest: { image: B, previous, pinnedAt: "2026-01-01T12:00:00Z" },
    });
    expect(pinState(after, "latest").state).toBe("pinned");
    expect(plan.repinned).toBe(false);
  });

  it("a second rollback keeps what the tag followed before the first", () => {
    const pinned = applyPatch(stream(), roll(stream()).ops);
    const again = roll(pinned, { kind: "revision", revision: 1 });
    expect(again.repinned).toBe(true);
    expect(again.previous).toEqual({ name: "latest", ...pinRecords(pinned).latest?.previous });
    const after = applyPatch(pinned, again.ops);
    expect(pinRecords(after).latest?.image).toBe(C);
    expect(pinRecords(after).latest?.previous.from).toEqual(followed.from);
  });

  it("keeps the records of other tags and adds the annotation map when the stream has none", () => {
    const other = JSON.stringify({
      v1: { image: C, previous: { from: followed.from }, pinnedAt: "x" },
    });
    const s = stream(followed, { annotations: { [ANN_PINNED_TAGS]: other, keep: "me" } });
    const after = applyPatch(s, roll(s).ops);
    expect(Object.keys(pinRecords(after))).toEqual(["v1", "latest"]);
    expect(after.metadata.annotations?.keep).toBe("me");
    const bare = stream();
    expect(bare.metadata.annotations).toBeUndefined();
    expect(pinRecords(applyPatch(bare, roll(bare).ops)).latest?.image).toBe(B);
  });

  it("a record whose pin was replaced since (tag, an edit) is stale: a new rollback remembers the new source", () => {
    const pinned = applyPatch(stream(), roll(stream()).ops);
    const retagged: TagReference = {
      name: "latest",
      from: { kind: "DockerImage", name: "quay.io/org/app:2" },
    };
    const edited = { ...pinned, spec: { tags: [retagged] } };
    expect(pinState(edited, "latest").state).toBe("stale");
    const plan = roll(edited, { kind: "revision", revision: 1 });
    expect(plan.repinned).toBe(false);
    expect(pinRecords(applyPatch(edited, plan.ops)).latest?.previous.from).toEqual(retagged.from);
  });

  it("a damaged annotation reads as no records", () => {
    const s = stream(followed, { annotations: { [ANN_PINNED_TAGS]: "{not json" } });
    expect(pinRecords(s)).toEqual({});
    expect(pinRecords(applyPatch(s, roll(s).ops)).latest?.image).toBe(B);
  });
});

describe("planUndo", () => {
  it("restores the spec tag the rollback replaced, asks for an import, drops the record", () => {
    const pinned = applyPatch(stream(), roll(stream()).ops);
    const plan = planUndo(pinned, "latest", "app:latest");
    expect(plan.pinned).toBe(B);
    const after = applyPatch(pinned, plan.ops);
    expect(after.spec?.tags).toEqual([{ ...followed, generation: 0 }]);
    expect(after.metadata.annotations ?? {}).not.toHaveProperty(ANN_PINNED_TAGS);
    expect(settingsList(plan.restored)).toEqual([
      "scheduled, insecure, import mode PreserveOriginal, reference policy Local",
    ]);
  });

  it("keeps the other tags' records", () => {
    const other = JSON.stringify({
      v1: { image: C, previous: { from: followed.from }, pinnedAt: "x" },
    });
    const s = stream(followed, { annotations: { [ANN_PINNED_TAGS]: other } });
    const pinned = applyPatch(s, roll(s).ops);
    const after = applyPatch(pinned, planUndo(pinned, "latest", "app:latest").ops);
    expect(Object.keys(pinRecords(after))).toEqual(["v1"]);
  });

  it("refuses a tag that is not pinned, or whose pin was replaced since", () => {
    expect(() => planUndo(stream(), "latest", "app:latest")).toThrow("is not pinned by a rollback");
    const pinned = applyPatch(stream(), roll(stream()).ops);
    const edited = { ...pinned, spec: { tags: [followed] } };
    expect(() => planUndo(edited, "latest", "app:latest")).toThrow(
      "was changed after its rollback",
    );
  });
});

/** What the operator's planners do with a stream: stamp generations, plan, resolve locally, record. */
function operatorPass(s: ImageStream, now: Date) {
  const stamped = applyPatch(s, planSpecGenerations(s).patch);
  const plan = planImports(stamped, { now });
  const local = plan.items.filter(
    (i): i is LocalWork => i.kind !== "docker" && i.kind !== "repository",
  );
  const outcomes = local.flatMap((i) => resolveLocally(stamped, i, () => stamped) ?? []);
  const applied = applyOutcomes(stamped, outcomes, now);
  return { stream: { ...stamped, status: applied.status }, items: plan.items };
}

describe("a pinned tag in the operator's planners", () => {
  const pinned = applyPatch(stream(), roll(stream()).ops);

  it("resolves from the stream's own history, without a registry import, to the pinned image", () => {
    const pass = operatorPass(pinned, NOW);
    expect(pass.items.map((i) => i.kind)).toEqual(["isimage"]);
    const items = pass.stream.status?.tags?.[0]?.items ?? [];
    expect(items.map((i) => i.image)).toEqual([B, A, B, C]);
    expect(items[0]?.dockerImageReference).toBe(`quay.io/org/app@${B}`);
  });

  it("is not imported again later: no scheduled import, no re-check", () => {
    const settled = operatorPass(pinned, NOW).stream;
    const tomorrow = new Date(NOW.getTime() + 86_400_000);
    expect(planImports(settled, { now: tomorrow }).items).toEqual([]);
  });

  it("keeps its pinned image through history trimming: it is the current item", () => {
    const settled = operatorPass(pinned, NOW).stream;
    const kept = retainHistory(settled.status ?? {}, {
      maxItems: 1,
      budgetBytes: 1 << 20,
      runningImages: () => [],
    });
    expect(kept.status.tags?.[0]?.items?.map((i) => i.image)).toEqual([B]);
    // and the pin still resolves from what is kept
    const trimmed = { ...settled, status: kept.status };
    const again = applyPatch(trimmed, [
      { op: "replace", path: "/spec/tags/0/generation", value: 0 },
    ]);
    expect(operatorPass(again, NOW).stream.status?.tags?.[0]?.items?.[0]?.image).toBe(B);
  });

  it("after --undo the operator imports the restored source from the registry again", () => {
    const settled = operatorPass(pinned, NOW).stream;
    const undone = applyPatch(settled, planUndo(settled, "latest", "app:latest").ops);
    const stamped = applyPatch(undone, planSpecGenerations(undone).patch);
    const work = planImports(stamped, { now: NOW }).items;
    expect(work).toEqual([
      expect.objectContaining({
        kind: "docker",
        tag: "latest",
        request: expect.objectContaining({
          reference: SOURCE,
          insecure: true,
          importMode: "PreserveOriginal",
        }),
      }),
    ]);
  });
});
