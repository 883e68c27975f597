import { describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagReference } from "../api/types.js";
import {
  BACKOFF_CAP_MS,
  backoffMs,
  isScheduled,
  nextDue,
  nextScheduledSlotMs,
  recordAttempts,
  repositoryDue,
  requeueAfterMs,
  watchScheduled,
} from "./schedule.js";
import { specFingerprint } from "./spec-tags.js";
import {
  digest,
  dockerTag,
  event,
  failure,
  istag,
  makeStream,
  NOW,
  statusTag,
} from "./test-fixtures.js";
import { type AttemptRecord, type Outcome, REPOSITORY_KEY, type StatusTag } from "./types.js";

const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000);
const rec = (
  secondsAgo: number,
  consecutiveFailures: number,
  retryAfterSeconds?: number,
): AttemptRecord => ({
  at: at(secondsAgo),
  consecutiveFailures,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

describe("backoffMs", () => {
  it.each<[number, number | undefined, number]>([
    [0, undefined, 10_000],
    [1, undefined, 10_000],
    [2, undefined, 20_000],
    [3, undefined, 40_000],
    [4, undefined, 80_000],
    [6, undefined, 320_000],
    [7, undefined, BACKOFF_CAP_MS],
    [50, undefined, BACKOFF_CAP_MS],
    [1_000_000, undefined, BACKOFF_CAP_MS],
    [1, 5, 10_000],
    [1, 30, 30_000],
    [3, 30, 40_000],
    [7, 900, 900_000],
    [1, 86_400, 3_600_000],
    [2, 0, 20_000],
    [2, -5, 20_000],
  ])("failures %d, retry-after %s s -> %d ms", (n, retryAfter, expected) => {
    expect(backoffMs(n, retryAfter)).toBe(expected);
  });
});

/** A stream whose single tag was observed at its generation (success or failure). */
function observed(tag: TagReference, st: Omit<StatusTag, "tag" | "specHash">): ImageStream {
  const s = makeStream({ tags: [tag], generation: tag.generation ?? 1 });
  const tags: StatusTag[] = [{ tag: tag.name, ...st, specHash: specFingerprint(s, tag) }];
  s.status = { tags };
  return s;
}

const ref = "quay.io/org/app:1";
const digestRef = `quay.io/org/app@${digest("d")}`;
const ok = { items: [event(digest("a"), 1)] };
const failed = (reason: string) => ({
  items: [event(digest("a"), 1)],
  conditions: [failure(reason, 1)],
});

describe("isScheduled", () => {
  it.each<[string, TagReference, StatusTag | undefined, boolean, boolean?]>([
    ["scheduled tag", dockerTag("t", ref, { importPolicy: { scheduled: true } }), undefined, true],
    ["not scheduled", dockerTag("t", ref), undefined, false],
    [
      "reference tags are never imported",
      dockerTag("t", ref, { reference: true, importPolicy: { scheduled: true } }),
      undefined,
      false,
    ],
    [
      "istag sources are not scheduled",
      istag("t", "base:1", { importPolicy: { scheduled: true } }),
      undefined,
      false,
    ],
    [
      "digest, not yet imported",
      dockerTag("t", digestRef, { importPolicy: { scheduled: true } }),
      undefined,
      true,
    ],
    [
      "digest, imported once",
      dockerTag("t", digestRef, { importPolicy: { scheduled: true } }),
      statusTag("t", [event(digest("d"))]),
      false,
    ],
    [
      "digest, only failed so far",
      dockerTag("t", digestRef, { importPolicy: { scheduled: true } }),
      statusTag("t", null, { conditions: [failure("NotFound", 1)] }),
      true,
    ],
    [
      "disabled by config",
      dockerTag("t", ref, { importPolicy: { scheduled: true } }),
      undefined,
      false,
      true,
    ],
  ])("%s", (_name, tag, st, expected, disabled) => {
    expect(isScheduled(tag, st, { disableScheduledImport: disabled === true })).toBe(expected);
  });
});

describe("nextDue", () => {
  const scheduled = dockerTag("t", ref, { importPolicy: { scheduled: true } });
  const plain = dockerTag("t", ref);
  const hour = 3600;
  // the test stream's slots (team/app, 900 s): the first one after a check 100 s ago
  const slotAfter100sAgo = nextScheduledSlotMs(observed(scheduled, ok), at(100).getTime());
  const recheck = (r: AttemptRecord): AttemptRecord => ({ ...r, recheck: true });
  it.each<
    [string, ImageStream, AttemptRecord | undefined, { inMs: number; cause: string } | undefined]
  >([
    ["imported plain tag: never", observed(plain, ok), rec(5, 0), undefined],
    ["imported plain tag, no record: never", observed(plain, ok), undefined, undefined],
    [
      "failed, no record (restart): at once",
      observed(plain, failed("Timeout")),
      undefined,
      { inMs: 0, cause: "retry" },
    ],
    [
      "failed once 4 s ago: in 6 s",
      observed(plain, failed("Timeout")),
      rec(4, 1),
      { inMs: 6_000, cause: "retry" },
    ],
    [
      "failed 3 times 15 s ago: in 25 s",
      observed(plain, failed("Timeout")),
      rec(15, 3),
      { inMs: 25_000, cause: "retry" },
    ],
    [
      "failed 20 times: capped at 10 min",
      observed(plain, failed("Timeout")),
      rec(0, 20),
      { inMs: 600_000, cause: "retry" },
    ],
    [
      "rate limited, Retry-After 120 s",
      observed(plain, failed("RateLimited")),
      rec(0, 1, 120),
      { inMs: 120_000, cause: "retry" },
    ],
    [
      "overdue retry: due at once",
      observed(plain, failed("NotFound")),
      rec(hour, 2),
      { inMs: 0, cause: "retry" },
    ],
    [
      "invalid reference: never retried",
      observed(plain, failed("InvalidReference")),
      undefined,
      undefined,
    ],
    [
      "scheduled, no record (restart): not due until watchScheduled records it",
      observed(scheduled, ok),
      undefined,
      undefined,
    ],
    [
      "scheduled, checked 100 s ago: at the stream's next slot",
      observed(scheduled, ok),
      rec(100, 0),
      { inMs: Math.max(0, slotAfter100sAgo - NOW.getTime()), cause: "scheduled" },
    ],
    [
      "scheduled, push recheck requested: at once, not as a scheduled check",
      observed(scheduled, ok),
      recheck(rec(1, 0)),
      { inMs: 0, cause: "recheck" },
    ],
    [
      "failing, push recheck requested: at once",
      observed(scheduled, failed("Timeout")),
      recheck(rec(1, 2)),
      { inMs: 0, cause: "recheck" },
    ],
    [
      "unscheduled DockerImage tag, push recheck requested: at once (a push is a hint for every follower)",
      observed(plain, ok),
      recheck(rec(1, 0)),
      { inMs: 0, cause: "recheck" },
    ],
    [
      "scheduled and failing: retry backoff wins",
      observed(scheduled, failed("Timeout")),
      rec(0, 1),
      { inMs: 10_000, cause: "retry" },
    ],
    [
      "copy from another stream, failing: retried",
      observed(istag("t", "base:1"), failed("NotFound")),
      rec(0, 2),
      { inMs: 20_000, cause: "retry" },
    ],
    [
      "tracking tag is never retried",
      observed(istag("t", "other"), failed("NotFound")),
      undefined,
      undefined,
    ],
  ])("%s", (_name, stream, record, expected) => {
    const attempts = new Map(record ? [["t", record]] : []);
    const due = nextDue(stream, stream.spec?.tags?.[0] as TagReference, attempts);
    if (!expected) return expect(due).toBeUndefined();
    expect(due?.cause).toBe(expected.cause);
    expect(Math.max(0, (due?.atMs ?? -1) - NOW.getTime())).toBe(expected.inMs);
  });

  it("uses the configured interval: one check per interval, on the slot", () => {
    const cfg = { scheduledIntervalSeconds: 60 };
    const stream = observed(scheduled, ok);
    const slot = nextScheduledSlotMs(stream, NOW.getTime(), cfg);
    expect(slot - NOW.getTime()).toBeGreaterThan(0);
    expect(slot - NOW.getTime()).toBeLessThanOrEqual(60_000);
    const checkedAtSlot = new Map([["t", { at: new Date(slot), consecutiveFailures: 0 }]]);
    expect(nextDue(stream, scheduled, checkedAtSlot, cfg)?.atMs).toBe(slot + 60_000);
    // a check that ran late (queue, cap) stays on the stream's slots
    const late = new Map([["t", { at: new Date(slot + 7_000), consecutiveFailures: 0 }]]);
    expect(nextDue(stream, scheduled, late, cfg)?.atMs).toBe(slot + 60_000);
  });

  it("all scheduled tags of a stream share its slot, whenever in the period they were checked", () => {
    const tags = ["a", "b", "c"].map((n) =>
      dockerTag(n, ref, { importPolicy: { scheduled: true } }),
    );
    const s = makeStream({ tags });
    s.status = {
      tags: tags.map((t) => ({ tag: t.name, ...ok, specHash: specFingerprint(s, t) })),
    };
    const slot = nextScheduledSlotMs(s, NOW.getTime());
    const checked = (msBeforeSlot: number) => ({
      at: new Date(slot - msBeforeSlot),
      consecutiveFailures: 0,
    });
    const attempts = new Map([
      ["a", checked(899_000)],
      ["b", checked(400_000)],
      ["c", checked(1)],
    ]);
    expect(tags.map((t) => nextDue(s, t, attempts)?.atMs)).toEqual([slot, slot, slot]);
  });
});

describe("repositoryDue", () => {
  const withRepo = (annotations?: Record<string, string>, repository?: object) => {
    const s = makeStream({
      dockerImageRepository: "quay.io/org/app",
      ...(annotations ? { annotations } : {}),
    });
    if (repository && s.status) s.status.repository = repository;
    return s;
  };
  const checked = { [ANN_DOCKER_REPOSITORY_CHECK]: "2026-01-01T00:00:00Z" };
  it.each<[string, ImageStream, AttemptRecord | undefined, number | undefined]>([
    ["no repository", makeStream({}), undefined, undefined],
    ["never imported", withRepo(), undefined, 0],
    [
      "imported (annotation and status.repository)",
      withRepo(checked, { additionalTags: [] }),
      undefined,
      undefined,
    ],
    ["annotation removed: import again", withRepo(undefined, { additionalTags: [] }), undefined, 0],
    ["annotation from tag imports, never bulk-imported", withRepo(checked), undefined, 0],
    ["listing failed twice 5 s ago", withRepo(), rec(5, 2), 15_000],
  ])("%s", (_name, stream, record, expected) => {
    const due = repositoryDue(stream, new Map(record ? [[REPOSITORY_KEY, record]] : []));
    expect(due === undefined ? undefined : Math.max(0, due.atMs - NOW.getTime())).toBe(expected);
  });
});

describe("requeueAfterMs", () => {
  it("is the earliest future due time over tags", () => {
    const s = makeStream({
      tags: [
        dockerTag("sched", ref, { importPolicy: { scheduled: true } }),
        dockerTag("broken", "quay.io/org/x:1"),
        dockerTag("fine", "quay.io/org/y:1"),
      ],
    });
    const tags: StatusTag[] = [
      {
        ...statusTag("sched", [event(digest("a"))]),
        specHash: specFingerprint(s, s.spec?.tags?.[0] as TagReference),
      },
      {
        ...statusTag("broken", null, { conditions: [failure("Timeout", 1)] }),
        specHash: specFingerprint(s, s.spec?.tags?.[1] as TagReference),
      },
      {
        ...statusTag("fine", [event(digest("b"))]),
        specHash: specFingerprint(s, s.spec?.tags?.[2] as TagReference),
      },
    ];
    s.status = { tags };
    const attempts = new Map([
      ["sched", rec(0, 0)],
      ["broken", rec(0, 3)],
    ]);
    expect(requeueAfterMs(s, attempts, NOW)).toBe(
      Math.min(40_000, nextScheduledSlotMs(s, NOW.getTime()) - NOW.getTime()),
    );
    expect(requeueAfterMs(s, attempts, NOW, {}, new Set(["broken"]))).toBe(
      nextScheduledSlotMs(s, NOW.getTime()) - NOW.getTime(),
    );
  });

  it("is undefined when nothing is scheduled or failing", () => {
    const tag = dockerTag("t", ref);
    expect(requeueAfterMs(observed(tag, ok), new Map(), NOW)).toBeUndefined();
  });

  it("ignores pending tags (this pass's work)", () => {
    const s = makeStream({ tags: [dockerTag("t", ref, { importPolicy: { scheduled: true } })] });
    expect(requeueAfterMs(s, new Map(), NOW)).toBeUndefined();
  });
});

describe("recordAttempts", () => {
  const stream = makeStream({
    tags: [dockerTag("a", ref), dockerTag("b", ref), dockerTag("c", ref)],
  });
  const fail = (tag: string, retryAfterSeconds?: number): Outcome => ({
    kind: "failed",
    tag,
    generation: 1,
    reason: "Timeout",
    message: "x",
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  });
  const success = (tag: string): Outcome => ({
    kind: "resolved",
    tag,
    generation: 1,
    dockerImageReference: "r",
    image: "",
  });

  it("counts failures up, resets on success, keeps untouched tags, drops removed ones", () => {
    const previous = new Map([
      ["a", rec(30, 2)],
      ["b", rec(30, 4)],
      ["c", rec(30, 0)],
      ["gone", rec(30, 1)],
    ]);
    const next = recordAttempts(previous, [fail("a", 60), success("b")], NOW, stream);
    expect(Object.fromEntries(next)).toEqual({
      a: { at: NOW, consecutiveFailures: 3, retryAfterSeconds: 60 },
      b: { at: NOW, consecutiveFailures: 0 },
      c: rec(30, 0),
    });
    expect(previous.get("a")).toEqual(rec(30, 2));
  });

  it("keeps the repository record only while spec.dockerImageRepository is set", () => {
    const previous = new Map([[REPOSITORY_KEY, rec(1, 1)]]);
    const repoStream = makeStream({ dockerImageRepository: "quay.io/org/app" });
    expect(
      recordAttempts(previous, [fail(REPOSITORY_KEY)], NOW, repoStream).get(REPOSITORY_KEY),
    ).toEqual({
      at: NOW,
      consecutiveFailures: 2,
    });
    expect(recordAttempts(previous, [], NOW, makeStream({})).size).toBe(0);
  });
});

describe("watchScheduled", () => {
  const sched = dockerTag("s", ref, { importPolicy: { scheduled: true } });
  const plainTag = dockerTag("p", "quay.io/org/p:1");
  const failing = dockerTag("f", "quay.io/org/f:1", { importPolicy: { scheduled: true } });
  const fresh = dockerTag("n", "quay.io/org/n:1", { importPolicy: { scheduled: true } });
  const stream = makeStream({ tags: [sched, plainTag, failing, fresh] });
  stream.status = {
    tags: [
      { tag: "s", ...ok, specHash: specFingerprint(stream, sched) },
      { tag: "p", ...ok, specHash: specFingerprint(stream, plainTag) },
      { tag: "f", ...failed("Timeout"), specHash: specFingerprint(stream, failing) },
      // "n" has no status: new, this pass's work
    ],
  };

  it.each<[string, Map<string, AttemptRecord>, Record<string, AttemptRecord>]>([
    [
      "empty log (a start or a leader change): only the settled scheduled tag is recorded at now",
      new Map(),
      { s: { at: NOW, consecutiveFailures: 0 } },
    ],
    ["a recorded tag keeps its record", new Map([["s", rec(30, 0)]]), { s: rec(30, 0) }],
    [
      "a failing tag keeps its immediate retry (no record added)",
      new Map([["p", rec(5, 0)]]),
      { p: rec(5, 0), s: { at: NOW, consecutiveFailures: 0 } },
    ],
  ])("%s", (_name, log, expected) => {
    expect(Object.fromEntries(watchScheduled(stream, log, NOW))).toEqual(expected);
  });

  it("returns the same log when it adds nothing, and never changes its input", () => {
    const log = new Map([["s", rec(30, 0)]]);
    expect(watchScheduled(stream, log, NOW)).toBe(log);
    const empty = new Map<string, AttemptRecord>();
    watchScheduled(stream, empty, NOW);
    expect(empty.size).toBe(0);
  });

  it("adds nothing when scheduled imports are disabled", () => {
    expect(watchScheduled(stream, new Map(), NOW, { disableScheduledImport: true }).size).toBe(0);
  });
});
