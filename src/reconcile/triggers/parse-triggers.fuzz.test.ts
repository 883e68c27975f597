import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../../testing/fuzz.js";
import { findJsonSyntaxError, MAX_NESTING } from "./json-syntax.js";
import { parseTriggers } from "./parse-triggers.js";
import { CRON_JOB_PATH, SIDECAR_PATH, trigger, WEB_PATH, workload } from "./testdata.js";
import type { ParsedTriggers, TriggerProblemReason, Workload } from "./types.js";

const REASONS: TriggerProblemReason[] = [
  "InvalidJSON",
  "NotAnArray",
  "InvalidTrigger",
  "InvalidFieldPath",
  "NoSuchContainer",
  "DuplicateTrigger",
];
const TAG = /^[\w][\w.-]{0,127}$/;

const deployment = workload(
  "Deployment",
  { web: "nginx:1", sidecar: "envoy:1" },
  { initContainers: { setup: "busybox" } },
);
const cronJob = workload("CronJob", { job: "busybox" });

const JSON_SEEDS: unknown[] = [
  [trigger("app:latest", WEB_PATH)],
  [
    trigger("app:v1", WEB_PATH, { paused: true }),
    {
      from: { kind: "ImageStreamTag", name: "proxy:1", namespace: "shared" },
      fieldPath: SIDECAR_PATH,
    },
    trigger("init:1", "spec.template.spec.initContainers[0].image"),
  ],
  [
    {
      From: { Kind: "ImageStreamTag", Name: "app:1" },
      FieldPath: "spec.template.spec.containers[1].image",
    },
  ],
  [trigger("job:nightly", CRON_JOB_PATH, { pause: "false" })],
];
const TEXT_SEEDS = JSON_SEEDS.map((seed) => JSON.stringify(seed));

/** The annotation is parsed into valid triggers and problems that say what is wrong; nothing else. */
function checkParsed(text: string, target: Workload): ParsedTriggers {
  const parsed = timed("parseTriggers", () => parseTriggers(text, target));
  const keys = new Set<string>();
  for (const t of parsed.triggers) {
    expect(t.from.kind).toBe("ImageStreamTag");
    expect(t.from.name).toBe(`${t.stream}:${t.tag}`);
    expect(t.stream).not.toBe("");
    expect(t.tag).toMatch(TAG);
    expect(typeof t.from.namespace).toBe("string");
    expect(typeof t.paused).toBe("boolean");
    expect(keys.has(t.container.key)).toBe(false);
    keys.add(t.container.key);
  }
  for (const problem of parsed.problems) {
    expect(REASONS).toContain(problem.reason);
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message.length).toBeLessThan(2048);
  }
  return parsed;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("parseTriggers on hostile annotations", () => {
  it(
    "parses or reports problems: generated, mutated, huge and deeply nested annotations",
    () => {
      fc.assert(
        fc.property(hostileText(TEXT_SEEDS, JSON_SEEDS), fc.boolean(), (text, cron) => {
          const parsed = checkParsed(text, cron ? cronJob : deployment);
          if (!parses(text) && text.trim() !== "") {
            expect(parsed.problems.map((p) => p.reason)).toEqual(["InvalidJSON"]);
          }
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "finds a syntax error exactly when JSON.parse fails, at a position inside the text",
    () => {
      fc.assert(
        fc.property(hostileText(TEXT_SEEDS, JSON_SEEDS), (text) => {
          const found = timed("findJsonSyntaxError", () => findJsonSyntaxError(text));
          if (!parses(text)) {
            expect(found).toBeDefined();
            expect(found?.position).toBeLessThanOrEqual(text.length);
          } else if (found !== undefined) {
            // only a valid text nested deeper than the scanner follows
            expect(found.expected).toContain(`${MAX_NESTING} levels of nesting`);
          }
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/);
const tagName = fc.stringMatching(/^[\w][\w.-]{0,30}$/);

describe("parseTriggers round trip", () => {
  it(
    "reads back every trigger it is given, however the keys are cased and the path written",
    () => {
      const spec = fc.record({
        containers: fc.uniqueArray(dnsLabel, { minLength: 1, maxLength: 5 }),
        chosen: fc.array(
          fc.record({
            stream: dnsLabel,
            tag: tagName,
            namespace: fc.option(dnsLabel, { nil: undefined }),
            paused: fc.option(fc.boolean(), { nil: undefined }),
            byIndex: fc.boolean(),
            quote: fc.constantFrom('"', "'"),
            goCase: fc.boolean(),
          }),
          { maxLength: 5 },
        ),
      });
      fc.assert(
        fc.property(spec, ({ containers, chosen }) => {
          const target = workload(
            "Deployment",
            Object.fromEntries(containers.map((c) => [c, "x:1"])),
          );
          const picked = chosen.slice(0, containers.length);
          const annotation = picked.map((c, i) => {
            const name = containers[i] ?? "";
            const selector = c.byIndex ? String(i) : `?(@.name==${c.quote}${name}${c.quote})`;
            const from = {
              kind: "ImageStreamTag",
              name: `${c.stream}:${c.tag}`,
              namespace: c.namespace,
            };
            const entry = {
              from,
              fieldPath: `spec.template.spec.containers[${selector}].image`,
              paused: c.paused,
            };
            return c.goCase ? { From: from, FIELDPATH: entry.fieldPath, Paused: c.paused } : entry;
          });
          const parsed = checkParsed(JSON.stringify(annotation), target);
          expect(parsed.problems).toEqual([]);
          expect(
            parsed.triggers.map((t) => [t.from.name, t.from.namespace, t.paused, t.container.name]),
          ).toEqual(
            picked.map((c, i) => [
              `${c.stream}:${c.tag}`,
              c.namespace ?? "shop",
              c.paused === true,
              containers[i],
            ]),
          );
        }),
        fuzzParameters(1500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("parseTriggers regressions found by fuzzing", () => {
  it("reports an unclosed annotation nested 100,000 deep instead of overflowing the stack", () => {
    const parsed = parseTriggers("[".repeat(100_000), deployment);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]?.message).toContain(`at most ${MAX_NESTING} levels of nesting`);
  });

  it("names the type of a deeply nested kind instead of serialising it", () => {
    const kind = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const parsed = parseTriggers(
      `[{"from":{"kind":${kind},"name":"a:b"},"fieldPath":"${WEB_PATH.replaceAll('"', '\\"')}"}]`,
      deployment,
    );
    expect(parsed.problems[0]?.message).toContain("unknown kind (an array)");
  });

  it("refuses a 250 KB fieldPath at once instead of backtracking over it", () => {
    const fieldPath = ".containers[".repeat(20_000);
    const started = performance.now();
    const parsed = parseTriggers(JSON.stringify([trigger("a:b", fieldPath)]), deployment);
    expect(performance.now() - started).toBeLessThan(200);
    expect(parsed.problems[0]?.reason).toBe("InvalidFieldPath");
    expect(parsed.problems[0]?.message).toContain("longer than 512 characters");
    expect(parsed.problems[0]?.message.length).toBeLessThan(1024);
  });

  it("quotes at most 100 characters of a long from.name", () => {
    const parsed = parseTriggers(
      JSON.stringify([trigger(`${"s".repeat(100_000)}:`, WEB_PATH)]),
      deployment,
    );
    expect(parsed.problems[0]?.message.length).toBeLessThan(400);
  });
});
