// The node the e2e tests that run pods use, from the environment:
// ISO_NODE=<name> (exported by `hack/cluster.sh up`, whose environment has a
// real node), or ISO_NO_NODE=1, the explicit statement that the cluster has
// no node for them (`ISO_NO_NODE=1 hack/cluster.sh up`, hack/kind.sh, or a
// caller's cluster whose nodes cannot pull from the test registries). Only
// that statement deselects those tests, visibly; with neither variable they
// run and fail, naming what is missing.
import { CoreV1Api, type V1Pod, type V1PodSpec } from "@kubernetes/client-node";
import { eventually } from "../imports-support.js";
import { adminKubeConfig } from "./env.js";
import type { TestImage } from "./test-image.js";

export interface PodNode {
  /** the node's name, when the environment has one */
  name: string | undefined;
  /** why the tests that run pods are deselected (ISO_NO_NODE=1), else undefined */
  deselected: string | undefined;
}

export function podNodeFrom(env: NodeJS.ProcessEnv): PodNode {
  if (env.ISO_NODE) return { name: env.ISO_NODE, deselected: undefined };
  if (env.ISO_NO_NODE === "1") {
    return {
      name: undefined,
      deselected:
        "ISO_NO_NODE=1: the environment has no node, so the tests that run pods are deselected",
    };
  }
  return { name: undefined, deselected: undefined };
}

export const podNode: PodNode = podNodeFrom(process.env);
if (podNode.deselected) console.warn(`[e2e] ${podNode.deselected}`);

/** The node's name once it is Ready and schedulable; throws saying what is wrong otherwise. */
export async function requireReadyNode(): Promise<string> {
  const name = podNode.name;
  if (!name) {
    throw new Error(
      "ISO_NODE is not set: this test runs pods on a real node. `hack/cluster.sh up` starts one " +
        'and exports ISO_NODE (eval "$(hack/cluster.sh env)"); on a cluster without a node for ' +
        "these tests, ISO_NO_NODE=1 deselects them (docs/testing.md).",
    );
  }
  const node = await adminKubeConfig.makeApiClient(CoreV1Api).readNode({ name });
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True") {
    throw new Error(
      `node ${name} is not Ready: ${ready?.reason ?? "no Ready condition"} ${ready?.message ?? ""}`,
    );
  }
  const blocking = (node.spec?.taints ?? []).filter((t) => t.effect !== "PreferNoSchedule");
  if (node.spec?.unschedulable || blocking.length > 0) {
    throw new Error(
      `node ${name} takes no pods: ${JSON.stringify({ unschedulable: node.spec?.unschedulable, taints: blocking })}`,
    );
  }
  return name;
}

/** A pull and a start take seconds here; the margin is for a loaded 2-core machine. */
export const POD_ROLLOUT_MS = 120_000;

/** The pods of one workload on the node (label app=<app>) and the container the tests look at. */
export interface PodsOf {
  namespace: string;
  app: string;
  container: string;
  node: string;
}

/** A pod spec that runs on the node: one container, the host's network (the test images reach the registries on loopback). */
export function nodePodSpec(container: string, image: string, pullSecret?: string): V1PodSpec {
  return {
    hostNetwork: true,
    // the test images exit at once on SIGTERM; a short grace period bounds the rest
    terminationGracePeriodSeconds: 5,
    containers: [{ name: container, image }],
    ...(pullSecret ? { imagePullSecrets: [{ name: pullSecret }] } : {}),
  };
}

function statusOf(pod: V1Pod, container: string) {
  return pod.status?.containerStatuses?.find((c) => c.name === container);
}

/** One line per pod for a failure message: what it runs and in which state. */
export function describePod(pod: V1Pod, container: string): string {
  const status = statusOf(pod, container);
  return JSON.stringify({
    pod: pod.metadata?.name,
    phase: pod.status?.phase,
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    image: pod.spec?.containers.find((c) => c.name === container)?.image,
    imageID: status?.imageID,
    ready: status?.ready,
    restarts: status?.restartCount,
    state: status?.state,
  });
}

/** Running and ready on the node with this image, pulled by digest: spec, state and imageID all say so. */
export function runsImage(pod: V1Pod, of: PodsOf, image: TestImage): boolean {
  const status = statusOf(pod, of.container);
  return (
    !pod.metadata?.deletionTimestamp &&
    pod.status?.phase === "Running" &&
    pod.spec?.nodeName === of.node &&
    pod.spec?.containers.find((c) => c.name === of.container)?.image === image.reference &&
    status?.state?.running !== undefined &&
    status.ready === true &&
    status.imageID === image.reference
  );
}

export async function listPods(of: PodsOf): Promise<V1Pod[]> {
  const core = adminKubeConfig.makeApiClient(CoreV1Api);
  return (await core.listNamespacedPod({ namespace: of.namespace, labelSelector: `app=${of.app}` }))
    .items;
}

/** The workload's pods once there are exactly count, all running image (old ones gone). */
export function waitForPods(
  of: PodsOf,
  image: TestImage,
  count: number,
  timeoutMs = POD_ROLLOUT_MS,
): Promise<V1Pod[]> {
  return eventually(
    `${count} pod(s) of ${of.namespace}/${of.app} running ${image.reference}`,
    async () => {
      const pods = await listPods(of);
      if (pods.length === count && pods.every((pod) => runsImage(pod, of, image))) return pods;
      const now = pods.map((pod) => describePod(pod, of.container)).join(", ");
      throw new Error(`pods now: ${now || "none"}`);
    },
    timeoutMs,
    500,
  );
}

/** Where a pod on the node's pod network reaches the host's servers (ADR 0032). */
export interface PodNetwork {
  /** host:port of kube-apiserver, for in-cluster clients (KUBERNETES_SERVICE_HOST/PORT) */
  apiserver: { host: string; port: string };
  /** host:port of the plain registry, for pods' imports; the node pulls from it too */
  registry: string;
}

/** From ISO_POD_APISERVER and ISO_POD_REGISTRY (`hack/cluster.sh up` with a node). */
export function requirePodNetwork(env: NodeJS.ProcessEnv = process.env): PodNetwork {
  const { ISO_POD_APISERVER: apiserver, ISO_POD_REGISTRY: registry } = env;
  const match = /^(.+):(\d+)$/.exec(apiserver ?? "");
  if (!match || !registry) {
    throw new Error(
      "ISO_POD_APISERVER and ISO_POD_REGISTRY are not set: this test runs a pod on the node's " +
        "pod network, which `hack/cluster.sh up` starts with the node and exports " +
        '(eval "$(hack/cluster.sh env)"; docs/testing.md).',
    );
  }
  return { apiserver: { host: match[1] as string, port: match[2] as string }, registry };
}
