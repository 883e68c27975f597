// Reconciles one workload's image triggers: observe (informer caches), plan
// (src/reconcile/triggers, pure), act (one strategic-merge patch carrying the
// resourceVersion it was planned from). A pass whose plan writes nothing
// makes no API call, so resyncs and the workload's own status updates cost
// nothing but CPU.
import { ANN_TRIGGERS } from "../../api/types.js";
import type { Logger } from "../../observability/logger.js";
import type { Metrics } from "../../observability/metrics.js";
import {
  buildTriggerPatch,
  type ContainerImageChange,
  parseTriggers,
  planTriggerUpdates,
  problemEventMessage,
  rolloutEventMessage,
  type TriggerLookups,
  type TriggerPlan,
  type TriggerProblem,
  type Workload,
  type WorkloadKind,
} from "../../reconcile/triggers/index.js";
import { type EventTarget, ProblemReports, type Recorder } from "../events.js";
import { isConflict, isNotFound, isRefusedRequest, refusalSummary } from "../kube-errors.js";
import type { ReconcileResult } from "../workqueue.js";
import type { FollowerIndex } from "./follower-index.js";
import { API_VERSION_OF, parseWorkloadKey, RESOURCE_OF, type WorkloadRef } from "./keys.js";
import type { ProblemMemory } from "./problem-memory.js";
import type { WorkloadClient, WorkloadObject } from "./workload-client.js";

export const REASON_ROLLOUT = "ImageTriggered";
/** the API server refused our write (admission, quota, validation) */
export const REASON_REJECTED = "ImageUpdateRejected";
const WRITE_ATTEMPTS = 4;
const NOT_SYNCED_RETRY_MS = 500;

export interface TriggerReconcilerDeps {
  /** the workload from the informer cache */
  cached: (ref: WorkloadRef) => WorkloadObject | undefined;
  /** caches of workloads and image streams have listed once */
  synced: () => boolean;
  client: WorkloadClient;
  lookups: TriggerLookups;
  recorder: Recorder;
  metrics: Pick<Metrics, "apiWrites" | "triggerRollouts" | "triggerProblems">;
  index: FollowerIndex;
  problems: ProblemMemory;
}

/** The Workload view of an informer object (list results carry no kind). */
export function toWorkload(kind: WorkloadKind, object: WorkloadObject): Workload {
  return { kind, metadata: object.metadata, spec: object.spec };
}

export function planWorkload(workload: Workload, lookups: TriggerLookups): TriggerPlan {
  const parsed = parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
  return planTriggerUpdates(workload, parsed, lookups);
}

export class TriggerReconciler {
  private readonly refusals: ProblemReports;

  constructor(private readonly deps: TriggerReconcilerDeps) {
    this.refusals = new ProblemReports(deps.recorder);
  }

  async reconcile(key: string, log: Logger): Promise<ReconcileResult | undefined> {
    const ref = parseWorkloadKey(key);
    if (ref === undefined) return undefined;
    // Planning against a half-filled stream cache would report existing
    // streams as missing and skip tags that have images.
    if (!this.deps.synced()) return { requeueAfterMs: NOT_SYNCED_RETRY_MS };
    let object = this.deps.cached(ref);
    for (let attempt = 1; object !== undefined; attempt++) {
      const workload = toWorkload(ref.kind, object);
      const plan = planWorkload(workload, this.deps.lookups);
      await this.reportProblems(key, ref.kind, object, plan.problems);
      const patch = buildTriggerPatch(workload, plan);
      if (patch === undefined) {
        logSkips(log, plan);
        return undefined;
      }
      try {
        const written = await this.deps.client.patch(ref, patch);
        await this.afterWrite(ref, written, plan, log);
        return undefined;
      } catch (err) {
        if (isNotFound(err)) break;
        if (isRefusedRequest(err)) await this.reportRefusal(ref.kind, object, plan, err);
        if (!isConflict(err) || attempt >= WRITE_ATTEMPTS) throw err;
        log.debug({ attempt }, "workload changed since it was read; planning again");
        object = await this.deps.client.get(ref);
      }
    }
    this.forget(key);
    return undefined;
  }

  private forget(key: string): void {
    this.deps.index.remove(key);
    this.deps.problems.forget(key);
  }

  private async reportProblems(
    key: string,
    kind: WorkloadKind,
    object: WorkloadObject,
    problems: TriggerProblem[],
  ): Promise<void> {
    for (const problem of this.deps.problems.due(key, problems)) {
      this.deps.metrics.triggerProblems.inc({ kind });
      const written = await this.deps.recorder.record({
        target: eventTarget(kind, object),
        type: "Warning",
        reason: problem.reason,
        action: "ResolveTrigger",
        note: problemEventMessage(problem),
      });
      if (written) this.deps.problems.sent(key, problem);
    }
  }

  /** A Warning on the workload (hourly at most), with the API server's reason. */
  private async reportRefusal(
    kind: WorkloadKind,
    object: WorkloadObject,
    plan: TriggerPlan,
    err: unknown,
  ): Promise<void> {
    const what =
      plan.changes.length === 0
        ? "our record of applied images"
        : plan.changes.map(changeText).join("; ");
    await this.refusals.report({
      target: eventTarget(kind, object),
      type: "Warning",
      reason: REASON_REJECTED,
      action: "UpdateImage",
      note: `the API server refused the update (${what}): ${refusalSummary(err)}`,
    });
  }

  private async afterWrite(
    ref: WorkloadRef,
    written: WorkloadObject,
    plan: TriggerPlan,
    log: Logger,
  ): Promise<void> {
    this.deps.metrics.apiWrites.inc({ resource: RESOURCE_OF[ref.kind], verb: "patch" });
    if (plan.changes.length === 0) {
      log.debug("record annotation updated");
      return;
    }
    this.deps.metrics.triggerRollouts.inc({ kind: ref.kind });
    log.info({ changes: plan.changes.map(changeSummary) }, "rolled out triggered images");
    const target = eventTarget(ref.kind, written);
    for (const change of plan.changes) {
      await this.deps.recorder.record({
        target,
        type: "Normal",
        reason: REASON_ROLLOUT,
        action: "UpdateImage",
        note: rolloutEventMessage(change),
        forEachWrite: true,
      });
    }
  }
}

function eventTarget(kind: WorkloadKind, object: WorkloadObject): EventTarget {
  const meta = object.metadata;
  return {
    apiVersion: API_VERSION_OF[kind],
    kind,
    name: meta?.name ?? "",
    namespace: meta?.namespace ?? "",
    uid: meta?.uid,
    resourceVersion: meta?.resourceVersion,
  };
}

function changeText(change: ContainerImageChange): string {
  const { from } = change.trigger;
  return `${change.containerName} to ${change.newImage} from ${from.namespace}/${from.name}`;
}

function changeSummary(change: ContainerImageChange) {
  return {
    container: change.containerName,
    tag: `${change.trigger.from.namespace}/${change.trigger.from.name}`,
    from: change.oldImage,
    to: change.newImage,
    cause: change.cause,
  };
}

// "Why didn't it roll?" answered in the debug log; nothing is written.
function logSkips(log: Logger, plan: TriggerPlan): void {
  if (plan.skipped.length === 0 || !log.isLevelEnabled("debug")) return;
  log.debug(
    { skipped: plan.skipped.map((s) => ({ reason: s.reason, why: s.message })) },
    "no write",
  );
}
