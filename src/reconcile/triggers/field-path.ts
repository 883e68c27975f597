// The fieldPath grammar of image triggers (a small subset of JSONPath, as
// OpenShift's library-go accepts it):
//   <podSpecPath>.containers[<sel>].image | <podSpecPath>.initContainers[<sel>].image
//   <sel> = <index> | ?(@.name=="NAME")
// Users write the name selector with single quotes and spaces around "==" too,
// so both are accepted; the canonical form uses double quotes and no spaces.

import { excerpt } from "../../api/excerpt.js";
import type { ContainerList, FieldPathTarget, WorkloadKind } from "./types.js";

const POD_SPEC_PATHS: Record<WorkloadKind, string> = {
  Deployment: "spec.template.spec",
  StatefulSet: "spec.template.spec",
  DaemonSet: "spec.template.spec",
  CronJob: "spec.jobTemplate.spec.template.spec",
};

export function podSpecPath(kind: WorkloadKind): string {
  return POD_SPEC_PATHS[kind];
}

/**
 * The longest valid path is its prefix, a list and a 253-character name
 * selector; a longer one is refused before SHAPE, whose backtracking is
 * quadratic in the length.
 */
export const MAX_FIELD_PATH_LENGTH = 512;

const SHAPE = /^(?<prefix>.*)\.(?<list>containers|initContainers)\[(?<selector>[^\]]*)\]\.image$/;
const INDEX_SELECTOR = /^\s*(?<index>\d+)\s*$/;
const NAME_SELECTOR = /^\s*\?\(\s*@\.name\s*==\s*(?<quote>["'])(?<name>[^"']+)\k<quote>\s*\)\s*$/;

export type FieldPathResult =
  | { ok: true; target: FieldPathTarget }
  | { ok: false; message: string };

/** Parses fieldPath for a workload of this kind, or says how to write it. */
export function parseFieldPath(fieldPath: string, kind: WorkloadKind): FieldPathResult {
  if (fieldPath.length > MAX_FIELD_PATH_LENGTH) {
    return invalid(fieldPath, kind, `longer than ${MAX_FIELD_PATH_LENGTH} characters`);
  }
  const shape = SHAPE.exec(fieldPath.trim())?.groups;
  if (shape?.prefix === undefined || shape.list === undefined || shape.selector === undefined) {
    return invalid(fieldPath, kind, "");
  }
  const expectedPrefix = podSpecPath(kind);
  if (shape.prefix !== expectedPrefix) {
    return invalid(fieldPath, kind, `a ${kind}'s pod spec is at ${expectedPrefix}`);
  }
  const containerList = shape.list as ContainerList;
  const index = INDEX_SELECTOR.exec(shape.selector)?.groups?.index;
  if (index !== undefined) {
    return { ok: true, target: { containerList, selector: { index: Number(index) } } };
  }
  const name = NAME_SELECTOR.exec(shape.selector)?.groups?.name;
  if (name !== undefined) {
    return { ok: true, target: { containerList, selector: { name } } };
  }
  const selector = excerpt(shape.selector, 100);
  return invalid(fieldPath, kind, `the container selector [${selector}] is not understood`);
}

/** The canonical fieldPath of a named container, used as a stable key. */
export function canonicalFieldPath(
  kind: WorkloadKind,
  containerList: ContainerList,
  name: string,
): string {
  return `${podSpecPath(kind)}.${containerList}[?(@.name=="${name}")].image`;
}

/** The grammar, spelled out for one kind, so an error message shows what to write. */
export function fieldPathGrammar(kind: WorkloadKind): string {
  const prefix = podSpecPath(kind);
  return (
    `expected ${prefix}.containers[<sel>].image or ${prefix}.initContainers[<sel>].image, ` +
    `where <sel> is an index such as 0 or ?(@.name=="NAME"), ` +
    `e.g. ${prefix}.containers[?(@.name=="web")].image`
  );
}

function invalid(fieldPath: string, kind: WorkloadKind, detail: string): FieldPathResult {
  const why = detail === "" ? "" : `: ${detail}`;
  return {
    ok: false,
    message: `field path is not valid: ${JSON.stringify(excerpt(fieldPath, 200))}${why}; ${fieldPathGrammar(kind)}`,
  };
}
