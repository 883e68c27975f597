// 200 Deployments following one tag, created at the tag's image: none is
// written until the tag moves; then one push and re-import rolls them all,
// with exactly one write each (the index wakes exactly the followers, and a
// follower already written is not written again). Writes are counted twice:
// by the operator's own metric and by each Deployment's generation, which
// the API server bumps on every change of a Deployment's spec or annotations.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  createNamespace,
  createStream,
  createWorkload,
  deleteNamespace,
  eventually,
  inParallel,
  pushToRegistry,
  requestReimport,
  triggersJson,
  waitForTagImage,
} from "../../bench/trigger-cluster.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const COUNT = 200;
const WRITES = 'imagestream_api_writes_total{resource="deployments",verb="patch"}';
const RECORD = "imagestream-operator.io/last-applied-images";
const RECONCILED = 'controller_runtime_reconcile_total{controller="imagetrigger",result="success"}';
const QUEUED = 'workqueue_depth{name="imagetrigger"}';
const FIELD_PATH = 'spec.template.spec.containers[?(@.name=="app")].image';

let operator: RunningOperator;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("trig-scale");
  operator = await startOperator();
});

afterAll(async () => {
  await operator?.stop();
  // kept for a look after a failure; the operator logs no credentials
  if (operator)
    writeFileSync(join(tmpdir(), "iso-e2e-triggers-scale-operator.log"), operator.logs());
  if (ns) await deleteNamespace(ns);
});

interface Seen {
  image: string | undefined;
  generation: number;
  recorded: boolean;
}

async function listFollowers(): Promise<Map<string, Seen>> {
  const list = await apps.listNamespacedDeployment({ namespace: ns });
  return new Map(
    list.items.map((d) => [
      d.metadata?.name ?? "",
      {
        image: d.spec?.template.spec?.containers[0]?.image,
        generation: d.metadata?.generation ?? 0,
        recorded: RECORD in (d.metadata?.annotations ?? {}),
      },
    ]),
  );
}

describe("one tag, 200 followers", () => {
  it("rolls every follower after one push, writing each exactly once", async () => {
    const first = await pushToRegistry(`${ns}/app`, "latest");
    await createStream(ns, "app", { latest: `${ns}/app:latest` });
    const firstRef = await waitForTagImage(ns, "app", "latest", first.digest);

    const names = Array.from({ length: COUNT }, (_, i) => `app-${String(i).padStart(3, "0")}`);
    const triggers = triggersJson([{ name: "app:latest", fieldPath: FIELD_PATH }]);
    // deployed at the tag's image already: the operator reconciles each and
    // writes none of them (a workload already at its tag is not written)
    await inParallel(names, 16, (name) =>
      createWorkload("Deployment", ns, { name, triggers, containers: { app: firstRef } }),
    );
    await eventually(
      "every follower reconciled, nothing queued",
      async () => {
        const reconciled = await operator.metric(RECONCILED);
        const queued = await operator.metric(QUEUED);
        return reconciled >= COUNT && queued === 0 ? true : undefined;
      },
      90_000,
      500,
    );
    // give a late write (if any) the time to happen before counting
    await new Promise((r) => setTimeout(r, 3000));
    expect(await operator.metric(WRITES)).toBe(0);
    const settled = await listFollowers();
    for (const name of names) {
      const seen = settled.get(name);
      expect([name, seen?.image, seen?.generation, seen?.recorded]).toEqual([
        name,
        firstRef,
        1,
        false,
      ]);
    }

    const second = await pushToRegistry(`${ns}/app`, "latest");
    const pushedAt = Date.now();
    await requestReimport(ns, "app", "latest");
    const secondRef = await waitForTagImage(ns, "app", "latest", second.digest);
    const rolled = await eventually(
      "every follower at the pushed image",
      async () => {
        const seen = await listFollowers();
        return [...seen.values()].every((s) => s.image === secondRef) ? seen : undefined;
      },
      90_000,
      250,
    );
    const rolledMs = Date.now() - pushedAt;
    // give a duplicate write (if any) the time to happen before counting
    await new Promise((r) => setTimeout(r, 3000));
    expect(await operator.metric(WRITES)).toBe(COUNT);
    const again = await listFollowers();
    for (const name of names) {
      expect([name, again.get(name)?.generation]).toEqual([
        name,
        (settled.get(name)?.generation ?? 0) + 1,
      ]);
      expect(rolled.get(name)?.image).toBe(secondRef);
    }
    const replicaSets = await eventually(
      "a ReplicaSet with the pushed image for every follower",
      async () => {
        const list = await apps.listNamespacedReplicaSet({ namespace: ns });
        const matching = list.items.filter(
          (rs) => rs.spec?.template?.spec?.containers[0]?.image === secondRef,
        );
        return matching.length === COUNT ? matching : undefined;
      },
      120_000,
      1000,
    );
    expect(new Set(replicaSets.map((rs) => rs.metadata?.ownerReferences?.[0]?.name))).toEqual(
      new Set(names),
    );
    console.log(`triggers-scale: ${COUNT} Deployments rolled ${rolledMs} ms after the push`);
  });
});
