import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import * as tenancy from "../tenancy.js";
import { ANN_ALLOWED_NAMESPACES } from "./plan.js";
import { currentTagImage, lookupsFromStreams } from "./tag-image.js";

const NEW_DIGEST = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const OLD_DIGEST = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

function stream(options: {
  policy?: "Source" | "Local" | "";
  annotations?: Record<string, string>;
}) {
  const specTag: TagReference = {
    name: "latest",
    from: { kind: "DockerImage", name: "quay.io/shop/web:latest" },
  };
  if (options.policy !== undefined) specTag.referencePolicy = { type: options.policy };
  const value: ImageStream = {
    metadata: { name: "web", namespace: "images", annotations: options.annotations ?? {} },
    spec: { tags: [specTag] },
    status: {
      dockerImageRepository: "registry.local:5000/images/web",
      tags: [
        {
          tag: "latest",
          items: [
            {
              created: "2025-01-02T00:00:00Z",
              dockerImageReference: `quay.io/shop/web@${NEW_DIGEST}`,
              image: NEW_DIGEST,
              generation: 2,
            },
            {
              created: "2025-01-01T00:00:00Z",
              dockerImageReference: `quay.io/shop/web@${OLD_DIGEST}`,
              image: OLD_DIGEST,
              generation: 1,
            },
          ],
        },
        { tag: "pending", items: null },
        { tag: "empty", items: [] },
      ],
    },
  };
  return value;
}

const SOURCE_REF = `quay.io/shop/web@${NEW_DIGEST}`;
const LOCAL_REF = `registry.local:5000/images/web@${NEW_DIGEST}`;

describe("currentTagImage", () => {
  it.each([
    ["Source: the newest item's reference", stream({ policy: "Source" }), {}, SOURCE_REF],
    [
      "no policy means Source",
      stream({}),
      { localRegistryHostname: "registry.local:5000" },
      SOURCE_REF,
    ],
    ["empty policy means Source", stream({ policy: "" }), {}, SOURCE_REF],
    ["Local without a local registry acts as Source", stream({ policy: "Local" }), {}, SOURCE_REF],
    [
      "Local with a local registry: the stream's repository by digest",
      stream({ policy: "Local" }),
      { localRegistryHostname: "registry.local:5000" },
      LOCAL_REF,
    ],
  ])("%s", (_, imageStream, options, expected) => {
    expect(currentTagImage(imageStream, "latest", options)).toBe(expected);
  });

  it("falls back to the source reference when Local has no repository or digest", () => {
    const noRepository = stream({ policy: "Local" });
    delete noRepository.status?.dockerImageRepository;
    const options = { localRegistryHostname: "registry.local:5000" };
    expect(currentTagImage(noRepository, "latest", options)).toBe(SOURCE_REF);

    const reference = stream({ policy: "Local" });
    const item = reference.status?.tags?.[0]?.items?.[0];
    if (item !== undefined) Object.assign(item, { dockerImageReference: "quay.io/x:1", image: "" });
    expect(currentTagImage(reference, "latest", options)).toBe("quay.io/x:1");
  });

  it.each([
    ["a tag not in status", "missing"],
    ["a tag with null items", "pending"],
    ["a tag with no items", "empty"],
  ])("has no image for %s", (_, tag) => {
    expect(currentTagImage(stream({}), tag)).toBeUndefined();
  });

  it("has no image for a stream without status", () => {
    expect(currentTagImage({ metadata: { name: "web" } }, "latest")).toBeUndefined();
  });
});

describe("lookupsFromStreams, with the real opt-in predicate", () => {
  const shared = stream({ annotations: { [tenancy.ANN_ALLOWED_NAMESPACES]: "shop, staging" } });
  const streams = new Map([["images/web", shared]]);
  const lookups = lookupsFromStreams(
    (namespace, name) => streams.get(`${namespace}/${name}`),
    tenancy.isCrossNamespaceAllowed,
  );

  it("names the same annotation as src/reconcile/tenancy.ts", () => {
    expect(ANN_ALLOWED_NAMESPACES).toBe(tenancy.ANN_ALLOWED_NAMESPACES);
  });

  it("looks up tag images through the cache", () => {
    expect(lookups.tagImage("images", "web", "latest")).toBe(SOURCE_REF);
    expect(lookups.tagImage("images", "web", "pending")).toBeUndefined();
    expect(lookups.tagImage("images", "nope", "latest")).toBeUndefined();
  });

  it("tells which streams exist", () => {
    expect(lookups.streamExists?.("images", "web")).toBe(true);
    expect(lookups.streamExists?.("images", "nope")).toBe(false);
  });

  it("tells a tag the stream lacks from one in its spec or status; a missing stream is not its business", () => {
    expect(lookups.tagExists?.("images", "web", "latest")).toBe(true);
    expect(lookups.tagExists?.("images", "web", "lates")).toBe(false);
    expect(lookups.tagExists?.("images", "nope", "latest")).toBe(true);
    const statusOnly = lookupsFromStreams(
      () => ({ ...shared, spec: { tags: [] } }),
      tenancy.isCrossNamespaceAllowed,
    );
    expect(statusOnly.tagExists?.("images", "web", "latest")).toBe(true);
  });

  it.each([
    ["the earlier item's reference", `quay.io/shop/web@${OLD_DIGEST}`, true],
    [
      "its digest under the stream's own repository",
      `registry.local:5000/images/web@${OLD_DIGEST}`,
      true,
    ],
    ["the current image (not earlier)", SOURCE_REF, false],
    ["a tag name", "quay.io/shop/web:latest", false],
  ])("tells the tag's earlier images: %s", (_, image, held) => {
    expect(lookups.heldBefore?.("images", "web", "latest", image)).toBe(held);
    expect(lookups.heldBefore?.("images", "nope", "latest", image)).toBe(false);
  });

  it("asks the stream whether a namespace may follow it, and denies for missing streams", () => {
    expect(lookups.crossNamespaceAllowed("images", "web", "shop")).toBe(true);
    expect(lookups.crossNamespaceAllowed("images", "web", "other")).toBe(false);
    expect(lookups.crossNamespaceAllowed("images", "nope", "shop")).toBe(false);
  });
});
