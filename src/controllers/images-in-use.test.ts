import { describe, expect, it } from "vitest";
import { ImagesInUse } from "./images-in-use.js";

function clock(start = 1_000_000) {
  let t = start;
  let reads = 0;
  return {
    now: () => {
      reads++;
      return t;
    },
    advance: (ms: number) => {
      t += ms;
    },
    reads: () => reads,
  };
}

describe("ImagesInUse", () => {
  it("holds a claimed digest for the hold period; a new claim extends it", () => {
    const c = clock();
    const held = new ImagesInUse(1000, c.now);
    held.claim("sha256:a");
    c.advance(999);
    expect(held.isHeld("sha256:a")).toBe(true);
    held.claim("sha256:a");
    c.advance(999);
    expect(held.isHeld("sha256:a")).toBe(true);
    c.advance(1);
    expect(held.isHeld("sha256:a")).toBe(false);
    expect(held.isHeld("sha256:never")).toBe(false);
  });

  it("forgets expired claims as new ones come, keeping a re-claimed digest", () => {
    const c = clock();
    const held = new ImagesInUse(1000, c.now);
    held.claim("sha256:old");
    held.claim("sha256:kept");
    c.advance(600);
    held.claim("sha256:kept"); // moves behind the newer claims
    held.claim("sha256:mid");
    c.advance(500);
    held.claim("sha256:new");
    // old expired (1,100 ms); kept (500 ms) and mid (500 ms) are held
    expect(held.size).toBe(3);
    expect(held.isHeld("sha256:kept")).toBe(true);
    c.advance(1000);
    held.claim("sha256:last");
    expect(held.size).toBe(1);
  });

  it("a claim costs the same with 20,000 digests held as with one", () => {
    const c = clock();
    const held = new ImagesInUse(600_000, c.now);
    for (let i = 0; i < 20_000; i++) held.claim(`sha256:${i}`);
    const before = c.reads();
    held.claim("sha256:one-more");
    // one clock read per claim, not one per digest held
    expect(c.reads() - before).toBe(1);
    expect(held.size).toBe(20_001);
  });
});
