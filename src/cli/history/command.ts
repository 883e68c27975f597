// `kubectl imagestream history [NS/]STREAM:TAG`: the tag's revisions, newest
// first, the current one marked, and what the tag follows (or that a
// rollback pinned it).
import { CliError } from "../errors.js";
import { HISTORY_HELP } from "../help.js";
import type { Io } from "../io.js";
import { openSession } from "../kube.js";
import { displayTag, parseStreamTag } from "../names.js";
import { parseHistoryArgs } from "../rollback/options.js";
import { formatHistory } from "./plan.js";

export async function runHistory(
  args: readonly string[],
  io: Io,
  now = () => new Date(),
): Promise<number> {
  const options = parseHistoryArgs(args);
  if ("help" in options) {
    io.out(HISTORY_HELP);
    return 0;
  }
  const session = openSession(options.global);
  const target = parseStreamTag(options.target, session.namespace);
  const stream = await session.streams.get(target.namespace, target.name);
  if (!stream) throw new CliError(`image stream "${target.namespace}/${target.name}" not found`);
  io.out(formatHistory(stream, target.tag, displayTag(target, session.namespace), now()));
  return 0;
}
