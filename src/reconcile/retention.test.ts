import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ImageStream, ImageStreamStatus, TagEvent } from "../api/types.js";
import {
  ANN_MAX_TAG_HISTORY,
  budgetTrimmedMessage,
  historyLimitOf,
  newestMatch,
  type RetentionRules,
  retainHistory,
} from "./retention.js";

const REPO = "registry.example/shop/web";

/** Item n of a tag: digest sha256:<tag><n>, created n minutes after a fixed start. */
function item(tag: string, n: number): TagEvent {
  const digest = `sha256:${tag}${String(n).padStart(4, "0")}`;
  return {
    created: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString().replace(".000", ""),
    dockerImageReference: `${REPO}@${digest}`,
    image: digest,
    generation: n,
  };
}

/** A tag that moved `moves` times: newest item first, as the history is kept. */
function history(tag: string, moves: number, offset = 0) {
  const items = Array.from({ length: moves }, (_, i) => item(tag, moves - i + offset));
  return { tag, items };
}

function status(...tags: ReturnType<typeof history>[]): ImageStreamStatus {
  return { dockerImageRepository: "", tags, tagCount: tags.length };
}

const digests = (s: ImageStreamStatus, tag: string) =>
  (s.tags?.find((t) => t.tag === tag)?.items ?? []).map((i) => i.image);

function rules(overrides: Partial<RetentionRules> = {}): RetentionRules {
  return { maxItems: 3, budgetBytes: 1024 * 1024, runningImages: () => [], ...overrides };
}

describe("retainHistory: newest N per tag", () => {
  it.each([
    { moves: 1, maxItems: 3, kept: 1, dropped: 0 },
    { moves: 3, maxItems: 3, kept: 3, dropped: 0 },
    { moves: 60, maxItems: 5, kept: 5, dropped: 55 },
    { moves: 60, maxItems: 1, kept: 1, dropped: 59 },
    { moves: 60, maxItems: 0, kept: 60, dropped: 0 },
  ])("$moves moves at N=$maxItems keep $kept", ({ moves, maxItems, kept, dropped }) => {
    const r = retainHistory(status(history("a", moves)), rules({ maxItems }));
    expect(digests(r.status, "a")).toEqual(
      digests(status(history("a", moves)), "a").slice(0, kept),
    );
    expect([r.droppedByCount, r.droppedByBudget]).toEqual([dropped, 0]);
  });

  it("keeps a tag without history (items null) as it is", () => {
    const s: ImageStreamStatus = { tags: [{ tag: "a", items: null, conditions: [] }] };
    expect(retainHistory(s, rules()).status).toEqual(s);
  });

  it("does not mutate its input", () => {
    const s = status(history("a", 10));
    const copy = structuredClone(s);
    retainHistory(s, rules());
    expect(s).toEqual(copy);
  });
});

describe("retainHistory: items triggered workloads run", () => {
  it("keeps the running item beyond the newest N, in its place, by pull spec or digest", () => {
    const s = status(history("a", 20), history("b", 20));
    const running: Record<string, string[]> = {
      a: [item("a", 2).dockerImageReference],
      // Local reference policy: the workload pulls the stream's own repository by digest
      b: [`integrated.example/shop/web@${item("b", 5).image}`],
    };
    const r = retainHistory(s, rules({ runningImages: (tag) => running[tag] ?? [] }));
    expect(digests(r.status, "a")).toEqual([20, 19, 18, 2].map((n) => item("a", n).image));
    expect(digests(r.status, "b")).toEqual([20, 19, 18, 5].map((n) => item("b", n).image));
    expect(r.droppedByCount).toBe(32);
  });

  it("keeps nothing extra for a running image that is among the newest, or in no item", () => {
    const s = status(history("a", 10));
    const running = [item("a", 9).dockerImageReference, "elsewhere.example/x:1", ""];
    const r = retainHistory(s, rules({ runningImages: () => running }));
    expect(digests(r.status, "a")).toEqual([10, 9, 8].map((n) => item("a", n).image));
  });

  it("keeps only the newest item of an image that appears twice (the tag moved back)", () => {
    const items = [
      item("a", 9),
      item("a", 8),
      item("a", 7),
      item("a", 1),
      item("a", 6),
      item("a", 1),
    ];
    const r = retainHistory(
      status({ tag: "a", items }),
      rules({ runningImages: () => [item("a", 1).dockerImageReference] }),
    );
    expect(r.status.tags?.[0]?.items).toEqual(items.slice(0, 4));
  });
});

