// The reads and the write of `set triggers`: the workload, the streams its
// new trigger follows, and one JSON merge patch. An interface, so the
// command's flow is tested without a cluster; KubeTriggerApi is the real one.
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import type { ImageStream } from "../../api/types.js";
import type { Workload } from "../../reconcile/triggers/index.js";
import { CliError, describeApiError, isConflict, isNotFound } from "../errors.js";
import { KubeStreams } from "../streams.js";
import type { WorkloadRef } from "../why/target.js";
import { readWorkload } from "../why/workload.js";

export interface TriggerApi {
  read(ref: WorkloadRef, namespace: string): Promise<Workload>;
  /** undefined when the stream does not exist; throws a CliError when it cannot be read */
  stream(namespace: string, name: string): Promise<ImageStream | undefined>;
  mergePatch(ref: WorkloadRef, namespace: string, patch: Record<string, unknown>): Promise<void>;
}

/** How kubectl names the kind: deployment.apps */
export function kindLabel(ref: WorkloadRef): string {
  const group = ref.kind === "CronJob" ? "batch" : "apps";
  return `${ref.kind.toLowerCase()}.${group}`;
}

/** The resource oc's trigger table names rows by: deployments */
export function resourceName(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}s`;
}

export class KubeTriggerApi implements TriggerApi {
  private readonly objects: KubernetesObjectApi;
  private readonly streams: KubeStreams;
  private readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.streams = new KubeStreams(kc);
    this.server = kc.getCurrentCluster()?.server ?? "(unknown server)";
  }

  read(ref: WorkloadRef, namespace: string): Promise<Workload> {
    return readWorkload(this.kc, ref, namespace);
  }

  stream(namespace: string, name: string): Promise<ImageStream | undefined> {
    return this.streams.get(namespace, name);
  }

  async mergePatch(
    ref: WorkloadRef,
    namespace: string,
    patch: Record<string, unknown>,
  ): Promise<void> {
    const header: KubernetesObject = {
      apiVersion: ref.kind === "CronJob" ? "batch/v1" : "apps/v1",
      kind: ref.kind,
      metadata: { name: ref.name, namespace },
    };
    const metadata = { ...header.metadata, ...(patch.metadata as object | undefined) };
    try {
      await this.objects.patch(
        { ...header, ...patch, metadata },
        undefined,
        undefined,
        "kubectl-imagestream",
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      // conflicts stay raw so withConflictRetry re-reads and re-plans
      if (isConflict(error)) throw error;
      if (isNotFound(error)) {
        throw new CliError(`${kindLabel(ref)}/${ref.name} not found in namespace "${namespace}"`);
      }
      throw describeApiError(error, this.server);
    }
  }
}
