// Command-line parsing shared by every command: node:util parseArgs with the
// kubectl-style global flags (-n, --kubeconfig, --context) accepted anywhere,
// and `--flag=true|false` accepted for booleans as kubectl and oc users write them.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

export type OptionSpec = { type: "string" | "boolean"; short?: string };
export type OptionSpecs = Record<string, OptionSpec>;

export const GLOBAL_OPTIONS = {
  namespace: { type: "string", short: "n" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpecs;

export interface GlobalFlags {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  help: boolean;
}

export interface ParsedCommand {
  global: GlobalFlags;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * `--scheduled=true` -> `--scheduled`, `--scheduled=false` -> `--no-scheduled`:
 * parseArgs takes no value for a boolean, and allowNegative reads `--no-x`.
 */
export function normalizeBooleans(args: readonly string[], specs: OptionSpecs): string[] {
  return args.map((arg) => {
    const match = /^--([^=]+)=(true|false)$/i.exec(arg);
    const name = match?.[1];
    if (!match || !name || specs[name]?.type !== "boolean") return arg;
    return match[2]?.toLowerCase() === "true" ? `--${name}` : `--no-${name}`;
  });
}

function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs appends advice about `--` that does not fit a kubectl plugin
  return message.replace(/\. To specify a positional argument starting with.*$/s, "");
}

export function parseCommand(
  command: string,
  args: readonly string[],
  specs: OptionSpecs,
): ParsedCommand {
  const options = { ...GLOBAL_OPTIONS, ...specs };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: normalizeBooleans(args, options),
      options,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), command);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => (typeof values[name] === "string" ? values[name] : undefined);
  const global: GlobalFlags = { help: values.help === true };
  const namespace = text("namespace");
  const kubeconfig = text("kubeconfig");
  const context = text("context");
  if (namespace !== undefined) global.namespace = namespace;
  if (kubeconfig !== undefined) global.kubeconfig = kubeconfig;
  if (context !== undefined) global.context = context;
  return { global, positionals: parsed.positionals, values };
}

const GLOBAL_WITH_VALUE = new Set(["-n", "--namespace", "--kubeconfig", "--context"]);

/**
 * The command name is the first argument that is neither a flag nor the value
 * of a global flag, so `kubectl imagestream -n ns tag a b` works too.
 */
export function splitCommand(argv: readonly string[]): { command?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: [...argv] };
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations (`90s`, `2m`, `1m30s`) or plain seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  }
  return total;
}
