// Command dispatch and error reporting, apart from main.ts so tests can call
// run() without starting the process.
import { runDescribe } from "./describe/command.js";
import { CliError, UsageError } from "./errors.js";
import { splitCommand } from "./flags.js";
import { runGet } from "./get/command.js";
import { MAIN_HELP } from "./help.js";
import { runHistory } from "./history/command.js";
import { runImport } from "./import/command.js";
import type { Io } from "./io.js";
import { runRollback } from "./rollback/command.js";
import { runSet } from "./set.js";
import { runTag } from "./tag/command.js";
import { runWhy } from "./why/command.js";

type Command = (args: readonly string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  tag: runTag,
  "import-image": runImport,
  describe: runDescribe,
  get: runGet,
  history: runHistory,
  rollback: runRollback,
  why: runWhy,
  set: runSet,
};

function reportError(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    const help = error.command
      ? `kubectl imagestream ${error.command} --help`
      : "kubectl imagestream --help";
    io.err(`error: ${error.message}\nSee '${help}' for usage.`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    io.err(`error: ${error.message}`);
    return error.exitCode;
  }
  io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === undefined || command === "help") {
    const asked = command === "help" || rest.includes("--help") || rest.includes("-h");
    if (!asked) {
      io.err(MAIN_HELP);
      return 1;
    }
    io.out(MAIN_HELP);
    return 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    return reportError(new UsageError(`unknown command "${command}"`), io);
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}
