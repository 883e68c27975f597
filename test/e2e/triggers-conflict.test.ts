// The trigger reconciler's conflict handling against the real API server:
// a plan made from a stale cache carries that resourceVersion, the API server
// refuses the patch with 409 (under the operator's own ServiceAccount), and
// the reconciler reads the workload again, re-plans and writes once, keeping
// the change that raced it. The unit tests cover the same loop with a fake.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  createNamespace,
  createWorkload,
  deleteNamespace,
  triggersJson,
} from "../../bench/trigger-cluster.js";
import { FollowerIndex } from "../../src/controllers/triggers/follower-index.js";
import { type WorkloadRef, workloadKey } from "../../src/controllers/triggers/keys.js";
import { ProblemMemory } from "../../src/controllers/triggers/problem-memory.js";
import { TriggerReconciler } from "../../src/controllers/triggers/reconciler.js";
import {
  KubeWorkloadClient,
  type WorkloadClient,
  type WorkloadObject,
} from "../../src/controllers/triggers/workload-client.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import type { ImagePatch } from "../../src/reconcile/triggers/index.js";
import { operatorKubeConfig } from "./support/env.js";

const TAG_IMAGE =
  "127.0.0.1:5000/shop/web@sha256:2222222222222222222222222222222222222222222222222222222222222222";
const FIELD_PATH = 'spec.template.spec.containers[?(@.name=="web")].image';

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("trig-conflict");
});
afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

/** The real client, remembering the HTTP code of every patch it sent. */
class CountingClient implements WorkloadClient {
  readonly answers: (number | "ok")[] = [];
  private readonly real = new KubeWorkloadClient(operatorKubeConfig);

  get(ref: WorkloadRef) {
    return this.real.get(ref);
  }

  async patch(ref: WorkloadRef, patch: ImagePatch) {
    try {
      const written = await this.real.patch(ref, patch);
      this.answers.push("ok");
      return written;
    } catch (err) {
      this.answers.push((err as { code?: number }).code ?? -1);
      throw err;
    }
  }
}

describe("a write planned from a stale cache", () => {
  it("is refused with 409 by the API server, re-planned on a fresh read, and written once", async () => {
    const triggers = triggersJson([{ name: "web:latest", fieldPath: FIELD_PATH }]);
    await createWorkload("Deployment", ns, {
      name: "web",
      triggers,
      containers: { web: "placeholder:1", sidecar: "proxy:1" },
    });
    const stale = (await apps.readNamespacedDeployment({
      name: "web",
      namespace: ns,
    })) as WorkloadObject;
    // someone else writes the Deployment after the cache saw it
    await apps.patchNamespacedDeployment({
      name: "web",
      namespace: ns,
      body: [{ op: "add", path: "/metadata/labels", value: { team: "a" } }],
    });

    const client = new CountingClient();
    const reconciler = new TriggerReconciler({
      cached: () => stale,
      synced: () => true,
      client,
      lookups: {
        tagImage: () => TAG_IMAGE,
        crossNamespaceAllowed: () => false,
        streamExists: () => true,
      },
      recorder: { record: async () => true },
      metrics: createMetrics(false),
      index: new FollowerIndex(),
      problems: new ProblemMemory(),
    });
    await reconciler.reconcile(workloadKey("Deployment", ns, "web"), createLogger("silent"));

    expect(client.answers).toEqual([409, "ok"]);
    const after = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
    const images = Object.fromEntries(
      after.spec?.template.spec?.containers.map((c) => [c.name, c.image]) ?? [],
    );
    expect(images).toEqual({ web: TAG_IMAGE, sidecar: "proxy:1" });
    expect(after.metadata?.labels?.team).toBe("a");
    expect(after.metadata?.generation).toBe(2);
  });
});
