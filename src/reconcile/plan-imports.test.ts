import { describe, expect, it } from "vitest";
import {
  ANN_DOCKER_REPOSITORY_CHECK,
  ANN_INSECURE_REPOSITORY,
  ANN_PREFER_ARCH,
  ANN_PREFER_OS,
  type ImageStream,
  type TagEvent,
  type TagReference,
} from "../api/types.js";
import { planImports, preferredPlatforms } from "./plan-imports.js";
import { nextScheduledSlotMs } from "./schedule.js";
import { specFingerprint } from "./spec-tags.js";
import {
  digest,
  dockerTag,
  EARLIER,
  event,
  failure,
  istag,
  makeStream,
  NOW,
} from "./test-fixtures.js";
import type { AttemptRecord, StatusTag, WorkItem } from "./types.js";

const A = digest("a");
const B = digest("b");

/** Records `items` (and conditions) for a spec tag as the controller would have: with its fingerprint. */
function record(
  stream: ImageStream,
  tagName: string,
  items: TagEvent[] | null,
  extra: Partial<StatusTag> = {},
) {
  const tag = stream.spec?.tags?.find((t) => t.name === tagName) as TagReference;
  const tags = (stream.status?.tags ?? []).filter((t) => t.tag !== tagName);
  tags.push({ tag: tagName, items, specHash: specFingerprint(stream, tag), ...extra } as StatusTag);
  stream.status = { ...stream.status, tags };
  return stream;
}

const ago = (s: number, failures = 0): AttemptRecord => ({
  at: new Date(NOW.getTime() - s * 1000),
  consecutiveFailures: failures,
});

function summary(items: WorkItem[]) {
  return items.map((i) => `${i.kind}:${i.tag}:${i.cause}`);
}

/** A stream with one tag of each kind, all observed at their current spec. */
function settledStream(): ImageStream {
  const s = makeStream({
    generation: 5,
    tags: [
      dockerTag("web", "quay.io/org/web:1", { generation: 3 }),
      dockerTag("sched", "quay.io/org/web:2", { generation: 2, importPolicy: { scheduled: true } }),
      dockerTag("ref", "quay.io/org/web:3", { generation: 2, reference: true }),
      istag("latest", "web", { generation: 4 }),
      istag("copy", "base:v1", { generation: 2 }),
      { name: "pinned", from: { kind: "ImageStreamImage", name: "base@abc" }, generation: 2 },
      { name: "pushed", generation: 1 },
    ],
  });
  record(s, "web", [event(A, 3)]);
  record(s, "sched", [event(B, 2)]);
  record(s, "ref", [
    { created: EARLIER, dockerImageReference: "quay.io/org/web:3", image: "", generation: 2 },
  ]);
  record(s, "latest", [{ ...event(A, 3), generation: 4 }]);
  record(s, "copy", [event(B, 2)]);
  record(s, "pinned", [event(B, 2)]);
  return s;
}

describe("planImports: the no-op reconcile", () => {
  it("plans nothing for a settled stream whose schedule is not due", () => {
    const s = settledStream();
    // checked at the stream's latest slot, so its next one is still ahead
    const lastSlot = nextScheduledSlotMs(s, NOW.getTime() - 900_000);
    const plan = planImports(s, {
      now: NOW,
      attempts: new Map([["sched", { at: new Date(lastSlot), consecutiveFailures: 0 }]]),
    });
    expect(plan.items).toEqual([]);
    expect(plan.requeueAfterMs).toBe(lastSlot + 900_000 - NOW.getTime());
  });

  it("a copied tag is not re-copied when its source moves (copies are not tracked)", () => {
    const s = settledStream();
    const plan = planImports(s, { now: NOW, attempts: new Map([["sched", ago(60)]]) });
    expect(plan.items.filter((i) => i.tag === "copy")).toEqual([]);
  });

  it("after a restart (empty attempt log), nothing at once: the scheduled tag waits for its slot", () => {
    const s = settledStream();
    const plan = planImports(s, { now: NOW });
    expect(plan.items).toEqual([]);
    expect(Object.fromEntries(plan.attempts)).toEqual({
      sched: { at: NOW, consecutiveFailures: 0 },
    });
    expect(plan.requeueAfterMs).toBe(nextScheduledSlotMs(s, NOW.getTime()) - NOW.getTime());
  });

  it("at that slot, only the scheduled tag is checked", () => {
    const s = settledStream();
    const first = planImports(s, { now: NOW });
    const slot = new Date(NOW.getTime() + (first.requeueAfterMs ?? 0));
    const plan = planImports(s, { now: slot, attempts: first.attempts });
    expect(summary(plan.items)).toEqual(["docker:sched:scheduled"]);
  });

  it("a push recheck is due at once, with its own cause", () => {
    const s = settledStream();
    const attempts = new Map([["sched", { ...ago(1), recheck: true as const }]]);
    expect(summary(planImports(s, { now: NOW, attempts }).items)).toEqual(["docker:sched:recheck"]);
  });

  it("with scheduling disabled, nothing after a restart either", () => {
    const plan = planImports(settledStream(), {
      now: NOW,
      config: { disableScheduledImport: true },
    });
    expect(plan).toEqual({ items: [], attempts: new Map() });
  });
});

