// Image triggers on the environment's real node (ADR 0028): a workload rolled
// by a trigger really runs the digest the trigger wrote. The operator (its
// ServiceAccount) imports runnable busybox images (support/test-image.ts)
// from the plain and the basic-auth registries; kube-scheduler places the
// pods, the kubelet pulls them by digest through containerd, and each pod's
// status.containerStatuses[].imageID names the digest it runs. Needs a node:
// fails without one unless ISO_NO_NODE=1 deselects it (support/node.ts).
import type { V1Pod, V1PodSpec } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  requestReimport,
  triggersJson,
  waitForTagImage,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import type { PushTarget } from "../support/registry-push.js";
import {
  core,
  createNamespace,
  createPullSecret,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  saveOperatorLog,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { kubectlOk } from "./support/kubectl.js";
import { podNode, requireReadyNode } from "./support/node.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { MARKER_FILE, pushTestImage, type TestImage } from "./support/test-image.js";

type Kind = "Deployment" | "StatefulSet" | "DaemonSet";
const CONTAINER = "app";
const FIELD_PATH = `spec.template.spec.containers[?(@.name=="${CONTAINER}")].image`;
/** a pull and a start take seconds here; the margin is for a loaded 2-core machine */
const ROLLOUT_MS = 120_000;

interface Source {
  stream: string;
  target: PushTarget;
  repository: string;
  builds: number;
}

interface Build {
  image: TestImage;
  marker: string;
}

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

  /** A new image (its own marker, so its own digest) pushed as the source's :latest. */
  function publish(source: Source): Build {
    source.builds += 1;
    const marker = `${ns}/${source.stream} build ${source.builds}`;
    return { image: pushTestImage(source.target, source.repository, "latest", marker), marker };
  }

  /** The stream <name>:latest following a new repository of target, imported at its first build. */
  async function streamFollowing(target: PushTarget, stream: string) {
    const source = { stream, target, repository: uniqueRepository(stream), builds: 0 };
    const first = publish(source);
    const from = `${target.registry}/${source.repository}:latest`;
    const policy = target.scheme === "http" ? { importPolicy: { insecure: true } } : {};
    await createStream(ns, stream, { tags: [dockerTag("latest", from, policy)] });
    expect(await waitForTagImage(ns, stream, "latest", first.image.digest, 60_000)).toBe(
      first.image.reference,
    );
    return { source, first };
  }

  /** Pushes and imports the next build, as a release would: what the trigger writes next. */
  async function release(source: Source): Promise<Build> {
    const next = publish(source);
    await requestReimport(ns, source.stream, "latest");
    expect(await waitForTagImage(ns, source.stream, "latest", next.image.digest, 60_000)).toBe(
      next.image.reference,
    );
    return next;
  }

  function podSpec(image: string, pullSecret?: string): V1PodSpec {
    return {
      // the node's CNI config holds only loopback: pods use the host's network
      hostNetwork: true,
      terminationGracePeriodSeconds: 5,
      containers: [{ name: CONTAINER, image }],
      ...(pullSecret ? { imagePullSecrets: [{ name: pullSecret }] } : {}),
    };
  }

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
      spec: podSpec(image, options.pullSecret),
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

  function describePod(pod: V1Pod): string {
    const status = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER);
    return JSON.stringify({
      pod: pod.metadata?.name,
      phase: pod.status?.phase,
      deleting: Boolean(pod.metadata?.deletionTimestamp),
      image: pod.spec?.containers.find((c) => c.name === CONTAINER)?.image,
      imageID: status?.imageID,
      state: status?.state,
    });
  }

  /** Running this image, pulled by digest: spec, state and imageID all say so. */
  function runs(pod: V1Pod, image: TestImage): boolean {
    const status = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER);
    return (
      !pod.metadata?.deletionTimestamp &&
      pod.status?.phase === "Running" &&
      pod.spec?.nodeName === nodeName &&
      pod.spec?.containers.find((c) => c.name === CONTAINER)?.image === image.reference &&
      status?.state?.running !== undefined &&
      status.imageID === image.reference
    );
  }

  /** The workload's pods once there are exactly count, all running image (old ones gone). */
  function waitForPods(app: string, image: TestImage, count: number): Promise<V1Pod[]> {
    return eventually(
      `${count} pod(s) of ${ns}/${app} running ${image.reference}`,
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` }))
          .items;
        if (pods.length === count && pods.every((pod) => runs(pod, image))) return pods;
        throw new Error(`pods now: ${pods.map(describePod).join(", ") || "none"}`);
      },
      ROLLOUT_MS,
      500,
    );
  }

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
    const { source, first } = await streamFollowing(targets.plain, "web");
    await createTriggered("Deployment", "web", first.image.reference, {
      stream: "web",
      replicas: 2,
    });
    const before = await waitForPods("web", first.image, 2);
    // logs and exec: the API server's kubelet client certificate, the kubelet's Webhook authorization
    expect(logsOf(before[0] as V1Pod)).toContain(first.marker);

    const next = await release(source);
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
    const { source, first } = await streamFollowing(targets.basic, "private");
    await createTriggered("Deployment", "private", first.image.reference, {
      stream: "private",
      pullSecret: secret,
    });
    await waitForPods("private", first.image, 1);
    const next = await release(source);
    const [pod] = await waitForPods("private", next.image, 1);
    expect(logsOf(pod as V1Pod)).toContain(next.marker);

    // the registry really asks: an image never pulled on the node, without the secret
    const unpulled = publish(source);
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "no-secret" }, spec: podSpec(unpulled.image.reference) },
    });
    const waiting = await eventually(
      "the pod without a pull secret to fail its pull",
      async () => {
        const p = await core.readNamespacedPod({ name: "no-secret", namespace: ns });
        const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        return reason === "ErrImagePull" || reason === "ImagePullBackOff" ? reason : undefined;
      },
      ROLLOUT_MS,
    );
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(waiting);
  });

  it("a StatefulSet rolled by a trigger runs the new digest", async () => {
    const { source, first } = await streamFollowing(targets.plain, "db");
    await createTriggered("StatefulSet", "db", first.image.reference, { stream: "db" });
    await waitForPods("db", first.image, 1);
    const next = await release(source);
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
    const { source, first } = await streamFollowing(targets.plain, "agent");
    await createTriggered("DaemonSet", "agent", first.image.reference, { stream: "agent" });
    await waitForPods("agent", first.image, 1);
    const next = await release(source);
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
