import { describe, expect, it } from "vitest";
import type { Image } from "../api/types.js";
import {
  imageStreamImage,
  imageStreamTag,
  imageView,
  parseImageViewName,
  parseTagViewName,
  resolveStreamDigest,
  streamDigests,
  tagNames,
} from "./image-views.js";
import {
  digest,
  dockerTag,
  EARLIER,
  event,
  failure,
  makeStream,
  NOW,
  statusTag,
} from "./test-fixtures.js";
import { imageTable, shortAge, tagTable } from "./view-tables.js";

const A = digest("a");
const B = digest("b");
const AB = `sha256:ab${"0".repeat(62)}`;

const listImage: Image = {
  metadata: { name: `sha256.${"a".repeat(64)}`, creationTimestamp: EARLIER },
  digest: A,
  dockerImageReference: `quay.io/org/app@${A}`,
  dockerImageManifestMediaType: "application/vnd.oci.image.index.v1+json",
  dockerImageManifests: [
    {
      digest: B,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      manifestSize: 500,
      os: "linux",
      architecture: "amd64",
    },
    {
      digest: AB,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      manifestSize: 501,
      os: "linux",
      architecture: "arm",
      variant: "v7",
    },
  ],
};

const singleImage: Image = {
  metadata: { name: `sha256.${"b".repeat(64)}` },
  digest: B,
  dockerImageReference: `quay.io/org/app@${B}`,
  size: 1234,
  layers: [
    { name: digest("c"), size: 1000, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
  ],
  config: {
    architecture: "amd64",
    os: "linux",
    created: EARLIER,
    entrypoint: ["/bin/sh"],
    env: ["PATH=/bin"],
    exposedPorts: ["8080/tcp"],
    labels: { team: "a" },
  },
};

const stream = makeStream({
  name: "app",
  namespace: "team",
  resourceVersion: "42",
  tags: [
    dockerTag("latest", "quay.io/org/app:latest"),
    dockerTag("pending", "quay.io/org/app:next"),
  ],
  status: [
    statusTag("latest", [event(A, 2), event(B, 1)], { conditions: [failure("Unauthorized", 3)] }),
    statusTag("old", [event(AB, 1)]),
  ],
});

describe("view names", () => {
  it.each([
    ["app:latest", { stream: "app", tag: "latest" }],
    ["app", undefined],
    [":latest", undefined],
    ["app:", undefined],
    ["app:a:b", undefined],
  ])("istag %s", (name, parts) => expect(parseTagViewName(name)).toEqual(parts));

  it.each([
    [`app@${A}`, { stream: "app", digest: A }],
    ["app@sha256:ab", { stream: "app", digest: "sha256:ab" }],
    ["app@ab12", { stream: "app", digest: "ab12" }],
    ["app:latest", undefined],
    ["app@", undefined],
    ["app@sha256:XYZ", undefined],
  ])("isimage %s", (name, parts) => expect(parseImageViewName(name)).toEqual(parts));
});

describe("imageView: OpenShift's Image shape", () => {
  it("a manifest list keeps every platform, for the seed's jsonpath", () => {
    const v = imageView(listImage);
    expect(v.metadata.name).toBe(A);
    expect(v.dockerImageManifests?.map((m) => `${m.os}/${m.architecture}`)).toEqual([
      "linux/amd64",
      "linux/arm",
    ]);
    expect(v.dockerImageManifests?.[1]?.variant).toBe("v7");
    expect(v.dockerImageLayers).toEqual([]);
  });

  it("a single image's config becomes Docker-style dockerImageMetadata", () => {
    const v = imageView(singleImage);
    expect(v.dockerImageMetadata).toEqual({
      kind: "DockerImage",
      apiVersion: "image.openshift.io/1.0",
      Id: B,
      Created: EARLIER,
      Architecture: "amd64",
      Os: "linux",
      Size: 1234,
      Config: {
        Env: ["PATH=/bin"],
        Entrypoint: ["/bin/sh"],
        ExposedPorts: { "8080/tcp": {} },
        Labels: { team: "a" },
      },
    });
    expect(v.dockerImageMetadataVersion).toBe("1.0");
    expect(v.dockerImageLayers).toHaveLength(1);
    expect(v.dockerImageManifests).toBeUndefined();
  });
});

describe("imageStreamTag", () => {
  it("the current item, its spec tag, conditions and image", () => {
    const v = imageStreamTag(stream, "latest", listImage);
    expect(v).toMatchObject({
      kind: "ImageStreamTag",
      apiVersion: "image.imagestream-operator.io/v1",
      metadata: {
        name: "app:latest",
        namespace: "team",
        resourceVersion: "42",
        creationTimestamp: EARLIER,
      },
      tag: { name: "latest" },
      generation: 2,
      lookupPolicy: { local: false },
      conditions: [{ reason: "Unauthorized" }],
    });
    // the tag's reference, not the Image's (they differ for Local reference policy)
    expect(v?.image?.dockerImageReference).toBe(`quay.io/org/app@${A}`);
  });

  it("a spec tag not imported yet has no image; an unknown tag has no view", () => {
    const pending = imageStreamTag(stream, "pending", undefined);
    expect(pending?.tag?.name).toBe("pending");
    expect(pending?.image).toBeUndefined();
    expect(imageStreamTag(stream, "nope", undefined)).toBeUndefined();
  });

  it("a status-only tag (its spec tag removed) still has a view, with tag null", () => {
    expect(imageStreamTag(stream, "old", undefined)?.tag).toBeNull();
  });

  it("lists spec tags and imported tags once each, sorted", () => {
    expect(tagNames(stream)).toEqual(["latest", "old", "pending"]);
  });
});

describe("resolveStreamDigest", () => {
  it.each([
    [A, { digest: A }],
    ["aaaa", { digest: A }],
    ["sha256:b", { digest: B }],
    ["ab", { digest: AB }],
    ["a", { error: "Conflict", message: 'multiple images match the prefix "a"' }],
    ["c", { error: "NotFound", message: 'imagestreamimages "app@c" not found' }],
  ])("%s", (wanted, expected) =>
    expect(resolveStreamDigest(stream, wanted)).toMatchObject(expected),
  );

  it("every digest of the history, once", () => {
    expect(streamDigests(stream)).toEqual([A, B, AB]);
  });

  it("an ImageStreamImage is named by the full digest", () => {
    const match = resolveStreamDigest(stream, "bbb");
    if ("error" in match) throw new Error(match.message);
    const v = imageStreamImage(stream, match, singleImage);
    expect(v.metadata.name).toBe(`app@${B}`);
    expect(v.image.dockerImageMetadata.Id).toBe(B);
  });
});

describe("tables", () => {
  it("kubectl get istag: name, reference, age of the tag, platforms (wide)", () => {
    const views = [
      imageStreamTag(stream, "latest", listImage),
      imageStreamTag(stream, "pending", undefined),
    ];
    const t = tagTable(
      views.filter((v) => v !== undefined),
      NOW,
      "42",
    );
    expect(t.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Image Reference",
      "Updated",
      "Platforms",
    ]);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ["app:latest", `quay.io/org/app@${A}`, "24h", "linux/amd64,linux/arm/v7"],
      ["app:pending", "", "", ""],
    ]);
    expect(t.rows[0]?.object).toMatchObject({
      kind: "PartialObjectMetadata",
      metadata: { name: "app:latest" },
    });
  });

  it("kubectl get isimage", () => {
    const match = resolveStreamDigest(stream, B);
    if ("error" in match) throw new Error(match.message);
    const t = imageTable([imageStreamImage(stream, match, singleImage)], NOW);
    expect(t.rows[0]?.cells).toEqual([`app@${B}`, `quay.io/org/app@${B}`, "24h"]);
  });

  it.each([
    ["2026-01-01T11:59:15Z", "45s"],
    ["2026-01-01T11:30:00Z", "30m"],
    ["2026-01-01T02:00:00Z", "10h"],
    ["2025-12-01T12:00:00Z", "31d"],
    [null, "<unknown>"],
  ])("age since %s", (since, age) => expect(shortAge(since, NOW)).toBe(age));
});
