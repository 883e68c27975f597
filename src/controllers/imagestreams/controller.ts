// The import controller: for one stream key, observe (informer caches),
// plan (src/reconcile), act (registry calls, then writes), and report when the
// stream next needs attention. A pass that finds nothing to do makes no
// registry request and no API write.
import PQueue from "p-queue";
import type { ImageStream } from "../../api/types.js";
import { ANN_DOCKER_REPOSITORY_CHECK, ANN_LIST_DIGESTS, imageObjectName } from "../../api/types.js";
import type { Logger } from "../../observability/logger.js";
import {
  planSettledGenerations,
  planSpecGenerations,
  withFirstRepositoryCheck,
} from "../../reconcile/generations.js";
import { toImageObject } from "../../reconcile/images.js";
import { plannedListDigests } from "../../reconcile/list-digests.js";
import { planImports } from "../../reconcile/plan-imports.js";
import { recordAttempts, requeueAfterMs } from "../../reconcile/schedule.js";
import { type ApplyResult, applyOutcomes } from "../../reconcile/status.js";
import { statusEquals } from "../../reconcile/status-equals.js";
import { formatTime } from "../../reconcile/tag-events.js";
import type {
  AttemptLog,
  AttemptRecord,
  Outcome,
  PlannerConfig,
  WorkItem,
} from "../../reconcile/types.js";
import { type EventRecord, ProblemReports, type Recorder } from "../events.js";
import type { ImageStreamWriter, JsonPatchOp } from "../imagestream-writer.js";
import { splitKey } from "../informer.js";
import { isConflict, isRefusedRequest, refusalSummary } from "../kube-errors.js";
import type { ReconcileResult } from "../workqueue.js";
import { type ExecuteDeps, executePlan, type PushCheck } from "./execute.js";
import { recordingWriter, SupersededVersions } from "./own-writes.js";
import { HistoryRetention, type RetentionDeps } from "./retention.js";
import type { ScheduledImportCap } from "./scheduled-cap.js";

export interface ImportControllerDeps extends Omit<ExecuteDeps, "lookup" | "log"> {
  getStream: (namespace: string, name: string) => ImageStream | undefined;
  /** digests about to be named in a status, kept from garbage collection */
  imagesInUse?: { claim(digest: string): void };
  writer: ImageStreamWriter;
  recorder: Recorder;
  planner: PlannerConfig;
  /** integrated registry host, for status.dockerImageRepository (optional) */
  registryHostname?: string;
  /** bounded tag history (ADR 0012); absent: every item is kept, as OpenShift does */
  retention?: RetentionDeps;
  /** the cap on scheduled imports per minute; none: not capped */
  scheduledCap?: ScheduledImportCap;
  /** what the checks a push asked for found, once their results are written (PushDispatcher.checked) */
  onPushChecks?: (key: string, checks: PushCheck[]) => void;
  now?: () => Date;
}

/** This pass's work after the cap: scheduled items without a token wait for `waitMs`. */
interface Admitted {
  items: WorkItem[];
  deferred: ReadonlySet<string>;
  waitMs?: number;
}

const NONE: ReadonlySet<string> = new Set();

const STATUS_WRITE_ATTEMPTS = 4;
/** the API server refused the stream's status (too large, invalid) */
export const REASON_STATUS_REJECTED = "StatusUpdateRejected";
const IMAGE_WRITE_CONCURRENCY = 4;

/** Attempt log changes to apply: recheck these tags, forget every failing tag when `failures`. */
interface PendingForget {
  tags: Set<string>;
  failures: boolean;
}

const NEVER_ATTEMPTED = new Date(0);

export class ImportReconciler {
  private readonly attempts = new Map<string, AttemptLog>();
  private readonly pending = new Map<string, PendingForget>();
  private readonly superseded = new SupersededVersions();
  private readonly writer: ImageStreamWriter;
  private readonly now: () => Date;
  private readonly retention: HistoryRetention | undefined;
  private readonly refusals: ProblemReports;

  constructor(private readonly deps: ImportControllerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.refusals = new ProblemReports(deps.recorder, undefined, () => this.now().getTime());
    this.writer = recordingWriter(deps.writer, this.superseded);
    this.retention = deps.retention && new HistoryRetention(deps.retention);
  }

  /** Forget failure records of a namespace's streams (its pull secrets changed): retry now. */
  resetFailures(namespace: string): string[] {
    const keys = [...this.attempts.keys()].filter((k) => splitKey(k).namespace === namespace);
    for (const key of keys) this.pendingFor(key).failures = true;
    return keys;
  }

  /** A registry push concerns these tags: mark them for a recheck now (not capped). */
  recheck(key: string, tags: readonly string[]): void {
    const pending = this.pendingFor(key);
    for (const tag of tags) pending.tags.add(tag);
  }

