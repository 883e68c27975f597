import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import { followTag } from "./follow.js";

function stream(tags: TagReference[]): ImageStream {
  return { metadata: { name: "app", namespace: "team" }, spec: { tags } };
}
const docker = (name: string, ref: string): TagReference => ({
  name,
  from: { kind: "DockerImage", name: ref },
});
const tracks = (name: string, source: string, namespace?: string): TagReference => ({
  name,
  from: { kind: "ImageStreamTag", name: source, ...(namespace ? { namespace } : {}) },
});

describe("followTag", () => {
  it("returns the tag itself when it tracks nothing", () => {
    const s = stream([docker("v1", "quay.io/app:1")]);
    expect(followTag(s, "v1")).toEqual({
      name: "v1",
      tag: docker("v1", "quay.io/app:1"),
      followed: false,
    });
  });

  it("follows tracking tags (`tag` or `stream:tag`) to the tag with a source", () => {
    const s = stream([
      tracks("latest", "stable"),
      tracks("stable", "app:v1"),
      docker("v1", "quay.io/app:1"),
    ]);
    expect(followTag(s, "latest")).toMatchObject({ name: "v1", followed: true });
  });

  it("is undefined for a tag not in spec", () => {
    expect(followTag(stream([]), "v1")).toBeUndefined();
  });

  it.each([
    [
      [tracks("a", "b"), tracks("b", "a")],
      "a",
      'tag "a" on the image stream is a reference to same tag',
    ],
    [
      [tracks("a", "other:v1")],
      "a",
      'tag "a" points to an imagestreamtag from another ImageStream',
    ],
    [[tracks("a", "app:v1", "elsewhere")], "a", "from another ImageStream"],
    [[tracks("a", "gone")], "a", 'tag "a" points to tag "gone", which does not exist'],
  ])("%#: %s", (tags, name, message) => {
    expect(() => followTag(stream(tags), name)).toThrow(message);
  });
});
