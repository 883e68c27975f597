// `kubectl imagestream describe STREAM...` (also `is/STREAM`, `is STREAM`).
import { CliError, UsageError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { DESCRIBE_HELP } from "../help.js";
import type { Io } from "../io.js";
import { openSession } from "../kube.js";
import { validateStreamName } from "../names.js";
import { describeStream } from "./format.js";

const RESOURCE_NAMES = new Set([
  "is",
  "imagestream",
  "imagestreams",
  "imagestream.image.openshift.io",
  "imagestreams.image.openshift.io",
]);

/** Stream names from `STREAM`, `is/STREAM` or `is STREAM...`. */
export function streamNames(positionals: readonly string[]): string[] {
  const [first, ...rest] = positionals;
  const args =
    first !== undefined && RESOURCE_NAMES.has(first.toLowerCase()) ? rest : [...positionals];
  const names = args.map((arg) => {
    const slash = arg.indexOf("/");
    if (slash < 0) return arg;
    const resource = arg.slice(0, slash);
    if (!RESOURCE_NAMES.has(resource.toLowerCase())) {
      throw new CliError(`describe shows image streams only, not "${resource}"`);
    }
    return arg.slice(slash + 1);
  });
  if (names.length === 0) throw new UsageError("you must specify an image stream", "describe");
  for (const name of names) validateStreamName(name);
  return names;
}

export async function runDescribe(
  args: readonly string[],
  io: Io,
  now = () => new Date(),
): Promise<number> {
  const { global, positionals } = parseCommand("describe", args, {});
  if (global.help) {
    io.out(DESCRIBE_HELP);
    return 0;
  }
  const names = streamNames(positionals);
  const session = openSession(global);
  const blocks: string[] = [];
  for (const name of names) {
    const stream = await session.streams.get(session.namespace, name);
    if (!stream) throw new CliError(`image stream "${session.namespace}/${name}" not found`);
    blocks.push(describeStream(stream, now()));
  }
  io.out(blocks.join("\n\n\n"));
  return 0;
}
