import { describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagEvent } from "../api/types.js";
import type { ImportedImage } from "../registry/types.js";
import { specFingerprint } from "./spec-tags.js";
import { applyOutcomes } from "./status.js";
import { statusEquals } from "./status-equals.js";
import {
  deepFreeze,
  digest,
  dockerTag,
  EARLIER,
  event,
  failure,
  istag,
  makeStream,
  NOW,
  statusTag,
} from "./test-fixtures.js";
import { type Outcome, REPOSITORY_KEY, type StatusTag } from "./types.js";

const A = digest("a");
const B = digest("b");
const nowText = "2026-01-01T12:00:00Z";
const checked = { [ANN_DOCKER_REPOSITORY_CHECK]: EARLIER };

const img = (d: string, extra: Partial<ImportedImage> = {}): ImportedImage => ({
  digest: d,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  manifestSize: 1,
  dockerImageReference: `quay.io/org/app@${d}`,
  size: 1,
  layers: [],
  ...extra,
});
const imported = (
  tag: string,
  d: string,
  generation = 1,
  children: ImportedImage[] = [],
): Outcome => ({
  kind: "imported",
  tag,
  generation,
  specHash: "h",
  result: { image: img(d), children },
});
const failed = (tag: string, reason = "NotFound", generation = 1): Outcome => ({
  kind: "failed",
  tag,
  generation,
  specHash: "h",
  reason: reason as "NotFound",
  message: `failed: ${reason}`,
});
const newItem = (d: string, generation = 1): TagEvent => ({
  created: nowText,
  dockerImageReference: `quay.io/org/app@${d}`,
  image: d,
  generation,
});

function stream(status: StatusTag[], opts: Parameters<typeof makeStream>[0] = {}): ImageStream {
  return deepFreeze(
    makeStream({
      tags: [dockerTag("t", "quay.io/org/app:1")],
      annotations: checked,
      status,
      ...opts,
    }),
  );
}
const tagOf = (s: { tags?: StatusTag[] | unknown[] }, name: string) =>
  (s.tags as StatusTag[] | undefined)?.find((t) => t.tag === name);

describe("applyOutcomes: one tag", () => {
  const cases: [
    string,
    ImageStream,
    Outcome[],
    Partial<StatusTag> | undefined,
    string[],
    boolean,
  ][] = [
    [
      "first import",
      stream([]),
      [imported("t", A)],
      { items: [newItem(A)], conditions: undefined, specHash: "h" },
      ["TagUpdated"],
      true,
    ],
    [
      "scheduled re-import, same digest: nothing",
      stream([statusTag("t", [event(A)], { specHash: "h" })]),
      [imported("t", A)],
      { items: [event(A)] },
      [],
      false,
    ],
    [
      "same digest, newer generation: no status change",
      stream([statusTag("t", [event(A)], { specHash: "h" })]),
      [imported("t", A, 2)],
      { items: [event(A)] },
      [],
      false,
    ],
    [
      "new digest: prepended",
      stream([statusTag("t", [event(A)], { specHash: "h" })]),
      [imported("t", B)],
      { items: [newItem(B), event(A)] },
      ["TagUpdated"],
      true,
    ],
    [
      "failure: history kept, one condition",
      stream([statusTag("t", [event(A)], { specHash: "h" })]),
      [failed("t", "Unauthorized")],
      {
        items: [event(A)],
        conditions: [{ ...failure("Unauthorized", 1), lastTransitionTime: nowText }],
      },
      ["ImportFailed"],
      true,
    ],
    [
      "failing again the same way: identical status",
      stream([statusTag("t", [event(A)], { conditions: [failure("NotFound", 1)], specHash: "h" })]),
      [failed("t")],
      { items: [event(A)], conditions: [failure("NotFound", 1)] },
      [],
      false,
    ],
    [
      "recovery with the same digest clears the condition",
      stream([statusTag("t", [event(A)], { conditions: [failure("Timeout", 1)], specHash: "h" })]),
      [imported("t", A)],
      { items: [event(A)], conditions: undefined },
      ["ImportRecovered"],
      true,
    ],
    [
      "reference tag",
      stream([]),
      [
        {
          kind: "resolved",
          tag: "t",
          generation: 1,
          specHash: "h",
          dockerImageReference: "quay.io/x:1",
          image: "",
        },
      ],
      {
        items: [
          { created: nowText, dockerImageReference: "quay.io/x:1", image: "", generation: 1 },
        ],
      },
      ["TagUpdated"],
      true,
    ],
  ];
  it.each(cases)("%s", (_name, s, outcomes, expectedTag, events, stamp) => {
    const got = applyOutcomes(s, outcomes, NOW);
    const defined = Object.entries(expectedTag ?? {}).filter(([, v]) => v !== undefined);
    expect(tagOf(got.status, "t")).toMatchObject(Object.fromEntries(defined));
    if (expectedTag && "conditions" in expectedTag && expectedTag.conditions === undefined) {
      expect(tagOf(got.status, "t")?.conditions).toBeUndefined();
    }
    expect(got.events.map((e) => e.reason)).toEqual(events);
    expect(got.stampRepositoryCheck).toBe(stamp);
  });
});

