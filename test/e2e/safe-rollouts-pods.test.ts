// Safe rollouts with real pods on the environment's node (issue 12, ADR
// 0030, ADR 0028): a Deployment following a stream tag under a rollout
// policy, its pods run by the kubelet from images we build and push
// (support/test-image.ts). A good digest rolls and stays; a digest whose
// entrypoint exits 1 crash-loops, and the operator (dist/main.js, as its
// ServiceAccount) writes the previous digest back once the policy's deadline
// passes; the tag moving on to a good digest rolls forward. The Deployment
// controller's own progressDeadlineSeconds (600 s) is far away, so the
// operator's deadline, over what the real ReplicaSet reports, is what fails
// the rollout (safe-rollouts.test.ts covers the controller's
// ProgressDeadlineExceeded, without pods). Needs a node: fails without one
// unless ISO_NO_NODE=1 deselects it (support/node.ts).
import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  eventsFor,
  readWorkload,
  sleep,
  triggersJson,
  waitForEvent,
  waitForWorkload,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import { ANN_ROLLOUT_POLICY } from "../../src/reconcile/triggers/rollout-policy.js";
import {
  type RolloutEntry,
  readRolloutStatus,
} from "../../src/reconcile/triggers/rollout-state.js";
import {
  createNamespace,
  deleteNamespace,
  eventually,
  saveOperatorLog,
  targets,
} from "./imports-support.js";
import { cli } from "./support/cli.js";
import {
  describePod,
  listPods,
  nodePodSpec,
  type PodsOf,
  podNode,
  requireReadyNode,
  waitForPods,
} from "./support/node.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { type Build, RunnableStream } from "./support/runnable-stream.js";

const APP = "shop";
const CONTAINER = "app";
const FIELD_PATH = `spec.template.spec.containers[?(@.name=="${CONTAINER}")].image`;
/** the policy's progressDeadline: long enough for a good pod on a loaded machine, short for the test */
const DEADLINE_S = 30;
/**
 * Kubernetes' default: a container that exits a moment after it starts is
 * Ready, so available, in between; the operator's settle period
 * (HEALTHY_SETTLE_MS) must still see the crash loop.
 */
const MIN_READY_S = 0;
/** pulls, restarts and the rollback's own rollout, on a loaded 2-core machine */
const SLACK_MS = 60_000;
const RESYNC_S = 2;

