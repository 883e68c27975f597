// Decides which triggered containers to write. We act on tag MOVES, not on
// drift (ADR 0006): a container is written when its trigger is new or when
// the tag's image differs from what we last applied there. A container that
// differs from the tag while the tag has not moved was changed by a person
// (`kubectl set image`, `rollout undo`) or by GitOps, and is left alone.

import { parseFieldPath } from "./field-path.js";
import {
  type AppliedLabels,
  appliedImageHash,
  type LastAppliedRecord,
  readAppliedLabels,
  readLastApplied,
  serializeLastApplied,
} from "./last-applied.js";
import type { TriggerLookups } from "./tag-image.js";
import type {
  ContainerList,
  ParsedTriggers,
  TriggerProblem,
  ValidTrigger,
  Workload,
  WorkloadKind,
} from "./types.js";

/**
 * Set on a source image stream to let other namespaces follow its tags.
 * Defined by src/reconcile/tenancy.ts; repeated so this module does not
 * depend on it (a test checks that both agree).
 */
export const ANN_ALLOWED_NAMESPACES = "imagestream-operator.io/allowed-namespaces";

export interface ContainerImageChange {
  containerList: ContainerList;
  containerName: string;
  oldImage: string | undefined;
  newImage: string;
  trigger: ValidTrigger;
  /**
   * NewTrigger: nothing applied there before (and the container does not
   * run an earlier image of the tag); TagMoved: the tag changed since; Rollback: a rollout we followed failed and the image it replaced
   * is written back (ADR 0030)
   */
  cause: "NewTrigger" | "TagMoved" | "Rollback";
}

export type SkipReason =
  | "CrossNamespaceNotAllowed"
  | "Paused"
  | "NoImage"
  | "UpToDate"
  | "ManualOverride"
  // rollout policy and checks before a write (ADR 0030)
  | "Waiting"
  | "RolloutFailed"
  | "Refused"
  | "PolicyInvalid";

/** Why a valid trigger wrote nothing: the answer to "why didn't it roll?". */
export interface TriggerSkip {
  trigger: ValidTrigger;
  reason: SkipReason;
  message: string;
}

export interface TriggerPlan {
  /** one per trigger that writes; every valid trigger is in changes or skipped */
  changes: ContainerImageChange[];
  skipped: TriggerSkip[];
  /** parse problems, a damaged record, denied cross-namespace triggers */
  problems: TriggerProblem[];
  /** the record to store with the changes (empty: remove the annotation) */
  lastApplied: LastAppliedRecord;
  /** the record differs from the one on the workload */
  lastAppliedChanged: boolean;
  /** applied-image labels to set (hash) or remove (null) so they mirror the record */
  appliedLabels: Record<string, string | null>;
  /** something to patch: changes, or the record (annotation or labels) alone */
  needsWrite: boolean;
}

interface Outcome {
  change?: ContainerImageChange;
  skip?: TriggerSkip;
  problem?: TriggerProblem;
  /** the image to record as applied to the container */
  applied?: string;
}

/**
 * Holds back a write the ADR 0006 rules would make (a rollout policy's gate,
 * a failed or refused digest): the container is then not written and its
 * record keeps what was applied before.
 */
export type WriteHold = (change: ContainerImageChange) => TriggerSkip | undefined;

export function planTriggerUpdates(
  workload: Workload,
  parsed: ParsedTriggers,
  lookups: TriggerLookups,
  hold?: WriteHold,
): TriggerPlan {
  const previous = readLastApplied(workload);
  const labels = readAppliedLabels(workload);
  // `record` is what we store when we write; `required` leaves out what only
  // notes a container already at its tag, which alone is no reason to write
  const record = keptRecord(previous.record, parsed);
  const required = { ...record };
  const upToDate = new Set<string>();
  const plan: TriggerPlan = {
    changes: [],
    skipped: [],
    problems: [...parsed.problems, ...(previous.problem === undefined ? [] : [previous.problem])],
    lastApplied: record,
    lastAppliedChanged: false,
    appliedLabels: {},
    needsWrite: false,
  };
  for (const trigger of parsed.triggers) {
    const decided = decide(trigger, workload, { record: previous.record, labels }, lookups);
    const held = decided.change === undefined ? undefined : hold?.(decided.change);
    const outcome: Outcome = held === undefined ? decided : { skip: held };
    if (outcome.change !== undefined) plan.changes.push(outcome.change);
    if (outcome.skip !== undefined) plan.skipped.push(outcome.skip);
    if (outcome.problem !== undefined) plan.problems.push(outcome.problem);
    if (outcome.applied === undefined) continue;
    record[trigger.container.key] = outcome.applied;
    if (outcome.skip?.reason === "UpToDate") upToDate.add(trigger.container.name);
    else required[trigger.container.key] = outcome.applied;
  }
  plan.lastAppliedChanged = recordText(record) !== previous.raw;
  plan.appliedLabels = labelChanges(workload.kind, record, labels);
  const requiredLabels = Object.keys(labelChanges(workload.kind, required, labels)).filter(
    (name) => !upToDate.has(name),
  );
  // a workload already at its tags is not written (issue: "A workload whose
  // image already equals it is not written"); its record rides on the next write
  plan.needsWrite =
    plan.changes.length > 0 || recordText(required) !== previous.raw || requiredLabels.length > 0;
  return plan;
}

