import { describe, expect, it } from "vitest";
import type { ImageStreamStatus } from "../api/types.js";
import { planTagEvents } from "./events.js";
import { digest, EARLIER, event, failure, statusTag } from "./test-fixtures.js";

const A = digest("a");
const B = digest("b");
const st = (...tags: ReturnType<typeof statusTag>[]): ImageStreamStatus => ({ tags });
const refItem = (ref: string) => ({
  created: EARLIER,
  dockerImageReference: ref,
  image: "",
  generation: 1,
});

describe("planTagEvents", () => {
  const cases: [string, ImageStreamStatus | undefined, ImageStreamStatus, string[]][] = [
    [
      "unchanged status: nothing (resync)",
      st(statusTag("t", [event(A)])),
      st(statusTag("t", [event(A)])),
      [],
    ],
    [
      "unchanged failing status: nothing",
      st(statusTag("t", null, { conditions: [failure("NotFound", 1)] })),
      st(statusTag("t", null, { conditions: [failure("NotFound", 1)] })),
      [],
    ],
    [
      "first image",
      undefined,
      st(statusTag("t", [event(A)])),
      [`Normal TagUpdated t: Tag t updated from <none> to ${A}`],
    ],
    [
      "new digest",
      st(statusTag("t", [event(A)])),
      st(statusTag("t", [event(B), event(A)])),
      [`Normal TagUpdated t: Tag t updated from ${A} to ${B}`],
    ],
    ["generation only", st(statusTag("t", [event(A, 1)])), st(statusTag("t", [event(A, 2)])), []],
    [
      "starts failing, history kept",
      st(statusTag("t", [event(A)])),
      st(statusTag("t", [event(A)], { conditions: [failure("Unauthorized", 2)] })),
      ["Warning ImportFailed t: Import of tag t failed (Unauthorized): failed: Unauthorized"],
    ],
    [
      "keeps failing with another reason: no new event",
      st(statusTag("t", [event(A)], { conditions: [failure("Timeout", 2)] })),
      st(statusTag("t", [event(A)], { conditions: [failure("NotFound", 2)] })),
      [],
    ],
    [
      "recovers with the same image",
      st(statusTag("t", [event(A)], { conditions: [failure("Timeout", 2)] })),
      st(statusTag("t", [event(A)])),
      ["Normal ImportRecovered t: Import of tag t succeeded again after failing (Timeout)"],
    ],
    [
      "recovers with a new image: both",
      st(statusTag("t", null, { conditions: [failure("NotFound", 1)] })),
      st(statusTag("t", [event(B)])),
      [
        `Normal TagUpdated t: Tag t updated from <none> to ${B}`,
        "Normal ImportRecovered t: Import of tag t succeeded again after failing (NotFound)",
      ],
    ],
    [
      "True condition to False counts as starting to fail",
      st(
        statusTag("t", [event(A)], {
          conditions: [{ type: "ImportSuccess", status: "True", generation: 1 }],
        }),
      ),
      st(statusTag("t", [event(A)], { conditions: [failure("Timeout", 2)] })),
      ["Warning ImportFailed t: Import of tag t failed (Timeout): failed: Timeout"],
    ],
    ["tag removed: nothing", st(statusTag("t", [event(A)])), st(), []],
    [
      "reference tag first recorded",
      undefined,
      st(statusTag("r", [refItem("quay.io/x:1")])),
      ["Normal TagUpdated r: Tag r now references quay.io/x:1"],
    ],
    [
      "reference tag unchanged",
      st(statusTag("r", [refItem("quay.io/x:1")])),
      st(statusTag("r", [refItem("quay.io/x:1")])),
      [],
    ],
    [
      "reference tag re-pointed",
      st(statusTag("r", [refItem("quay.io/x:1")])),
      st(statusTag("r", [refItem("quay.io/x:2")])),
      ["Normal TagUpdated r: Tag r now references quay.io/x:2"],
    ],
    [
      "one event per changed tag only",
      st(statusTag("a", [event(A)]), statusTag("b", [event(A)])),
      st(statusTag("a", [event(A)]), statusTag("b", [event(B)])),
      [`Normal TagUpdated b: Tag b updated from ${A} to ${B}`],
    ],
  ];
  it.each(cases)("%s", (_name, before, after, expected) => {
    expect(
      planTagEvents(before, after).map((e) => `${e.type} ${e.reason} ${e.tag}: ${e.note}`),
    ).toEqual(expected);
  });
});
