// Whether a rollout we caused became healthy, is still going, or failed,
// from the workload's own status (ADR 0030), read as `kubectl rollout
// status` reads it:
// - Deployment: the controller saw the new generation; Progressing=False
//   with ProgressDeadlineExceeded fails it; all replicas updated, old ones
//   gone and the updated ones available is healthy.
// - StatefulSet: all replicas updated and ready.
// - DaemonSet: every scheduled pod updated and available.
// - CronJob: the first Job scheduled after our write: it succeeded, or it
//   finished without succeeding (the Job's own backoffLimit and
//   activeDeadlineSeconds decide that; our deadline does not apply, the next
//   run may be days away).
// The policy's progressDeadline, counted from our write, fails what is still
// not healthy (Deployments also fail on their own progressDeadlineSeconds).

import type { WorkloadKind } from "./types.js";

export interface WorkloadHealthView {
  kind: WorkloadKind;
  metadata?: { generation?: number };
  spec?: unknown;
  status?: unknown;
}

export type Health =
  /** unobserved: the controller has not seen the latest generation yet, no verdict on the pods */
  | { state: "Progressing"; detail: string; unobserved?: true }
  | { state: "Healthy"; detail: string }
  | { state: "Failed"; reason: string; detail: string };

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: unknown;
  lastTransitionTime?: unknown;
}

type Status = Record<string, unknown> & { conditions?: Condition[]; active?: unknown[] };

function num(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function time(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The rollout's health `now`, for a write made at `since` (epoch ms), with
 * the policy's deadline in ms.
 */
export function rolloutHealth(
  workload: WorkloadHealthView,
  since: number,
  deadlineMs: number,
  now: number,
): Health {
  const judged = judge(workload, since);
  if (judged.state !== "Progressing" || workload.kind === "CronJob") return judged;
  if (now - since >= deadlineMs) {
    return {
      state: "Failed",
      reason: "ProgressDeadline",
      detail: `not healthy ${Math.round(deadlineMs / 1000)}s after the write: ${judged.detail}`,
    };
  }
  return judged;
}

function judge(workload: WorkloadHealthView, since: number): Health {
  const status = (workload.status ?? {}) as Status;
  const spec = (workload.spec ?? {}) as Record<string, unknown>;
  if (workload.kind === "CronJob") return cronJobHealth(status, since);
  const generation = workload.metadata?.generation ?? 0;
  if (num(status.observedGeneration) < generation) {
    return {
      state: "Progressing",
      detail: "the controller has not seen the new template yet",
      unobserved: true,
    };
  }
  if (workload.kind === "Deployment") return deploymentHealth(status, spec, since);
  if (workload.kind === "StatefulSet") return statefulSetHealth(status, spec);
  return daemonSetHealth(status);
}

function desiredReplicas(spec: Record<string, unknown>): number {
  return typeof spec.replicas === "number" ? spec.replicas : 1;
}

function deploymentHealth(status: Status, spec: Record<string, unknown>, since: number): Health {
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  // only a verdict on this rollout: going back to a template whose
  // ReplicaSet exists does not reset an older ProgressDeadlineExceeded
  const at = time(progressing?.lastUpdateTime) ?? time(progressing?.lastTransitionTime);
  const current = at === undefined || at >= since;
  if (
    progressing?.status === "False" &&
    progressing.reason === "ProgressDeadlineExceeded" &&
    current
  ) {
    return {
      state: "Failed",
      reason: "ProgressDeadlineExceeded",
      detail: progressing.message ?? "the Deployment's progress deadline passed",
    };
  }
  const desired = desiredReplicas(spec);
  const updated = num(status.updatedReplicas);
  const available = num(status.availableReplicas);
  const total = num(status.replicas);
  const counts = `${updated} of ${desired} replicas updated, ${available} available`;
  if (updated < desired || total > updated || available < updated) {
    return { state: "Progressing", detail: counts };
  }
  return { state: "Healthy", detail: counts };
}

function statefulSetHealth(status: Status, spec: Record<string, unknown>): Health {
  const desired = desiredReplicas(spec);
  const updated = num(status.updatedReplicas);
  const ready = num(status.readyReplicas);
  const counts = `${updated} of ${desired} replicas updated, ${ready} ready`;
  const done = updated >= desired && ready >= desired;
  return { state: done ? "Healthy" : "Progressing", detail: counts };
}

function daemonSetHealth(status: Status): Health {
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  const counts = `${updated} of ${desired} scheduled pods updated, ${available} available`;
  const done = updated >= desired && available >= desired;
  return { state: done ? "Healthy" : "Progressing", detail: counts };
}

function cronJobHealth(status: Status, since: number): Health {
  const scheduled = time(status.lastScheduleTime);
  if (scheduled === undefined || scheduled < since) {
    return { state: "Progressing", detail: "waiting for the next scheduled Job" };
  }
  if ((status.active ?? []).length > 0) {
    return { state: "Progressing", detail: "the Job scheduled after the write is running" };
  }
  const succeeded = time(status.lastSuccessfulTime);
  if (succeeded !== undefined && succeeded >= scheduled) {
    return { state: "Healthy", detail: "the Job scheduled after the write succeeded" };
  }
  return {
    state: "Failed",
    reason: "JobFailed",
    detail: "the Job scheduled after the write finished without succeeding",
  };
}
