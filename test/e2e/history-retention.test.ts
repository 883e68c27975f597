// Bounded tag history end to end (ADR 0012): the real operator as its
// ServiceAccount, a real registry and API server. A tag is moved 60 times to
// 60 distinct pushed digests (the spec tag's from set to each digest, which
// the operator imports at once), with the per-stream annotation asking for 5
// items. A Deployment that followed the tag and was then paused stays on an
// old digest: that item must survive every move, and go once it is released.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  createNamespace,
  createStream,
  createWorkload,
  deleteNamespace,
  eventsFor,
  eventually,
  getStream,
  inParallel,
  patchStream,
  readWorkload,
  sleep,
  strategicMerge,
  triggersJson,
  waitForEvent,
  waitForTagImage,
  waitForWorkload,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import { ANN_MAX_TAG_HISTORY } from "../../src/reconcile/retention.js";
import { pushImage } from "../support/registry-push.js";
import { saveOperatorLog } from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const N = 5;
const MOVES = 60;
const TRIGGER_RECONCILES =
  'controller_runtime_reconcile_total{controller="imagetrigger",result="success"}';
const path = 'spec.template.spec.containers[?(@.name=="app")].image';

let operator: RunningOperator;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("hist");
  operator = await startOperator();
});

afterAll(async () => {
  const code = await operator?.stop();
  if (operator) expect(saveOperatorLog(operator, "history-retention")).toEqual([]);
  if (ns) await deleteNamespace(ns);
  expect(code).toBe(0);
});

/** `count` distinct images pushed by digest only (no tag): their digests. */
async function pushDigests(repository: string, count: number): Promise<string[]> {
  const target = { registry: testEnv.registry, scheme: "http" as const };
  const indexes = Array.from({ length: count }, (_, i) => i);
  const pushed = await inParallel(indexes, 4, () =>
    pushImage(target, { repository, layerCount: 1, layerBytes: 64 }),
  );
  return pushed.map((p) => p.digest);
}

/** A stream with tag latest at the first digest, keeping N items per tag; that item's reference. */
async function streamAt(name: string, first: string): Promise<string> {
  await createStream(
    ns,
    name,
    { latest: `${ns}/${name}@${first}` },
    {
      annotations: { [ANN_MAX_TAG_HISTORY]: String(N) },
    },
  );
  return waitForTagImage(ns, name, "latest", first);
}

/** Moves latest to each digest in turn (spec from by digest), waiting for each import. */
async function moveThrough(name: string, digests: readonly string[]): Promise<void> {
  for (const digest of digests) {
    await patchStream(ns, name, [
      { op: "test", path: "/spec/tags/0/name", value: "latest" },
      {
        op: "replace",
        path: "/spec/tags/0/from/name",
        value: `${testEnv.registry}/${ns}/${name}@${digest}`,
      },
    ]);
    await waitForTagImage(ns, name, "latest", digest);
  }
}

async function historyOf(name: string): Promise<string[]> {
  const stream = await getStream(ns, name);
  return (stream.status?.tags?.find((t) => t.tag === "latest")?.items ?? []).map((i) => i.image);
}

describe("tag history retention", () => {
  it(`keeps exactly the newest ${N} items of a tag that moved ${MOVES} times`, async () => {
    const digests = await pushDigests(`${ns}/moving`, MOVES + 1);
    const [first, ...moves] = digests as [string, ...string[]];
    await streamAt("moving", first);
    await moveThrough("moving", moves);
    expect(await historyOf("moving")).toEqual(digests.slice(-N).reverse());
    const reasons = (await eventsFor(ns, "moving")).map((e) => e.reason);
    expect(reasons).not.toContain("HistoryTrimmed");
    expect(reasons).not.toContain("InvalidMaxTagHistory");
  }, 180_000);

  it("never drops the item a paused Deployment still runs, and drops it once the Deployment moves on", async () => {
    const digests = await pushDigests(`${ns}/held`, MOVES + 2);
    const [first, ...rest] = digests as [string, ...string[]];
    const moves = rest.slice(0, MOVES);
    const last = rest[MOVES] as string;
    const firstReference = await streamAt("held", first);
    const trigger = { name: "held:latest", fieldPath: path };
    await createWorkload("Deployment", ns, {
      name: "held",
      triggers: triggersJson([trigger]),
      containers: { app: "placeholder" },
    });
    await waitForWorkload("Deployment", ns, "held", "at the first image", (w) => {
      return w.containers.app === firstReference;
    });
    await setTriggers("held", triggersJson([{ ...trigger, paused: true }]));

    await moveThrough("held", moves);
    const held = await readWorkload("Deployment", ns, "held");
    expect(held.containers.app).toBe(firstReference);
    // the newest N, and the running item in its place at the end
    expect(await historyOf("held")).toEqual([...moves.slice(-N).reverse(), first]);

    // released: the Deployment follows again, and the next write trims the old item
    await setTriggers("held", triggersJson([trigger]));
    const newest = moves.at(-1) as string;
    await waitForWorkload("Deployment", ns, "held", "at the newest image", (w) =>
      (w.containers.app ?? "").endsWith(`@${newest}`),
    );
    await moveThrough("held", [last]);
    await waitForWorkload("Deployment", ns, "held", "at the last image", (w) =>
      (w.containers.app ?? "").endsWith(`@${last}`),
    );
    expect(await historyOf("held")).toEqual([last, ...moves.slice(-(N - 1)).reverse()]);
  }, 240_000);

  it("reports an annotation that is not a number with a Warning, and keeps the flag's limit", async () => {
    const [first, ...moves] = (await pushDigests(`${ns}/typo`, 12)) as [string, ...string[]];
    await createStream(
      ns,
      "typo",
      { latest: `${ns}/typo@${first}` },
      {
        annotations: { [ANN_MAX_TAG_HISTORY]: "five" },
      },
    );
    await waitForTagImage(ns, "typo", "latest", first);
    const warning = await waitForEvent(ns, "typo", "InvalidMaxTagHistory");
    expect([warning.type, warning.note]).toEqual([
      "Warning",
      `annotation ${ANN_MAX_TAG_HISTORY} must be a whole number of items per tag (0 keeps every item), got "five"; using 10`,
    ]);
    await moveThrough("typo", moves);
    expect(await historyOf("typo")).toEqual(moves.slice(-10).reverse());
  }, 120_000);
});

/**
 * Replaces the Deployment's triggers annotation and waits until the trigger
 * controller has reconciled it since (its cache then holds the new value).
 */
async function setTriggers(name: string, triggers: string): Promise<void> {
  const before = await operator.metric(TRIGGER_RECONCILES);
  await apps.patchNamespacedDeployment(
    { namespace: ns, name, body: { metadata: { annotations: { [ANN_TRIGGERS]: triggers } } } },
    strategicMerge,
  );
  await eventually("the trigger controller to reconcile the edited Deployment", async () =>
    (await operator.metric(TRIGGER_RECONCILES)) > before ? true : undefined,
  );
  await sleep(200);
}
