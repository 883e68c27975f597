// The operator as users run it (issue 11): its image built and pushed the way
// `make image` does, the chart packaged and pushed as an OCI artifact the way
// `make chart` does, and installed from that artifact by helm onto the real
// node, in a namespace enforcing the restricted Pod Security Standard. So the
// pod has its own network namespace (no hostNetwork): it reaches the API
// server and the plain registry through the node's pod network and its relay
// (ADR 0032). There it becomes Ready on its probes, takes the Lease, imports
// streams (its own image among them) and rolls a Deployment whose pod runs the
// digest the trigger wrote. Needs a node: deselected only by ISO_NO_NODE=1.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  requestReimport,
  triggersJson,
  waitForTagImage,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import {
  core,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { adminKubeConfig } from "./support/env.js";
import { kubectl } from "./support/kubectl.js";
import { podNode, requirePodNetwork, requireReadyNode } from "./support/node.js";
import { buildOperatorImage, chartVersion, helm, publishChart } from "./support/publish.js";
import { pushTestImage, type TestImage } from "./support/test-image.js";

const RELEASE = "iso-pod";
const FULLNAME = `${RELEASE}-imagestream-operator`;
const LABELS = `app.kubernetes.io/instance=${RELEASE}`;
/** a pull and a start take seconds here; the margin is for a loaded 2-core machine */
const POD_MS = 180_000;
const leases = adminKubeConfig.makeApiClient(CoordinationV1Api);

describe.skipIf(podNode.deselected !== undefined)(
  "the operator as a pod, from its published chart",
  () => {
    let operatorNs: string;
    let ns: string;
    let nodeName: string;
    let image: string;
    let operatorPod: V1Pod;
    let podRegistry: string;

    beforeAll(async () => {
      nodeName = await requireReadyNode();
      const network = requirePodNetwork();
      podRegistry = network.registry;
      image = buildOperatorImage("e2e");
      const chart = publishChart();
      operatorNs = await createNamespace("operator-pod");
      await core.patchNamespace({
        name: operatorNs,
        body: [
          {
            op: "add",
            path: "/metadata/labels/pod-security.kubernetes.io~1enforce",
            value: "restricted",
          },
        ],
      });
      ns = await createNamespace("operator-pod-work");
      const [repository, digest] = image.split("@") as [string, string];
      const { apiserver } = network;
      helm([
        ...["install", RELEASE, chart, "--version", chartVersion(), "--plain-http"],
        ...["--namespace", operatorNs],
        ...["--set", `image.repository=${repository},image.digest=${digest}`],
        // one replica: the node has room for one; the aggregated views and the
        // lookup webhook are Services the API server would dial (no kube-proxy here)
        ...["--set", "replicaCount=1,imageViews.enabled=false,imageLookup.enabled=false"],
        ...["--set", "resources.requests.memory=128Mi"],
        // the relay on the pod network's gateway, not the kubernetes Service
        "--set-json",
        `extraEnv=${JSON.stringify([
          { name: "KUBERNETES_SERVICE_HOST", value: apiserver.host },
          { name: "KUBERNETES_SERVICE_PORT", value: apiserver.port },
        ])}`,
      ]);
      operatorPod = await eventually(
        "the operator's pod to be Running and Ready",
        async () => {
          const [pod] = (
            await core.listNamespacedPod({ namespace: operatorNs, labelSelector: LABELS })
          ).items;
          const ready = pod?.status?.conditions?.find((c) => c.type === "Ready")?.status;
          return pod?.status?.phase === "Running" && ready === "True" ? pod : undefined;
        },
        POD_MS,
        1_000,
      );
    }, 1_500_000);

    afterAll(async () => {
      if (operatorNs) saveLogs();
      if (operatorNs) helm(["uninstall", RELEASE, "--namespace", operatorNs, "--wait"]);
      if (ns) await deleteNamespace(ns);
      if (operatorNs) await deleteNamespace(operatorNs);
      if (operatorPod) {
        const uid = operatorPod.metadata?.uid ?? "";
        const left = await eventually(
          "the operator's pod and its processes to be gone",
          async () => {
            const pods = await core.listNamespacedPod({
              namespace: operatorNs,
              labelSelector: LABELS,
            });
            return pods.items.length === 0 && processesOfPod(uid).length === 0 ? [] : undefined;
          },
          POD_MS,
          1_000,
        );
        expect(left).toEqual([]);
      }
    }, 600_000);

    function saveLogs() {
      const logs = kubectl(["logs", "-n", operatorNs, "-l", LABELS, "--tail=-1"]).stdout;
      const dir = process.env.ISO_CLUSTER_DIR
        ? join(process.env.ISO_CLUSTER_DIR, "logs")
        : undefined;
      if (dir) writeFileSync(join(dir, "e2e-operator-pod-operator.log"), logs);
    }

    it("runs the pushed image by digest on the node, Ready on its probes, never restarted, on the pod network", () => {
      const status = operatorPod.status?.containerStatuses?.[0];
      expect(operatorPod.spec?.nodeName).toBe(nodeName);
      expect(operatorPod.spec?.hostNetwork ?? false).toBe(false);
      expect(operatorPod.status?.podIP).not.toBe(operatorPod.status?.hostIP);
      expect(status?.imageID).toBe(image);
      expect(status?.restartCount).toBe(0);
      // what the cleanup's check looks for is there while it runs
      expect(processesOfPod(operatorPod.metadata?.uid ?? "").length).toBeGreaterThan(0);
      const container = operatorPod.spec?.containers[0];
      expect(container?.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(container?.livenessProbe?.httpGet?.path).toBe("/healthz");
    });

    it("is in a namespace that enforces the restricted standard: a hostNetwork pod is refused there", async () => {
      const refused = kubectl(
        ["run", "host-net", "-n", operatorNs, "--image", image, "--dry-run=server"].concat(
          "--overrides",
          JSON.stringify({ spec: { hostNetwork: true } }),
        ),
      );
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain("violates PodSecurity");
      expect(refused.stderr).toContain("hostNetwork=true");
    });

    it("holds the Lease, under its ServiceAccount", async () => {
      const lease = await eventually("the Lease to name the pod", async () => {
        const l = await leases.readNamespacedLease({ name: FULLNAME, namespace: operatorNs });
        return l.spec?.holderIdentity?.startsWith(`${operatorPod.metadata?.name}_`) ? l : undefined;
      });
      expect(lease.spec?.holderIdentity).toMatch(/_[0-9a-f]{8}$/);
      expect(operatorPod.spec?.serviceAccountName).toBe(FULLNAME);
    });

    it("imports its own image from the registry, at the digest make image pushed", async () => {
      const [, digest] = image.split("@") as [string, string];
      await createStream(ns, "imagestream-operator", {
        tags: [
          dockerTag("e2e", `${podRegistry}/imagestream-operator:e2e`, {
            importPolicy: { insecure: true },
          }),
        ],
      });
      expect(await waitForTagImage(ns, "imagestream-operator", "e2e", digest, 90_000)).toBe(
        `${podRegistry}/imagestream-operator@${digest}`,
      );
    });

    it("imports a stream in another namespace and rolls its triggered Deployment, whose pod runs the digest", async () => {
      const repository = uniqueRepository("operator-pod");
      const push = (marker: string) => pushTestImage(targets.plain, repository, "latest", marker);
      const first = push(`${ns} build 1`);
      const expected = (built: TestImage) => `${podRegistry}/${repository}@${built.digest}`;
      await createStream(ns, "app", {
        tags: [
          dockerTag("latest", `${podRegistry}/${repository}:latest`, {
            importPolicy: { insecure: true },
          }),
        ],
      });
      expect(await waitForTagImage(ns, "app", "latest", first.digest, 90_000)).toBe(
        expected(first),
      );
      const triggers = triggersJson([
        { name: "app:latest", fieldPath: 'spec.template.spec.containers[?(@.name=="app")].image' },
      ]);
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: "app", annotations: { [ANN_TRIGGERS]: triggers } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "app" } },
            template: {
              metadata: { labels: { app: "app" } },
              spec: {
                terminationGracePeriodSeconds: 5,
                // the trigger fills this in: nothing pulls "unresolved"
                containers: [{ name: "app", image: "unresolved" }],
              },
            },
          },
        },
      });
      await waitForPodRunning(expected(first));
      const next = push(`${ns} build 2`);
      await requestReimport(ns, "app", "latest");
      expect(await waitForTagImage(ns, "app", "latest", next.digest, 90_000)).toBe(expected(next));
      const pod = await waitForPodRunning(expected(next));
      expect(pod.spec?.nodeName).toBe(nodeName);
    });

    /** The Deployment's only pod, running reference (pulled by digest: imageID says so). */
    function waitForPodRunning(reference: string): Promise<V1Pod> {
      return eventually(
        `the pod of ${ns}/app running ${reference}`,
        async () => {
          const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=app" }))
            .items;
          const [pod] = pods;
          const status = pod?.status?.containerStatuses?.[0];
          const runs =
            pods.length === 1 &&
            !pod?.metadata?.deletionTimestamp &&
            pod?.spec?.containers[0]?.image === reference &&
            status?.state?.running !== undefined &&
            status.imageID === reference;
          if (runs) return pod;
          throw new Error(
            `pods now: ${JSON.stringify(pods.map((p) => p.status?.containerStatuses))}`,
          );
        },
        POD_MS,
        1_000,
      );
    }
  },
);

/** Processes in the pod's cgroups (the kubelet names them pod<uid>), in any hierarchy. */
function processesOfPod(uid: string): string[] {
  const marker = `pod${uid}`;
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(marker);
    } catch {
      return false; // gone meanwhile
    }
  });
}
