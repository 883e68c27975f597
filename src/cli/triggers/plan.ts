// What `set triggers` reads from a workload and writes back (pure), in oc's
// model: one image trigger per followed tag with its containers, plus the
// "config" trigger, which for a Deployment is "not paused". Unlike oc, an
// entry this command cannot read is kept as written (oc drops it silently),
// an entry nothing changed is written back unchanged, an init container gets
// an initContainers field path, and an empty list removes the annotation
// (oc writes "null").
import { ANN_TRIGGERS } from "../../api/types.js";
import {
  type ContainerList,
  canonicalFieldPath,
  parseTriggers,
  type Workload,
} from "../../reconcile/triggers/index.js";
import { containersOf } from "../../reconcile/triggers/resolve-container.js";
import { validateEntry } from "../../reconcile/triggers/trigger-entry.js";
import { CliError } from "../errors.js";
import { formatRows, OC_GAP } from "../table.js";
import type { FromImage, TriggerAction } from "./options.js";

export interface TriggerContainer {
  name: string;
  list: ContainerList;
}

export interface ImageTrigger {
  /** stream:tag */
  from: string;
  /** the stream's namespace, the workload's when the entry names none */
  namespace: string;
  containers: TriggerContainer[];
  auto: boolean;
  /** the annotation entry it was read from, written back as is while nothing changes it */
  raw?: unknown;
}

export interface InvalidEntry {
  position: number;
  raw: unknown;
  messages: string[];
}

export interface WorkloadTriggers {
  image: ImageTrigger[];
  /** entries that are not valid triggers: kept as written */
  invalid: InvalidEntry[];
  /** oc's config trigger: false only for a paused Deployment */
  config: boolean;
  /** why the annotation as a whole could not be read (not JSON, not an array) */
  unreadable?: string;
}

function namespaceOf(workload: Workload): string {
  return workload.metadata?.namespace ?? "";
}

function isPaused(workload: Workload): boolean {
  return (workload.spec as { paused?: unknown } | undefined)?.paused === true;
}

export function readTriggers(workload: Workload): WorkloadTriggers {
  const config = workload.kind !== "Deployment" || !isPaused(workload);
  const text = workload.metadata?.annotations?.[ANN_TRIGGERS];
  const empty: WorkloadTriggers = { image: [], invalid: [], config };
  if (text === undefined || text.trim() === "") return empty;
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    entries = undefined;
  }
  if (!Array.isArray(entries)) {
    const problem = parseTriggers(text, workload).problems[0]?.message ?? "not a JSON array";
    return { ...empty, unreadable: problem };
  }
  const result: WorkloadTriggers = { ...empty };
  entries.forEach((raw: unknown, position) => {
    const { trigger, messages } = validateEntry(raw, position, workload);
    if (!trigger) {
      result.invalid.push({ position, raw, messages });
      return;
    }
    result.image.push({
      from: trigger.from.name,
      namespace: trigger.from.namespace,
      containers: [{ name: trigger.container.name, list: trigger.container.containerList }],
      auto: !trigger.paused,
      raw,
    });
  });
  return result;
}

function sameTag(t: ImageTrigger, from: FromImage, workload: Workload): boolean {
  return t.from === from.name && t.namespace === (from.namespace ?? namespaceOf(workload));
}

/** -c names, or the only container; each found in containers, then in initContainers. */
function resolveContainers(workload: Workload, names: string[]): TriggerContainer[] {
  const containers = containersOf(workload, "containers").map((c) => c.name);
  const inits = containersOf(workload, "initContainers").map((c) => c.name);
  const all = [...containers, ...inits];
  if (names.length === 0) {
    const [only, second] = containers;
    if (only === undefined || second !== undefined) {
      throw new CliError(
        `you must specify --containers when setting --from-image (the containers are: ${all.join(", ")})`,
      );
    }
    return [{ name: only, list: "containers" }];
  }
  const missing = names.filter((n) => !all.includes(n));
  if (missing.length > 0) {
    throw new CliError(
      `not all container names exist: ${missing.join(", ")} (accepts: ${[...all].sort().join(", ")})`,
    );
  }
  return names.map((name) => ({
    name,
    list: containers.includes(name) ? "containers" : "initContainers",
  }));
}

function checkOnePerContainer(image: ImageTrigger[]): void {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const c of image.flatMap((t) => t.containers)) {
    const key = `${c.list}/${c.name}`;
    if (seen.has(key)) twice.add(c.name);
    seen.add(key);
  }
  if (twice.size > 0) {
    throw new CliError(
      `only one trigger may reference each container: ${[...twice].sort().join(", ")}`,
    );
  }
}

