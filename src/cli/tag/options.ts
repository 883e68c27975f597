// `kubectl imagestream tag` command line -> validated options (no I/O).
import type { ImportMode, ReferencePolicyType } from "../../api/types.js";
import { CliError, UsageError } from "../errors.js";
import { type GlobalFlags, type OptionSpecs, parseCommand } from "../flags.js";
import { parseStreamTag, type StreamTagName } from "../names.js";
import { parseImportMode, parseReferencePolicy } from "../policy-flags.js";
import { detectSource, parseSourceKind, type TagSource } from "./source.js";

export const TAG_FLAGS = {
  source: { type: "string" },
  alias: { type: "boolean" },
  reference: { type: "boolean" },
  scheduled: { type: "boolean" },
  insecure: { type: "boolean" },
  "reference-policy": { type: "string" },
  "import-mode": { type: "string" },
  delete: { type: "boolean", short: "d" },
} as const satisfies OptionSpecs;

interface TagFlags {
  alias: boolean;
  reference: boolean;
  scheduled: boolean;
  insecure: boolean;
  /** undefined: keep an existing tag's value (Source for a new tag) */
  referencePolicy?: ReferencePolicyType;
  /** undefined: keep an existing tag's value */
  importMode?: ImportMode;
}

export type TagOptions =
  | { kind: "help"; global: GlobalFlags }
  | { kind: "delete"; global: GlobalFlags; destinations: string[] }
  | ({ kind: "set"; global: GlobalFlags; source: TagSource; destinations: string[] } & TagFlags);

/** Parsed destinations, once the current namespace is known. */
export function parseDestinations(args: readonly string[], namespace: string): StreamTagName[] {
  return args.map((arg) => parseStreamTag(arg, namespace));
}

export function parseTagOptions(args: readonly string[]): TagOptions {
  const { global, positionals, values } = parseCommand("tag", args, TAG_FLAGS);
  if (global.help) return { kind: "help", global };
  const flag = (name: keyof typeof TAG_FLAGS) => values[name] === true;
  const text = (name: keyof typeof TAG_FLAGS) =>
    typeof values[name] === "string" ? (values[name] as string) : undefined;
  if (flag("delete")) return deleteOptions(global, positionals, values);
  if (positionals.length < 2) {
    throw new UsageError("you must specify a source and at least one destination", "tag");
  }
  const [sourceArg = "", ...destinations] = positionals;
  const options: TagOptions = {
    kind: "set",
    global,
    source: detectSource(sourceArg, parseSourceKind(text("source"))),
    destinations,
    alias: flag("alias"),
    reference: flag("reference"),
    scheduled: flag("scheduled"),
    insecure: flag("insecure"),
  };
  const referencePolicy = parseReferencePolicy(text("reference-policy"));
  const importMode = parseImportMode(text("import-mode"));
  if (referencePolicy) options.referencePolicy = referencePolicy;
  if (importMode) options.importMode = importMode;
  validateSetOptions(options);
  return options;
}

function deleteOptions(
  global: GlobalFlags,
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
): TagOptions {
  if (values.alias === true) throw new CliError("--alias and --delete may not be both specified");
  if (values.source !== undefined) throw new CliError("cannot specify a source kind when deleting");
  if (values.scheduled === true || values.insecure === true) {
    throw new CliError("cannot set flags for importing images when deleting a tag");
  }
  if (positionals.length === 0) {
    throw new UsageError("you must specify one or more tags to delete", "tag");
  }
  return { kind: "delete", global, destinations: positionals };
}

function validateSetOptions(o: Extract<TagOptions, { kind: "set" }>): void {
  if (o.source.kind !== "DockerImage" && (o.scheduled || o.insecure)) {
    throw new CliError("only container images can have importing flags set");
  }
  if (o.alias && (o.scheduled || o.insecure)) {
    throw new CliError("cannot set a container image tag as an alias and also set import flags");
  }
}
