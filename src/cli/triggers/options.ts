// `set triggers` command line -> what to do (no I/O), with oc set triggers'
// rules for combining --from-image, --auto/--manual and --remove/--remove-all.
import { CliError, UsageError } from "../errors.js";
import type { GlobalFlags, OptionSpecs } from "../flags.js";
import { validateStreamName, validateTagName } from "../names.js";
import { parseWorkloadRef, type WorkloadRef } from "../why/target.js";

export const COMMAND = "set triggers";

export const TRIGGER_FLAGS = {
  "from-image": { type: "string" },
  containers: { type: "string", short: "c" },
  auto: { type: "boolean" },
  manual: { type: "boolean" },
  remove: { type: "boolean" },
  "remove-all": { type: "boolean" },
} as const satisfies OptionSpecs;

/** The tag a trigger follows; namespace undefined: the workload's. */
export interface FromImage {
  namespace?: string;
  /** stream:tag */
  name: string;
}

export type TriggerAction =
  /** no flag: print the table */
  | { kind: "list" }
  | { kind: "remove-all" }
  | { kind: "remove"; from: FromImage }
  /** --auto or --manual alone: every trigger, and a Deployment's rollouts (oc's "config" trigger) */
  | { kind: "reset"; auto: boolean }
  /** add, or update the trigger following the same tag */
  | { kind: "set"; from: FromImage; containers: string[]; auto: boolean };

export interface TriggerOptions {
  global: GlobalFlags;
  workload: WorkloadRef;
  action: TriggerAction;
}

/**
 * `[NS/]STREAM:TAG`, with oc's messages: a pull spec or a digest is not a tag
 * of a stream on this cluster, and the tag must be given.
 */
export function parseFromImage(value: string): FromImage {
  const parts = value.split("/");
  const first = parts[0] ?? "";
  const looksLikeRegistry =
    parts.length > 2 || (parts.length === 2 && /[.:]|^localhost$/.test(first));
  if (value.includes("@") || looksLikeRegistry) {
    throw new CliError(
      "the value of --from-image must point to an image stream tag on this server",
    );
  }
  const nameAndTag = parts.length === 2 ? (parts[1] ?? "") : value;
  const colon = nameAndTag.indexOf(":");
  if (colon < 0) {
    throw new CliError("the value of --from-image must include the tag you wish to pull from");
  }
  validateStreamName(nameAndTag.slice(0, colon));
  validateTagName(nameAndTag.slice(colon + 1));
  if (parts.length === 2 && !first) throw new CliError(`invalid namespace "" in "${value}"`);
  return parts.length === 2 ? { namespace: first, name: nameAndTag } : { name: nameAndTag };
}

function containerNames(value: string | boolean | undefined): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** oc's Validate, in its order. */
function checkCombination(values: Record<string, string | boolean | undefined>): void {
  const { auto, manual, remove } = values;
  const removeAll = values["remove-all"];
  const from = typeof values["from-image"] === "string";
  if (auto && manual)
    throw new UsageError("you must specify at most one of --auto or --manual", COMMAND);
  if (remove && removeAll)
    throw new UsageError("you must specify either --remove or --remove-all", COMMAND);
  if (removeAll && (from || auto || manual)) {
    throw new UsageError("--remove-all may not be used with any other flag", COMMAND);
  }
  if (remove && !from) {
    throw new UsageError(
      "--remove requires a flag defining a trigger type to be specified",
      COMMAND,
    );
  }
  if (!from && values.containers !== undefined) {
    throw new UsageError(
      "--containers names the containers of --from-image: give --from-image too",
      COMMAND,
    );
  }
}

export function triggerAction(values: Record<string, string | boolean | undefined>): TriggerAction {
  checkCombination(values);
  const fromValue = values["from-image"];
  if (values["remove-all"]) return { kind: "remove-all" };
  if (typeof fromValue !== "string") {
    if (values.auto) return { kind: "reset", auto: true };
    if (values.manual) return { kind: "reset", auto: false };
    return { kind: "list" };
  }
  const from = parseFromImage(fromValue);
  if (values.remove) return { kind: "remove", from };
  return { kind: "set", from, containers: containerNames(values.containers), auto: !values.manual };
}

export function parseTriggerOptions(
  global: GlobalFlags,
  positionals: readonly string[],
  values: Record<string, string | boolean | undefined>,
): TriggerOptions {
  return {
    global,
    workload: parseWorkloadRef(positionals, COMMAND),
    action: triggerAction(values),
  };
}
