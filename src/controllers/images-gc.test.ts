import { describe, expect, it } from "vitest";
import {
  ANN_IMAGE_MANIFESTS,
  type Image,
  type ImageStream,
  imageObjectName,
} from "../api/types.js";
import { createLogger } from "../observability/logger.js";
import { digest, event, makeStream, statusTag } from "../reconcile/test-fixtures.js";
import { ImageGarbageCollector } from "./images-gc.js";
import { ImagesInUse } from "./images-in-use.js";

const LONG_AGO = "2020-01-01T00:00:00Z";

function image(c: string): Image {
  const d = digest(c);
  return {
    metadata: { name: imageObjectName(d), creationTimestamp: LONG_AGO },
    dockerImageReference: `quay.io/a@${d}`,
    digest: d,
  };
}

function collector(
  images: Image[],
  inUse: ImagesInUse,
  deleted: string[],
  streams: ImageStream[] = [],
  full: Map<string, Image> = new Map(),
) {
  const lister = <T>(items: T[]) => ({ list: () => items, synced: true });
  return new ImageGarbageCollector(
    lister<ImageStream>(streams),
    lister(images),
    {
      deleteImage: async (name: string) => void deleted.push(name),
      getImage: async (name: string) => full.get(name),
    },
    { imageGcGraceMinutes: 10 },
    createLogger("silent"),
    inUse,
  );
}

describe("ImageGarbageCollector", () => {
  it("keeps an unreferenced Image an import has just claimed, and deletes the rest", async () => {
    const inUse = new ImagesInUse(10 * 60_000);
    inUse.claim(digest("a"));
    const deleted: string[] = [];
    const names = await collector([image("a"), image("b")], inUse, deleted).collect();
    expect([names, deleted]).toEqual([
      [imageObjectName(digest("b"))],
      [imageObjectName(digest("b"))],
    ]);
  });
});

describe("ImageGarbageCollector with a metadata-only cache", () => {
  // what the informer holds of an Image written before ANN_IMAGE_MANIFESTS
  const metadataOnly = (c: string) =>
    ({ metadata: { name: imageObjectName(digest(c)), creationTimestamp: LONG_AGO } }) as Image;
  const stream = makeStream({ name: "s", status: [statusTag("t", [event(digest("list"))])] });

  it("reads a referenced pre-annotation Image in full once, and keeps its children", async () => {
    const full = new Map<string, Image>([
      [
        imageObjectName(digest("list")),
        {
          ...image("list"),
          dockerImageManifests: [
            {
              digest: digest("child"),
              mediaType: "m",
              manifestSize: 1,
              architecture: "amd64",
              os: "linux",
            },
          ],
        },
      ],
    ]);
    const reads: string[] = [];
    const reading = new Map(full);
    const tracked = new Proxy(reading, {
      get: (target, prop) =>
        prop === "get"
          ? (k: string) => {
              reads.push(k);
              return target.get(k);
            }
          : Reflect.get(target, prop),
    });
    const deleted: string[] = [];
    const images = ["list", "child", "orphan"].map(metadataOnly);
    const gc = collector(images, new ImagesInUse(1), deleted, [stream], tracked);
    await gc.collect();
    await gc.collect();
    expect(deleted).toEqual([imageObjectName(digest("orphan")), imageObjectName(digest("orphan"))]);
    expect(reads).toEqual([imageObjectName(digest("list"))]);
  });

  it("deletes nothing while a referenced Image's children cannot be read", async () => {
    const deleted: string[] = [];
    const images = ["list", "orphan"].map(metadataOnly);
    const failing = {
      get: () => {
        throw new Error("API down");
      },
    } as unknown as Map<string, Image>;
    await collector(images, new ImagesInUse(1), deleted, [stream], failing).collect();
    expect(deleted).toEqual([]);
  });

  it("trusts the annotation without reading the object", async () => {
    const deleted: string[] = [];
    const annotated = (c: string, children: string) =>
      ({
        metadata: {
          name: imageObjectName(digest(c)),
          creationTimestamp: LONG_AGO,
          annotations: { [ANN_IMAGE_MANIFESTS]: children },
        },
      }) as unknown as Image;
    const images = [
      annotated("list", digest("child")),
      annotated("child", ""),
      annotated("orphan", ""),
    ];
    await collector(images, new ImagesInUse(1), deleted, [stream], new Map()).collect();
    expect(deleted).toEqual([imageObjectName(digest("orphan"))]);
  });
});

describe("ImagesInUse", () => {
  it("holds a claimed digest for the hold period only", () => {
    const clock = { t: 0 };
    const inUse = new ImagesInUse(1000, () => clock.t);
    inUse.claim("sha256:a");
    clock.t = 999;
    expect([inUse.isHeld("sha256:a"), inUse.isHeld("sha256:b")]).toEqual([true, false]);
    clock.t = 1000;
    expect(inUse.isHeld("sha256:a")).toBe(false);
  });
});