describe("applyOutcomes: the no-op pass", () => {
  it("a settled stream with no outcomes: equal status, no events, no stamp", () => {
    const s = stream([statusTag("t", [event(A)], { specHash: "h" })]);
    const first = applyOutcomes(s, [], NOW);
    const settled = deepFreeze({ ...s, status: first.status });
    const second = applyOutcomes(settled, [], new Date(NOW.getTime() + 60_000));
    expect(statusEquals(settled.status, second.status)).toBe(true);
    expect(second.events).toEqual([]);
    expect(second.stampRepositoryCheck).toBe(false);
    expect(second.images).toEqual([]);
  });
});

describe("applyOutcomes: stream-wide rules", () => {
  it("drops status of tags removed from spec, never history of existing ones", () => {
    const s = stream([statusTag("t", [event(B), event(A)]), statusTag("gone", [event(A)])]);
    const got = applyOutcomes(s, [], NOW);
    expect(got.status.tags?.map((t) => t.tag)).toEqual(["t"]);
    expect(tagOf(got.status, "t")?.items).toEqual([event(B), event(A)]);
  });

  it("keeps status-only tags while spec.dockerImageRepository is set (bulk import)", () => {
    const s = stream([statusTag("t", [event(A)]), statusTag("bulk", [event(A)])], {
      dockerImageRepository: "quay.io/org/app",
    });
    expect(applyOutcomes(s, [], NOW).status.tags?.map((t) => t.tag)).toEqual(["bulk", "t"]);
  });

  it("an outcome for a tag removed meanwhile is dropped with it", () => {
    const got = applyOutcomes(stream([]), [imported("gone", A)], NOW);
    expect(got.status.tags).toEqual([]);
  });

  it("mirrors tracking tags (chains too) in the same pass as the source import", () => {
    const s = deepFreeze(
      makeStream({
        annotations: checked,
        tags: [
          dockerTag("src", "quay.io/org/app:1"),
          istag("mid", "src", { generation: 2 }),
          istag("end", "app:mid", { generation: 3 }),
        ],
        status: [
          statusTag("src", [event(A)]),
          statusTag("mid", [event(A, 2)]),
          statusTag("end", [event(A, 3)]),
        ],
      }),
    );
    const got = applyOutcomes(s, [imported("src", B)], NOW);
    expect(tagOf(got.status, "mid")?.items).toEqual([newItem(B, 2), event(A, 2)]);
    expect(tagOf(got.status, "end")?.items).toEqual([newItem(B, 3), event(A, 3)]);
    expect(tagOf(got.status, "end")?.specHash).toBe(specFingerprint(s, s.spec?.tags?.[2] as never));
    expect(got.events.map((e) => `${e.reason}:${e.tag}`)).toEqual([
      "TagUpdated:end",
      "TagUpdated:mid",
      "TagUpdated:src",
    ]);
  });

  it("a tracking cycle settles without spinning", () => {
    const s = deepFreeze(
      makeStream({
        annotations: checked,
        tags: [istag("a", "b"), istag("b", "a")],
        status: [statusTag("a", [event(A)]), statusTag("b", [event(B)])],
      }),
    );
    const got = applyOutcomes(s, [], NOW);
    const again = applyOutcomes({ ...s, status: got.status }, [], NOW);
    expect(statusEquals(got.status, again.status)).toBe(true);
  });

  it("summary fields: tagCount, lastUpdated, repository from ctx; no observedGeneration", () => {
    const s = stream(
      [statusTag("t", [event(A)]), statusTag("u", null, { conditions: [failure("NotFound", 1)] })],
      {
        tags: [dockerTag("t", "r:1"), dockerTag("u", "r:2"), dockerTag("v", "r:3")],
        generation: 7,
      },
    );
    const got = applyOutcomes(s, [imported("v", B)], NOW, {
      dockerImageRepository: "registry.local/team/app",
    });
    expect(got.status).toMatchObject({
      dockerImageRepository: "registry.local/team/app",
      tagCount: 2,
      lastUpdated: nowText,
    });
    // a spec change alone must never need a status write (ADR 0003)
    expect(got.status).not.toHaveProperty("observedGeneration");
    expect(got.status.publicDockerImageRepository).toBeUndefined();
  });

  it("PreserveOriginal: history points at the list, every child becomes an Image", () => {
    const children = [img(digest("2")), img(digest("3"))];
    const got = applyOutcomes(stream([]), [imported("t", digest("1"), 1, children)], NOW);
    expect(tagOf(got.status, "t")?.items?.map((i) => i.image)).toEqual([digest("1")]);
    expect(got.images.map((i) => i.digest)).toEqual([digest("1"), digest("2"), digest("3")]);
  });

  it("stamps the check annotation the first time even when nothing changed", () => {
    const s = deepFreeze(
      makeStream({
        tags: [dockerTag("t", "r:1")],
        status: [statusTag("t", null, { conditions: [failure("NotFound", 1)] })],
      }),
    );
    expect(applyOutcomes(s, [failed("t")], NOW).stampRepositoryCheck).toBe(true);
    expect(applyOutcomes(s, [], NOW).stampRepositoryCheck).toBe(false);
  });

  it("bulk import: additional tags recorded, listing failure becomes a Warning and nothing else", () => {
    const s = stream([], { dockerImageRepository: "quay.io/org/app" });
    const ok = applyOutcomes(s, [imported("v1", A)], NOW, {
      repository: { additionalTags: ["old"] },
    });
    expect(ok.status.repository).toEqual({ additionalTags: ["old"] });
    expect(tagOf(ok.status, "v1")?.items).toEqual([newItem(A)]);
    const bad = applyOutcomes(
      s,
      [
        {
          kind: "failed",
          tag: REPOSITORY_KEY,
          generation: 1,
          reason: "Unauthorized",
          message: "denied",
        },
      ],
      NOW,
    );
    expect(bad.status.tags).toEqual([]);
    expect(bad.status.repository).toBeUndefined();
    expect(bad.events).toEqual([
      {
        type: "Warning",
        reason: "RepositoryImportFailed",
        action: "Import",
        note: "Import of repository quay.io/org/app failed (Unauthorized): denied",
      },
    ]);
    expect(bad.stampRepositoryCheck).toBe(false);
  });

  it("clears status.repository when spec.dockerImageRepository is removed", () => {
    const s = deepFreeze({
      ...makeStream({}),
      status: { repository: { additionalTags: ["x"] }, tags: [] },
    });
    expect(applyOutcomes(s, [], NOW).status.repository).toBeUndefined();
  });
});
