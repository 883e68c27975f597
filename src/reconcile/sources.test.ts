import { describe, expect, it } from "vitest";
import type { ImageStream } from "../api/types.js";
import { type LocalWork, resolveImageId, resolveLocally } from "./sources.js";
import { ANN_ALLOWED_NAMESPACES } from "./tenancy.js";
import { digest, EARLIER, event, makeStream, statusTag } from "./test-fixtures.js";

const A = digest("a");
const AB = `sha256:ab${"1".repeat(62)}`;
const AC = `sha256:ac${"2".repeat(62)}`;
const target = makeStream({ name: "app", namespace: "team" });

function sourceStream(namespace: string, annotations?: Record<string, string>): ImageStream {
  const s = makeStream({ name: "base", namespace, ...(annotations ? { annotations } : {}) });
  s.status = {
    tags: [
      statusTag("v1", [event(AB, 2, `quay.io/base@${AB}`), event(A, 1, `quay.io/base@${A}`)]),
      statusTag("v2", [event(AC, 1, `quay.io/base@${AC}`)]),
      statusTag("broken", null),
    ],
  };
  return s;
}

const streams = new Map<string, ImageStream>([
  ["team/base", sourceStream("team")],
  ["shared/base", sourceStream("shared", { [ANN_ALLOWED_NAMESPACES]: "team" })],
  ["private/base", sourceStream("private")],
  ["open/base", sourceStream("open", { [ANN_ALLOWED_NAMESPACES]: "*" })],
]);
const lookup = (ns: string, name: string) => streams.get(`${ns}/${name}`);

const base = { tag: "t", generation: 3, specHash: "h", cause: "new" as const };
const copy = (namespace: string, sourceTag: string, name = "base"): LocalWork => ({
  ...base,
  kind: "copy-istag",
  source: { namespace, name },
  sourceTag,
});
const byId = (namespace: string, imageId: string): LocalWork => ({
  ...base,
  kind: "isimage",
  source: { namespace, name: "base" },
  imageId,
});

type Expect = { ref: string; image: string } | { reason: string; message?: RegExp };

describe("resolveLocally", () => {
  const cases: [string, LocalWork, Expect | undefined][] = [
    [
      "reference tag",
      { ...base, kind: "reference", reference: "quay.io/x:1" },
      { ref: "quay.io/x:1", image: "" },
    ],
    [
      "invalid spec",
      { ...base, kind: "invalid", reason: "InvalidReference", message: "bad" },
      { reason: "InvalidReference", message: /^bad$/ },
    ],
    [
      "tracking: mirrored by applyOutcomes",
      { ...base, kind: "tracking", sourceTag: "v1" },
      undefined,
    ],
    ["copy, same namespace", copy("team", "v1"), { ref: `quay.io/base@${AB}`, image: AB }],
    [
      "copy, shared with our namespace",
      copy("shared", "v2"),
      { ref: `quay.io/base@${AC}`, image: AC },
    ],
    ["copy, shared with everyone", copy("open", "v2"), { ref: `quay.io/base@${AC}`, image: AC }],
    [
      "copy, not shared: Forbidden naming annotation and stream",
      copy("private", "v1"),
      {
        reason: "Forbidden",
        message: new RegExp(`${ANN_ALLOWED_NAMESPACES}: "team".*to image stream private/base$`),
      },
    ],
    [
      "copy, missing stream in another namespace: same Forbidden (no existence probe)",
      copy("private", "v1", "nope"),
      { reason: "Forbidden", message: /to image stream private\/nope$/ },
    ],
    [
      "copy, missing stream in our namespace",
      copy("team", "v1", "nope"),
      { reason: "NotFound", message: /team\/nope not found/ },
    ],
    [
      "copy, source tag without items",
      copy("team", "broken"),
      { reason: "NotFound", message: /has no image yet/ },
    ],
    ["copy, unknown source tag", copy("team", "v9"), { reason: "NotFound" }],
    ["image by full digest", byId("team", A), { ref: `quay.io/base@${A}`, image: A }],
    ["image by unique hex prefix", byId("team", "ac2"), { ref: `quay.io/base@${AC}`, image: AC }],
    [
      "image by prefix with algorithm",
      byId("team", "sha256:ab1"),
      { ref: `quay.io/base@${AB}`, image: AB },
    ],
    [
      "image, ambiguous prefix",
      byId("team", "a"),
      { reason: "Conflict", message: /^multiple images match the prefix "a": / },
    ],
    ["image, no match", byId("team", "ffff"), { reason: "NotFound" }],
    ["image, not shared", byId("private", A), { reason: "Forbidden" }],
    ["image, shared", byId("shared", "ab"), { ref: `quay.io/base@${AB}`, image: AB }],
  ];
  it.each(cases)("%s", (_name, item, expected) => {
    const got = resolveLocally(target, item, lookup);
    if (expected === undefined) return expect(got).toBeUndefined();
    expect(got).toBeDefined();
    expect(got).toMatchObject({ tag: "t", generation: 3, specHash: "h" });
    if ("ref" in expected) {
      expect(got).toMatchObject({
        kind: "resolved",
        dockerImageReference: expected.ref,
        image: expected.image,
      });
    } else {
      expect(got).toMatchObject({ kind: "failed", reason: expected.reason });
      if (expected.message && got?.kind === "failed") expect(got.message).toMatch(expected.message);
    }
  });
});

describe("resolveImageId", () => {
  const s = makeStream({});
  s.status = {
    tags: [
      statusTag("a", [event(AB, 1), event(AC, 1)]),
      statusTag("b", [event(AB, 2)]),
      statusTag("ref", [
        { created: EARLIER, dockerImageReference: "quay.io/x:1", image: "", generation: 1 },
      ]),
    ],
  };
  it.each<[string, string, string]>([
    ["same image in two tags counts once", "ab", AB],
    ["full digest", AC, AC],
    ["algorithm prefix alone is ambiguous", "sha256:", "Conflict"],
    ["empty id", "", "InvalidReference"],
    ["reference items (no image) never match", "quay", "NotFound"],
  ])("%s", (_name, id, expected) => {
    const got = resolveImageId(s, id, "team/app");
    expect("image" in got ? got.image : got.reason).toBe(expected);
  });

  it("lists the matching images in the conflict message, sorted", () => {
    const got = resolveImageId(s, "a", "team/app");
    expect(got).toEqual({
      reason: "Conflict",
      message: `multiple images match the prefix "a": ${AB}, ${AC}`,
    });
  });
});
