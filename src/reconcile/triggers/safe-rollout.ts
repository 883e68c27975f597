// The trigger plan with the rollout policy applied (ADR 0030): which tag
// moves wait (soak, debounce, windows), which digests are held (failed for
// this workload, refused by the checks before a write), which rollouts we
// follow, and which failed and are written back. Pure: the controller and
// `kubectl imagestream why` call it with the same inputs.
//
// The ADR 0006 rules stay underneath: a rollback is written like a manual
// `rollout undo` (the record keeps naming the failed digest, so the tag has
// not "moved"), and the next move to another digest rolls forward as usual.

import type { TagEvent } from "../../api/types.js";
import { gateVerdict } from "./gates.js";
import { rolloutHealth } from "./health.js";
import { appliedImageHash, readAppliedLabels, readLastApplied } from "./last-applied.js";
import {
  type ContainerImageChange,
  containerLabel,
  planTriggerUpdates,
  type TriggerPlan,
  type TriggerSkip,
} from "./plan.js";
import { type PolicyRead, readRolloutPolicy } from "./rollout-policy.js";
import {
  type RolloutEntry,
  type RolloutStatus,
  readRolloutStatus,
  serializeRolloutStatus,
} from "./rollout-state.js";
import type { TriggerLookups } from "./tag-image.js";
import type { ParsedTriggers, TriggerProblem, ValidTrigger, Workload } from "./types.js";

/**
 * How long a rollout must stay healthy, seen so at the start and the end
 * with no unhealthy status in between, before it is Succeeded. Kubernetes
 * counts a pod available once Ready for minReadySeconds; at 0, a container
 * that crashes a moment after it starts is available in between, and a
 * crash-looping release would pass at the first glance. Any status change
 * of the workload is observed (the workload informer), so a crash inside
 * the settle starts it over, and the deadline then fails the rollout.
 */
export const HEALTHY_SETTLE_MS = 10_000;

/** What the checks before a write found wrong with a digest. */
export interface Refusal {
  reason: "ImageNotPullable" | "PlatformMismatch" | "ImageCheckFailed";
  /** the image reference refused */
  image: string;
  message: string;
}

export interface RolloutContext {
  now: number;
  /** a tag's history, newest first (empty when unknown) */
  tagItems: (namespace: string, stream: string, tag: string) => readonly TagEvent[];
  /** refusals of the checks before a write, by container key */
  refusals?: ReadonlyMap<string, Refusal>;
}

/** Events the controller records once the write carrying them succeeded. */
export interface RolloutNotice {
  type: "Normal" | "Warning";
  reason: "RolloutSucceeded" | "RolloutFailed";
  note: string;
}