describe("planImports: which tags get work", () => {
  const cases: [string, () => ImageStream, Map<string, AttemptRecord>, string[]][] = [
    [
      "new docker tag",
      () => makeStream({ tags: [dockerTag("t", "quay.io/a:1")] }),
      new Map(),
      ["docker:t:new"],
    ],
    [
      "generation bumped (re-import request stamped)",
      () => {
        const s = record(
          makeStream({ tags: [dockerTag("t", "quay.io/a:1", { generation: 2 })] }),
          "t",
          [event(A, 1)],
        );
        return s;
      },
      new Map(),
      ["docker:t:generation"],
    ],
    [
      "generation 0 not yet stamped",
      () =>
        record(makeStream({ tags: [dockerTag("t", "quay.io/a:1", { generation: 0 })] }), "t", [
          event(A, 1),
        ]),
      new Map(),
      ["docker:t:generation"],
    ],
    [
      "spec changed, not yet stamped",
      () => {
        const s = record(makeStream({ tags: [dockerTag("t", "quay.io/a:1")] }), "t", [event(A, 1)]);
        (s.spec?.tags?.[0]?.from as { name: string }).name = "quay.io/a:2";
        return s;
      },
      new Map(),
      ["docker:t:spec-changed"],
    ],
    [
      "failed, retry due after a restart",
      () =>
        record(makeStream({ tags: [dockerTag("t", "quay.io/a:1")] }), "t", null, {
          conditions: [failure("Unauthorized", 1)],
        }),
      new Map(),
      ["docker:t:retry"],
    ],
    [
      "failed, retry not yet due",
      () =>
        record(makeStream({ tags: [dockerTag("t", "quay.io/a:1")] }), "t", null, {
          conditions: [failure("Unauthorized", 1)],
        }),
      new Map([["t", ago(5, 1)]]),
      [],
    ],
    [
      "failed, retry due by backoff",
      () =>
        record(makeStream({ tags: [dockerTag("t", "quay.io/a:1")] }), "t", null, {
          conditions: [failure("Unauthorized", 1)],
        }),
      new Map([["t", ago(25, 2)]]),
      ["docker:t:retry"],
    ],
    [
      "invalid spec: planned once, then left alone",
      () =>
        makeStream({ tags: [{ name: "t", from: { kind: "Secret", name: "x" }, generation: 1 }] }),
      new Map(),
      ["invalid:t:new"],
    ],
    [
      "invalid spec after its failure was recorded",
      () =>
        record(
          makeStream({ tags: [{ name: "t", from: { kind: "Secret", name: "x" }, generation: 1 }] }),
          "t",
          null,
          {
            conditions: [failure("InvalidReference", 1)],
          },
        ),
      new Map(),
      [],
    ],
    [
      "reference tag",
      () => makeStream({ tags: [dockerTag("t", "quay.io/a:1", { reference: true })] }),
      new Map(),
      ["reference:t:new"],
    ],
    [
      "tracking tag whose source has an image",
      () =>
        record(makeStream({ tags: [dockerTag("src", "quay.io/a:1"), istag("t", "src")] }), "src", [
          event(A, 1),
        ]),
      new Map(),
      ["tracking:t:mirror"],
    ],
    [
      "tracking tag whose source moved",
      () => {
        const s = makeStream({ tags: [dockerTag("src", "quay.io/a:1"), istag("t", "app:src")] });
        record(s, "src", [event(B, 1), event(A, 1)]);
        return record(s, "t", [event(A, 1)]);
      },
      new Map(),
      ["tracking:t:mirror"],
    ],
    [
      "tracking tag whose source has no image yet: nothing to mirror",
      () => makeStream({ tags: [{ name: "src", generation: 1 }, istag("t", "src")] }),
      new Map(),
      [],
    ],
    [
      "copy from another stream",
      () => makeStream({ tags: [istag("t", "base:v1")] }),
      new Map(),
      ["copy-istag:t:new"],
    ],
    [
      "image by prefix",
      () =>
        makeStream({
          tags: [
            { name: "t", from: { kind: "ImageStreamImage", name: "base@abc" }, generation: 1 },
          ],
        }),
      new Map(),
      ["isimage:t:new"],
    ],
    [
      "scheduled digest tag after its first import: never again",
      () =>
        record(
          makeStream({
            tags: [dockerTag("t", `quay.io/a@${A}`, { importPolicy: { scheduled: true } })],
          }),
          "t",
          [event(A, 1)],
        ),
      new Map(),
      [],
    ],
    [
      "bulk repository never imported",
      () => makeStream({ dockerImageRepository: "quay.io/org/app" }),
      new Map(),
      ["repository:<repository>:new"],
    ],
    [
      "bulk repository already imported",
      () => {
        const s = makeStream({
          dockerImageRepository: "quay.io/org/app",
          annotations: { [ANN_DOCKER_REPOSITORY_CHECK]: EARLIER },
        });
        if (s.status) s.status.repository = { additionalTags: [] };
        return s;
      },
      new Map(),
      [],
    ],
    [
      "bulk repository listing failed recently",
      () => makeStream({ dockerImageRepository: "quay.io/org/app" }),
      new Map([["<repository>", ago(1, 1)]]),
      [],
    ],
  ];
  it.each(cases)("%s", (_name, build, attempts, expected) => {
    const stream = build();
    const before = structuredClone(stream);
    expect(summary(planImports(stream, { now: NOW, attempts }).items)).toEqual(expected);
    expect(stream).toEqual(before);
  });
});

