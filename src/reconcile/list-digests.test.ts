import { describe, expect, it } from "vitest";
import { ANN_LIST_DIGESTS } from "../api/types.js";
import type { ImportResult } from "../registry/types.js";
import { plannedListDigests, recordedListDigests } from "./list-digests.js";
import { digest, dockerTag, makeStream } from "./test-fixtures.js";
import type { Outcome } from "./types.js";

const stream = (annotation?: string) =>
  makeStream({
    tags: [dockerTag("a", "q.io/x:a"), dockerTag("b", "q.io/x:b")],
    ...(annotation !== undefined ? { annotations: { [ANN_LIST_DIGESTS]: annotation } } : {}),
  });

const imported = (tag: string, listDigest?: string): Outcome => ({
  kind: "imported",
  tag,
  generation: 1,
  result: {
    image: {},
    children: [],
    ...(listDigest ? { listDigest } : {}),
  } as unknown as ImportResult,
});
const failed = (tag: string): Outcome => ({
  kind: "failed",
  tag,
  generation: 1,
  reason: "NotFound",
  message: "m",
});

describe("recordedListDigests", () => {
  it.each([
    ["absent", undefined, {}],
    ["valid", JSON.stringify({ a: digest("1") }), { a: digest("1") }],
    ["not JSON", "{", {}],
    ["an array", "[]", {}],
    [
      "a value that is no digest",
      JSON.stringify({ a: "../x", b: digest("2") }),
      { b: digest("2") },
    ],
  ])("%s", (_what, annotation, expected) => {
    expect(recordedListDigests(stream(annotation))).toEqual(expected);
  });
});

describe("plannedListDigests", () => {
  const one = JSON.stringify({ a: digest("1") });
  it.each([
    ["no list, no annotation: no write", undefined, [imported("a")], undefined],
    ["a list import records it", undefined, [imported("a", digest("1"))], one],
    ["the same list again: no write", one, [imported("a", digest("1"))], undefined],
    ["a failure keeps the entry: no write", one, [failed("a")], undefined],
    ["a single image replaces the list", one, [imported("a")], "{}"],
    [
      "a tag gone from spec is dropped",
      JSON.stringify({ a: digest("1"), gone: digest("2") }),
      [],
      one,
    ],
  ] as const)("%s", (_what, annotation, outcomes, expected) => {
    expect(plannedListDigests(stream(annotation), outcomes)).toEqual(expected);
  });
});
