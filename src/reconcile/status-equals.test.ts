import { describe, expect, it } from "vitest";
import type { ImageStreamStatus } from "../api/types.js";
import { statusEquals } from "./status-equals.js";
import { digest, event, failure, statusTag } from "./test-fixtures.js";

const A = digest("a");
const B = digest("b");
const base: ImageStreamStatus = {
  dockerImageRepository: "",
  tags: [
    statusTag("a", [event(A)], { specHash: "h1" }),
    statusTag("b", [event(B)], { specHash: "h2" }),
  ],
  tagCount: 2,
  lastUpdated: "2025-12-31T12:00:00Z",
};
const variant = (f: (s: ImageStreamStatus) => void) => {
  const s = structuredClone(base);
  f(s);
  return s;
};

describe("statusEquals", () => {
  it.each<[string, ImageStreamStatus | undefined, ImageStreamStatus | undefined, boolean]>([
    ["identical", base, structuredClone(base), true],
    ["both absent", undefined, undefined, true],
    ["absent vs empty", undefined, { dockerImageRepository: "", tags: [] }, true],
    ["tag order", base, variant((s) => s.tags?.reverse()), true],
    ["items null vs []", { tags: [statusTag("a", null)] }, { tags: [statusTag("a", [])] }, true],
    [
      "conditions absent vs []",
      { tags: [statusTag("a", null)] },
      { tags: [statusTag("a", null, { conditions: [] })] },
      true,
    ],
    [
      "same second, other spelling",
      base,
      variant((s) => {
        s.lastUpdated = "2025-12-31T12:00:00.000Z";
      }),
      true,
    ],
    [
      "item image differs",
      base,
      variant((s) => {
        (s.tags?.[0]?.items ?? [])[0] = event(B);
      }),
      false,
    ],
    [
      "item generation differs",
      base,
      variant((s) => {
        (s.tags?.[0]?.items ?? [])[0] = event(A, 2);
      }),
      false,
    ],
    [
      "history longer",
      base,
      variant((s) => {
        s.tags?.[0]?.items?.push(event(B));
      }),
      false,
    ],
    [
      "condition added",
      base,
      variant((s) => {
        if (s.tags?.[0]) s.tags[0].conditions = [failure("NotFound", 1)];
      }),
      false,
    ],
    [
      "condition message differs",
      { tags: [statusTag("a", null, { conditions: [failure("NotFound", 1)] })] },
      {
        tags: [
          statusTag("a", null, { conditions: [{ ...failure("NotFound", 1), message: "other" }] }),
        ],
      },
      false,
    ],
    [
      "specHash differs",
      base,
      variant((s) => {
        (s.tags?.[0] as { specHash?: string }).specHash = "zz";
      }),
      false,
    ],
    [
      "tag removed",
      base,
      variant((s) => {
        s.tags?.pop();
      }),
      false,
    ],
    [
      "tagCount differs",
      base,
      variant((s) => {
        s.tagCount = 1;
      }),
      false,
    ],
    [
      "repository set vs absent",
      base,
      variant((s) => {
        s.repository = { additionalTags: [] };
      }),
      false,
    ],
    [
      "additionalTags differ",
      variant((s) => {
        s.repository = { additionalTags: ["x"] };
      }),
      variant((s) => {
        s.repository = { additionalTags: ["y"] };
      }),
      false,
    ],
    [
      "dockerImageRepository differs",
      base,
      variant((s) => {
        s.dockerImageRepository = "registry.local/team/app";
      }),
      false,
    ],
  ])("%s -> %s", (_name, a, b, expected) => {
    expect(statusEquals(a, b)).toBe(expected);
    expect(statusEquals(b, a)).toBe(expected);
  });
});
