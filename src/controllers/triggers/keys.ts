// Work queue keys of the trigger controller: "Kind/namespace/name", so one
// queue serves the four workload kinds.
import { WORKLOAD_KINDS, type WorkloadKind } from "../../reconcile/triggers/index.js";

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function parseWorkloadKey(key: string): WorkloadRef | undefined {
  const [kind, namespace, name, extra] = key.split("/");
  if (extra !== undefined || namespace === undefined || name === undefined) return undefined;
  const known = WORKLOAD_KINDS.find((k) => k === kind);
  return known === undefined ? undefined : { kind: known, namespace, name };
}

/** Resource names for API paths and the apiWrites metric. */
export const RESOURCE_OF: Record<WorkloadKind, string> = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  CronJob: "cronjobs",
};

export const API_VERSION_OF: Record<WorkloadKind, string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  CronJob: "batch/v1",
};