describe.skipIf(podNode.deselected !== undefined)("safe rollouts with pods on a real node", () => {
  let operator: RunningOperator;
  let ns: string;
  let pods: PodsOf;
  let source: RunnableStream;
  let good: Build;
  let goodPod: V1Pod;

  beforeAll(async () => {
    // our own environment without its node fails here, it is never skipped
    const node = await requireReadyNode();
    ns = await createNamespace("safepods");
    pods = { namespace: ns, app: APP, container: CONTAINER, node };
    // frequent resyncs: "not written again" is then measured over many passes
    operator = await startOperator(["--resync-seconds", String(RESYNC_S)]);
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "safe-rollouts-pods")).toEqual([]);
    if (ns) await deleteNamespace(ns);
  });

  const deployment = () => apps.readNamespacedDeployment({ name: APP, namespace: ns });
  const containerImage = async () =>
    (await readWorkload("Deployment", ns, APP)).containers[CONTAINER];
  const waitForImage = (image: string, timeoutMs: number) =>
    waitForWorkload(
      "Deployment",
      ns,
      APP,
      `runs ${image}`,
      (w) => w.containers[CONTAINER] === image,
      timeoutMs,
    );
  const rolloutEntry = async (): Promise<RolloutEntry | undefined> =>
    readRolloutStatus({ kind: "Deployment", metadata: (await deployment()).metadata }).status[
      FIELD_PATH
    ];
  const waitForPhase = (phase: RolloutEntry["phase"], image: string) =>
    eventually(
      `the rollout-status entry ${phase} for ${image}`,
      async () => {
        const entry = await rolloutEntry();
        if (entry?.phase === phase && entry.image === image) return entry;
        throw new Error(`entry now: ${JSON.stringify(entry)}`);
      },
      DEADLINE_S * 1000 + SLACK_MS,
      500,
    );

  /** The Deployment following the stream's tag, created at the stream's first build. */
  async function createDeployment(image: string): Promise<void> {
    const triggers = triggersJson([{ name: `${source.stream}:latest`, fieldPath: FIELD_PATH }]);
    const policy = { progressDeadline: `${DEADLINE_S}s`, rollback: true };
    const body: V1Deployment = {
      metadata: {
        name: APP,
        annotations: { [ANN_TRIGGERS]: triggers, [ANN_ROLLOUT_POLICY]: JSON.stringify(policy) },
      },
      spec: {
        replicas: 1,
        minReadySeconds: MIN_READY_S,
        // the old pod goes before the new one starts: a failed release takes the service
        // down, and only the rollback brings pods of the good image back
        strategy: { type: "Recreate" },
        selector: { matchLabels: { app: APP } },
        template: { metadata: { labels: { app: APP } }, spec: nodePodSpec(CONTAINER, image) },
      },
    };
    await apps.createNamespacedDeployment({ namespace: ns, body });
  }

  it("a good digest rolls, becomes healthy and stays", async () => {
    source = new RunnableStream(ns, "shop", targets.plain);
    const first = await source.create();
    await createDeployment(first.image.reference);
    await waitForPods(pods, first.image, 1);

    good = await source.release();
    await waitForImage(good.image.reference, 30_000);
    [goodPod] = (await waitForPods(pods, good.image, 1)) as [V1Pod];
    expect(await waitForPhase("Succeeded", good.image.reference)).toMatchObject({
      previous: first.image.reference,
    });
    const succeeded = await waitForEvent(ns, APP, "RolloutSucceeded");
    expect(succeeded.type).toBe("Normal");
    expect(succeeded.note).toContain(`to ${good.image.reference} succeeded: 1 of 1 replicas`);

    // it stays: several resyncs later, the same pod still runs it, nothing failed
    await sleep(4 * RESYNC_S * 1000);
    expect(await containerImage()).toBe(good.image.reference);
    expect(await waitForPods(pods, good.image, 1)).toMatchObject([
      { metadata: { name: goodPod.metadata?.name } },
    ]);
    expect((await rolloutEntry())?.phase).toBe("Succeeded");
    expect((await eventsFor(ns, APP)).filter((e) => e.reason === "RolloutFailed")).toEqual([]);
  });

  it("a digest whose pods crash is rolled back within the deadline, and held while the tag stays", async () => {
    const pushed = Date.now();
    const bad = await source.release({ crashes: true });
    await waitForImage(bad.image.reference, 30_000);
    const entry = await rolloutEntry();
    expect(entry).toMatchObject({
      phase: "Progressing",
      image: bad.image.reference,
      previous: good.image.reference,
    });
    const written = Date.parse(entry?.since ?? "");

    // the kubelet really runs it: the container exits 1 and is restarted
    await eventually(
      `a pod of ${bad.image.reference} to exit 1`,
      async () => {
        const now = await listPods(pods);
        const pod = now.find((p) => {
          const status = p.status?.containerStatuses?.find((c) => c.name === CONTAINER);
          const exited = status?.lastState?.terminated ?? status?.state?.terminated;
          return status?.imageID === bad.image.reference && exited?.exitCode === 1;
        });
        if (pod) return pod;
        throw new Error(`pods now: ${now.map((p) => describePod(p, CONTAINER)).join(", ")}`);
      },
      DEADLINE_S * 1000,
      500,
    );

    await waitForImage(good.image.reference, DEADLINE_S * 1000 + SLACK_MS);
    const rolledBack = Date.now();
    console.log(
      `[safe-rollouts-pods] push -> rollback ${((rolledBack - pushed) / 1000).toFixed(1)} s, ` +
        `write -> rollback ${((rolledBack - written) / 1000).toFixed(1)} s (deadline ${DEADLINE_S} s)`,
    );
    // not before the deadline: until then the rollout was only progressing
    expect(rolledBack - written).toBeGreaterThanOrEqual(DEADLINE_S * 1000);
    expect(await rolloutEntry()).toMatchObject({
      phase: "Failed",
      image: bad.image.reference,
      previous: good.image.reference,
      reason: "ProgressDeadline",
      rolledBack: true,
    });
    const failed = await waitForEvent(ns, APP, "RolloutFailed");
    expect(failed.type).toBe("Warning");
    expect(failed.note).toContain(`the rollout of ${bad.image.reference} failed`);
    expect(failed.note).toContain(
      `container "${CONTAINER}" was set back to ${good.image.reference}`,
    );

    // a new pod of the good digest (Recreate stopped the old one), Running and Ready; no crashing pod left
    const [back] = await waitForPods(pods, good.image, 1);
    expect(back?.metadata?.name).not.toBe(goodPod.metadata?.name);
    const ready = ((Date.now() - pushed) / 1000).toFixed(1);
    console.log(`[safe-rollouts-pods] push -> a good pod Ready again ${ready} s`);

    const why = await cli("why", `deployment/${APP}`, "-n", ns);
    expect(why.code).toBe(0);
    expect(why.stdout).toContain(`RolloutFailed: the rollout of ${bad.image.reference} failed`);

    // held: the tag still points at the crashing digest, and nothing writes it again
    const generation = (await deployment()).metadata?.generation;
    await sleep(5 * RESYNC_S * 1000);
    const after = await deployment();
    expect(after.metadata?.generation).toBe(generation);
    expect(await containerImage()).toBe(good.image.reference);
    const sets = await apps.listNamespacedReplicaSet({ namespace: ns });
    const badSets = sets.items.filter(
      (rs) => rs.spec?.template?.spec?.containers[0]?.image === bad.image.reference,
    );
    expect(badSets.map((rs) => rs.spec?.replicas)).toEqual([0]);
  });

  it("the tag moving on to a good digest rolls forward", async () => {
    const next = await source.release();
    await waitForImage(next.image.reference, 30_000);
    await waitForPods(pods, next.image, 1);
    expect(await waitForPhase("Succeeded", next.image.reference)).toMatchObject({
      previous: good.image.reference,
    });
  });
});
