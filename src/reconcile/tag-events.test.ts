import { describe, expect, it } from "vitest";
import type { TagEvent } from "../api/types.js";
import { formatTime, type NewTagEvent, recordFailure, recordSuccess } from "./tag-events.js";
import { digest, EARLIER, event, failure, NOW, statusTag } from "./test-fixtures.js";
import type { StatusTag } from "./types.js";

const A = digest("a");
const B = digest("b");
const refA = `quay.io/org/app@${A}`;
const refB = `quay.io/org/app@${B}`;
const nowText = "2026-01-01T12:00:00Z";

describe("formatTime", () => {
  it("drops milliseconds", () => {
    expect(formatTime(new Date("2026-01-01T12:00:00.123Z"))).toBe(nowText);
  });
});

describe("recordSuccess: history rules vs items[0]", () => {
  const cases: [string, StatusTag | undefined, NewTagEvent, TagEvent[], boolean][] = [
    [
      "first import of a new tag",
      undefined,
      { dockerImageReference: refA, image: A, generation: 1 },
      [{ created: nowText, dockerImageReference: refA, image: A, generation: 1 }],
      true,
    ],
    [
      "failure-only status tag gets its first item",
      statusTag("t", null, { conditions: [failure("NotFound", 1)] }),
      { dockerImageReference: refA, image: A, generation: 1 },
      [{ created: nowText, dockerImageReference: refA, image: A, generation: 1 }],
      true,
    ],
    [
      "same ref, image and generation: nothing changes",
      statusTag("t", [event(A, 2), event(B, 1)]),
      { dockerImageReference: refA, image: A, generation: 2 },
      [event(A, 2), event(B, 1)],
      false,
    ],
    [
      "same ref and image, newer generation: nothing changes (the spec generation is settled instead)",
      statusTag("t", [event(A, 2), event(B, 1)]),
      { dockerImageReference: refA, image: A, generation: 5 },
      [event(A, 2), event(B, 1)],
      false,
    ],
    [
      "same ref and image after a failure: conditions cleared and items[0].generation moves",
      statusTag("t", [event(A, 2)], { conditions: [failure("NotFound", 5)] }),
      { dockerImageReference: refA, image: A, generation: 5 },
      [{ ...event(A, 2), generation: 5 }],
      true,
    ],
    [
      "new digest: prepended, history kept",
      statusTag("t", [event(A, 2), event(B, 1)]),
      { dockerImageReference: refB, image: B, generation: 3 },
      [
        { created: nowText, dockerImageReference: refB, image: B, generation: 3 },
        event(A, 2),
        event(B, 1),
      ],
      true,
    ],
    [
      "same digest under another reference (mirror): prepended",
      statusTag("t", [event(A, 2)]),
      { dockerImageReference: `mirror.example/app@${A}`, image: A, generation: 3 },
      [
        {
          created: nowText,
          dockerImageReference: `mirror.example/app@${A}`,
          image: A,
          generation: 3,
        },
        event(A, 2),
      ],
      true,
    ],
    [
      "back to an older digest: prepended again (history is a stack)",
      statusTag("t", [event(B, 2), event(A, 1)]),
      { dockerImageReference: refA, image: A, generation: 3 },
      [
        { created: nowText, dockerImageReference: refA, image: A, generation: 3 },
        event(B, 2),
        event(A, 1),
      ],
      true,
    ],
    [
      "scheduled re-import, unchanged digest, same generation: no history",
      statusTag("t", [event(A, 4)]),
      { dockerImageReference: refA, image: A, generation: 4 },
      [event(A, 4)],
      false,
    ],
    [
      "reference tag: image empty, same reference: nothing",
      statusTag("t", [
        { created: EARLIER, dockerImageReference: "quay.io/x:1", image: "", generation: 1 },
      ]),
      { dockerImageReference: "quay.io/x:1", image: "", generation: 1 },
      [{ created: EARLIER, dockerImageReference: "quay.io/x:1", image: "", generation: 1 }],
      false,
    ],
  ];
  it.each(cases)("%s", (_name, current, ev, expectedItems, changed) => {
    const before = structuredClone(current);
    const got = recordSuccess(current, "t", ev, "hash", NOW);
    expect(got.tag.items).toEqual(expectedItems);
    expect(got.tag.conditions).toBeUndefined();
    expect(got.tag.specHash).toBe("hash");
    expect(got.changed).toBe(changed);
    expect(current).toEqual(before);
  });

  it("a success clears a failure even when the digest is unchanged", () => {
    const current = statusTag("t", [event(A, 2)], { conditions: [failure("Timeout", 2)] });
    const got = recordSuccess(
      current,
      "t",
      { dockerImageReference: refA, image: A, generation: 2 },
      "h",
      NOW,
    );
    expect(got.tag.items).toEqual([event(A, 2)]);
    expect(got.tag.conditions).toBeUndefined();
    expect(got.changed).toBe(true);
  });

  it("keeps the recorded fingerprint when the outcome carries none", () => {
    const current = statusTag("t", [event(A, 2)], { specHash: "old" });
    const got = recordSuccess(
      current,
      "t",
      { dockerImageReference: refB, image: B, generation: 2 },
      undefined,
      NOW,
    );
    expect(got.tag.specHash).toBe("old");
  });
});

