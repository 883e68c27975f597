// Resolves a parsed fieldPath against one workload object. The result names
// the container even for index selectors, so patches can merge by name.

import { canonicalFieldPath, podSpecPath } from "./field-path.js";
import type { ContainerList, FieldPathTarget, ResolvedContainer, Workload } from "./types.js";

interface ContainerView {
  name: string;
  image: string | undefined;
}

export type ResolveResult =
  | { ok: true; container: ResolvedContainer }
  | { ok: false; message: string };

export function resolveContainer(workload: Workload, target: FieldPathTarget): ResolveResult {
  const { containerList, selector } = target;
  const containers = containersOf(workload, containerList);
  const index =
    "index" in selector
      ? selector.index < containers.length
        ? selector.index
        : -1
      : containers.findIndex((c) => c.name === selector.name);
  const found = containers[index];
  if (found === undefined) return { ok: false, message: noSuchContainer(workload, target) };
  const key = canonicalFieldPath(workload.kind, containerList, found.name);
  return {
    ok: true,
    container: { containerList, index, name: found.name, image: found.image, key },
  };
}

/** The workload's pod spec (its template's), undefined when it has none. */
export function podSpecOf(workload: Workload): Record<string, unknown> | undefined {
  const podSpec = walk(workload, podSpecPath(workload.kind).split("."));
  return isRecord(podSpec) ? podSpec : undefined;
}

/** The named containers of one list of the workload's pod spec, in order. */
export function containersOf(workload: Workload, list: ContainerList): ContainerView[] {
  const podSpec = podSpecOf(workload);
  const items = isRecord(podSpec) ? podSpec[list] : undefined;
  if (!Array.isArray(items)) return [];
  return items.filter(isRecord).map((item) => ({
    name: typeof item.name === "string" ? item.name : "",
    image: typeof item.image === "string" ? item.image : undefined,
  }));
}

function noSuchContainer(workload: Workload, target: FieldPathTarget): string {
  const { containerList, selector } = target;
  const wanted =
    "index" in selector ? `index ${selector.index} of ${containerList}` : `"${selector.name}"`;
  const existing = containersOf(workload, containerList);
  const listed =
    existing.length === 0
      ? `the ${workload.kind} has no ${containerList}`
      : `${containerList} are: ${existing.map((c, i) => `[${i}] ${c.name}`).join(", ")}`;
  const hint = otherListHint(workload, target);
  return `no such container: ${wanted}; ${listed}${hint}`;
}

// Pointing at containers when the name is an init container (or the reverse)
// is an easy slip; say so rather than only listing the wrong list.
function otherListHint(workload: Workload, target: FieldPathTarget): string {
  if (!("name" in target.selector)) return "";
  const other: ContainerList =
    target.containerList === "containers" ? "initContainers" : "containers";
  const name = target.selector.name;
  if (!containersOf(workload, other).some((c) => c.name === name)) return "";
  return ` ("${name}" is in ${other}: write ${other}[?(@.name=="${name}")])`;
}

function walk(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!isRecord(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
