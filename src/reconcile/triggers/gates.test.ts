import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TagEvent } from "../../api/types.js";
import { gateVerdict } from "./gates.js";
import { parseRolloutPolicy, type RolloutPolicy } from "./rollout-policy.js";

const T0 = Date.parse("2026-12-02T10:00:00Z");
const MIN = 60_000;

function policy(fields: object): RolloutPolicy {
  const parsed = parseRolloutPolicy(JSON.stringify(fields));
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const ref = (n: number) => `reg/app@${digest(n)}`;

/** History, newest first, from moves (digest number, minutes after T0), oldest first. */
function history(moves: [number, number][]): TagEvent[] {
  return moves
    .map(([n, minutes]) => ({
      created: new Date(T0 + minutes * MIN).toISOString(),
      dockerImageReference: ref(n),
      image: digest(n),
      generation: 1,
    }))
    .reverse();
}

describe("gateVerdict", () => {
  it("no gate: rolls now", () => {
    expect(gateVerdict(policy({}), history([[1, 0]]), undefined, T0)).toEqual({
      at: T0,
      waits: [],
    });
  });

  it("soak: the digest's age; a move restarts it", () => {
    const p = policy({ soak: "10m" });
    const items = history([
      [1, 0],
      [2, 5],
    ]);
    const verdict = gateVerdict(p, items, ref(1), T0 + 6 * MIN);
    expect(verdict.at).toBe(T0 + 15 * MIN);
    expect(verdict.waits[0]).toContain("soak");
    expect(gateVerdict(p, items, ref(1), T0 + 15 * MIN).at).toBe(T0 + 15 * MIN);
  });

  it("debounce: the first move after our last write opens the window", () => {
    const p = policy({ debounce: "10m" });
    // applied 1; moves to 2 at +1, 3 at +4, 4 at +8: rolls once at +11, to 4
    const items = history([
      [1, -30],
      [2, 1],
      [3, 4],
      [4, 8],
    ]);
    expect(gateVerdict(p, items, ref(1), T0 + 9 * MIN).at).toBe(T0 + 11 * MIN);
    expect(gateVerdict(p, items, ref(1), T0 + 11 * MIN).waits).toEqual([]);
  });

  it("debounce: a record not in the history waits on the oldest move there is", () => {
    const p = policy({ debounce: "10m" });
    const items = history([
      [2, 1],
      [3, 4],
    ]);
    expect(gateVerdict(p, items, ref(9), T0 + 5 * MIN).at).toBe(T0 + 11 * MIN);
  });

  it("windows: after soak and debounce, the next window", () => {
    // 2026-12-02 is a Wednesday
    const p = policy({ soak: "30m", windows: ["Wed 11:00-12:00"], timeZone: "UTC" });
    const verdict = gateVerdict(p, history([[1, 0]]), undefined, T0);
    expect(verdict.at).toBe(Date.parse("2026-12-02T11:00:00Z"));
    expect(verdict.waits.join("; ")).toContain("the next opens Wed 2026-12-02 11:00 UTC");
    // the soak ends inside the window: rolls then
    const late = policy({ soak: "90m", windows: ["Wed 11:00-12:00"], timeZone: "UTC" });
    expect(gateVerdict(late, history([[1, 0]]), undefined, T0).at).toBe(T0 + 90 * MIN);
  });
});

describe("debounce (property)", () => {
  it("moves inside the window roll once, at its end, to the last digest; later moves open another", () => {
    const debounce = 10;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }),
        (gaps) => {
          const p = policy({ debounce: `${debounce}m` });
          // moves at cumulative minutes after a write of digest 0 at -60
          let t = 0;
          const moves: [number, number][] = [[0, -60]];
          for (const [i, gap] of gaps.entries()) {
            t += gap;
            moves.push([i + 1, t]);
          }
          // simulate the controller: at each minute, roll if the gate is open
          let applied = 0;
          const rolls: [number, number][] = [];
          const end = t + debounce + 1;
          for (let minute = 0; minute <= end; minute++) {
            const seen = moves.filter(([, at]) => at <= minute);
            const head = seen[seen.length - 1] as [number, number];
            if (head[0] === applied) continue;
            const items = history(seen);
            const verdict = gateVerdict(p, items, ref(applied), T0 + minute * MIN);
            if (verdict.at <= T0 + minute * MIN) {
              applied = head[0];
              rolls.push([head[0], minute]);
            }
          }
          // every roll happens exactly debounce minutes after the first move since the previous roll
          let previousRoll = -60;
          for (const [, minute] of rolls) {
            const first = moves.find(([, at]) => at > previousRoll && at <= minute);
            expect(first).toBeDefined();
            expect(minute).toBe((first as [number, number])[1] + debounce);
            previousRoll = minute;
          }
          // the last digest is rolled in the end; never more rolls than moves
          expect(applied).toBe(gaps.length);
          expect(rolls.length).toBeLessThanOrEqual(gaps.length);
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);
});
