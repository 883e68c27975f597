import { describe, expect, it } from "vitest";
import { ANN_IMAGE_MANIFESTS, type Image, imageObjectName } from "../api/types.js";
import type { ImportedImage } from "../registry/types.js";
import { childDigests, collectImages, toImageObject } from "./images.js";
import { digest } from "./test-fixtures.js";
import type { Outcome } from "./types.js";

const img = (c: string, extra: Partial<ImportedImage> = {}): ImportedImage => ({
  digest: digest(c),
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  manifestSize: 100,
  dockerImageReference: `quay.io/a@${digest(c)}`,
  size: 1000,
  layers: [
    { name: digest("f"), size: 900, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
  ],
  ...extra,
});
const list = img("1", {
  mediaType: "application/vnd.oci.image.index.v1+json",
  layers: [],
  manifests: [
    { digest: digest("2"), mediaType: "m", manifestSize: 1, architecture: "amd64", os: "linux" },
    {
      digest: digest("3"),
      mediaType: "m",
      manifestSize: 1,
      architecture: "arm64",
      os: "linux",
      variant: "v8",
    },
  ],
});
const imported = (tag: string, image: ImportedImage, children: ImportedImage[] = []): Outcome => ({
  kind: "imported",
  tag,
  generation: 1,
  result: { image, children },
});

describe("collectImages", () => {
  it.each<[string, Outcome[], string[]]>([
    ["nothing imported", [], []],
    ["Legacy import: the chosen image", [imported("t", img("a"))], [digest("a")]],
    [
      "PreserveOriginal: list then children",
      [imported("t", list, [img("2"), img("3")])],
      [digest("1"), digest("2"), digest("3")],
    ],
    [
      "same digest in two tags: once",
      [imported("a", img("a")), imported("b", img("a"))],
      [digest("a")],
    ],
    [
      "failures and resolved copies add no Image",
      [
        { kind: "failed", tag: "x", generation: 1, reason: "NotFound", message: "m" },
        {
          kind: "resolved",
          tag: "y",
          generation: 1,
          dockerImageReference: "r",
          image: digest("c"),
        },
      ],
      [],
    ],
  ])("%s", (_name, outcomes, expected) => {
    expect(collectImages(outcomes).map((i) => i.digest)).toEqual(expected);
  });
});

describe("toImageObject", () => {
  it("names the object by digest and keeps the metadata", () => {
    const obj = toImageObject(
      img("a", { config: { os: "linux", architecture: "amd64", labels: { a: "b" } } }),
    );
    expect(obj).toEqual({
      apiVersion: "image.openshift.io/v1",
      kind: "Image",
      metadata: {
        name: `sha256.${"a".repeat(64)}`,
        annotations: { "imagestream-operator.io/manifests": "" },
      },
      dockerImageReference: `quay.io/a@${digest("a")}`,
      dockerImageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: digest("a"),
      size: 1000,
      layers: [
        { name: digest("f"), size: 900, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
      ],
      config: { os: "linux", architecture: "amd64", labels: { a: "b" } },
    });
  });

  it("a list keeps its manifests and has no layers", () => {
    const obj = toImageObject(list);
    expect(obj.layers).toEqual([]);
    expect(obj.dockerImageManifests?.map((m) => `${m.os}/${m.architecture}`)).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]);
    // what garbage collection reads from the metadata-only cache
    expect(obj.metadata.annotations?.["imagestream-operator.io/manifests"]?.split(",")).toEqual(
      list.manifests?.map((m) => m.digest),
    );
  });
});

describe("childDigests", () => {
  const meta = { name: imageObjectName(digest("a")) };
  it.each([
    [
      "the annotation",
      { metadata: { ...meta, annotations: { [ANN_IMAGE_MANIFESTS]: "x,y" } } },
      ["x", "y"],
    ],
    [
      "an empty annotation",
      { metadata: { ...meta, annotations: { [ANN_IMAGE_MANIFESTS]: "" } } },
      [],
    ],
    ["a full single image", { metadata: meta, digest: digest("a") }, []],
    ["metadata only, no annotation", { metadata: meta }, undefined],
  ])("from %s", (_what, image, expected) => {
    expect(childDigests(image as Image)).toEqual(expected);
  });
});
