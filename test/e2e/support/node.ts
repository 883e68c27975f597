// The node the e2e tests that run pods use, from the environment:
// ISO_NODE=<name> (exported by `hack/cluster.sh up`, whose environment has a
// real node), or ISO_NO_NODE=1, the explicit statement that the cluster has
// no node for them (`ISO_NO_NODE=1 hack/cluster.sh up`, hack/kind.sh, or a
// caller's cluster whose nodes cannot pull from the test registries). Only
// that statement deselects those tests, visibly; with neither variable they
// run and fail, naming what is missing.
import { CoreV1Api } from "@kubernetes/client-node";
import { adminKubeConfig } from "./env.js";

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
