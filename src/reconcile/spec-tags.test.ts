import { describe, expect, it } from "vitest";
import type { TagReference } from "../api/types.js";
import {
  classifySource,
  effectiveImportMode,
  isDigestReference,
  specFingerprint,
  type TagSource,
} from "./spec-tags.js";
import { digest, dockerTag, makeStream } from "./test-fixtures.js";

const stream = makeStream({ name: "app", namespace: "team" });

describe("classifySource", () => {
  const cases: [string, TagReference, TagSource | string][] = [
    ["no from", { name: "t" }, { kind: "none" }],
    [
      "DockerImage",
      dockerTag("t", "quay.io/a/b:1"),
      { kind: "docker", reference: "quay.io/a/b:1" },
    ],
    [
      "DockerImage reference",
      dockerTag("t", "quay.io/a/b:1", { reference: true }),
      { kind: "reference", reference: "quay.io/a/b:1" },
    ],
    ["DockerImage empty name", dockerTag("t", " "), "invalid"],
    [
      "istag <tag> is tracking",
      { name: "t", from: { kind: "ImageStreamTag", name: "latest" } },
      { kind: "tracking", sourceTag: "latest" },
    ],
    [
      "istag <thisStream>:<tag> is tracking",
      { name: "t", from: { kind: "ImageStreamTag", name: "app:v1" } },
      { kind: "tracking", sourceTag: "v1" },
    ],
    [
      "istag <thisStream>:<tag> with own namespace is tracking",
      { name: "t", from: { kind: "ImageStreamTag", name: "app:v1", namespace: "team" } },
      { kind: "tracking", sourceTag: "v1" },
    ],
    [
      "istag other stream is a copy",
      { name: "t", from: { kind: "ImageStreamTag", name: "base:v1" } },
      { kind: "copy-istag", source: { namespace: "team", name: "base" }, sourceTag: "v1" },
    ],
    [
      "istag same stream name in another namespace is a copy",
      { name: "t", from: { kind: "ImageStreamTag", name: "app:v1", namespace: "shared" } },
      { kind: "copy-istag", source: { namespace: "shared", name: "app" }, sourceTag: "v1" },
    ],
    [
      "istag <tag> with another namespace means that namespace's stream of our name",
      { name: "t", from: { kind: "ImageStreamTag", name: "v1", namespace: "shared" } },
      { kind: "copy-istag", source: { namespace: "shared", name: "app" }, sourceTag: "v1" },
    ],
    [
      "istag tracking itself",
      { name: "t", from: { kind: "ImageStreamTag", name: "t" } },
      "invalid",
    ],
    [
      "istag with two colons",
      { name: "t", from: { kind: "ImageStreamTag", name: "a:b:c" } },
      "invalid",
    ],
    [
      "istag with empty tag",
      { name: "t", from: { kind: "ImageStreamTag", name: "base:" } },
      "invalid",
    ],
    [
      "isimage stream@prefix",
      { name: "t", from: { kind: "ImageStreamImage", name: "base@sha256:abc" } },
      { kind: "isimage", source: { namespace: "team", name: "base" }, imageId: "sha256:abc" },
    ],
    [
      "isimage bare prefix means this stream",
      { name: "t", from: { kind: "ImageStreamImage", name: "abc123" } },
      { kind: "isimage", source: { namespace: "team", name: "app" }, imageId: "abc123" },
    ],
    [
      "isimage empty id",
      { name: "t", from: { kind: "ImageStreamImage", name: "base@" } },
      "invalid",
    ],
    ["unknown kind", { name: "t", from: { kind: "Pod", name: "x" } }, "invalid"],
  ];
  it.each(cases)("%s", (_name, tag, expected) => {
    const got = classifySource(stream, tag);
    if (typeof expected === "string") {
      expect(got.kind).toBe(expected);
      expect(got.kind === "invalid" && got.reason).toBe("InvalidReference");
    } else {
      expect(got).toEqual(expected);
    }
  });
});

describe("specFingerprint", () => {
  const base = dockerTag("t", "quay.io/a/b:1");
  it.each<[string, TagReference, boolean]>([
    ["identical", { ...base }, true],
    ["generation differs", { ...base, generation: 9 }, true],
    ["annotations differ", { ...base, annotations: { x: "y" } }, true],
    ["insecure", { ...base, importPolicy: { insecure: true } }, true],
    ["scheduled", { ...base, importPolicy: { scheduled: true } }, true],
    ["referencePolicy", { ...base, referencePolicy: { type: "Local" } }, true],
    ["importMode Legacy explicit", { ...base, importPolicy: { importMode: "Legacy" } }, true],
    [
      "importMode PreserveOriginal",
      { ...base, importPolicy: { importMode: "PreserveOriginal" } },
      false,
    ],
    ["from.name", dockerTag("t", "quay.io/a/b:2"), false],
    ["from.kind", { ...base, from: { kind: "ImageStreamTag", name: "quay.io/a/b:1" } }, false],
    [
      "from.namespace = own",
      { ...base, from: { kind: "DockerImage", name: "quay.io/a/b:1", namespace: "team" } },
      true,
    ],
    [
      "from.namespace other",
      { ...base, from: { kind: "DockerImage", name: "quay.io/a/b:1", namespace: "x" } },
      false,
    ],
    ["reference", { ...base, reference: true }, false],
  ])("%s -> same fingerprint: %s", (_name, other, same) => {
    expect(specFingerprint(stream, other) === specFingerprint(stream, base)).toBe(same);
  });

  it("is a short stable string", () => {
    expect(specFingerprint(stream, base)).toMatch(/^[0-9a-f]{16}$/);
    expect(specFingerprint(stream, base)).toBe(specFingerprint(stream, structuredClone(base)));
  });
});

describe("effectiveImportMode", () => {
  it.each<[string | undefined, "Legacy" | "PreserveOriginal" | undefined, string]>([
    [undefined, undefined, "Legacy"],
    ["", undefined, "Legacy"],
    ["", "PreserveOriginal", "PreserveOriginal"],
    ["Legacy", "PreserveOriginal", "Legacy"],
    ["PreserveOriginal", undefined, "PreserveOriginal"],
  ])("tag %s, default %s -> %s", (mode, def, expected) => {
    const tag = dockerTag("t", "r:1", { importPolicy: { importMode: mode as "" } });
    expect(effectiveImportMode(tag, def ? { defaultImportMode: def } : {})).toBe(expected);
  });
});

describe("isDigestReference", () => {
  it.each<[string, boolean]>([
    [`quay.io/a/b@${digest("a")}`, true],
    [`localhost:5000/b@${digest("f")}`, true],
    ["quay.io/a/b:1", false],
    ["localhost:5000/b", false],
    ["quay.io/a/b@sha256:abc", false],
  ])("%s -> %s", (ref, expected) => {
    expect(isDigestReference(ref)).toBe(expected);
  });
});
