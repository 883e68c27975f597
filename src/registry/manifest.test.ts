import { describe, expect, it } from "vitest";
import type { ImageManifest } from "../api/types.js";
import { choosePlatform, MEDIA_TYPES, parseManifest, verifyDigest } from "./manifest.js";
import type { ImportError } from "./types.js";

const entry = (os: string, architecture: string, variant?: string): ImageManifest => ({
  digest: `sha256:${os[0]}${architecture[0]}${"0".repeat(62)}`,
  mediaType: MEDIA_TYPES.ociManifest,
  manifestSize: 100,
  os,
  architecture,
  ...(variant ? { variant } : {}),
});

describe("choosePlatform", () => {
  const list = [entry("linux", "arm64", "v8"), entry("linux", "amd64"), entry("windows", "amd64")];
  it.each([
    ["first matching preference", [{ os: "linux", architecture: "arm64" }], list[0]],
    ["preferences in order", [{ architecture: "s390x" }, { os: "windows" }], list[2]],
    ["architecture only", [{ architecture: "arm64" }], list[0]],
    ["then linux/amd64", [{ os: "linux", architecture: "ppc64le" }], list[1]],
    ["linux/amd64 by default", [], list[1]],
    ["empty preferences are ignored", [{}], list[1]],
  ])("%s", (_name, preferences, expected) => {
    expect(choosePlatform(list, preferences)).toEqual(expected);
  });

  it("falls back to the first entry", () => {
    const odd = [entry("linux", "riscv64"), entry("linux", "s390x")];
    expect(choosePlatform(odd, [{ architecture: "arm64" }])).toEqual(odd[0]);
  });
});

function reasonOfParse(body: string, contentType?: string): string {
  try {
    parseManifest(Buffer.from(body), contentType, "r.io", "ref");
    return "ok";
  } catch (error) {
    return (error as ImportError).reason;
  }
}

describe("parseManifest", () => {
  const digest = `sha256:${"c".repeat(64)}`;
  it.each([
    ["schema1 by field", '{"schemaVersion":1,"name":"x","fsLayers":[]}', undefined, "Unsupported"],
    ["schema1 by header", "{}", MEDIA_TYPES.dockerSchema1Signed, "Unsupported"],
    ["not JSON", "<html>", undefined, "InternalError"],
    ["JSON array", "[]", undefined, "InternalError"],
    [
      "bad digest in a layer",
      `{"schemaVersion":2,"mediaType":"${MEDIA_TYPES.ociManifest}","config":{"digest":"${digest}","size":1},"layers":[{"digest":"sha256:../../x","size":1}]}`,
      undefined,
      "InternalError",
    ],
    [
      "missing layers",
      `{"schemaVersion":2,"mediaType":"${MEDIA_TYPES.dockerManifest}","config":{"digest":"${digest}","size":1}}`,
      undefined,
      "InternalError",
    ],
    [
      "unknown type",
      '{"schemaVersion":2,"mediaType":"application/x-thing"}',
      undefined,
      "Unsupported",
    ],
    ["OCI index by shape", `{"schemaVersion":2,"manifests":[]}`, "application/json", "ok"],
  ])("%s -> %s", (_name, body, contentType, expected) => {
    expect(reasonOfParse(body, contentType)).toBe(expected);
  });
});

it("names an unknown media type only with media type characters, at most 100", () => {
  const hostile = `text/html<script>${"x".repeat(300)}`;
  const body = JSON.stringify({ schemaVersion: 2, mediaType: hostile });
  expect(() => parseManifest(Buffer.from(body), undefined, "r.io", "ref")).toThrow(
    `"ref" has an unsupported manifest media type "text/html?script?${"x".repeat(83)}"`,
  );
});

describe("verifyDigest", () => {
  it("accepts matching content and reports a content integrity error otherwise", () => {
    const body = Buffer.from("hello");
    const good = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    expect(() => verifyDigest(body, good, "manifest")).not.toThrow();
    expect(() => verifyDigest(Buffer.from("other"), good, "manifest")).toThrow(
      /content integrity error/,
    );
  });
});
