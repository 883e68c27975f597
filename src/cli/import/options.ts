// `kubectl imagestream import-image` command line -> validated options (no I/O).
import type { ImportMode, ReferencePolicyType } from "../../api/types.js";
import { parseImageReference } from "../../registry/reference.js";
import { CliError, UsageError } from "../errors.js";
import { type GlobalFlags, type OptionSpecs, parseCommand, parseDuration } from "../flags.js";
import { validateStreamName, validateTagName } from "../names.js";
import { parseImportMode, parseReferencePolicy } from "../policy-flags.js";

export const IMPORT_FLAGS = {
  from: { type: "string" },
  confirm: { type: "boolean" },
  all: { type: "boolean" },
  scheduled: { type: "boolean" },
  insecure: { type: "boolean" },
  "reference-policy": { type: "string" },
  "import-mode": { type: "string" },
  timeout: { type: "string" },
} as const satisfies OptionSpecs;

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ImportOptions {
  kind: "import";
  global: GlobalFlags;
  stream: string;
  /** undefined with --all */
  tag?: string;
  /** --from */
  from?: string;
  /** the target, when it was a pull spec: the source of a stream or tag created with --confirm */
  pullSpec?: string;
  confirm: boolean;
  all: boolean;
  /** undefined: not given, leave the tag's setting alone */
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: ReferencePolicyType;
  importMode?: ImportMode;
  timeoutMs: number;
}

export type ImportCommand = ImportOptions | { kind: "help"; global: GlobalFlags };

interface Target {
  stream: string;
  tag?: string;
  /** the target was a pull spec: the stream is its last path segment */
  pullSpec?: string;
}

/**
 * STREAM[:TAG], or a pull spec (anything with a `/`) naming the stream after
 * its last path segment, as oc allows: `import-image quay.io/org/app:1 --confirm`.
 */
export function parseTarget(input: string, all: boolean): Target {
  if (input.includes("@")) throw new CliError("to import images by ID, use the 'tag' command");
  const slash = input.lastIndexOf("/");
  const last = input.slice(slash + 1);
  const colon = last.indexOf(":");
  const stream = colon < 0 ? last : last.slice(0, colon);
  const tag = colon < 0 ? undefined : last.slice(colon + 1);
  if (tag !== undefined && all)
    throw new CliError(`cannot specify a tag "${input}" as well as --all`);
  validateStreamName(stream);
  const target: Target = { stream };
  if (!all) target.tag = tag ?? "latest";
  if (target.tag !== undefined) validateTagName(target.tag);
  if (slash >= 0) target.pullSpec = validPullSpec(input);
  return target;
}

function validPullSpec(input: string): string {
  try {
    parseImageReference(input);
    return input;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

function optionalBoolean(value: string | boolean | undefined): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

export function parseImportOptions(args: readonly string[]): ImportCommand {
  const { global, positionals, values } = parseCommand("import-image", args, IMPORT_FLAGS);
  if (global.help) return { kind: "help", global };
  if (positionals.length !== 1) {
    throw new UsageError("you must specify the name of one image stream", "import-image");
  }
  const all = values.all === true;
  const target = parseTarget(positionals[0] as string, all);
  const fromFlag = typeof values.from === "string" ? values.from : undefined;
  if (fromFlag !== undefined) validPullSpec(fromFlag);
  const options: ImportOptions = {
    kind: "import",
    global,
    stream: target.stream,
    confirm: values.confirm === true,
    all,
    timeoutMs: parseTimeout(values.timeout),
  };
  if (fromFlag !== undefined) options.from = fromFlag;
  if (target.pullSpec !== undefined) options.pullSpec = target.pullSpec;
  if (target.tag !== undefined) options.tag = target.tag;
  const scheduled = optionalBoolean(values.scheduled);
  const insecure = optionalBoolean(values.insecure);
  if (scheduled !== undefined) options.scheduled = scheduled;
  if (insecure !== undefined) options.insecure = insecure;
  const referencePolicy = parseReferencePolicy(values["reference-policy"] as string | undefined);
  const importMode = parseImportMode(values["import-mode"] as string | undefined);
  if (referencePolicy) options.referencePolicy = referencePolicy;
  if (importMode) options.importMode = importMode;
  return options;
}

function parseTimeout(value: string | boolean | undefined): number {
  if (typeof value !== "string") return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      `invalid --timeout "${value}": use a duration such as 60s or 2m`,
      "import-image",
    );
  }
  return ms;
}
