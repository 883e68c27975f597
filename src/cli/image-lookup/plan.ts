// The writes and the table of `set image-lookup`, as pure functions: JSON
// merge patches (idempotent, so no read-modify-write race to guard), and the
// NAME/LOCAL table `oc set image-lookup` prints.
import type { ImageStream } from "../../api/types.js";
import {
  ANN_RESOLVE_NAMES,
  resolveNamesPathOf,
  resolvesAllNames,
} from "../../reconcile/image-lookup.js";
import { formatRows, OC_GAP } from "../table.js";
import type { LookupTarget } from "./targets.js";

/** The merge patch turning image lookup on or off for the target. */
export function lookupPatch(target: LookupTarget, enabled: boolean): Record<string, unknown> {
  if (target.type === "stream") return { spec: { lookupPolicy: { local: enabled } } };
  // null deletes the annotation in a merge patch
  let patch: Record<string, unknown> = {
    annotations: { [ANN_RESOLVE_NAMES]: enabled ? "*" : null },
  };
  for (const key of [...resolveNamesPathOf(target.kind.podSpecPath)].reverse()) {
    patch = { [key]: patch };
  }
  return patch;
}

/** Whether image lookup is on: the stream's lookupPolicy.local, or the object's annotation. */
export function lookupEnabled(target: LookupTarget, object: unknown): boolean {
  if (target.type === "stream") return (object as ImageStream).spec?.lookupPolicy?.local === true;
  return resolvesAllNames(object, target.kind.podSpecPath);
}

export interface LookupRow {
  name: string;
  local: boolean;
}

/** oc's NAME/LOCAL table. */
export function formatLookupTable(rows: readonly LookupRow[]): string {
  return formatRows([["NAME", "LOCAL"], ...rows.map((r) => [r.name, String(r.local)])], OC_GAP);
}