describe("planImports: item contents", () => {
  it("docker item: reference, insecure, import mode, platforms, generation, fingerprint", () => {
    const tag = dockerTag("t", "quay.io/a:1", {
      generation: 7,
      importPolicy: { insecure: true },
      annotations: { [ANN_PREFER_ARCH]: "arm64" },
    });
    const s = makeStream({ tags: [tag], generation: 9 });
    const [item] = planImports(s, {
      now: NOW,
      config: {
        defaultImportMode: "PreserveOriginal",
        defaultPlatform: { os: "linux", architecture: "amd64" },
      },
    }).items;
    expect(item).toEqual({
      kind: "docker",
      tag: "t",
      generation: 7,
      specHash: specFingerprint(s, tag, { defaultImportMode: "PreserveOriginal" }),
      cause: "new",
      request: {
        reference: "quay.io/a:1",
        insecure: true,
        importMode: "PreserveOriginal",
        preferredPlatforms: [{ architecture: "arm64" }, { os: "linux", architecture: "amd64" }],
      },
    });
  });

  it.each<[string, Record<string, string> | undefined, boolean | undefined, boolean]>([
    ["neither", undefined, undefined, false],
    ["tag policy", undefined, true, true],
    ["stream annotation", { [ANN_INSECURE_REPOSITORY]: "true" }, undefined, true],
    ["stream annotation not exactly true", { [ANN_INSECURE_REPOSITORY]: "yes" }, undefined, false],
  ])("insecure from %s", (_name, annotations, insecure, expected) => {
    const s = makeStream({
      tags: [dockerTag("t", "r:1", insecure === undefined ? {} : { importPolicy: { insecure } })],
      ...(annotations ? { annotations } : {}),
    });
    const item = planImports(s, { now: NOW }).items[0];
    expect(item?.kind === "docker" && item.request.insecure).toBe(expected);
  });

  it("a tag without generation gets the generation it will be stamped with", () => {
    const s = makeStream({
      generation: 4,
      tags: [dockerTag("t", "r:1", { generation: undefined })],
    });
    expect(planImports(s, { now: NOW }).items[0]?.generation).toBe(4);
  });

  it("repository item carries the stream's insecure flag and the defaults", () => {
    const s = makeStream({
      dockerImageRepository: " quay.io/org/app ",
      annotations: { [ANN_INSECURE_REPOSITORY]: "true" },
      generation: 3,
    });
    const [item] = planImports(s, {
      now: NOW,
      config: { defaultPlatform: { os: "linux", architecture: "s390x" } },
    }).items;
    expect(item).toEqual({
      kind: "repository",
      tag: "<repository>",
      cause: "new",
      request: { reference: "quay.io/org/app", insecure: true },
      importMode: "Legacy",
      preferredPlatforms: [{ os: "linux", architecture: "s390x" }],
      generation: 3,
    });
  });
});

describe("preferredPlatforms", () => {
  const linuxAmd = { os: "linux", architecture: "amd64" };
  it.each<[string, Record<string, string> | undefined, typeof linuxAmd | undefined, object[]]>([
    ["nothing", undefined, undefined, []],
    ["default only", undefined, linuxAmd, [linuxAmd]],
    [
      "both annotations",
      { [ANN_PREFER_OS]: "linux", [ANN_PREFER_ARCH]: "arm64" },
      linuxAmd,
      [{ os: "linux", architecture: "arm64" }, linuxAmd],
    ],
    ["os only", { [ANN_PREFER_OS]: "windows" }, linuxAmd, [{ os: "windows" }, linuxAmd]],
    [
      "annotation equal to default: listed once",
      { [ANN_PREFER_OS]: "linux", [ANN_PREFER_ARCH]: "amd64" },
      linuxAmd,
      [linuxAmd],
    ],
    ["blank annotations ignored", { [ANN_PREFER_ARCH]: " " }, linuxAmd, [linuxAmd]],
  ])("%s", (_name, annotations, def, expected) => {
    const tag = dockerTag("t", "r:1", annotations ? { annotations } : {});
    expect(preferredPlatforms(tag, def ? { defaultPlatform: def } : {})).toEqual(expected);
  });
});
