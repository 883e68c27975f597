// "Why didn't it roll?" (pure, clock injected): the trigger controller's own
// plan for the workload, computed from what the user can read now, with each
// followed tag's import state next to it.
import { ANN_TRIGGERS, type ImageStream } from "../../api/types.js";
import { findStatusTag, isCrossNamespaceAllowed, isImportPending } from "../../reconcile/index.js";
import {
  type ContainerImageChange,
  lookupsFromStreams,
  type ParsedTriggers,
  parseTriggers,
  planTriggerUpdates,
  type TriggerPlan,
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
  return (
    `${change.cause}: the operator sets ${containerText(change.trigger)} to ${change.newImage} ` +
    "on its next pass (if this stays, check that the operator is running)"
  );
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
  plan: TriggerPlan,
  reads: StreamReads,
  now: Date,
): string {
  const source = `${trigger.from.namespace}/${trigger.from.name}`;
  const paused = trigger.paused ? " (paused)" : "";
  const read = reads.get(streamKey(trigger.from.namespace, trigger.stream));
  const details = [verdict(trigger, plan), ...tagLines(trigger, read, now)];
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
  const lookups = lookupsFromStreams(
    (ns, name) => reads.get(streamKey(ns, name))?.stream,
    isCrossNamespaceAllowed,
  );
  const plan = planTriggerUpdates(workload, parsed, lookups);
  const namespace = workload.metadata?.namespace ?? "";
  const count = parsed.triggers.length;
  const header =
    count === 0
      ? `${label} in namespace ${namespace} has no valid image triggers (annotation ${ANN_TRIGGERS})`
      : `${label} in namespace ${namespace}: ${count} image trigger${count === 1 ? "" : "s"}`;
  const sections = [header, ...parsed.triggers.map((t) => triggerBlock(t, plan, reads, now))];
  const problems = problemLines(parsed, plan);
  if (problems.length > 0) sections.push(["Problems:", ...problems].join("\n"));
  sections.push(...workloadWarnings(warnings, now));
  return sections.join("\n\n");
}
