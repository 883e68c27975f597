// "Why didn't it roll?" (pure, clock injected): the trigger controller's own
// plan for the workload, computed from what the user can read now, with each
// followed tag's import state next to it.
import { ANN_TRIGGERS, type ImageStream } from "../../api/types.js";
import { findStatusTag, isCrossNamespaceAllowed, isImportPending } from "../../reconcile/index.js";
import {
  type ContainerImageChange,
  formatDuration,
  lookupsFromStreams,
  type ParsedTriggers,
  parseTriggers,
  planSafeRollout,
  type RolloutEntry,
  type RolloutPolicy,
  readRolloutPolicy,
  readRolloutStatus,
  recordedRefusals,
  type SafePlan,
  type TriggerPlan,
  tagItemsFromStreams,
  type ValidTrigger,
  type Workload,
} from "../../reconcile/triggers/index.js";
import { ago } from "../describe/age.js";
import type { Warning, WarningsRead } from "./events.js";

/** A stream a trigger follows, as the command could read it. */
export interface StreamRead {
  stream?: ImageStream;
  /** why it could not be read (forbidden...); absent when it simply does not exist */
  error?: string;
  /** the operator's Warning Events on the stream */
  warnings?: WarningsRead;
}

/** Tag conditions already say this, with the current state. */
const SHOWN_AS_CONDITIONS = new Set(["ImportFailed"]);
const WARNINGS_SHOWN = 10;

export type StreamReads = ReadonlyMap<string, StreamRead>;

export const streamKey = (namespace: string, name: string) => `${namespace}/${name}`;

export function parseWorkloadTriggers(workload: Workload): ParsedTriggers {
  return parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
}

/** The streams the valid triggers follow, each once. */
export function streamsToRead(parsed: ParsedTriggers): { namespace: string; name: string }[] {
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const t of parsed.triggers) {
    seen.set(streamKey(t.from.namespace, t.stream), {
      namespace: t.from.namespace,
      name: t.stream,
    });
  }
  return [...seen.values()];
}

function containerText(t: ValidTrigger): string {
  const list = t.container.containerList === "initContainers" ? "init container" : "container";
  return `${list} "${t.container.name}"`;
}

function changeLine(change: ContainerImageChange): string {
  const what =
    change.cause === "Rollback"
      ? `the rollout it follows failed: the operator sets ${containerText(change.trigger)} back to ${change.newImage}`
      : `the operator sets ${containerText(change.trigger)} to ${change.newImage}`;
  return `${change.cause}: ${what} on its next pass (if this stays, check that the operator is running)`;
}

/** What the operator records about the rollout of this container (ADR 0030). */
function rolloutLine(
  entry: RolloutEntry | undefined,
  policy: RolloutPolicy | undefined,
  now: Date,
): string[] {
  if (entry === undefined) return [];
  if (entry.phase === "Progressing") {
    const deadline = policy?.progressDeadlineMs;
    const until =
      deadline === undefined
        ? ""
        : `; fails if not healthy by ${new Date(Date.parse(entry.since) + deadline).toISOString()}`;
    const back =
      policy?.rollback === false ? "rollback is off" : `then set back to ${entry.previous}`;
    return [
      `rollout: following ${entry.image} since ${entry.since} (${ago(entry.since, now)})${until}, ${back}`,
    ];
  }
  if (entry.phase === "Succeeded") {
    return [`rollout: ${entry.image} succeeded (${ago(entry.since, now)}): ${entry.message ?? ""}`];
  }
  return []; // Failed and Refused are the verdict
}

/** "policy: progressDeadline 5m, rollback, soak 10m ...", or nothing without a policy. */
function policyLine(workload: Workload): string[] {
  const read = readRolloutPolicy(workload);
  if (read.problem) return [`rollout policy: ! ${read.problem.reason} (see Problems below)`];
  const p = read.policy;
  if (p === undefined) return [];
  const parts: string[] = [];
  if (p.progressDeadlineMs !== undefined) {
    parts.push(
      `progressDeadline ${formatDuration(p.progressDeadlineMs)}`,
      p.rollback ? "rollback" : "no rollback",
    );
  }
  if (p.soakMs !== undefined) parts.push(`soak ${formatDuration(p.soakMs)}`);
  if (p.debounceMs !== undefined) parts.push(`debounce ${formatDuration(p.debounceMs)}`);
  if (p.windows) {
    parts.push(
      `windows ${p.windows.windows.map((w) => w.text).join(", ")} (${p.windows.timeZone})`,
    );
  }
  return [`rollout policy: ${parts.length === 0 ? "none of its fields set" : parts.join(", ")}`];
}

function verdict(trigger: ValidTrigger, plan: TriggerPlan): string {
  const change = plan.changes.find((c) => c.trigger === trigger);
  if (change) return changeLine(change);
  const skip = plan.skipped.find((s) => s.trigger === trigger);
  return skip ? `${skip.reason}: ${skip.message}` : "no outcome";
}

