// The planners chained the way the controller chains them, over several
// reconciles of one stream: what the user sees and how many registry calls
// each pass makes. The registry is the one part faked here: a table of
// reference -> result, since these functions never call it themselves.

import { describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream } from "../api/types.js";
import { ImportError, type ImportResult } from "../registry/types.js";
import { planSettledGenerations, planSpecGenerations } from "./generations.js";
import { failedOutcome, importedOutcome } from "./outcomes.js";
import { planImports } from "./plan-imports.js";
import { nextScheduledSlotMs, recordAttempts, requeueAfterMs } from "./schedule.js";
import { resolveLocally } from "./sources.js";
import { applyOutcomes } from "./status.js";
import { statusEquals } from "./status-equals.js";
import { formatTime } from "./tag-events.js";
import {
  digest,
  dockerTag,
  istag,
  makeStream,
  NOW,
  patchSpec,
  statusTag,
} from "./test-fixtures.js";
import type { AttemptLog, Outcome } from "./types.js";

type Registry = Map<string, ImportResult | ImportError>;

function result(d: string, repo = "quay.io/org/web"): ImportResult {
  return {
    image: {
      digest: d,
      mediaType: "m",
      manifestSize: 1,
      dockerImageReference: `${repo}@${d}`,
      size: 1,
      layers: [],
    },
    children: [],
  };
}

const base = makeStream({
  name: "base",
  namespace: "team",
  status: [
    statusTag("v1", [
      {
        created: "2025-01-01T00:00:00Z",
        dockerImageReference: `quay.io/base@${digest("0")}`,
        image: digest("0"),
        generation: 1,
      },
    ]),
  ],
});

interface Pass {
  stream: ImageStream;
  attempts: AttemptLog;
  registryCalls: number;
  specPatched: boolean;
  statusWritten: boolean;
  events: string[];
  requeueAfterMs: number | undefined;
}

/** One reconcile, as src/controllers will run it. */
function reconcile(start: ImageStream, attempts: AttemptLog, now: Date, registry: Registry): Pass {
  let stream = start;
  const generations = planSpecGenerations(stream);
  if (generations.patch.length > 0) stream = patchSpec(stream, generations.patch);
  const plan = planImports(stream, { now, attempts });
  const outcomes: Outcome[] = [];
  let registryCalls = 0;
  for (const item of plan.items) {
    if (item.kind === "docker") {
      registryCalls++;
      const r =
        registry.get(item.request.reference) ?? new ImportError("NotFound", "manifest unknown");
      outcomes.push(r instanceof ImportError ? failedOutcome(item, r) : importedOutcome(item, r));
    } else if (item.kind !== "repository") {
      const o = resolveLocally(stream, item, (ns, name) =>
        ns === "team" && name === "base" ? base : undefined,
      );
      if (o) outcomes.push(o);
    }
  }
  const applied = applyOutcomes(stream, outcomes, now);
  const nextAttempts = recordAttempts(plan.attempts, outcomes, now, stream);
  const statusWritten = !statusEquals(stream.status, applied.status);
  const annotations = { ...stream.metadata.annotations };
  if (applied.stampRepositoryCheck) annotations[ANN_DOCKER_REPOSITORY_CHECK] = formatTime(now);
  stream = { ...stream, metadata: { ...stream.metadata, annotations }, status: applied.status };
  const settled = planSettledGenerations(stream, new Set(outcomes.map((o) => o.tag)));
  if (settled.patch.length > 0) stream = patchSpec(stream, settled.patch);
  return {
    stream,
    attempts: nextAttempts,
    registryCalls,
    specPatched: generations.patch.length > 0 || settled.patch.length > 0,
    statusWritten,
    events: applied.events.map((e) => `${e.reason}:${e.tag ?? ""}`),
    requeueAfterMs: requeueAfterMs(stream, nextAttempts, now),
  };
}

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
/** The stream's first scheduled slot after `after` (ADR 0014). */
const slotAfter = (s: ImageStream, after: Date) =>
  new Date(nextScheduledSlotMs(s, after.getTime()));
