// Shared pieces of the property-based ("fuzz") tests of the parsers: run
// counts, time bounds, and mutations of real valid inputs. Generated inputs
// alone rarely get past a parser's first check; mutations of inputs that
// parse reach the deep branches, where the crashes are.
//
// ISO_FUZZ_RUNS=<n> runs every property n times instead of its default (and
// lifts the per-property time limit, which only guards the default run).

import fc from "fast-check";

/** The slowest any single input may take: well above a linear parse, far below a hang. */
export const PER_INPUT_MS = 500;

/** Object keys that reach Object.prototype when a parser indexes a plain object with them. */
export const PROTOTYPE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
];

/** Nesting depths: mostly shallow (cheap), sometimes past any recursive parser's stack. */
export const depth: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 100_000 }) },
);

/** Huge strings: rare, since each costs its length in every check. */
const hugeLength: fc.Arbitrary<number> = fc.integer({ min: 1_000, max: 100_000 });

function runsFromEnv(): number | undefined {
  const value = Number(process.env.ISO_FUZZ_RUNS);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** fast-check parameters: the default runs, or ISO_FUZZ_RUNS; a run over its time limit fails. */
/** vitest timeout of a fuzz test: above the default run's time limit; none with ISO_FUZZ_RUNS. */
export const FUZZ_TIMEOUT_MS = runsFromEnv() === undefined ? 60_000 : 24 * 3600_000;

export function fuzzParameters(defaultRuns: number, timeLimitMs = 20_000): fc.Parameters<unknown> {
  const runs = runsFromEnv();
  if (runs !== undefined) return { numRuns: runs };
  return {
    numRuns: defaultRuns,
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: true,
  };
}

/** Runs fn and fails when it took longer than PER_INPUT_MS: super-linear work shows up as a failure, not a stall. */
export function timed<T>(what: string, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const took = performance.now() - started;
  if (took > PER_INPUT_MS) throw new Error(`${what} took ${Math.round(took)} ms on one input`);
  return result;
}

/** A deeply nested JSON text: [[[...]]] or {"a":{"a":...}}. */
export function deepJson(depth: number, kind: "array" | "object", closed = true): string {
  const open = kind === "array" ? "[" : '{"a":';
  const close = kind === "array" ? "]" : "}";
  return open.repeat(depth) + (kind === "array" ? "" : "0") + (closed ? close.repeat(depth) : "");
}

type TextMutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; times: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip"), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate"), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert"),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ unit: "binary", maxLength: 8 }),
      fc.constantFrom('"', "\\", "{", "}", "[", "]", ",", ":", "\u0000", "\uD800", "é", "💥", " "),
    ),
  }),
  fc.record({ kind: fc.constant("delete"), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant("duplicate"),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 32 }),
    times: fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 2, max: 20 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 10_000 }) },
    ),
  }),
);

function applyTextMutation(text: string, m: TextMutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.kind) {
    case "flip": {
      const bytes = Buffer.from(text, "utf8");
      if (bytes.length === 0) return text;
      const i = m.at % bytes.length;
      bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
      return bytes.toString("utf8");
    }
    case "truncate":
      return text.slice(0, at);
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + m.length);
    case "duplicate":
      return text.slice(0, at) + text.slice(at, at + m.length).repeat(m.times) + text.slice(at);
  }
}

/** Text-level mutations (byte flips, truncation, insertions, huge repeats) of one of the seeds. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(textMutation, { minLength: 1, maxLength: 4 }))
    .map(([seed, mutations]) => mutations.reduce(applyTextMutation, seed));
}

const DEEP = "\u0000deep\u0000";

/** Values that do not belong where strings, numbers or objects are expected. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -0,
    2 ** 53 + 1,
    0.5,
    "",
    "\u0000",
    "\uD800",
    "💥",
    [],
    {},
  ),
  fc.constant(DEEP),
  hugeLength.map((n) => "x".repeat(n)),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 1 }))
      .map(([key, value]) => ownKeyObject(key, value)),
  },
);

/** An object with `key` as an own enumerable property, even for "__proto__". */
function ownKeyObject(key: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return object;
}

function nodesOf(value: unknown, into: { parent: object; key: string }[] = []): typeof into {
  if (typeof value !== "object" || value === null) return into;
  for (const key of Object.keys(value)) {
    into.push({ parent: value, key });
    nodesOf((value as Record<string, unknown>)[key], into);
  }
  return into;
}

interface TreeMutation {
  node: number;
  action: "replace" | "delete" | "addKey";
  key: string;
  value: unknown;
}

const treeMutation: fc.Arbitrary<TreeMutation> = fc.record({
  node: fc.nat(),
  action: fc.constantFrom("replace", "replace", "delete", "addKey"),
  key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 6 })),
  value: nastyValue,
});

function applyTreeMutation(root: unknown, m: TreeMutation): void {
  const nodes = nodesOf(root);
  const target = nodes[m.node % Math.max(1, nodes.length)];
  if (target === undefined) return;
  const parent = target.parent as Record<string, unknown>;
  if (m.action === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(target.key), 1);
    else delete parent[target.key];
  } else if (m.action === "addKey" && !Array.isArray(parent)) {
    Object.defineProperty(parent, m.key, {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    parent[target.key] = m.value;
  }
}

/**
 * Structural mutations of one of the JSON seeds: a node replaced by a value of
 * another type (numbers where strings go, huge strings, deep nesting), removed,
 * or a sibling key added (prototype keys included); serialised as JSON text.
 */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(treeMutation, { minLength: 1, maxLength: 3 }), depth)
    .map(([seed, mutations, depth]) => {
      const root = structuredClone(seed);
      for (const m of mutations) applyTreeMutation(root, m);
      return JSON.stringify(root).replaceAll(JSON.stringify(DEEP), deepJson(depth, "array"));
    });
}

/** Any text a parser may be handed: arbitrary strings, mutated seeds, deep nesting. */
export function hostileText(
  seeds: readonly string[],
  jsonSeeds: readonly unknown[] = [],
): fc.Arbitrary<string> {
  const parts: fc.Arbitrary<string>[] = [
    fc.string({ unit: "binary", maxLength: 64 }),
    fc.string({ unit: "grapheme", maxLength: 64 }),
    mutatedText(seeds),
    fc
      .tuple(depth, fc.constantFrom<"array" | "object">("array", "object"), fc.boolean())
      .map(([depth, kind, closed]) => deepJson(depth, kind, closed)),
  ];
  if (jsonSeeds.length > 0)
    parts.push(
      mutatedJson(jsonSeeds),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
  return fc.oneof(...parts);
}
