import { describe, expect, it } from "vitest";
import { type Image, type ImageStream, imageObjectName } from "../api/types.js";
import { createLogger } from "../observability/logger.js";
import { digest } from "../reconcile/test-fixtures.js";
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

function collector(images: Image[], inUse: ImagesInUse, deleted: string[]) {
  const lister = <T>(items: T[]) => ({ list: () => items, synced: true });
  return new ImageGarbageCollector(
    lister<ImageStream>([]),
    lister(images),
    { deleteImage: async (name: string) => void deleted.push(name) },
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