const head = (s: ImageStream, tag: string) =>
  s.status?.tags?.find((t) => t.tag === tag)?.items?.[0];

function created(): ImageStream {
  return makeStream({
    generation: 1,
    tags: [
      dockerTag("web", "quay.io/org/web:1", {
        generation: undefined,
        importPolicy: { scheduled: true },
      }),
      istag("latest", "web", { generation: undefined }),
      istag("base", "base:v1", { generation: undefined }),
    ],
  });
}

describe("lifecycle of a stream", () => {
  it("first reconcile imports; the second changes nothing and calls no registry", () => {
    const registry: Registry = new Map([["quay.io/org/web:1", result(digest("a"))]]);
    const one = reconcile(created(), new Map(), NOW, registry);
    expect(one).toMatchObject({ registryCalls: 1, specPatched: true, statusWritten: true });
    expect(one.events.sort()).toEqual(["TagUpdated:base", "TagUpdated:latest", "TagUpdated:web"]);
    expect(head(one.stream, "latest")?.image).toBe(digest("a"));
    expect(head(one.stream, "base")?.image).toBe(digest("0"));
    expect(one.stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK]).toBe(
      "2026-01-01T12:00:00Z",
    );
    expect(one.requeueAfterMs).toBe(slotAfter(one.stream, NOW).getTime() - NOW.getTime());
    expect(one.requeueAfterMs).toBeGreaterThan(0);
    expect(one.requeueAfterMs).toBeLessThanOrEqual(900_000);

    const two = reconcile(one.stream, one.attempts, at(30), registry);
    expect(two).toMatchObject({
      registryCalls: 0,
      specPatched: false,
      statusWritten: false,
      events: [],
    });
    expect(two.stream.metadata.generation).toBe(one.stream.metadata.generation);
  });

  it("an edited source is stamped once, imported once, then quiet", () => {
    const registry: Registry = new Map([
      ["quay.io/org/web:1", result(digest("a"))],
      ["quay.io/org/web:2", result(digest("b"))],
    ]);
    const one = reconcile(created(), new Map(), NOW, registry);
    const edited = structuredClone(one.stream);
    (edited.spec?.tags?.[0]?.from as { name: string }).name = "quay.io/org/web:2";
    edited.metadata.generation = (edited.metadata.generation ?? 1) + 1; // the user's update
    const two = reconcile(edited, one.attempts, at(60), registry);
    expect(two).toMatchObject({ registryCalls: 1, specPatched: true, statusWritten: true });
    expect(two.events.sort()).toEqual(["TagUpdated:latest", "TagUpdated:web"]);
    expect(
      two.stream.status?.tags?.find((t) => t.tag === "web")?.items?.map((i) => i.image),
    ).toEqual([digest("b"), digest("a")]);
    expect(head(two.stream, "web")?.generation).toBe(3);
    const three = reconcile(two.stream, two.attempts, at(90), registry);
    expect(three).toMatchObject({ registryCalls: 0, specPatched: false, statusWritten: false });
  });

  it("a failing import is retried with backoff, reported once, and recovers", () => {
    const registry: Registry = new Map([
      ["quay.io/org/web:1", new ImportError("Timeout", "registry did not answer")],
    ]);
    const one = reconcile(created(), new Map(), NOW, registry);
    expect(one.events).toContain("ImportFailed:web");
    expect(one.requeueAfterMs).toBe(10_000);

    const early = reconcile(one.stream, one.attempts, at(5), registry);
    expect(early).toMatchObject({ registryCalls: 0, statusWritten: false, requeueAfterMs: 5_000 });

    const retry = reconcile(early.stream, early.attempts, at(10), registry);
    expect(retry).toMatchObject({
      registryCalls: 1,
      statusWritten: false,
      events: [],
      requeueAfterMs: 20_000,
    });

    registry.set("quay.io/org/web:1", result(digest("a")));
    const healed = reconcile(retry.stream, retry.attempts, at(30), registry);
    expect(healed.registryCalls).toBe(1);
    expect(healed.events.sort()).toEqual([
      "ImportRecovered:web",
      "TagUpdated:latest",
      "TagUpdated:web",
    ]);
    expect(healed.stream.status?.tags?.find((t) => t.tag === "web")?.conditions).toBeUndefined();
  });

  it("scheduled: re-imported at each slot; an unchanged digest writes nothing; a moved one updates followers", () => {
    const registry: Registry = new Map([["quay.io/org/web:1", result(digest("a"))]]);
    const one = reconcile(created(), new Map(), NOW, registry);
    const slot = slotAfter(one.stream, NOW);
    const notYet = reconcile(one.stream, one.attempts, new Date(slot.getTime() - 1), registry);
    expect(notYet.registryCalls).toBe(0);
    const same = reconcile(notYet.stream, notYet.attempts, slot, registry);
    expect(same).toMatchObject({
      registryCalls: 1,
      statusWritten: false,
      events: [],
      requeueAfterMs: 900_000,
    });
    registry.set("quay.io/org/web:1", result(digest("c")));
    const moved = reconcile(
      same.stream,
      same.attempts,
      new Date(slot.getTime() + 900_000),
      registry,
    );
    expect(moved.events.sort()).toEqual(["TagUpdated:latest", "TagUpdated:web"]);
    expect(head(moved.stream, "latest")?.image).toBe(digest("c"));
  });

  it("after a restart (empty attempt log) the scheduled tag waits for its slot, is checked once, then waits", () => {
    const registry: Registry = new Map([["quay.io/org/web:1", result(digest("a"))]]);
    const one = reconcile(created(), new Map(), NOW, registry);
    const restartedAt = at(60);
    const restarted = reconcile(one.stream, new Map(), restartedAt, registry);
    const slot = slotAfter(one.stream, restartedAt);
    expect(restarted).toMatchObject({
      registryCalls: 0,
      statusWritten: false,
      requeueAfterMs: slot.getTime() - restartedAt.getTime(),
    });
    const checked = reconcile(restarted.stream, restarted.attempts, slot, registry);
    expect(checked).toMatchObject({
      registryCalls: 1,
      statusWritten: false,
      requeueAfterMs: 900_000,
    });
    const after = new Date(slot.getTime() + 1000);
    expect(reconcile(checked.stream, checked.attempts, after, registry).registryCalls).toBe(0);
  });

  it("a re-import request (generation 0) re-imports once; same digest: one spec write, no status write", () => {
    const registry: Registry = new Map([["quay.io/org/web:1", result(digest("a"))]]);
    const one = reconcile(created(), new Map(), NOW, registry);
    const asked = structuredClone(one.stream);
    if (asked.spec?.tags?.[0]) asked.spec.tags[0].generation = 0;
    asked.metadata.generation = (asked.metadata.generation ?? 1) + 1;
    const two = reconcile(asked, one.attempts, at(60), registry);
    expect(two).toMatchObject({
      registryCalls: 1,
      specPatched: true,
      statusWritten: false,
      events: [],
    });
    expect(two.stream.status?.tags?.find((t) => t.tag === "web")?.items).toHaveLength(1);
    // the request is answered: the spec generation is what the status observes
    const observed = head(two.stream, "web")?.generation;
    expect(two.stream.spec?.tags?.find((t) => t.name === "web")?.generation).toBe(observed);
    expect(reconcile(two.stream, two.attempts, at(61), registry)).toMatchObject({
      registryCalls: 0,
      statusWritten: false,
      specPatched: false,
    });
  });

  it("deleting a tag from spec drops its status; the rest is untouched", () => {
    const registry: Registry = new Map([["quay.io/org/web:1", result(digest("a"))]]);
    const one = reconcile(created(), new Map(), NOW, registry);
    const edited = structuredClone(one.stream);
    edited.spec = { tags: edited.spec?.tags?.filter((t) => t.name !== "base") ?? [] };
    edited.metadata.generation = (edited.metadata.generation ?? 1) + 1;
    const two = reconcile(edited, one.attempts, at(60), registry);
    expect(two).toMatchObject({
      registryCalls: 0,
      specPatched: false,
      statusWritten: true,
      events: [],
    });
    expect(two.stream.status?.tags?.map((t) => t.tag)).toEqual(["latest", "web"]);
  });
});
