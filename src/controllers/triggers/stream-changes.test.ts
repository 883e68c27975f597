import { describe, expect, it } from "vitest";
import type { ImageStream, NamedTagEventList } from "../../api/types.js";
import { tagIndexKey } from "../../reconcile/triggers/index.js";
import { StreamChangeTracker } from "./stream-changes.js";

const V1 = "127.0.0.1:5000/shop/app@sha256:1111";
const V2 = "127.0.0.1:5000/shop/app@sha256:2222";

function tagStatus(tag: string, reference: string | undefined): NamedTagEventList {
  const items =
    reference === undefined
      ? null
      : [
          {
            created: "2025-01-01T00:00:00Z",
            dockerImageReference: reference,
            image: reference.split("@")[1] ?? "",
            generation: 2,
          },
        ];
  return { tag, items };
}

function stream(
  tags: Record<string, string | undefined>,
  extra: { annotations?: Record<string, string>; resourceVersion?: string; local?: boolean } = {},
): ImageStream {
  return {
    metadata: {
      name: "app",
      namespace: "shop",
      resourceVersion: extra.resourceVersion ?? "1",
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      tags: Object.keys(tags).map((name) => ({
        name,
        ...(extra.local ? { referencePolicy: { type: "Local" as const } } : {}),
      })),
    },
    status: {
      dockerImageRepository: "registry.local/shop/app",
      tags: Object.entries(tags).map(([tag, ref]) => tagStatus(tag, ref)),
    },
  };
}

const key = (tag: string) => tagIndexKey("shop", "app", tag);

describe("StreamChangeTracker: which tag moves wake workloads", () => {
  it("treats every tag of a stream seen for the first time as changed", () => {
    const tracker = new StreamChangeTracker();
    const change = tracker.observe(stream({ latest: V1, pending: undefined }), "add");
    expect(change.tagKeys).toEqual(new Set([key("latest"), key("pending")]));
    expect(change.appearedOrVanished).toBe(true);
  });

  it("wakes nothing for an update that moves no tag (conditions, same digest, our stamps)", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1, stable: V1 }), "add");
    const change = tracker.observe(
      stream({ latest: V1, stable: V1 }, { resourceVersion: "2" }),
      "update",
    );
    expect(change.tagKeys).toEqual(new Set());
    expect(change.appearedOrVanished).toBe(false);
  });

  it("wakes only the tag whose current image moved", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1, stable: V1 }), "add");
    const change = tracker.observe(stream({ latest: V2, stable: V1 }), "update");
    expect(change.tagKeys).toEqual(new Set([key("latest")]));
  });

  it("compares with the version seen last, not the first one", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1 }), "add");
    tracker.observe(stream({ latest: V2 }), "update");
    expect(tracker.observe(stream({ latest: V2 }), "update").tagKeys).toEqual(new Set());
    expect(tracker.observe(stream({ latest: V1 }), "update").tagKeys).toEqual(
      new Set([key("latest")]),
    );
  });

  it("wakes a tag that got its first image, and one that lost its image", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1, next: undefined }), "add");
    const change = tracker.observe(stream({ next: V2 }), "update");
    expect(change.tagKeys).toEqual(new Set([key("latest"), key("next")]));
  });

  it("wakes every tag when the allowed-namespaces annotation changes", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1, stable: V1 }), "add");
    const shared = stream(
      { latest: V1, stable: V1 },
      { annotations: { "imagestream-operator.io/allowed-namespaces": "web" } },
    );
    expect(tracker.observe(shared, "update").tagKeys).toEqual(
      new Set([key("latest"), key("stable")]),
    );
  });

  it("uses the Local reference when a local registry is configured", () => {
    const tracker = new StreamChangeTracker({ localRegistryHostname: "registry.local" });
    tracker.observe(stream({ latest: V1 }), "add");
    // switching the reference policy changes the value written, so it counts
    expect(tracker.observe(stream({ latest: V1 }, { local: true }), "update").tagKeys).toEqual(
      new Set([key("latest")]),
    );
  });

  it("wakes every tag of a deleted stream and forgets it, so a new one counts as first sight", () => {
    const tracker = new StreamChangeTracker();
    tracker.observe(stream({ latest: V1 }), "add");
    const gone = tracker.observe(stream({ latest: V1 }), "delete");
    expect(gone.tagKeys).toEqual(new Set([key("latest")]));
    expect(gone.appearedOrVanished).toBe(true);
    expect(tracker.size).toBe(0);
    expect(tracker.observe(stream({ latest: V1 }), "add").tagKeys).toEqual(
      new Set([key("latest")]),
    );
  });
});
