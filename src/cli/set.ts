// `kubectl imagestream set SUBCOMMAND` (oc set ...): triggers and image-lookup.
import { UsageError } from "./errors.js";
import { splitCommand } from "./flags.js";
import { SET_HELP } from "./help.js";
import { runImageLookup } from "./image-lookup/command.js";
import type { Io } from "./io.js";
import { runTriggers } from "./triggers/command.js";

export async function runSet(args: readonly string[], io: Io): Promise<number> {
  const { command, rest } = splitCommand(args);
  if (command === "image-lookup") return runImageLookup(rest, io);
  if (command === "triggers") return runTriggers(rest, io);
  if (command === undefined) {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(SET_HELP);
      return 0;
    }
    io.err(SET_HELP);
    return 1;
  }
  throw new UsageError(`unknown command "set ${command}"`, "set");
}