  // Requests to forget attempts are queued, not applied to `attempts` at once:
  // a reconcile of the key may be running, and its final write of the attempt
  // log would undo them. They are applied when a reconcile starts and again
  // when it ends (one reconcile per key at a time, so nothing is lost).
  private pendingFor(key: string): PendingForget {
    let pending = this.pending.get(key);
    if (!pending) {
      pending = { tags: new Set(), failures: false };
      this.pending.set(key, pending);
    }
    return pending;
  }

  private withPendingForgets(key: string, log: AttemptLog): AttemptLog {
    const pending = this.pending.get(key);
    if (!pending) return log;
    this.pending.delete(key);
    const next = new Map<string, AttemptRecord>(
      [...log].filter(([, r]) => !(pending.failures && r.consecutiveFailures > 0)),
    );
    for (const tag of pending.tags) {
      const record = next.get(tag) ?? { at: NEVER_ATTEMPTED, consecutiveFailures: 0 };
      next.set(tag, { ...record, recheck: true });
    }
    return next;
  }

  async reconcile(key: string, log: Logger): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    let stream = this.deps.getStream(namespace, name);
    if (!stream) {
      this.attempts.delete(key);
      this.pending.delete(key);
      this.deps.scheduledCap?.forget(key);
      this.superseded.forget(key);
      this.retention?.forget(key);
      return undefined;
    }
    if (this.superseded.isStale(key, stream.metadata.resourceVersion)) {
      log.debug("cache still holds a version our own write replaced; its event will requeue");
      return undefined;
    }
    const problem = this.retention?.annotationProblem(key, stream);
    if (problem) await this.recordEvent(stream, problem);
    const now = this.now();
    const gens = withFirstRepositoryCheck(
      stream,
      planSpecGenerations(stream, this.deps.planner),
      formatTime(now),
    );
    if (gens.patch.length > 0) {
      log.debug({ tags: gens.updates.map((u) => u.name) }, "stamping spec tag generations");
      stream = await this.writer.patchSpec(stream, gens.patch as JsonPatchOp[]);
    }
    const attempts = this.withPendingForgets(key, this.attempts.get(key) ?? new Map());
    // Kept at once: a pass that throws (the API server away while it writes)
    // must leave the rechecks it took for the retry, or a tag pushed during
    // an outage is never looked at again until its scheduled check.
    this.attempts.set(key, attempts);
    const plan = planImports(stream, { now, attempts, config: this.deps.planner });
    const admitted = this.admitScheduled(key, plan.items);
    if (admitted.waitMs !== undefined) {
      log.debug(
        { tags: [...admitted.deferred], waitMs: admitted.waitMs },
        "scheduled check deferred",
      );
    }
    const lookup = (ns: string, n: string) =>
      ns === namespace && n === name ? stream : this.deps.getStream(ns, n);
    const execution = await executePlan(stream, admitted.items, { ...this.deps, lookup, log });
    if (admitted.items.length > 0) {
      log.info(
        { items: admitted.items.map((i) => `${i.tag}:${i.cause}`), calls: execution.registryCalls },
        "imported",
      );
    }
    const applied = await this.writeResults(
      stream,
      execution.outcomes,
      now,
      execution.additionalTags,
    );
    if (execution.pushChecks.length > 0) this.deps.onPushChecks?.(key, execution.pushChecks);
    const settled = await this.settleGenerations(applied.stream, execution.outcomes);
    const recorded = recordAttempts(plan.attempts, execution.outcomes, now, settled);
    const nextAttempts = this.withPendingForgets(key, recorded);
    this.attempts.set(key, nextAttempts);
    const due = requeueAfterMs(
      settled,
      nextAttempts,
      this.now(),
      this.deps.planner,
      admitted.deferred,
    );
    const requeue = earliest(due, admitted.waitMs);
    if (requeue === undefined) return undefined;
    // due now (a recheck that came during the pass): soon, but never a hot
    // loop. A slot a few ms ahead (a timer fires by the monotonic clock, a
    // little before the wall clock's slot) is waited for exactly, not 1 s.
    return { requeueAfterMs: requeue > 0 ? requeue : 1000 };
  }

  /**
   * Scheduled items run only with a token of the cap (one per stream and
   * check, whatever the number of its tags); without one they wait for the
   * reserved token while the rest of the pass (new tags, spec changes,
   * rechecks, retries) goes ahead.
   */
  private admitScheduled(key: string, items: WorkItem[]): Admitted {
    const scheduled = items.filter((i) => i.cause === "scheduled");
    if (scheduled.length === 0 || !this.deps.scheduledCap) return { items, deferred: NONE };
    const waitMs = this.deps.scheduledCap.admit(key);
    if (waitMs === undefined) return { items, deferred: NONE };
    return {
      items: items.filter((i) => i.cause !== "scheduled"),
      deferred: new Set(scheduled.map((i) => i.tag)),
      waitMs,
    };
  }

  /** Spec tag generations become what the status observed (answers generation-0 requests). */
  private async settleGenerations(stream: ImageStream, outcomes: Outcome[]): Promise<ImageStream> {
    const tags = new Set(outcomes.map((o) => o.tag));
    const plan = planSettledGenerations(stream, tags);
    if (plan.patch.length === 0) return stream;
    return this.writer.patchSpec(stream, plan.patch as JsonPatchOp[]);
  }

  private applyContext(additionalTags: string[] | undefined, stream: ImageStream) {
    const host = this.deps.registryHostname;
    return {
      config: this.deps.planner,
      ...(host
        ? { dockerImageRepository: `${host}/${stream.metadata.namespace}/${stream.metadata.name}` }
        : {}),
      ...(additionalTags ? { repository: { additionalTags } } : {}),
    };
  }

  /** Images first (the status must never name a missing Image), then status, annotation, events. */
  private async writeResults(
    observed: ImageStream,
    outcomes: Outcome[],
    now: Date,
    additionalTags: string[] | undefined,
  ): Promise<{ stream: ImageStream }> {
    let stream = observed;
    for (let attempt = 1; ; attempt++) {
      const result = this.withRetention(
        stream,
        applyOutcomes(stream, outcomes, now, this.applyContext(additionalTags, stream)),
      );
      try {
        stream = await this.write(stream, result, outcomes, now);
        for (const e of result.events) await this.recordEvent(stream, e);
        return { stream };
      } catch (err) {
        if (!isConflict(err) || attempt >= STATUS_WRITE_ATTEMPTS) throw err;
        // Someone else wrote the stream: re-apply the same outcomes to its new state.
        const fresh = await this.writer.getStream(
          stream.metadata.namespace ?? "",
          stream.metadata.name ?? "",
        );
        if (!fresh) return { stream };
        stream = fresh;
      }
    }
  }

  /**
   * History is trimmed only in a status that is written anyway: a stream
   * over its limit costs no write of its own, and is trimmed on its next one.
   */
  private withRetention(stream: ImageStream, result: ApplyResult): ApplyResult {
    if (!this.retention || statusEquals(stream.status, result.status)) return result;
    const retained = this.retention.trim(stream, result.status);
    return { ...result, status: retained.status, events: [...result.events, ...retained.events] };
  }

  private async write(
    stream: ImageStream,
    result: ApplyResult,
    outcomes: Outcome[],
    now: Date,
  ): Promise<ImageStream> {
    // in parallel (a few at a time): each is its own object, and all exist
    // before the status names them
    const pool = new PQueue({ concurrency: IMAGE_WRITE_CONCURRENCY });
    await Promise.all(
      result.images.map((img) =>
        pool.add(async () => {
          this.deps.imagesInUse?.claim(img.digest);
          if (this.deps.imageExists(imageObjectName(img.digest))) return;
          await this.writer.applyImage(toImageObject(img));
        }),
      ),
    );
    let current = stream;
    if (!statusEquals(stream.status, result.status)) {
      current = await this.writeStatus(current, result.status);
    }
    const listDigests = plannedListDigests(current, outcomes);
    if (listDigests !== undefined) {
      current = await this.writer.setAnnotation(current, ANN_LIST_DIGESTS, listDigests);
    }
    const checkedAt = formatTime(now);
    if (
      result.stampRepositoryCheck &&
      current.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK] !== checkedAt
    ) {
      current = await this.writer.setAnnotation(current, ANN_DOCKER_REPOSITORY_CHECK, checkedAt);
    }
    return current;
  }

  /** A refused status (hourly at most): a Warning on the stream with the server's reason. */
  private async writeStatus(stream: ImageStream, status: ApplyResult["status"]) {
    try {
      return await this.writer.writeStatus(stream, status);
    } catch (err) {
      if (isRefusedRequest(err)) {
        const tags = (status.tags ?? []).length;
        await this.refusals.report({
          target: streamTarget(stream),
          type: "Warning",
          reason: REASON_STATUS_REJECTED,
          action: "Import",
          note: `the API server refused the import results (status with ${tags} tag${tags === 1 ? "" : "s"}): ${refusalSummary(err)}`,
        });
      }
      throw err;
    }
  }

  private async recordEvent(stream: ImageStream, e: ApplyResult["events"][number]): Promise<void> {
    await this.deps.recorder.record({
      target: streamTarget(stream),
      type: e.type,
      reason: e.reason,
      action: e.action,
      note: e.note,
      // a tag that moves back and forth within the dedup window still gets
      // one event per move
      forEachWrite: e.reason === "TagUpdated",
    });
  }
}

function streamTarget(stream: ImageStream): EventRecord["target"] {
  return {
    apiVersion: "image.openshift.io/v1",
    kind: "ImageStream",
    name: stream.metadata.name ?? "",
    namespace: stream.metadata.namespace ?? "",
    uid: stream.metadata.uid,
    resourceVersion: stream.metadata.resourceVersion,
  };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}
