import { describe, expect, it } from "vitest";
import {
  digest,
  dockerTag,
  event,
  makeStream,
  NOW,
  statusTag,
} from "../../reconcile/test-fixtures.js";
import { formatTagBlock } from "../describe/tags.js";
import { planRollback } from "../rollback/plan.js";
import { applyPatch } from "../testing/json-patch.js";
import { formatHistory, revisions } from "./plan.js";

const A = digest("a");
const B = digest("b");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
const stream = makeStream({
  tags: [dockerTag("latest", "quay.io/org/app:latest", { importPolicy: { scheduled: true } })],
  status: [
    statusTag("latest", [
      { ...event(A, 2), created: at(2) },
      { ...event(B, 1), created: at(70) },
    ]),
  ],
});

describe("history", () => {
  it("numbers revisions from the oldest kept item, lists them newest first", () => {
    expect(revisions(stream, "latest").map((r) => [r.revision, r.current, r.event.image])).toEqual([
      [2, true, A],
      [1, false, B],
    ]);
  });

  it("prints what the tag follows, then the revisions with age, digest and reference", () => {
    const lines = formatHistory(stream, "latest", "app:latest", NOW).split("\n");
    expect(lines[0]).toBe("app:latest: updates automatically from registry quay.io/org/app:latest");
    expect(lines[1]).toBe("");
    expect(lines.slice(2).map((l) => l.split(/\s{3,}/))).toEqual([
      ["REVISION", "CREATED", "DIGEST", "REFERENCE"],
      ["* 2", "2 minutes ago", A, `quay.io/org/app@${A}`],
      ["  1", "About an hour ago", B, `quay.io/org/app@${B}`],
    ]);
  });

  it("says a rollback pinned the tag, what it followed before, and how to undo", () => {
    const plan = planRollback(stream, "latest", { kind: "previous" }, "app:latest", NOW);
    const pinned = applyPatch(stream, plan.ops);
    const lines = formatHistory(pinned, "latest", "app:latest", NOW).split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `app:latest: tagged from app@${B}`,
      `Pinned by a rollback to ${B} (before it: updates automatically from registry quay.io/org/app:latest).`,
      "Undo with: kubectl imagestream rollback --undo app:latest",
    ]);
  });

  it("describe is shows the pin under the tag's source", () => {
    const plan = planRollback(stream, "latest", { kind: "previous" }, "app:latest", NOW);
    const lines = formatTagBlock(applyPatch(stream, plan.ops), "latest", [], NOW).split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "latest",
      `  tagged from app@${B}`,
      "    pinned by a rollback; before it: updates automatically from registry quay.io/org/app:latest",
      "    (kubectl imagestream rollback --undo app:latest restores it)",
    ]);
  });

  it("a tag without history, and a tag that does not exist", () => {
    const fresh = makeStream({ tags: [dockerTag("v1", "quay.io/org/app:v1")], status: [] });
    expect(() => formatHistory(fresh, "v1", "app:v1", NOW)).toThrow(
      "tag app:v1 has no history yet",
    );
    expect(() => formatHistory(fresh, "v9", "app:v9", NOW)).toThrow(
      "tag app:v9 does not exist on image stream team/app",
    );
  });
});
