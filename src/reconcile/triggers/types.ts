// Shapes shared by the pure image-trigger functions. Workloads are typed only
// as far as these functions read them, so a client-node V1Deployment (with
// kind filled in by the caller: list results omit it) is accepted as is.

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob";

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
];

export interface WorkloadMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  /** read by the rollout health check (ADR 0030) */
  generation?: number;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface Workload {
  kind: WorkloadKind;
  metadata?: WorkloadMeta;
  spec?: unknown;
  /** kept in the cache for workloads with a rollout policy only (ADR 0030) */
  status?: unknown;
}

export type ContainerList = "containers" | "initContainers";

/** Where a trigger's fieldPath points, before looking at the workload. */
export interface FieldPathTarget {
  containerList: ContainerList;
  selector: { index: number } | { name: string };
}

/** The container a fieldPath resolved to in one workload object. */
export interface ResolvedContainer {
  containerList: ContainerList;
  index: number;
  name: string;
  image: string | undefined;
  /**
   * The fieldPath in canonical form (name selector, double quotes): the same
   * container gives the same key however the user wrote the path.
   */
  key: string;
}

export interface ValidTrigger {
  /** position in the annotation's array, for messages */
  position: number;
  from: { kind: "ImageStreamTag"; name: string; namespace: string };
  stream: string;
  tag: string;
  /** as the user wrote it */
  fieldPath: string;
  paused: boolean;
  container: ResolvedContainer;
}

export type TriggerProblemReason =
  | "InvalidJSON"
  | "NotAnArray"
  | "InvalidTrigger"
  | "InvalidFieldPath"
  | "NoSuchContainer"
  | "DuplicateTrigger"
  | "CrossNamespaceNotAllowed"
  | "NoSuchStream"
  | "NoSuchTag"
  | "InvalidLastApplied"
  // rollouts (ADR 0030)
  | "InvalidRolloutPolicy"
  | "InvalidRolloutStatus"
  | "ImageNotPullable"
  | "PlatformMismatch"
  | "ImageCheckFailed";

export interface TriggerProblem {
  reason: TriggerProblemReason;
  /** says what is wrong and how to fix it */
  message: string;
  /** position in the annotation's array, when the problem is one trigger's */
  position?: number;
}

export interface ParsedTriggers {
  triggers: ValidTrigger[];
  problems: TriggerProblem[];
}