/** The label writes that make the labels mirror the record (by container name). */
function labelChanges(
  kind: WorkloadKind,
  record: LastAppliedRecord,
  labels: AppliedLabels,
): Record<string, string | null> {
  const wanted: AppliedLabels = {};
  for (const [key, image] of Object.entries(record)) {
    const parsed = parseFieldPath(key, kind);
    // keys are canonical (name selectors); a hand-edited one gets no label
    if (parsed.ok && "name" in parsed.target.selector) {
      wanted[parsed.target.selector.name] = appliedImageHash(image);
    }
  }
  const changes: Record<string, string | null> = {};
  for (const [name, hash] of Object.entries(wanted)) {
    if (labels[name] !== hash) changes[name] = hash;
  }
  for (const name of Object.keys(labels)) {
    if (!(name in wanted)) changes[name] = null;
  }
  return changes;
}

// Entries of triggers that were removed are dropped, but only when the whole
// annotation parsed cleanly: a trigger broken by a typo for a moment must not
// lose its record, or fixing the typo would count as a new trigger and undo a
// manual rollback.
function keptRecord(record: LastAppliedRecord, parsed: ParsedTriggers): LastAppliedRecord {
  if (parsed.problems.length > 0) return { ...record };
  const live = new Set(parsed.triggers.map((t) => t.container.key));
  return Object.fromEntries(Object.entries(record).filter(([key]) => live.has(key)));
}

function recordText(record: LastAppliedRecord): string | undefined {
  return Object.keys(record).length === 0 ? undefined : serializeLastApplied(record);
}

interface Applied {
  record: LastAppliedRecord;
  labels: AppliedLabels;
}

function decide(
  trigger: ValidTrigger,
  workload: Workload,
  applied: Applied,
  lookups: TriggerLookups,
): Outcome {
  const { container, from } = trigger;
  const targetNamespace = workload.metadata?.namespace ?? "";
  if (from.namespace !== targetNamespace) {
    if (!lookups.crossNamespaceAllowed(from.namespace, trigger.stream, targetNamespace)) {
      return crossNamespaceDenied(trigger, targetNamespace);
    }
  }
  const tagName = `${from.namespace}/${from.name}`;
  // before the pause check: a paused trigger with a typo must not hide it
  if (
    from.namespace === targetNamespace &&
    lookups.streamExists?.(from.namespace, trigger.stream) === false
  ) {
    return missingStream(trigger, tagName);
  }
  if (lookups.tagExists?.(from.namespace, trigger.stream, trigger.tag) === false) {
    return missingTag(trigger, tagName);
  }
  if (trigger.paused) return skip(trigger, "Paused", `trigger on ${tagName} is paused`);
  const tagImage = lookups.tagImage(from.namespace, trigger.stream, trigger.tag);
  if (tagImage === undefined) {
    return skip(trigger, "NoImage", `image stream tag ${tagName} has no image yet`);
  }
  if (container.image === tagImage) {
    // recorded with the next write (never a write of its own), so that a
    // later manual change of this container is then recognised as one
    const message = `${containerLabel(container)} already runs ${tagName} (${tagImage})`;
    return { ...skip(trigger, "UpToDate", message), applied: tagImage };
  }
  const recorded = applied.record[container.key];
  if (recorded !== undefined && lastAppliedIs(tagImage, recorded, applied.labels[container.name])) {
    const message =
      `${containerLabel(container)} was changed to ${container.image ?? "no image"} after we set ` +
      `${tagImage}; it is left alone until ${tagName} moves`;
    // recorded as tagImage: corrects a record that `rollout undo` restored
    return { ...skip(trigger, "ManualOverride", message), applied: tagImage };
  }
  const cause =
    recorded !== undefined || ranTagBefore(trigger, lookups) ? "TagMoved" : "NewTrigger";
  const change: ContainerImageChange = {
    containerList: container.containerList,
    containerName: container.name,
    oldImage: container.image,
    newImage: tagImage,
    trigger,
    cause,
  };
  return { change, applied: tagImage };
}