describe("recordFailure", () => {
  const cases: [string, StatusTag | undefined, string, number, string, boolean][] = [
    ["new tag", undefined, "NotFound", 1, nowText, true],
    ["was succeeding", statusTag("t", [event(A, 1)]), "Unauthorized", 2, nowText, true],
    [
      "already failing, same reason: transition time kept",
      statusTag("t", [event(A, 1)], { conditions: [failure("Timeout", 2)] }),
      "Timeout",
      2,
      EARLIER,
      false,
    ],
    [
      "already failing, other reason: new transition time",
      statusTag("t", [event(A, 1)], { conditions: [failure("Timeout", 2)] }),
      "NotFound",
      2,
      nowText,
      true,
    ],
    [
      "same reason at a newer generation: time kept, generation moves",
      statusTag("t", [event(A, 1)], { conditions: [failure("Timeout", 2)] }),
      "Timeout",
      3,
      EARLIER,
      true,
    ],
  ];
  it.each(cases)("%s", (_name, current, reason, generation, since, changed) => {
    const before = structuredClone(current);
    const got = recordFailure(
      current,
      "t",
      { reason: reason as "NotFound", message: `failed: ${reason}`, generation },
      "h",
      NOW,
    );
    expect(got.tag.conditions).toEqual([
      {
        type: "ImportSuccess",
        status: "False",
        reason,
        message: `failed: ${reason}`,
        generation,
        lastTransitionTime: since,
      },
    ]);
    expect(got.tag.items).toEqual(current?.items ?? null);
    expect(got.changed).toBe(changed);
    expect(current).toEqual(before);
  });

  it("replaces other conditions and keeps history untouched", () => {
    const current = statusTag("t", [event(A, 2), event(B, 1)], {
      conditions: [{ type: "Other", status: "True", generation: 1 }, failure("NotFound", 1)],
    });
    const got = recordFailure(
      current,
      "t",
      { reason: "NotFound", message: "failed: NotFound", generation: 1 },
      "h",
      NOW,
    );
    expect(got.tag.conditions).toHaveLength(1);
    expect(got.tag.items).toEqual([event(A, 2), event(B, 1)]);
    expect(got.changed).toBe(true);
  });

  it("caps long messages", () => {
    const got = recordFailure(
      undefined,
      "t",
      { reason: "InternalError", message: "x".repeat(5000), generation: 1 },
      "h",
      NOW,
    );
    expect(got.tag.conditions?.[0]?.message?.length).toBe(1000);
  });
});
