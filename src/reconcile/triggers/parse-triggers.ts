// Parses the image.openshift.io/triggers annotation of one workload. Valid
// triggers come through even when others in the same annotation are wrong:
// one typo must not stop the rest of the workload from following its tags.

import { ANN_TRIGGERS } from "../../api/types.js";
import { findJsonSyntaxError } from "./json-syntax.js";
import { validateEntry } from "./trigger-entry.js";
import type { ParsedTriggers, TriggerProblem, ValidTrigger, Workload } from "./types.js";

export function parseTriggers(
  annotationValue: string | undefined,
  workload: Workload,
): ParsedTriggers {
  if (annotationValue === undefined || annotationValue.trim() === "") {
    return { triggers: [], problems: [] };
  }
  let document: unknown;
  try {
    document = JSON.parse(annotationValue);
  } catch (error) {
    return { triggers: [], problems: [invalidJson(annotationValue, error)] };
  }
  if (!Array.isArray(document)) return { triggers: [], problems: [notAnArray(document)] };

  const problems: TriggerProblem[] = [];
  const candidates: ValidTrigger[] = [];
  document.forEach((entry, position) => {
    const result = validateEntry(entry, position, workload);
    for (const message of result.messages) {
      problems.push({ reason: reasonOf(message), message, position });
    }
    if (result.trigger !== undefined) candidates.push(result.trigger);
  });
  const { unique, duplicates } = splitDuplicates(candidates);
  return { triggers: unique, problems: [...problems, ...duplicates] };
}

function reasonOf(message: string): TriggerProblem["reason"] {
  if (message.startsWith("field path is not valid")) return "InvalidFieldPath";
  if (message.startsWith("no such container")) return "NoSuchContainer";
  return "InvalidTrigger";
}

function invalidJson(text: string, error: unknown): TriggerProblem {
  const where = findJsonSyntaxError(text);
  const detail =
    where === undefined
      ? String(error instanceof Error ? error.message : error)
      : `at position ${where.position} (line ${where.line} column ${where.column}): expected ${where.expected}`;
  return {
    reason: "InvalidJSON",
    message:
      `annotation ${ANN_TRIGGERS} is not valid JSON: ${detail}; ` +
      `write a JSON array such as [{"from": {"kind": "ImageStreamTag", "name": "app:latest"}, "fieldPath": "..."}]`,
  };
}

function notAnArray(document: unknown): TriggerProblem {
  const got = document === null ? "null" : typeof document;
  const looksLikeOne = typeof document === "object" && document !== null && "from" in document;
  const fix = looksLikeOne ? "wrap the trigger in [ ]" : "write [ ] around a list of triggers";
  return {
    reason: "NotAnArray",
    message: `annotation ${ANN_TRIGGERS} must be a JSON array of triggers, not ${article(got)}: ${fix}`,
  };
}

function article(type: string): string {
  return type === "object" ? "an object" : type === "null" ? "null" : `a ${type}`;
}

// Two triggers writing the same container would each undo the other; we
// cannot tell which one the user meant, so neither is acted on. Comparing
// resolved containers (not fieldPath strings as OpenShift does) also catches
// [0] and [?(@.name=="web")] naming the same container.
function splitDuplicates(triggers: ValidTrigger[]): {
  unique: ValidTrigger[];
  duplicates: TriggerProblem[];
} {
  const byKey = new Map<string, ValidTrigger[]>();
  for (const t of triggers) {
    const group = byKey.get(t.container.key);
    if (group === undefined) byKey.set(t.container.key, [t]);
    else group.push(t);
  }
  const unique: ValidTrigger[] = [];
  const duplicates: TriggerProblem[] = [];
  for (const group of byKey.values()) {
    const [first, second] = group;
    if (first === undefined) continue;
    if (second === undefined) {
      unique.push(first);
      continue;
    }
    const positions = group.map((t) => `[${t.position}]`).join(", ");
    duplicates.push({
      reason: "DuplicateTrigger",
      position: second.position,
      message:
        `duplicate triggers are not allowed: triggers ${positions} all set the image of ` +
        `${first.container.containerList} "${first.container.name}"; remove all but one`,
    });
  }
  unique.sort((a, b) => a.position - b.position);
  return { unique, duplicates };
}