/** The triggers after the action (oc's updateTriggers), checked as oc's Apply does. */
export function applyAction(
  current: WorkloadTriggers,
  action: TriggerAction,
  workload: Workload,
): WorkloadTriggers {
  if (current.unreadable && action.kind !== "list" && action.kind !== "remove-all") {
    throw new CliError(
      `the ${ANN_TRIGGERS} annotation cannot be read (${current.unreadable}): fix it, or remove every trigger with --remove-all`,
    );
  }
  switch (action.kind) {
    case "list":
      return current;
    case "remove-all":
      // oc also pauses a Deployment here (its config trigger goes too): we
      // remove image triggers only; --manual pauses, as oc's help says
      return { image: [], invalid: [], config: current.config };
    case "remove":
      return { ...current, image: current.image.filter((t) => !sameTag(t, action.from, workload)) };
    case "reset":
      return {
        ...current,
        config: action.auto,
        image: current.image.map((t) =>
          t.auto === action.auto ? t : changed(t, { auto: action.auto }),
        ),
      };
    case "set": {
      const trigger: ImageTrigger = {
        from: action.from.name,
        namespace: action.from.namespace ?? namespaceOf(workload),
        containers: resolveContainers(workload, action.containers),
        auto: action.auto,
      };
      // the annotation holds one entry per container: every entry on this tag
      // is the one trigger being set, which takes the first one's place
      const index = current.image.findIndex((t) => sameTag(t, action.from, workload));
      const others = current.image.filter((t) => !sameTag(t, action.from, workload));
      const image =
        index < 0
          ? [...others, trigger]
          : [...others.slice(0, index), trigger, ...others.slice(index)];
      checkOnePerContainer(image);
      return { ...current, image };
    }
  }
}

function changed(t: ImageTrigger, update: Partial<ImageTrigger>): ImageTrigger {
  const { raw: _raw, ...rest } = t;
  return { ...rest, ...update };
}

/** OpenShift's annotation entries (library-go ObjectFieldTrigger: paused omitted when false). */
function entriesOf(t: ImageTrigger, workload: Workload): unknown[] {
  if (t.raw !== undefined) return [t.raw];
  return t.containers.map((c) => ({
    from: {
      kind: "ImageStreamTag",
      name: t.from,
      ...(t.namespace !== namespaceOf(workload) ? { namespace: t.namespace } : {}),
    },
    fieldPath: canonicalFieldPath(workload.kind, c.list, c.name),
    ...(t.auto ? {} : { paused: true }),
  }));
}

/** The annotation's new value; undefined removes it. */
export function renderAnnotation(
  triggers: WorkloadTriggers,
  workload: Workload,
): string | undefined {
  const entries = [
    ...triggers.image.flatMap((t) => entriesOf(t, workload)),
    ...triggers.invalid.map((e) => e.raw),
  ];
  return entries.length === 0 ? undefined : JSON.stringify(entries);
}

/** A JSON merge patch of the annotation (and a Deployment's spec.paused), or undefined when nothing changes. */
export function triggersPatch(
  workload: Workload,
  before: WorkloadTriggers,
  after: WorkloadTriggers,
): Record<string, unknown> | undefined {
  const current = workload.metadata?.annotations?.[ANN_TRIGGERS];
  const next = renderAnnotation(after, workload);
  const annotationChanges = before.unreadable !== undefined || normalized(current) !== next;
  const pausedChanges = workload.kind === "Deployment" && before.config !== after.config;
  if (!annotationChanges && !pausedChanges) return undefined;
  const patch: Record<string, unknown> = {
    // a precondition: the API server refuses the patch if the workload changed since it was read
    metadata: {
      resourceVersion: workload.metadata?.resourceVersion,
      ...(annotationChanges ? { annotations: { [ANN_TRIGGERS]: next ?? null } } : {}),
    },
  };
  if (pausedChanges) patch.spec = { paused: !after.config };
  return patch;
}

function normalized(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length === 0 ? undefined : JSON.stringify(parsed);
  } catch {
    return text;
  }
}

/** oc's table: NAME TYPE VALUE AUTO, the config row first. */
export function formatTriggerTable(
  resource: string,
  triggers: WorkloadTriggers,
  workload: Workload,
): string {
  const name = `${resource}/${workload.metadata?.name ?? ""}`;
  const rows = [
    ["NAME", "TYPE", "VALUE", "AUTO"],
    [name, "config", "", String(triggers.config)],
  ];
  for (const t of triggers.image) {
    const from = t.namespace === namespaceOf(workload) ? t.from : `${t.namespace}/${t.from}`;
    const containers = t.containers.map((c) => c.name).join(", ");
    rows.push([name, "image", `${from} (${containers})`, String(t.auto)]);
  }
  return formatRows(rows, OC_GAP);
}

/** What the table cannot show: entries left as written, an annotation that does not parse. */
export function triggerWarnings(triggers: WorkloadTriggers, label: string): string[] {
  const warnings = triggers.invalid.map(
    (e) =>
      `warning: trigger [${e.position}] of ${label} is not valid and is left as written: ${e.messages.join("; ")}`,
  );
  if (triggers.unreadable) {
    warnings.push(
      `warning: the ${ANN_TRIGGERS} annotation of ${label} cannot be read: ${triggers.unreadable}`,
    );
  }
  return warnings;
}