// A container created at an earlier image of its tag has no record (we never
// wrote it: UpToDate writes none), yet it is no placeholder: it ran the tag,
// and the tag moved. Its first roll is then followed and gated by a rollout
// policy like any other move (ADR 0030), not waved through as a new trigger.
function ranTagBefore(trigger: ValidTrigger, lookups: TriggerLookups): boolean {
  const image = trigger.container.image;
  if (image === undefined || image === "") return false;
  return lookups.heldBefore?.(trigger.from.namespace, trigger.stream, trigger.tag, image) === true;
}

// Whether the image we last applied to the container is tagImage. The label
// is what we wrote last; the annotation entry may have been restored by
// `kubectl rollout undo` or re-applied from an old manifest (its hash then
// differs from the label). Without a label (written before labels existed),
// the annotation is all there is.
function lastAppliedIs(tagImage: string, recorded: string, label: string | undefined): boolean {
  if (label === undefined || appliedImageHash(recorded) === label) return recorded === tagImage;
  return appliedImageHash(tagImage) === label;
}

function crossNamespaceDenied(trigger: ValidTrigger, targetNamespace: string): Outcome {
  const source = `${trigger.from.namespace}/${trigger.stream}`;
  // the same text whether the stream is missing or only not shared, so that
  // workload editors cannot probe other namespaces for stream names
  const message =
    `cross-namespace trigger not allowed: imagestream ${source} does not exist or is not shared ` +
    `with namespace "${targetNamespace}"; add annotation ${ANN_ALLOWED_NAMESPACES}: ` +
    `"${targetNamespace}" (a comma-separated list, or "*") to imagestream ${source}`;
  return {
    skip: { trigger, reason: "CrossNamespaceNotAllowed", message },
    problem: { reason: "CrossNamespaceNotAllowed", message, position: trigger.position },
  };
}

// Same namespace only: for another namespace a missing stream reads as "not
// shared" (crossNamespaceDenied), so nothing is learnt about its streams.
function missingStream(trigger: ValidTrigger, tagName: string): Outcome {
  const stream = `${trigger.from.namespace}/${trigger.stream}`;
  const message =
    `image stream ${stream} does not exist: check from.name "${trigger.from.name}" ` +
    `(STREAM:TAG), or create image stream ${stream} with tag "${trigger.tag}"`;
  return {
    skip: {
      trigger,
      reason: "NoImage",
      message: `image stream tag ${tagName} has no image: ${message}`,
    },
    problem: { reason: "NoSuchStream", message, position: trigger.position },
  };
}

// An existing stream without the tag (neither in spec nor in status) is
// usually a typo in the tag name: reported, where a tag that exists but has
// no image yet (importing) is not.
function missingTag(trigger: ValidTrigger, tagName: string): Outcome {
  const stream = `${trigger.from.namespace}/${trigger.stream}`;
  const message =
    `image stream ${stream} has no tag "${trigger.tag}": check from.name "${trigger.from.name}", ` +
    `or add the tag (kubectl imagestream tag SOURCE ${trigger.stream}:${trigger.tag})`;
  return {
    skip: {
      trigger,
      reason: "NoImage",
      message: `image stream tag ${tagName} has no image: ${message}`,
    },
    problem: { reason: "NoSuchTag", message, position: trigger.position },
  };
}

function skip(trigger: ValidTrigger, reason: SkipReason, message: string): Outcome {
  return { skip: { trigger, reason, message } };
}

/** "container "web"" or "init container "migrate"", for messages */
export function containerLabel(container: { containerList: ContainerList; name: string }): string {
  const { containerList, name } = container;
  return `${containerList === "initContainers" ? "init container" : "container"} "${name}"`;
}