describe("retainHistory: the status byte budget", () => {
  const bytes = (s: ImageStreamStatus) => Buffer.byteLength(JSON.stringify(s));

  it("drops the oldest items across tags until the status fits, never a tag's current item", () => {
    const s = status(history("a", 30), history("b", 30, 100));
    const budget = bytes(s) - 10 * (JSON.stringify(item("a", 1)).length + 1);
    const r = retainHistory(s, rules({ maxItems: 0, budgetBytes: budget }));
    // tag a's items are all older than b's: a loses its 10 oldest, b nothing
    expect(digests(r.status, "a")).toEqual(digests(s, "a").slice(0, 20));
    expect(digests(r.status, "b")).toEqual(digests(s, "b"));
    expect(r.droppedByBudget).toBe(10);
    expect(r.bytes).toBe(bytes(r.status));
    expect(r.bytes).toBeLessThanOrEqual(budget);
  });

  it("keeps current and running items even when the status then stays over budget", () => {
    const s = status(history("a", 5), history("b", 5, 100));
    const running = item("a", 1).dockerImageReference;
    const r = retainHistory(
      s,
      rules({ budgetBytes: 100, runningImages: (t) => (t === "a" ? [running] : []) }),
    );
    expect(digests(r.status, "a")).toEqual([item("a", 5).image, item("a", 1).image]);
    expect(digests(r.status, "b")).toEqual([item("b", 105).image]);
    expect([r.droppedByCount, r.droppedByBudget]).toEqual([3, 4]);
    expect(r.bytes).toBe(bytes(r.status));
    expect(budgetTrimmedMessage(r, 100)).toBe(
      `dropped 4 oldest tag history item(s) to keep the status below 100 bytes (now ${r.bytes}); ` +
        "still over it: the rest is current or in use",
    );
  });

  it("counts bytes as UTF-8", () => {
    const s = status(history("ü", 4));
    const r = retainHistory(s, rules({ maxItems: 0, budgetBytes: bytes(s) - 1 }));
    expect(r.droppedByBudget).toBe(1);
    expect(r.bytes).toBe(bytes(r.status));
  });
});

describe("retainHistory is idempotent: a second pass trims nothing", () => {
  it.each([
    { name: "count", maxItems: 5, budgetBytes: 1024 * 1024 },
    { name: "budget", maxItems: 0, budgetBytes: 4000 },
    { name: "both", maxItems: 12, budgetBytes: 3000 },
  ])("$name", ({ maxItems, budgetBytes }) => {
    const running = [item("a", 3).dockerImageReference, item("b", 104).image];
    const r = rules({ maxItems, budgetBytes, runningImages: () => running });
    const first = retainHistory(status(history("a", 40), history("b", 40, 100)), r);
    expect(first.droppedByCount + first.droppedByBudget).toBeGreaterThan(0);
    const second = retainHistory(first.status, r);
    expect([second.droppedByCount, second.droppedByBudget]).toEqual([0, 0]);
    expect(second.status).toEqual(first.status);
  });
});

describe("newestMatch", () => {
  const items = [item("a", 3), item("a", 2), item("a", 1)];
  it.each([
    { image: item("a", 2).dockerImageReference, at: 1 },
    { image: `other.example/x@${item("a", 1).image}`, at: 2 },
    { image: `${REPO}:latest`, at: -1 },
    { image: "", at: -1 },
  ])("$image -> $at", ({ image, at }) => {
    expect(newestMatch(items, image)).toBe(at);
  });
});