export interface SafePlan {
  plan: TriggerPlan;
  /** the rollout-status annotation to store */
  status: RolloutStatus;
  statusChanged: boolean;
  /** when to plan again (a gate opens, a deadline passes), epoch ms */
  requeueAt?: number;
  notices: RolloutNotice[];
  /** image writes that the checks before a write must pass (not rollbacks) */
  toCheck: ContainerImageChange[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The refusals a status records, by container key (what `why` shows without asking a registry). */
export function recordedRefusals(status: RolloutStatus): Map<string, Refusal> {
  const refusals = new Map<string, Refusal>();
  for (const [key, entry] of Object.entries(status)) {
    if (entry.phase !== "Refused" || entry.reason === undefined) continue;
    const reason = entry.reason as Refusal["reason"];
    refusals.set(key, { reason, image: entry.image, message: entry.message ?? "" });
  }
  return refusals;
}

function tagName(t: ValidTrigger): string {
  return `image stream tag ${t.from.namespace}/${t.from.name}`;
}

// The label is what we wrote last (ADR 0006); the record without a label.
function weLastApplied(image: string, label: string | undefined, recorded: string | undefined) {
  return label === undefined ? recorded === image : label === appliedImageHash(image);
}

function failedText(t: ValidTrigger, e: RolloutEntry): string {
  const back = e.rolledBack
    ? `${containerLabel(t.container)} was set back to ${e.previous}`
    : `${containerLabel(t.container)} was left at it (${e.previous === undefined ? "nothing to go back to" : "rollback is off"})`;
  return (
    `the rollout of ${e.image} failed at ${e.since} (${e.reason ?? "Failed"}: ${e.message ?? ""}); ` +
    `${back}; it is not rolled again until ${tagName(t)} moves to another digest`
  );
}

class Planner {
  readonly next: RolloutStatus = {};
  readonly notices: RolloutNotice[] = [];
  requeueAt: number | undefined;

  constructor(
    readonly workload: Workload,
    readonly previous: RolloutStatus,
    readonly policy: PolicyRead,
    readonly lookups: TriggerLookups,
    readonly context: RolloutContext,
  ) {}

  wake(at: number): void {
    if (this.requeueAt === undefined || at < this.requeueAt) this.requeueAt = at;
  }

  tagImage(t: ValidTrigger): string | undefined {
    return this.lookups.tagImage(t.from.namespace, t.stream, t.tag);
  }

  hold(change: ContainerImageChange, record: Record<string, string>): TriggerSkip | undefined {
    const t = change.trigger;
    const key = t.container.key;
    const entry = this.previous[key];
    const skip = (reason: TriggerSkip["reason"], message: string) => ({
      trigger: t,
      reason,
      message,
    });
    if (entry?.phase === "Failed" && entry.image === change.newImage) {
      return skip("RolloutFailed", failedText(t, entry));
    }
    const refusal = this.context.refusals?.get(key);
    if (refusal !== undefined && refusal.image === change.newImage) {
      return skip("Refused", `${refusal.image} is not written: ${refusal.message}`);
    }
    if (change.cause !== "TagMoved") return undefined;
    if (this.policy.problem !== undefined) {
      return skip("PolicyInvalid", `${tagName(t)} moved, held: ${this.policy.problem.message}`);
    }
    const policy = this.policy.policy;
    if (policy === undefined) return undefined;
    const items = this.context.tagItems(t.from.namespace, t.stream, t.tag);
    // no record: the container was created at an earlier image of the tag, which is what ran
    const applied = record[key] ?? change.oldImage;
    const verdict = gateVerdict(policy, items, applied, this.context.now);
    if (verdict.at <= this.context.now) return undefined;
    this.wake(verdict.at);
    return skip(
      "Waiting",
      `${tagName(t)} moved to ${change.newImage}; it rolls at ${iso(verdict.at)}: ${verdict.waits.join("; ")}`,
    );
  }

  /** The entry a written change leaves: followed when the policy has a deadline. */
  written(change: ContainerImageChange): void {
    const t = change.trigger;
    const deadline = this.policy.policy?.progressDeadlineMs;
    const old = change.oldImage;
    if (change.cause !== "TagMoved" || deadline === undefined || old === undefined || old === "") {
      return;
    }
    const entry = this.previous[t.container.key];
    // a rollout overtaken before it proved itself goes back to what ran before it
    const unproven =
      entry?.phase === "Progressing" && entry.image === old ? entry.previous : undefined;
    this.next[t.container.key] = {
      phase: "Progressing",
      image: change.newImage,
      previous: unproven ?? old,
      since: iso(this.context.now),
    };
    this.wake(this.context.now + deadline);
  }

  /** An entry of a container we did not write now. */
  follow(t: ValidTrigger, entry: RolloutEntry, plan: TriggerPlan, applied: Applied): void {
    const key = t.container.key;
    if (entry.phase === "Failed" || entry.phase === "Refused") {
      if (this.tagImage(t) === entry.image && entry.phase === "Failed") this.next[key] = entry;
      return; // a refusal is kept only while the checks still refuse (refused())
    }
    const ours = weLastApplied(entry.image, applied.labels[t.container.name], applied.record[key]);
    // someone else changed the container (rollout undo, set image): not ours to follow
    if (!ours || t.container.image !== entry.image) return;
    if (entry.phase === "Succeeded" || t.paused) {
      this.next[key] = entry;
      return;
    }
    const policy = this.policy.policy;
    if (policy?.progressDeadlineMs === undefined) return; // the policy no longer follows
    const since = Date.parse(entry.since);
    const health = rolloutHealth(this.workload, since, policy.progressDeadlineMs, this.context.now);
    const { healthySince, ...unsettled } = entry;
    if (health.state === "Progressing") {
      // a settle in progress starts over when the pods say so; not on a
      // generation the controller has yet to observe: a Deployment's
      // generation moves with its annotations too, so our own write of
      // healthySince causes one, and clearing it there would loop
      this.next[key] = health.unobserved ? entry : unsettled;
      this.wake(since + policy.progressDeadlineMs);
      return;
    }
    const container = containerLabel(t.container);
    if (health.state === "Healthy") {
      const healthyAt = healthySince === undefined ? this.context.now : Date.parse(healthySince);
      if (this.context.now - healthyAt < HEALTHY_SETTLE_MS) {
        this.next[key] = { ...unsettled, healthySince: iso(healthyAt) };
        this.wake(healthyAt + HEALTHY_SETTLE_MS);
        return;
      }
      this.next[key] = {
        ...unsettled,
        phase: "Succeeded",
        since: iso(this.context.now),
        message: health.detail,
      };
      this.notices.push({
        type: "Normal",
        reason: "RolloutSucceeded",
        note: `the rollout of ${container} to ${entry.image} succeeded: ${health.detail}`,
      });
      return;
    }
    const rollBack = policy.rollback && entry.previous !== undefined;
    const failed: RolloutEntry = {
      ...unsettled,
      phase: "Failed",
      since: iso(this.context.now),
      reason: health.reason,
      message: health.detail,
      ...(rollBack ? { rolledBack: true } : {}),
    };
    this.next[key] = failed;
    if (rollBack && entry.previous !== undefined) {
      plan.changes.push({
        containerList: t.container.containerList,
        containerName: t.container.name,
        oldImage: entry.image,
        newImage: entry.previous,
        trigger: t,
        cause: "Rollback",
      });
      plan.needsWrite = true;
    }
    this.notices.push({ type: "Warning", reason: "RolloutFailed", note: failedText(t, failed) });
  }

  /**
   * A refusal of the checks: kept in the status (for `why`), its since
   * stable; a rollout still followed (or just failed) keeps its entry, and
   * the refusal is told by its Event alone.
   */
  refused(t: ValidTrigger, refusal: Refusal): TriggerProblem {
    const key = t.container.key;
    const entry = this.previous[key];
    const same =
      entry?.phase === "Refused" &&
      entry.image === refusal.image &&
      entry.reason === refusal.reason;
    const active = this.next[key]?.phase;
    const problem = {
      reason: refusal.reason,
      message: `${refusal.image} is not written into ${containerLabel(t.container)}: ${refusal.message}`,
      position: t.position,
    };
    if (active === "Progressing" || active === "Failed") return problem;
    this.next[key] = {
      phase: "Refused",
      image: refusal.image,
      since: same ? entry.since : iso(this.context.now),
      reason: refusal.reason,
      message: refusal.message,
    };
    return problem;
  }
}

interface Applied {
  record: Record<string, string>;
  labels: Record<string, string>;
}

/** The trigger plan under the workload's rollout policy and rollout status. */
export function planSafeRollout(
  workload: Workload,
  parsed: ParsedTriggers,
  lookups: TriggerLookups,
  context: RolloutContext,
): SafePlan {
  const read = readRolloutStatus(workload);
  const policy = readRolloutPolicy(workload);
  const applied: Applied = {
    record: readLastApplied(workload).record,
    labels: readAppliedLabels(workload),
  };
  const planner = new Planner(workload, read.status, policy, lookups, context);
  const plan = planTriggerUpdates(workload, parsed, lookups, (c) =>
    planner.hold(c, applied.record),
  );
  if (policy.problem) plan.problems.push(policy.problem);
  if (read.problem) plan.problems.push(read.problem);
  const toCheck = plan.changes.filter((c) => c.cause !== "Rollback");
  for (const change of toCheck) planner.written(change);
  const written = new Set(toCheck.map((c) => c.trigger));
  for (const t of parsed.triggers) {
    const entry = read.status[t.container.key];
    if (entry !== undefined && !written.has(t)) planner.follow(t, entry, plan, applied);
    const refusal = context.refusals?.get(t.container.key);
    const refused = plan.skipped.some((s) => s.trigger === t && s.reason === "Refused");
    if (refused && refusal !== undefined) plan.problems.push(planner.refused(t, refusal));
  }
  relabelSkips(plan, planner.next);
  keepUnparsedEntries(read.status, parsed, planner.next);
  const text = serializeRolloutStatus(planner.next);
  const statusChanged = text !== read.raw;
  if (statusChanged) plan.needsWrite = true;
  return {
    plan,
    status: planner.next,
    statusChanged,
    ...(planner.requeueAt === undefined ? {} : { requeueAt: planner.requeueAt }),
    notices: planner.notices,
    toCheck,
  };
}

// A container we rolled back (or left on a failed digest) would read as a
// manual override or as up to date: say what happened instead.
function relabelSkips(plan: TriggerPlan, status: RolloutStatus): void {
  for (const skip of plan.skipped) {
    const entry = status[skip.trigger.container.key];
    if (entry?.phase !== "Failed") continue;
    if (skip.reason === "ManualOverride" || skip.reason === "UpToDate") {
      skip.reason = "RolloutFailed";
      skip.message = failedText(skip.trigger, entry);
    }
  }
}

// As for the record (ADR 0006): while the triggers annotation has a problem,
// entries of triggers that do not parse now are kept.
function keepUnparsedEntries(previous: RolloutStatus, parsed: ParsedTriggers, next: RolloutStatus) {
  if (parsed.problems.length === 0) return;
  const live = new Set(parsed.triggers.map((t) => t.container.key));
  for (const [key, entry] of Object.entries(previous)) {
    if (!live.has(key)) next[key] = entry;
  }
}
