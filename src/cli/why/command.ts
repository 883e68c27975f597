// `kubectl imagestream why KIND/NAME`: why a triggered workload did (not) roll.
import { CliError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { WHY_HELP } from "../help.js";
import type { Io } from "../io.js";
import { openSession, type Session } from "../kube.js";
import { readWarnings } from "./events.js";
import {
  explainWorkload,
  parseWorkloadTriggers,
  type StreamRead,
  streamKey,
  streamsToRead,
} from "./explain.js";
import { parseWorkloadRef, workloadLabel } from "./target.js";
import { readWorkload } from "./workload.js";

async function readStream(session: Session, namespace: string, name: string): Promise<StreamRead> {
  try {
    const stream = await session.streams.get(namespace, name);
    if (!stream) return {};
    const warnings = await readWarnings(session.config, { namespace, kind: "ImageStream", name });
    return { stream, warnings };
  } catch (error) {
    // a stream of another namespace may be unreadable for this user: say so and go on
    if (error instanceof CliError) return { error: error.message };
    throw error;
  }
}

export async function runWhy(
  args: readonly string[],
  io: Io,
  now = () => new Date(),
): Promise<number> {
  const { global, positionals } = parseCommand("why", args, {});
  if (global.help) {
    io.out(WHY_HELP);
    return 0;
  }
  const ref = parseWorkloadRef(positionals);
  const session = openSession(global);
  const workload = await readWorkload(session.config, ref, session.namespace);
  const reads = new Map<string, StreamRead>();
  for (const { namespace, name } of streamsToRead(parseWorkloadTriggers(workload))) {
    reads.set(streamKey(namespace, name), await readStream(session, namespace, name));
  }
  const warnings = await readWarnings(session.config, {
    namespace: workload.metadata?.namespace ?? session.namespace,
    kind: ref.kind,
    name: ref.name,
  });
  io.out(explainWorkload(workload, workloadLabel(ref), reads, now(), warnings));
  return 0;
}
