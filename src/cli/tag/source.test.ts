import { describe, expect, it } from "vitest";
import { detectSource, displaySource, parseSourceKind } from "./source.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("detectSource (oc's rules)", () => {
  it.each([
    // a registry host makes a container image
    ["quay.io/org/app:1.2", { kind: "DockerImage", reference: "quay.io/org/app:1.2" }],
    ["127.0.0.1:5000/app:v1", { kind: "DockerImage", reference: "127.0.0.1:5000/app:v1" }],
    ["localhost/app", { kind: "DockerImage", reference: "localhost/app" }],
    [`quay.io/app@${DIGEST}`, { kind: "DockerImage", reference: `quay.io/app@${DIGEST}` }],
    // @digest: an image of a stream
    [`app@${DIGEST}`, { kind: "ImageStreamImage", stream: "app", id: DIGEST }],
    [
      "ns/app@sha256:abc",
      { kind: "ImageStreamImage", namespace: "ns", stream: "app", id: "sha256:abc" },
    ],
    // :tag: a tag of a stream
    ["app:v1", { kind: "ImageStreamTag", stream: "app", tag: "v1" }],
    [
      "openshift/ruby:2.0",
      { kind: "ImageStreamTag", namespace: "openshift", stream: "ruby", tag: "2.0" },
    ],
    // neither: a container image on the default registry
    ["nginx", { kind: "DockerImage", reference: "nginx" }],
    ["library/nginx", { kind: "DockerImage", reference: "library/nginx" }],
    // more path segments than ns/stream: only a pull spec can be meant
    ["a/b/c:1", { kind: "DockerImage", reference: "a/b/c:1" }],
  ])("%s", (input, expected) => {
    expect(detectSource(input)).toEqual(expected);
  });

  it.each([
    ["nginx:1.27", "DockerImage", { kind: "DockerImage", reference: "nginx:1.27" }],
    ["app:v1", "ImageStreamTag", { kind: "ImageStreamTag", stream: "app", tag: "v1" }],
    [
      "app@sha256:abc",
      "ImageStreamImage",
      { kind: "ImageStreamImage", stream: "app", id: "sha256:abc" },
    ],
  ] as const)("--source forces %s to %s", (input, kind, expected) => {
    expect(detectSource(input, kind)).toEqual(expected);
  });

  it.each([
    [
      "quay.io/app:v1",
      "ImageStreamTag",
      "server in SOURCE is only allowed when providing a container image",
    ],
    ["app", "ImageStreamTag", "--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE"],
    [
      "app:v1",
      "ImageStreamImage",
      "--source=ImageStreamImage requires a valid <name>@<id> in SOURCE",
    ],
    ["a/b/c:v1", "ImageStreamTag", 'invalid image stream in SOURCE "a/b/c:v1"'],
    ["Quay.io/App:v1", undefined, "invalid SOURCE: invalid image reference"],
    ["", undefined, "a source is required"],
  ] as const)("%s (%s) is refused", (input, kind, message) => {
    expect(() => detectSource(input, kind)).toThrow(message);
  });
});

describe("parseSourceKind", () => {
  it.each([
    ["docker", "DockerImage"],
    ["DockerImage", "DockerImage"],
    ["istag", "ImageStreamTag"],
    ["ImageStreamTag", "ImageStreamTag"],
    ["isimage", "ImageStreamImage"],
  ])("%s -> %s", (value, kind) => {
    expect(parseSourceKind(value)).toBe(kind);
  });

  it("refuses other kinds, listing the valid ones", () => {
    expect(() => parseSourceKind("git")).toThrow(/invalid source "git"; valid values are docker, /);
  });
});

describe("displaySource", () => {
  it("shows SOURCE as written", () => {
    expect(displaySource(detectSource("ns/app:v1"))).toBe("ns/app:v1");
    expect(displaySource(detectSource("app@sha256:abc"))).toBe("app@sha256:abc");
    expect(displaySource(detectSource("quay.io/app:1"))).toBe("quay.io/app:1");
  });
});
