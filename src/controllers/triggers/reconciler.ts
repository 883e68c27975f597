// Reconciles one workload's image triggers: observe (informer caches), plan
// (src/reconcile/triggers, pure), act (one strategic-merge patch carrying the
// resourceVersion it was planned from). A pass whose plan writes nothing
// makes no API call, so resyncs and the workload's own status updates cost
// nothing but CPU.

import type { ImageStream, TagEvent } from "../../api/types.js";
import { ANN_TRIGGERS } from "../../api/types.js";
import type { Logger } from "../../observability/logger.js";
import type { Metrics } from "../../observability/metrics.js";
import {
  buildTriggerPatch,
  type ContainerImageChange,
  parseTriggers,
  planSafeRollout,
  planTriggerUpdates,
  problemEventMessage,
  type Refusal,
  rolloutEventMessage,
  type SafePlan,
  type TriggerLookups,
  type TriggerPlan,
  type TriggerProblem,
  type Workload,
  type WorkloadKind,
} from "../../reconcile/triggers/index.js";
import { type EventTarget, ProblemReports, type Recorder } from "../events.js";
import { isConflict, isNotFound, isRefusedRequest, refusalSummary } from "../kube-errors.js";
import type { ReconcileResult } from "../workqueue.js";
import { CheckBackoff } from "./check-backoff.js";
import type { FollowerIndex } from "./follower-index.js";
import { API_VERSION_OF, parseWorkloadKey, RESOURCE_OF, type WorkloadRef } from "./keys.js";
import { checkInputs, type PreWriteChecks } from "./pre-write-checks.js";
import type { ProblemMemory } from "./problem-memory.js";
import type { WorkloadClient, WorkloadObject } from "./workload-client.js";

export const REASON_ROLLOUT = "ImageTriggered";
/** the API server refused our write (admission, quota, validation) */
export const REASON_REJECTED = "ImageUpdateRejected";
const WRITE_ATTEMPTS = 4;
const NOT_SYNCED_RETRY_MS = 500;
/** a gate days away is planned again at least daily (and by every resync) */
const MAX_REQUEUE_MS = 24 * 3600_000;

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
  /** a tag's history, newest first (soak, debounce: ADR 0030) */
  tagItems?: (namespace: string, stream: string, tag: string) => readonly TagEvent[];
  /** the stream a trigger follows, for the checks before a write */
  stream?: (namespace: string, name: string) => ImageStream | undefined;
  /** pullable and platform checks before a write; left out: none */
  checks?: PreWriteChecks;
  /** when refused digests are checked again; shared with the controller (node changes clear it) */
  backoff?: CheckBackoff;
  now?: () => number;
}

/** The Workload view of an informer object (list results carry no kind). */
export function toWorkload(kind: WorkloadKind, object: WorkloadObject): Workload {
  return { kind, metadata: object.metadata, spec: object.spec, status: object.status };
}

export function planWorkload(workload: Workload, lookups: TriggerLookups): TriggerPlan {
  const parsed = parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
  return planTriggerUpdates(workload, parsed, lookups);
}

export class TriggerReconciler {
  private readonly refusals: ProblemReports;
  private readonly backoff: CheckBackoff;
  private readonly now: () => number;

  constructor(private readonly deps: TriggerReconcilerDeps) {
    this.refusals = new ProblemReports(deps.recorder);
    this.now = deps.now ?? Date.now;
    this.backoff = deps.backoff ?? new CheckBackoff();
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
      const safe = await this.planSafely(key, workload);
      const { plan } = safe;
      await this.reportProblems(key, ref.kind, object, plan.problems);
      const patch = buildTriggerPatch(workload, plan, safe);
      if (patch === undefined) {
        logSkips(log, plan);
        return this.requeue(safe);
      }
      try {
        const written = await this.deps.client.patch(ref, patch);
        await this.afterWrite(ref, written, safe, log);
        return this.requeue(safe);
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
    this.backoff.forget(key);
  }

  /**
   * The plan under the rollout policy, with the checks before a write run on
   * every digest it would write: a refused one is planned again as held.
   * Refusals are re-checked with backoff (CheckBackoff), not on every pass.
   */
  private async planSafely(key: string, workload: Workload): Promise<SafePlan> {
    const parsed = parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
    const now = this.now();
    const inputs = checkInputs(workload);
    const refusals = this.backoff.held(key, now, inputs);
    const context = { now, tagItems: this.deps.tagItems ?? (() => []), refusals };
    const safe = planSafeRollout(workload, parsed, this.deps.lookups, context);
    const { checks } = this.deps;
    if (checks === undefined || safe.toCheck.length === 0) return this.withBackoff(key, safe);
    let refused = false;
    for (const change of safe.toCheck) {
      const refusal = await this.check(checks, workload, change);
      const check = { image: change.newImage, inputs, now };
      this.backoff.checked(key, change.trigger.container.key, check, refusal);
      if (refusal === undefined) continue;
      refusals.set(change.trigger.container.key, refusal);
      refused = true;
    }
    const final = refused ? planSafeRollout(workload, parsed, this.deps.lookups, context) : safe;
    return this.withBackoff(key, final);
  }

  private check(
    checks: PreWriteChecks,
    workload: Workload,
    change: ContainerImageChange,
  ): Promise<Refusal | undefined> {
    const { namespace } = change.trigger.from;
    return checks.check(workload, change, this.deps.stream?.(namespace, change.trigger.stream));
  }

  /** A refused digest is planned again when its re-check is due. */
  private withBackoff(key: string, safe: SafePlan): SafePlan {
    const due = this.backoff.nextCheck(key);
    if (due === undefined) return safe;
    const requeueAt = safe.requeueAt === undefined ? due : Math.min(due, safe.requeueAt);
    return { ...safe, requeueAt };
  }

  private requeue(safe: SafePlan): ReconcileResult | undefined {
    if (safe.requeueAt === undefined) return undefined;
    const delay = Math.min(MAX_REQUEUE_MS, Math.max(1000, safe.requeueAt - this.now()));
    return { requeueAfterMs: delay };
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
    safe: SafePlan,
    log: Logger,
  ): Promise<void> {
    const { plan } = safe;
    this.deps.metrics.apiWrites.inc({ resource: RESOURCE_OF[ref.kind], verb: "patch" });
    const target = eventTarget(ref.kind, written);
    for (const notice of safe.notices) {
      log.info({ reason: notice.reason }, notice.note);
      await this.deps.recorder.record({
        target,
        type: notice.type,
        reason: notice.reason,
        action: "FollowRollout",
        note: notice.note,
        forEachWrite: true,
      });
    }
    if (plan.changes.length === 0) {
      log.debug("record annotations updated");
      return;
    }
    this.deps.metrics.triggerRollouts.inc({ kind: ref.kind });
    log.info({ changes: plan.changes.map(changeSummary) }, "rolled out triggered images");
    // a rollback is told by its RolloutFailed notice
    for (const change of plan.changes.filter((c) => c.cause !== "Rollback")) {
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
