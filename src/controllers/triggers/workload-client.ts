// The trigger controller's only API calls: read a workload (after a 409) and
// patch its image fields with a strategic-merge patch under our field
// manager. Strategic merge merges container lists by name, so the patch
// names only the triggered containers and leaves their siblings alone.
import {
  AppsV1Api,
  BatchV1Api,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { ImagePatch, WorkloadKind } from "../../reconcile/triggers/index.js";
import { FIELD_MANAGER } from "../imagestream-writer.js";
import { isNotFound } from "../kube-errors.js";
import type { WorkloadRef } from "./keys.js";

export type WorkloadObject = KubernetesObject & { spec?: unknown; status?: unknown };

export interface WorkloadClient {
  /** undefined when the workload does not exist */
  get(ref: WorkloadRef): Promise<WorkloadObject | undefined>;
  patch(ref: WorkloadRef, patch: ImagePatch): Promise<WorkloadObject>;
}

const strategicMerge = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);

export class KubeWorkloadClient implements WorkloadClient {
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;

  constructor(kc: KubeConfig) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
  }

  async get(ref: WorkloadRef): Promise<WorkloadObject | undefined> {
    const { namespace, name } = ref;
    const readers: Record<WorkloadKind, () => Promise<WorkloadObject>> = {
      Deployment: () => this.apps.readNamespacedDeployment({ namespace, name }),
      StatefulSet: () => this.apps.readNamespacedStatefulSet({ namespace, name }),
      DaemonSet: () => this.apps.readNamespacedDaemonSet({ namespace, name }),
      CronJob: () => this.batch.readNamespacedCronJob({ namespace, name }),
    };
    try {
      return await readers[ref.kind]();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async patch(ref: WorkloadRef, body: ImagePatch): Promise<WorkloadObject> {
    const request = { namespace: ref.namespace, name: ref.name, body, fieldManager: FIELD_MANAGER };
    const patchers: Record<WorkloadKind, () => Promise<WorkloadObject>> = {
      Deployment: () => this.apps.patchNamespacedDeployment(request, strategicMerge),
      StatefulSet: () => this.apps.patchNamespacedStatefulSet(request, strategicMerge),
      DaemonSet: () => this.apps.patchNamespacedDaemonSet(request, strategicMerge),
      CronJob: () => this.batch.patchNamespacedCronJob(request, strategicMerge),
    };
    return patchers[ref.kind]();
  }
}
