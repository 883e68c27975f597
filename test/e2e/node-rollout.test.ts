// Image triggers on the environment's real node (ADR 0028): a workload rolled
// by a trigger really runs the digest the trigger wrote. The operator (its
// ServiceAccount) imports runnable busybox images (support/test-image.ts)
// from the plain and the basic-auth registries; kube-scheduler places the
// pods, the kubelet pulls them by digest through containerd, and each pod's
// status.containerStatuses[].imageID names the digest it runs. Needs a node:
// fails without one unless ISO_NO_NODE=1 deselects it (support/node.ts).
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, triggersJson } from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import {
  core,
  createNamespace,
  createPullSecret,
  deleteNamespace,
  eventually,
  saveOperatorLog,
  targets,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { kubectlOk } from "./support/kubectl.js";
import {
  nodePodSpec,
  POD_ROLLOUT_MS,
  type PodsOf,
  podNode,
  requireReadyNode,
  waitForPods as waitForPodsOf,
} from "./support/node.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { RunnableStream } from "./support/runnable-stream.js";
import { MARKER_FILE, type TestImage } from "./support/test-image.js";

type Kind = "Deployment" | "StatefulSet" | "DaemonSet";
const CONTAINER = "app";
const FIELD_PATH = `spec.template.spec.containers[?(@.name=="${CONTAINER}")].image`;

describe.skipIf(podNode.deselected !== undefined)("triggered workloads on a real node", () => {
  let operator: RunningOperator;
  let ns: string;
  let nodeName: string;

  beforeAll(async () => {
    // our own environment without its node fails here, it is never skipped
    nodeName = await requireReadyNode();
    ns = await createNamespace("node");
    operator = await startOperator();
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "node-rollout")).toEqual([]);
    if (ns) await deleteNamespace(ns);
  });

  /** A workload of kind following stream:latest, created at image. */
  async function createTriggered(
    kind: Kind,
    name: string,
    image: string,
    options: { stream: string; replicas?: number; pullSecret?: string },
  ): Promise<void> {
    const triggers = triggersJson([{ name: `${options.stream}:latest`, fieldPath: FIELD_PATH }]);
    const metadata = { name, annotations: { [ANN_TRIGGERS]: triggers } };
    const selector = { matchLabels: { app: name } };
    const template = {
      metadata: { labels: { app: name } },
      spec: nodePodSpec(CONTAINER, image, options.pullSecret),
    };
    const replicas = options.replicas ?? 1;
    if (kind === "Deployment") {
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: { metadata, spec: { replicas, selector, template } },
      });
    } else if (kind === "StatefulSet") {
      await apps.createNamespacedStatefulSet({
        namespace: ns,
        body: { metadata, spec: { replicas, serviceName: name, selector, template } },
      });
    } else {
      await apps.createNamespacedDaemonSet({
        namespace: ns,
        body: { metadata, spec: { selector, template } },
      });
    }
  }

  const podsOf = (app: string): PodsOf => ({
    namespace: ns,
    app,
    container: CONTAINER,
    node: nodeName,
  });
  const waitForPods = (app: string, image: TestImage, count: number) =>
    waitForPodsOf(podsOf(app), image, count);

  const podNames = (pods: V1Pod[]) => pods.map((pod) => pod.metadata?.name ?? "");

  /** What the container printed first: its image's marker (the API server reads it from the kubelet). */
  const logsOf = (pod: V1Pod) =>
    kubectlOk(["logs", "-n", ns, pod.metadata?.name ?? "", "-c", CONTAINER]);
  const markerIn = (pod: V1Pod) =>
    kubectlOk([
      "exec",
      "-n",
      ns,
      pod.metadata?.name ?? "",
      "-c",
      CONTAINER,
      "--",
      "/bin/busybox",
      "cat",
      MARKER_FILE,
    ]).trim();

  it("a Deployment rolled by a trigger runs the new digest, pulled from the plain registry", async () => {
    const source = new RunnableStream(ns, "web", targets.plain);
    const first = await source.create();
    await createTriggered("Deployment", "web", first.image.reference, {
      stream: "web",
      replicas: 2,
    });
    const before = await waitForPods("web", first.image, 2);
    // logs and exec: the API server's kubelet client certificate, the kubelet's Webhook authorization
    expect(logsOf(before[0] as V1Pod)).toContain(first.marker);

    const next = await source.release();
    const after = await waitForPods("web", next.image, 2);
    expect(podNames(after).filter((name) => podNames(before).includes(name))).toEqual([]);
    expect(markerIn(after[0] as V1Pod)).toBe(next.marker);
    await eventually("the Deployment's rollout to report complete", async () => {
      const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
      const s = d.status;
      return (
        s?.observedGeneration === d.metadata?.generation &&
        s?.replicas === 2 &&
        s?.updatedReplicas === 2 &&
        s?.availableReplicas === 2
      );
    });
  });

  it("from the basic-auth registry: pulled with the pod's pull secret, refused without it", async () => {
    const secret = "registry-basic";
    await createPullSecret(
      ns,
      secret,
      testEnv.registryBasic,
      testEnv.registryUser,
      testEnv.registryPassword,
    );
    const source = new RunnableStream(ns, "private", targets.basic);
    const first = await source.create();
    await createTriggered("Deployment", "private", first.image.reference, {
      stream: "private",
      pullSecret: secret,
    });
    await waitForPods("private", first.image, 1);
    const next = await source.release();
    const [pod] = await waitForPods("private", next.image, 1);
    expect(logsOf(pod as V1Pod)).toContain(next.marker);

    // the registry really asks: an image never pulled on the node, without the secret
    const unpulled = source.publish();
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "no-secret" },
        spec: nodePodSpec(CONTAINER, unpulled.image.reference),
      },
    });
    const waiting = await eventually(
      "the pod without a pull secret to fail its pull",
      async () => {
        const p = await core.readNamespacedPod({ name: "no-secret", namespace: ns });
        const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        return reason === "ErrImagePull" || reason === "ImagePullBackOff" ? reason : undefined;
      },
      POD_ROLLOUT_MS,
    );
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(waiting);
  });

  it("a StatefulSet rolled by a trigger runs the new digest", async () => {
    const source = new RunnableStream(ns, "db", targets.plain);
    const first = await source.create();
    await createTriggered("StatefulSet", "db", first.image.reference, { stream: "db" });
    await waitForPods("db", first.image, 1);
    const next = await source.release();
    const [pod] = await waitForPods("db", next.image, 1);
    expect(pod?.metadata?.name).toBe("db-0");
    await eventually("the StatefulSet's rollout to report complete", async () => {
      const s = (await apps.readNamespacedStatefulSet({ name: "db", namespace: ns })).status;
      return (
        s?.updateRevision === s?.currentRevision &&
        s?.updatedReplicas === 1 &&
        s?.readyReplicas === 1
      );
    });
  });

  it("a DaemonSet rolled by a trigger runs the new digest on the node", async () => {
    const source = new RunnableStream(ns, "agent", targets.plain);
    const first = await source.create();
    await createTriggered("DaemonSet", "agent", first.image.reference, { stream: "agent" });
    await waitForPods("agent", first.image, 1);
    const next = await source.release();
    await waitForPods("agent", next.image, 1);
    await eventually("the DaemonSet's rollout to report complete", async () => {
      const s = (await apps.readNamespacedDaemonSet({ name: "agent", namespace: ns })).status;
      return (
        s?.desiredNumberScheduled === 1 &&
        s?.updatedNumberScheduled === 1 &&
        s?.numberAvailable === 1
      );
    });
  });
});
