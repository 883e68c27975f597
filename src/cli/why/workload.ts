// Reading the workload `why` explains (the only non-stream read of the CLI).
import { AppsV1Api, BatchV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Workload } from "../../reconcile/triggers/index.js";
import { CliError, describeApiError, isNotFound } from "../errors.js";
import { type WorkloadRef, workloadLabel } from "./target.js";

function read(kc: KubeConfig, ref: WorkloadRef, namespace: string): Promise<object> {
  const request = { name: ref.name, namespace };
  switch (ref.kind) {
    case "Deployment":
      return kc.makeApiClient(AppsV1Api).readNamespacedDeployment(request);
    case "StatefulSet":
      return kc.makeApiClient(AppsV1Api).readNamespacedStatefulSet(request);
    case "DaemonSet":
      return kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet(request);
    case "CronJob":
      return kc.makeApiClient(BatchV1Api).readNamespacedCronJob(request);
  }
}

export async function readWorkload(
  kc: KubeConfig,
  ref: WorkloadRef,
  namespace: string,
): Promise<Workload> {
  try {
    const object = (await read(kc, ref, namespace)) as Omit<Workload, "kind">;
    return { ...object, kind: ref.kind };
  } catch (error) {
    if (isNotFound(error))
      throw new CliError(`${workloadLabel(ref)} not found in namespace "${namespace}"`);
    throw describeApiError(error, kc.getCurrentCluster()?.server ?? "(unknown server)");
  }
}
