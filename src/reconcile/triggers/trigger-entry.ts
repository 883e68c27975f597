// Validates one element of the triggers annotation. Every mistake found is
// reported at once (not only the first), each with the fix, because OpenShift
// silently ignores bad triggers and that is the complaint users have most
// about writing them by hand.

import { excerpt } from "../../api/excerpt.js";
import { fieldPathGrammar, parseFieldPath } from "./field-path.js";
import { resolveContainer } from "./resolve-container.js";
import type { ResolvedContainer, ValidTrigger, Workload } from "./types.js";

export interface EntryResult {
  trigger?: ValidTrigger;
  messages: string[];
}

type Entry = Record<string, unknown>;

const EXAMPLE_FROM = '"from": {"kind": "ImageStreamTag", "name": "STREAM:TAG"}';
const TAG_NAME = /^[\w][\w.-]{0,127}$/;

export function validateEntry(raw: unknown, position: number, workload: Workload): EntryResult {
  if (!isRecord(raw)) {
    return {
      messages: [`a trigger must be a JSON object such as {${EXAMPLE_FROM}, "fieldPath": "..."}`],
    };
  }
  const entry = withGoFieldNames(raw, ENTRY_FIELDS);
  const messages: string[] = [];
  const from = checkFrom(entry, messages);
  const namespace = checkNamespace(from, workload, messages);
  const paused = checkPaused(entry, messages);
  checkPause(entry, messages);
  const fieldPath = checkFieldPath(entry, workload, messages);
  const container =
    fieldPath === undefined ? undefined : checkContainer(fieldPath, workload, messages);
  if (messages.length > 0 || from === undefined || fieldPath === undefined) return { messages };
  if (container === undefined) return { messages };
  const trigger: ValidTrigger = {
    position,
    from: { kind: "ImageStreamTag", name: from.name, namespace },
    stream: from.stream,
    tag: from.tag,
    fieldPath,
    paused,
    container,
  };
  return { trigger, messages };
}

interface CheckedFrom {
  name: string;
  stream: string;
  tag: string;
  namespace: unknown;
}

function checkFrom(entry: Entry, messages: string[]): CheckedFrom | undefined {
  if (!isRecord(entry.from)) {
    messages.push(`from is missing: add ${EXAMPLE_FROM}`);
    return undefined;
  }
  const from = withGoFieldNames(entry.from, FROM_FIELDS);
  const kindOk = checkKind(from, messages);
  // The name of another kind (a pull spec, a digest) is not wrong in itself:
  // judging it as STREAM:TAG would only add noise to the kind's message.
  if (!kindOk && from.kind !== undefined) return undefined;
  const name = checkName(from, messages);
  if (!kindOk || name === undefined) return undefined;
  return { ...name, namespace: from.namespace };
}

function checkKind(from: Entry, messages: string[]): boolean {
  if (from.kind === "ImageStreamTag") return true;
  if (from.kind === undefined) {
    messages.push(`from.kind is missing: add "kind": "ImageStreamTag"`);
  } else {
    messages.push(
      `unknown kind ${shown(from.kind)}: only ImageStreamTag is supported; ` +
        `use "kind": "ImageStreamTag" and name a tag of an image stream`,
    );
  }
  return false;
}

function checkName(from: Entry, messages: string[]): Omit<CheckedFrom, "namespace"> | undefined {
  const name = from.name;
  if (typeof name !== "string") {
    const problem = name === undefined ? "from.name is missing" : "from.name must be a string";
    messages.push(`${problem}: use "name": "STREAM:TAG", e.g. "app:latest"`);
    return undefined;
  }
  const problem = nameProblem(name);
  if (problem !== undefined) {
    messages.push(`from.name ${shown(name)} ${problem}`);
    return undefined;
  }
  const [stream = "", tag = ""] = name.split(":");
  return { name, stream, tag };
}

