// `rollback` and `history` command lines -> validated options (no I/O).
import { CliError, UsageError } from "../errors.js";
import { type GlobalFlags, parseCommand, parseDuration } from "../flags.js";
import type { RollbackTarget } from "./plan.js";

export const ROLLBACK_FLAGS = {
  "to-revision": { type: "string" },
  to: { type: "string" },
  undo: { type: "boolean" },
  timeout: { type: "string" },
} as const;

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface RollbackOptions {
  global: GlobalFlags;
  /** [NS/]STREAM:TAG as given */
  target: string;
  undo: boolean;
  to: RollbackTarget;
  timeoutMs: number;
}

function oneTarget(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(`${command} takes one image stream tag: [NS/]STREAM:TAG`, command);
  }
  return positionals[0] as string;
}

function revisionNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(
      `--to-revision must be a revision number (1 or more), got "${text}"`,
      "rollback",
    );
  }
  return Number(text);
}

function target(values: Record<string, string | boolean | undefined>): RollbackTarget {
  const revision = values["to-revision"];
  const digest = values.to;
  if (typeof revision === "string" && typeof digest === "string") {
    throw new UsageError("--to-revision and --to both name the image: give one", "rollback");
  }
  if (typeof revision === "string") return { kind: "revision", revision: revisionNumber(revision) };
  if (typeof digest === "string") {
    if (!/^(sha256:)?[a-f0-9]{6,64}$/.test(digest)) {
      throw new CliError(
        `--to must be an image digest (sha256:... or at least 6 hex digits), got "${digest}"`,
      );
    }
    return { kind: "digest", digest };
  }
  return { kind: "previous" };
}

export function parseRollbackArgs(args: readonly string[]): RollbackOptions | { help: true } {
  const { global, positionals, values } = parseCommand("rollback", args, ROLLBACK_FLAGS);
  if (global.help) return { help: true };
  const undo = values.undo === true;
  const to = target(values);
  if (undo && to.kind !== "previous") {
    throw new UsageError(
      "--undo restores what the tag followed: it takes no --to or --to-revision",
      "rollback",
    );
  }
  const timeout = typeof values.timeout === "string" ? values.timeout : undefined;
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout);
  if (timeoutMs === undefined) {
    throw new UsageError(
      `invalid --timeout "${timeout}": use a duration such as 30s or 2m`,
      "rollback",
    );
  }
  return { global, target: oneTarget(positionals, "rollback"), undo, to, timeoutMs };
}

export function parseHistoryArgs(
  args: readonly string[],
): { global: GlobalFlags; target: string } | { help: true } {
  const { global, positionals } = parseCommand("history", args, {});
  if (global.help) return { help: true };
  return { global, target: oneTarget(positionals, "history") };
}