describe("historyLimitOf", () => {
  const stream = (value?: string): ImageStream => ({
    metadata: {
      name: "web",
      ...(value === undefined ? {} : { annotations: { [ANN_MAX_TAG_HISTORY]: value } }),
    },
  });
  it.each([
    { value: undefined, limit: { maxItems: 10 } },
    { value: "5", limit: { maxItems: 5 } },
    { value: " 3 ", limit: { maxItems: 3 } },
    { value: "0", limit: { maxItems: 0 } },
    { value: "-1", limit: { maxItems: 10, invalid: "-1" } },
    { value: "five", limit: { maxItems: 10, invalid: "five" } },
    { value: "2.5", limit: { maxItems: 10, invalid: "2.5" } },
    { value: "", limit: { maxItems: 10, invalid: "" } },
    { value: "99999999999", limit: { maxItems: 10, invalid: "99999999999" } },
  ])("$value -> $limit", ({ value, limit }) => {
    expect(historyLimitOf(stream(value), 10)).toEqual(limit);
  });
});

describe("retainHistory properties (random histories, limits, budgets, running images)", () => {
  const tagArb = fc.record({
    moves: fc.integer({ min: 0, max: 30 }),
    running: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
  });
  interface Case {
    tags: { moves: number; running: number[] }[];
    maxItems: number;
    budgetBytes: number;
  }
  const caseArb: fc.Arbitrary<Case> = fc.record({
    tags: fc.array(tagArb, { minLength: 1, maxLength: 4 }),
    maxItems: fc.integer({ min: 0, max: 8 }),
    budgetBytes: fc.integer({ min: 200, max: 30_000 }),
  });

  /** Tags t0.. with interleaved creation times; running images name item numbers (some absent). */
  function build(c: Case) {
    const tags = c.tags.map((t, i) => history(`t${i}`, t.moves, i * 7));
    const running = new Map<string, string[]>(
      c.tags.map((t, i) => [
        `t${i}`,
        t.running.map((n) => item(`t${i}`, n + i * 7).dockerImageReference),
      ]),
    );
    const r = rules({
      maxItems: c.maxItems,
      budgetBytes: c.budgetBytes,
      runningImages: (tag) => running.get(tag) ?? [],
    });
    return { s: status(...tags), r, running };
  }

  const total = (s: ImageStreamStatus) =>
    (s.tags ?? []).reduce((n, t) => n + (t.items?.length ?? 0), 0);

  it("keeps every tag's current item and every running item, in order, and counts what it drops", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { s, r, running } = build(c);
        const out = retainHistory(s, r);
        expect(out.droppedByCount + out.droppedByBudget).toBe(total(s) - total(out.status));
        s.tags?.forEach((before, i) => {
          const after = out.status.tags?.[i];
          const kept = (after?.items ?? []).map((x) => x.image);
          const original = (before.items ?? []).map((x) => x.image);
          expect(
            kept.every((d, k) => original.indexOf(d) > original.indexOf(kept[k - 1] ?? "")),
          ).toBe(true);
          if (original.length > 0) expect(kept[0]).toBe(original[0]);
          for (const image of running.get(before.tag) ?? []) {
            const at = newestMatch(before.items ?? [], image);
            if (at >= 0) expect(kept).toContain(original[at]);
          }
          if (out.droppedByBudget === 0 && c.maxItems > 0) {
            expect(kept.slice(0, c.maxItems)).toEqual(original.slice(0, c.maxItems));
          }
        });
      }),
    );
  });

  it("fits the budget unless only current and running items are left", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { s, r, running } = build(c);
        const out = retainHistory(s, r);
        expect(out.bytes).toBe(Buffer.byteLength(JSON.stringify(out.status)));
        if (out.bytes <= c.budgetBytes) return;
        for (const t of out.status.tags ?? []) {
          const items = t.items ?? [];
          const protectedAt = new Set((running.get(t.tag) ?? []).map((i) => newestMatch(items, i)));
          const removable = items.filter((_, p) => p > 0 && !protectedAt.has(p));
          expect(removable).toEqual([]);
        }
      }),
    );
  });

  it("is idempotent: a second pass drops nothing and returns the same status", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { s, r } = build(c);
        const first = retainHistory(s, r);
        const second = retainHistory(first.status, r);
        expect([second.droppedByCount, second.droppedByBudget]).toEqual([0, 0]);
        expect(second.status).toEqual(first.status);
      }),
    );
  });
});
