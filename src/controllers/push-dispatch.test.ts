import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ImageStream } from "../api/types.js";
import { PushDispatcher, PushIndex } from "./push-dispatch.js";

const docker = (name: string, ref: string) => ({ name, from: { kind: "DockerImage", name: ref } });
function stream(name: string, tags: ReturnType<typeof docker>[], image?: string): ImageStream {
  return {
    metadata: { name, namespace: "ns" },
    spec: { tags },
    ...(image
      ? {
          status: {
            tags: tags.map((t) => ({
              tag: t.name,
              items: [{ image, created: "", dockerImageReference: "" }],
            })),
          },
        }
      : {}),
  } as ImageStream;
}
const pushed = (tag = "v1", registry = "r.io") => ({ registry, repository: "demo/app", tag });

describe("PushIndex", () => {
  it("finds the streams and tags following a push key, and forgets removed or changed streams", () => {
    const index = new PushIndex();
    index.set(
      "ns/a",
      stream("a", [docker("x", "r.io/demo/app:v1"), docker("y", "r.io/demo/app:v2")]),
    );
    index.set("ns/b", stream("b", [docker("z", "r.io:443/demo/app:v1")]));
    expect(index.followers("r.io/demo/app:v1")).toEqual(
      new Map([
        ["ns/a", ["x"]],
        ["ns/b", ["z"]],
      ]),
    );
    index.set("ns/a", stream("a", [docker("y", "r.io/demo/app:v2")]));
    index.remove("ns/b");
    expect(index.followers("r.io/demo/app:v1")).toEqual(new Map());
    expect(index.followers("r.io/demo/app:v2")).toEqual(new Map([["ns/a", ["y"]]]));
  });
});

describe("PushDispatcher", () => {
  let index: PushIndex;
  let checks: string[];
  let latencies: number[];
  let streams: Map<string, ImageStream>;
  let dispatcher: PushDispatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    index = new PushIndex();
    checks = [];
    latencies = [];
    streams = new Map([["ns/a", stream("a", [docker("x", "r.io/demo/app:v1")], "sha256:old")]]);
    for (const [k, s] of streams) index.set(k, s);
    dispatcher = new PushDispatcher({
      index,
      recheck: (key, tags) => checks.push(`${key} ${tags.join(",")} @${Date.now()}`),
      followUpsMs: [1000, 5000],
      getStream: (k) => streams.get(k),
      observeLatencySeconds: (s) => latencies.push(s),
      now: () => Date.now(),
    });
    vi.setSystemTime(0);
  });
  afterEach(() => {
    dispatcher.stop();
    vi.useRealTimers();
  });

  it("checks at once and again after each follow-up delay", () => {
    expect(dispatcher.notify([pushed()])).toBe(1);
    vi.advanceTimersByTime(6000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1000", "ns/a x @5000"]);
  });

  it("coalesces a flood for one tag into the checks one notification makes", () => {
    for (let i = 0; i < 100; i++) {
      dispatcher.notify([pushed()]);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(10_000);
    // one check at once, the two follow-ups counted from the last notification
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1990", "ns/a x @5990"]);
  });

  it("matches nothing, and checks nothing, for a tag no stream follows", () => {
    expect(dispatcher.notify([pushed("v9"), pushed("v1", "other.io")])).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(checks).toEqual([]);
  });

  it("measures push -> new image in status, once per push", () => {
    dispatcher.notify([pushed()]);
    vi.advanceTimersByTime(250);
    dispatcher.observe("ns/a", streams.get("ns/a")); // unchanged: still waiting
    const moved = stream("a", [docker("x", "r.io/demo/app:v1")], "sha256:new");
    dispatcher.observe("ns/a", moved);
    vi.advanceTimersByTime(250);
    dispatcher.observe("ns/a", moved);
    expect(latencies).toEqual([0.25]);
  });

  const A = `sha256:${"a".repeat(64)}`;
  const B = `sha256:${"b".repeat(64)}`;

  it("drops the follow-ups once the first check saw the notified digest", () => {
    dispatcher.notify([{ ...pushed(), digest: A }]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: A, moved: true }]);
    vi.advanceTimersByTime(10_000);
    expect(checks).toEqual(["ns/a x @0"]);
  });

  it("keeps the follow-ups while the checks saw another digest (notified before the tag moved)", () => {
    dispatcher.notify([{ ...pushed(), digest: A }]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: B, moved: false }]);
    vi.advanceTimersByTime(1000);
    dispatcher.checked("ns/a", [{ tag: "x", digest: A, moved: true }]);
    vi.advanceTimersByTime(10_000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1000"]);
  });

  it("without a digest (Docker Hub, Quay): a check that saw the tag move ends it, an unchanged one does not", () => {
    dispatcher.notify([pushed()]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: B, moved: false }]);
    vi.advanceTimersByTime(1000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1000"]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: A, moved: true }]);
    vi.advanceTimersByTime(10_000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1000"]);
  });

  it("waits for every follower of the key before dropping the follow-ups", () => {
    const b = stream("b", [docker("y", "r.io/demo/app:v1")], "sha256:old");
    streams.set("ns/b", b);
    index.set("ns/b", b);
    dispatcher.notify([{ ...pushed(), digest: A }]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: A, moved: true }]);
    vi.advanceTimersByTime(1000);
    expect(checks).toEqual(["ns/a x @0", "ns/b y @0", "ns/a x @1000", "ns/b y @1000"]);
    dispatcher.checked("ns/b", [{ tag: "y", digest: A, moved: true }]);
    vi.advanceTimersByTime(10_000);
    expect(checks).toHaveLength(4);
  });

  it("a later notification naming a new digest waits for that one", () => {
    dispatcher.notify([{ ...pushed(), digest: A }]);
    vi.advanceTimersByTime(100);
    dispatcher.notify([{ ...pushed(), digest: B }]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: A, moved: true }]);
    vi.advanceTimersByTime(1000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1100"]);
    dispatcher.checked("ns/a", [{ tag: "x", digest: B, moved: true }]);
    vi.advanceTimersByTime(10_000);
    expect(checks).toEqual(["ns/a x @0", "ns/a x @1100"]);
  });
});
