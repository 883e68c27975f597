import { describe, expect, it } from "vitest";
import type { ImageStream } from "../api/types.js";
import { pushedTags, tagsFollowing } from "./push-events.js";

const envelope = (events: unknown[]) => ({ events });
const push = (over: Record<string, unknown> = {}) => ({
  action: "push",
  target: {
    repository: "demo/app",
    tag: "v1",
    url: "http://127.0.0.1:5000/v2/demo/app/manifests/sha256:aa",
  },
  request: { host: "127.0.0.1:5000" },
  ...over,
});

describe("pushedTags", () => {
  it.each([
    [
      "a tagged push",
      envelope([push()]),
      [{ registry: "127.0.0.1:5000", repository: "demo/app", tag: "v1" }],
    ],
    ["a pull", envelope([push({ action: "pull" })]), []],
    ["a push by digest (no tag)", envelope([push({ target: { repository: "demo/app" } })]), []],
    [
      "host from the URL when request.host is absent",
      envelope([push({ request: {} })]),
      [{ registry: "127.0.0.1:5000", repository: "demo/app", tag: "v1" }],
    ],
    [
      "no host at all",
      envelope([push({ request: {}, target: { repository: "r", tag: "t" } })]),
      [],
    ],
    ["not an envelope", "junk", []],
    ["events not a list", { events: {} }, []],
    ["null entries", envelope([null, 3]), []],
  ])("%s", (_name, input, expected) => {
    expect(pushedTags(input)).toEqual(expected);
  });
});

function stream(tags: NonNullable<ImageStream["spec"]>["tags"]): ImageStream {
  return { metadata: { name: "s", namespace: "ns" }, spec: { tags } };
}

describe("tagsFollowing", () => {
  const pushed = [{ registry: "127.0.0.1:5000", repository: "demo/app", tag: "v1" }];
  const docker = (name: string, ref: string, scheduled = true) => ({
    name,
    from: { kind: "DockerImage", name: ref },
    importPolicy: { scheduled },
  });

  it("selects DockerImage tags naming the pushed tag, scheduled or not", () => {
    const s = stream([
      docker("a", "127.0.0.1:5000/demo/app:v1"),
      docker("b", "127.0.0.1:5000/demo/app:v2"),
      docker("c", "127.0.0.1:5000/demo/app:v1", false),
      docker("d", "127.0.0.1:5001/demo/app:v1"),
      docker("e", `127.0.0.1:5000/demo/app@sha256:${"a".repeat(64)}`),
      { name: "f", from: { kind: "ImageStreamTag", name: "a" } },
      docker("g", "not a reference"),
    ]);
    expect(tagsFollowing(s, pushed)).toEqual(["a", "c"]);
  });

  it("matches Docker Hub names however they are written", () => {
    const hub = [{ registry: "docker.io", repository: "library/nginx", tag: "1.27" }];
    const s = stream([docker("a", "nginx:1.27"), docker("b", "docker.io/library/nginx:1.27")]);
    expect(tagsFollowing(s, hub)).toEqual(["a", "b"]);
  });

  it("matches a registry written with or without its default port, in any case", () => {
    const s = stream([docker("a", "Registry.Example.com:443/demo/app:v1")]);
    const at = (registry: string) =>
      tagsFollowing(s, [{ registry, repository: "demo/app", tag: "v1" }]);
    expect(at("registry.example.com")).toEqual(["a"]);
    expect(at("registry.example.com:443")).toEqual(["a"]);
    expect(at("registry.example.com:5000")).toEqual([]);
  });

  it("matches index.docker.io and registry-1.docker.io pushes to docker.io sources", () => {
    const s = stream([docker("a", "nginx:1.27")]);
    for (const registry of ["index.docker.io", "registry-1.docker.io"]) {
      const [hub] = pushedTags({
        events: [
          push({ target: { repository: "nginx", tag: "1.27" }, request: { host: registry } }),
        ],
      });
      expect(hub && tagsFollowing(s, [hub])).toEqual(["a"]);
    }
  });

  it("selects nothing for a stream without tags", () => {
    expect(tagsFollowing({ metadata: {} }, pushed)).toEqual([]);
  });
});
