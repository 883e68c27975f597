import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidDigest, parseImageReference } from "../registry/reference.js";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../testing/fuzz.js";
import { pushedTags } from "./push-events.js";

const ENVELOPE_SEEDS: unknown[] = [
  {
    events: [
      {
        id: "e1",
        timestamp: "2024-01-01T00:00:00Z",
        action: "push",
        target: {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: `sha256:${"a".repeat(64)}`,
          repository: "demo/app",
          tag: "v2",
          url: "http://127.0.0.1:5000/v2/demo/app/manifests/sha256:aa",
        },
        request: { host: "127.0.0.1:5000", method: "PUT" },
      },
      { action: "pull", target: { repository: "demo/app", tag: "v1" }, request: { host: "r.io" } },
      {
        action: "push",
        target: { repository: "nginx", tag: "1.25", url: "https://docker.io/v2/x" },
      },
    ],
  },
];
const ENVELOPE_TEXT_SEEDS = ENVELOPE_SEEDS.map((seed) => JSON.stringify(seed));

function parsedEnvelope(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe("pushedTags on hostile notifications", () => {
  it(
    "yields only tags that name a valid reference, as stream tags normalise theirs",
    () => {
      fc.assert(
        fc.property(hostileText(ENVELOPE_TEXT_SEEDS, ENVELOPE_SEEDS), (text) => {
          const envelope = parsedEnvelope(text);
          for (const pushed of timed("pushedTags", () => pushedTags(envelope))) {
            const ref = parseImageReference(
              `${pushed.registry}/${pushed.repository}:${pushed.tag}`,
            );
            const { digest, ...tag } = pushed;
            expect(ref).toMatchObject(tag);
            // a digest is kept only when valid: it ends a push's follow-up checks
            if (digest !== undefined) expect(isValidDigest(digest)).toBe(true);
          }
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("pushedTags regressions found by fuzzing", () => {
  const push = (host: unknown, repository: unknown, tag: unknown) => ({
    events: [{ action: "push", target: { repository, tag }, request: { host } }],
  });

  it.each([
    ["a host that is a bare word", push("registry", "demo/app", "v1")],
    ["a repository that is not one", push("r.io", "Demo/App", "v1")],
    ["a repository holding a digest", push("r.io", `a@sha256:${"a".repeat(64)}`, "v1")],
    ["a tag that is not one", push("r.io", "demo/app", "-v1\n")],
    ["a host with a bad port", push("r.io:http", "demo/app", "v1")],
  ])("skips %s", (_name, envelope) => {
    expect(pushedTags(envelope)).toEqual([]);
  });

  it("normalises Docker Hub as stream tags do, so a push to nginx matches docker.io/library/nginx", () => {
    expect(pushedTags(push("registry-1.docker.io", "nginx", "1.25"))).toEqual([
      { registry: "docker.io", repository: "library/nginx", tag: "1.25" },
    ]);
  });
});
