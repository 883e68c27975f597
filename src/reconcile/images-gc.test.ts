import { describe, expect, it } from "vitest";
import { type Image, imageObjectName } from "../api/types.js";
import { planImageGC } from "./images-gc.js";
import { digest, event, makeStream, NOW, statusTag } from "./test-fixtures.js";

const old = "2025-12-31T00:00:00Z";
const fresh = "2026-01-01T11:55:00Z"; // 5 min before NOW

function image(c: string, created: string | null = old, children: string[] = []): Image {
  const d = digest(c);
  return {
    metadata: { name: imageObjectName(d), ...(created ? { creationTimestamp: created } : {}) },
    dockerImageReference: `quay.io/a@${d}`,
    digest: d,
    ...(children.length
      ? {
          dockerImageManifests: children.map((x) => ({
            digest: digest(x),
            mediaType: "m",
            manifestSize: 1,
            architecture: "amd64",
            os: "linux",
          })),
        }
      : {}),
  };
}
const name = (c: string) => imageObjectName(digest(c));

const streams = [
  makeStream({
    name: "one",
    status: [statusTag("t", [event(digest("a")), event(digest("b"))]), statusTag("failed", null)],
  }),
  makeStream({
    name: "two",
    namespace: "other",
    status: [statusTag("multi", [event(digest("l"))])],
  }),
  makeStream({
    name: "ref",
    status: [
      statusTag("r", [
        { created: old, dockerImageReference: "quay.io/x:1", image: "", generation: 1 },
      ]),
    ],
  }),
];

describe("planImageGC", () => {
  it.each<[string, Image[], string[]]>([
    ["current image kept", [image("a")], []],
    ["image only in history kept (rollback target)", [image("b")], []],
    ["unreferenced and old: deleted", [image("z")], [name("z")]],
    ["unreferenced but within grace: kept", [image("z", fresh)], []],
    ["unreferenced, unknown age: kept", [image("z", null)], []],
    [
      "children of a referenced list kept",
      [image("l", old, ["c1", "c2"]), image("c1"), image("c2")],
      [],
    ],
    [
      "children of an unreferenced list go with it",
      [image("m", old, ["c3"]), image("c3")],
      [name("c3"), name("m")],
    ],
    [
      "a child shared with a referenced list stays",
      [image("l", old, ["c1"]), image("m", old, ["c1"]), image("c1")],
      [name("m")],
    ],
    [
      "a mix, sorted",
      [image("y"), image("a"), image("x"), image("w", fresh)],
      [name("x"), name("y")],
    ],
  ])("%s", (_name, images, expected) => {
    expect(planImageGC(streams, images, NOW, 10)).toEqual(expected);
  });

  it("an Image without the digest field is matched by its name", () => {
    const { digest: _d, ...rest } = image("a");
    expect(planImageGC(streams, [rest as Image], NOW, 10)).toEqual([]);
  });

  it("no streams: every old image goes", () => {
    expect(planImageGC([], [image("a"), image("b", fresh)], NOW, 10)).toEqual([name("a")]);
  });

  it("grace 0 deletes anything unreferenced created before now", () => {
    expect(planImageGC([], [image("z", fresh)], NOW, 0)).toEqual([name("z")]);
  });
});
