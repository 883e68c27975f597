import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../testing/fuzz.js";
import { canonicalName, type ParsedReference, parseImageReference } from "./reference.js";
import { ImportError } from "./types.js";

const SEEDS = [
  "nginx",
  "nginx:1.25",
  "bitnami/redis:7.2.4-debian-12-r0",
  "index.docker.io/library/nginx:latest",
  "quay.io/org/app:v1",
  "localhost:5000/a/b/c",
  "127.0.0.1:5000/app:t",
  "[::1]:5000/app",
  `ghcr.io/o/a:v1@sha256:${"b".repeat(64)}`,
  `r.io/app@sha512:${"c".repeat(128)}`,
  "my_org/app-x.y__z",
];

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Either a reference that keeps every rule, or ImportError InvalidReference with a bounded message. */
function parsedOrRejected(input: string): ParsedReference | undefined {
  try {
    const parsed = timed("parseImageReference", () => parseImageReference(input));
    for (const component of parsed.repository.split("/")) {
      expect(component).toMatch(PATH_COMPONENT);
    }
    expect(canonicalName(parsed).length).toBeLessThanOrEqual(255);
    if (parsed.tag !== undefined) expect(parsed.tag).toMatch(TAG);
    if (parsed.digest !== undefined) expect(parsed.digest).toMatch(DIGEST);
    expect(parsed.tag !== undefined || parsed.digest !== undefined).toBe(true);
    return parsed;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    expect(error.reason).toBe("InvalidReference");
    expect(error.message.length).toBeLessThan(400);
    return undefined;
  }
}

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc.oneof(
  fc
    .tuple(label, fc.array(label, { minLength: 1, maxLength: 3 }))
    .map(([a, b]) => [a, ...b].join(".")),
  fc.constant("localhost"),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.${a}.${b}.1`),
  fc.constant("[::1]"),
);
const registry = fc
  .tuple(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([h, port]) => (port === undefined ? h : `${h}:${port}`))
  .filter((r) => !["docker.io", "index.docker.io", "registry-1.docker.io"].includes(r));
const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,8}){0,2}$/);
const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join("/"));
/** with no registry written, a first component with a "." is read as a host (as docker does) */
const hubPath = path.filter((p) => !(p.split("/")[0] ?? "").includes("."));
const tag = fc.stringMatching(/^[\w][\w.-]{0,40}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
  fc.stringMatching(/^[0-9a-f]{128}$/).map((h) => `sha512:${h}`),
);

describe("parseImageReference on hostile input", () => {
  it("parses or rejects with InvalidReference: generated, mutated, huge and deeply nested text", () => {
    fc.assert(
      fc.property(hostileText(SEEDS), (input) => void parsedOrRejected(input)),
      fuzzParameters(3000),
    );
  });

  it("parses or rejects strings over the reference alphabet (reaching every branch)", () => {
    const alphabet = fc.constantFrom(..."ab0.:/@_-[]Z".split(""), "sha256:", "a".repeat(64));
    const input = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(input, (i) => void parsedOrRejected(i)),
      fuzzParameters(3000),
    );
  });
});

describe("parseImageReference round trips", () => {
  it(
    "gives back the registry, path, tag and digest it was built from, and format(parse(x)) == x",
    () => {
      const reference = fc.record({
        registry: fc.option(registry, { nil: undefined }),
        path,
        hubPath,
        tag: fc.option(tag, { nil: undefined }),
        digest: fc.option(digest, { nil: undefined }),
      });
      fc.assert(
        fc.property(reference, (r) => {
          const name = r.registry === undefined ? r.hubPath : `${r.registry}/${r.path}`;
          const written = `${name}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
          const parsed = parseImageReference(written);
          expect(parsed.writtenName).toBe(name);
          expect(parsed.registry).toBe(r.registry ?? "docker.io");
          const repoPath = r.registry === undefined ? r.hubPath : r.path;
          const hubLibrary = r.registry === undefined && !repoPath.includes("/");
          expect(parsed.repository).toBe(hubLibrary ? `library/${repoPath}` : repoPath);
          expect(parsed.digest).toBe(r.digest);
          expect(parsed.tag).toBe(r.tag ?? (r.digest ? undefined : "latest"));
          if (r.tag !== undefined || r.digest !== undefined) expect(format(parsed)).toBe(written);
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "normalising is idempotent: the canonical form parses to the same reference",
    () => {
      fc.assert(
        fc.property(hostileText(SEEDS), (input) => {
          const parsed = parsedOrRejected(input);
          if (parsed === undefined) return;
          const canonical = `${canonicalName(parsed)}${parsed.tag ? `:${parsed.tag}` : ""}${parsed.digest ? `@${parsed.digest}` : ""}`;
          const again = parseImageReference(canonical);
          expect({ ...again, writtenName: "" }).toEqual({ ...parsed, writtenName: "" });
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

/** The reference as written, from its parts (tag and digest as given). */
function format(parsed: ParsedReference): string {
  return `${parsed.writtenName}${parsed.tag ? `:${parsed.tag}` : ""}${parsed.digest ? `@${parsed.digest}` : ""}`;
}

describe("parseImageReference regressions found by fuzzing", () => {
  it("does not echo a megabyte of input into its error", () => {
    const huge = `quay.io/${"a".repeat(1024 * 1024)}:v1`;
    expect(() => parseImageReference(huge)).toThrow(/longer than 520 characters/);
    try {
      parseImageReference(huge);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(400);
    }
  });

  it("measures the 255-character limit on the normalised name, as distribution does", () => {
    // 250 characters as written, 268 as docker.io/library/...: the canonical form would not parse
    const written = "a".repeat(250);
    expect(() => parseImageReference(written)).toThrow(/longer than 255/);
    expect(parseImageReference(`quay.io/${"a".repeat(247)}`).repository).toHaveLength(247);
  });
});