function tagLines(trigger: ValidTrigger, read: StreamRead | undefined, now: Date): string[] {
  const name = streamKey(trigger.from.namespace, trigger.stream);
  if (read?.error) return [`cannot read image stream ${name}: ${read.error}`];
  const stream = read?.stream;
  if (!stream) return [];
  const lines: string[] = [];
  const status = findStatusTag(stream, trigger.tag);
  // a tag missing from the stream is the verdict's NoImage text (NoSuchTag)
  if (isImportPending(stream, trigger.tag)) lines.push("tag: ~ importing latest image ...");
  for (const c of status?.conditions ?? []) {
    if (c.type !== "ImportSuccess" || c.status !== "False") continue;
    const when = ago(c.lastTransitionTime, now);
    lines.push(
      `tag: ! error: Import failed (${c.reason ?? "Unknown"}): ${c.message ?? ""} (${when})`,
    );
  }
  const head = status?.items?.[0];
  if (head) lines.push(`tag: * ${head.dockerImageReference} (recorded ${ago(head.created, now)})`);
  const streamWarnings = (read?.warnings?.warnings ?? []).filter(
    (w) => !SHOWN_AS_CONDITIONS.has(w.reason),
  );
  for (const line of warningLines(streamWarnings, now)) lines.push(`stream: ${line}`);
  if (read?.warnings?.error) lines.push(`stream: cannot read events: ${read.warnings.error}`);
  return lines;
}

/** Newest first, each reason and note once: "! Reason (2 minutes ago): note". */
export function warningLines(warnings: readonly Warning[], now: Date): string[] {
  const newest = new Map<string, Warning>();
  for (const w of warnings) {
    const key = `${w.reason}\0${w.note}`;
    const seen = newest.get(key);
    if (!seen || Date.parse(w.at ?? "") > Date.parse(seen.at ?? "")) newest.set(key, w);
  }
  return [...newest.values()]
    .sort((a, b) => (Date.parse(b.at ?? "") || 0) - (Date.parse(a.at ?? "") || 0))
    .slice(0, WARNINGS_SHOWN)
    .map((w) => `! ${w.reason} (${ago(w.at, now)}): ${w.note}`);
}

function workloadWarnings(read: WarningsRead | undefined, now: Date): string[] {
  if (read?.error) return [`Events: cannot read them: ${read.error}`];
  const lines = warningLines(read?.warnings ?? [], now);
  return lines.length === 0
    ? []
    : [["Warnings from the operator:", ...lines.map((l) => `  ${l}`)].join("\n")];
}

function triggerBlock(
  trigger: ValidTrigger,
  safe: SafePlan,
  reads: StreamReads,
  now: Date,
  policy: RolloutPolicy | undefined,
): string {
  const source = `${trigger.from.namespace}/${trigger.from.name}`;
  const paused = trigger.paused ? " (paused)" : "";
  const read = reads.get(streamKey(trigger.from.namespace, trigger.stream));
  const entry = safe.status[trigger.container.key];
  const details = [
    verdict(trigger, safe.plan),
    ...rolloutLine(entry, policy, now),
    ...tagLines(trigger, read, now),
  ];
  return [
    `[${trigger.position}] ${containerText(trigger)} follows ${source}${paused}`,
    ...details.map((line) => `    ${line}`),
  ].join("\n");
}

function problemLines(parsed: ParsedTriggers, plan: TriggerPlan): string[] {
  // problems of a valid trigger already show in its block
  const shown = new Set(parsed.triggers.map((t) => t.position));
  return plan.problems
    .filter((p) => p.position === undefined || !shown.has(p.position))
    .map(
      (p) =>
        `  ! ${p.reason}${p.position === undefined ? "" : ` (trigger [${p.position}])`}: ${p.message}`,
    );
}

export function explainWorkload(
  workload: Workload,
  label: string,
  reads: StreamReads,
  now: Date,
  warnings?: WarningsRead,
): string {
  const parsed = parseWorkloadTriggers(workload);
  const getStream = (ns: string, name: string) => reads.get(streamKey(ns, name))?.stream;
  const lookups = lookupsFromStreams(getStream, isCrossNamespaceAllowed);
  // the operator's own plan; its checks before a write are what it recorded
  const safe = planSafeRollout(workload, parsed, lookups, {
    now: now.getTime(),
    tagItems: tagItemsFromStreams(getStream),
    refusals: recordedRefusals(readRolloutStatus(workload).status),
  });
  const plan = safe.plan;
  const policy = readRolloutPolicy(workload).policy;
  const namespace = workload.metadata?.namespace ?? "";
  const count = parsed.triggers.length;
  const header =
    count === 0
      ? `${label} in namespace ${namespace} has no valid image triggers (annotation ${ANN_TRIGGERS})`
      : `${label} in namespace ${namespace}: ${count} image trigger${count === 1 ? "" : "s"}`;
  const top = [header, ...policyLine(workload)].join("\n");
  const sections = [top, ...parsed.triggers.map((t) => triggerBlock(t, safe, reads, now, policy))];
  const problems = problemLines(parsed, plan);
  if (problems.length > 0) sections.push(["Problems:", ...problems].join("\n"));
  sections.push(...workloadWarnings(warnings, now));
  return sections.join("\n\n");
}