function nameProblem(name: string): string | undefined {
  if (name.includes("/")) {
    return 'must not contain "/": write "STREAM:TAG" and put the namespace in from.namespace';
  }
  if (name.includes("@")) {
    return 'names an image digest, not a tag: triggers follow tags, write "STREAM:TAG"';
  }
  const parts = name.split(":");
  if (parts.length === 1) {
    const stream = excerpt(name, 64);
    return `has no tag: write "${stream}:TAG", e.g. "${stream}:latest"`;
  }
  const [stream = "", tag = ""] = parts;
  if (parts.length > 2 || stream === "" || !TAG_NAME.test(tag)) {
    return 'is not "STREAM:TAG" (a tag is letters, digits, "_", "." and "-", at most 128)';
  }
  return undefined;
}

function checkNamespace(
  from: CheckedFrom | undefined,
  workload: Workload,
  messages: string[],
): string {
  const own = workload.metadata?.namespace ?? "";
  const namespace = from?.namespace;
  if (namespace === undefined || namespace === "") return own;
  if (typeof namespace === "string") return namespace;
  messages.push('from.namespace must be a string: use "namespace": "NAMESPACE" or leave it out');
  return own;
}

function checkPaused(entry: Entry, messages: string[]): boolean {
  const paused = entry.paused;
  if (paused === undefined || typeof paused === "boolean") return paused === true;
  if (paused === "true" || paused === "false") {
    messages.push(`paused must be a JSON boolean, not a string: use "paused": ${paused}`);
  } else {
    messages.push('paused must be a JSON boolean: use "paused": true or "paused": false');
  }
  return false;
}

// "pause" (not "paused") appears in many real annotations, mostly as
// "pause": "false", which OpenShift ignores as an unknown field; we ignore
// that too. "pause": true/"true" states an intent to pause that OpenShift
// would silently not honour: the trigger is held and the user told the fix.
function checkPause(entry: Entry, messages: string[]): void {
  if (entry.pause !== true && entry.pause !== "true") return;
  messages.push(
    '"pause" is not a trigger field (OpenShift ignores it and keeps the trigger active): ' +
      'to pause this trigger write "paused": true, to keep it active remove "pause"',
  );
}

function checkFieldPath(entry: Entry, workload: Workload, messages: string[]): string | undefined {
  const fieldPath = entry.fieldPath;
  if (typeof fieldPath === "string") return fieldPath;
  const problem = fieldPath === undefined ? "fieldPath is missing" : "fieldPath must be a string";
  messages.push(`${problem}: ${fieldPathGrammar(workload.kind)}`);
  return undefined;
}

function checkContainer(
  fieldPath: string,
  workload: Workload,
  messages: string[],
): ResolvedContainer | undefined {
  const parsed = parseFieldPath(fieldPath, workload.kind);
  if (!parsed.ok) {
    messages.push(parsed.message);
    return undefined;
  }
  const resolved = resolveContainer(workload, parsed.target);
  if (!resolved.ok) {
    messages.push(resolved.message);
    return undefined;
  }
  return resolved.container;
}

const ENTRY_FIELDS = ["from", "fieldPath", "paused", "pause"];
const FROM_FIELDS = ["kind", "name", "namespace"];

// OpenShift reads the annotation with Go's encoding/json, which matches a
// field name case-insensitively ("FieldPath" is fieldPath). Reading keys the
// same way lets every annotation that works on OpenShift work here unchanged.
// (Of several spellings of one field Go keeps the last; we prefer the exact
// one, else the last.)
function withGoFieldNames(object: Entry, fields: string[]): Entry {
  const result: Entry = { ...object };
  for (const field of fields) {
    if (field in object) continue;
    const lower = field.toLowerCase();
    for (const [key, value] of Object.entries(object)) {
      if (key.toLowerCase() === lower) result[field] = value;
    }
  }
  return result;
}

// A value quoted back to the user: short, and never serialised whole (a
// value nested thousands deep would overflow JSON.stringify's stack).
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(excerpt(value, 100));
  if (Array.isArray(value)) return "(an array)";
  if (typeof value === "object" && value !== null) return "(an object)";
  return String(value);
}

function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
