// `kubectl imagestream tag`: resolve SOURCE (reading the source stream for a
// copy), then write each destination's spec tag. The operator does the
// import; this command returns as soon as the spec is written, as oc does.
import { CliError } from "../errors.js";
import { TAG_HELP } from "../help.js";
import type { Io } from "../io.js";
import { openSession, type Session } from "../kube.js";
import type { StreamTagName } from "../names.js";
import { withConflictRetry } from "../streams.js";
import { executeWrite } from "../writes.js";
import { parseDestinations, parseTagOptions } from "./options.js";
import {
  checkAlias,
  deleteMessage,
  desiredTag,
  needsSourceStream,
  planDeleteTag,
  planSetTag,
  type ResolvedSource,
  resolveCopy,
  resolveDirect,
  type SetOptions,
  setMessage,
} from "./plan.js";

export async function runTag(args: readonly string[], io: Io): Promise<number> {
  const options = parseTagOptions(args);
  if (options.kind === "help") {
    io.out(TAG_HELP);
    return 0;
  }
  const session = openSession(options.global);
  const destinations = parseDestinations(options.destinations, session.namespace);
  if (options.kind === "delete") {
    for (const dest of destinations) {
      await deleteTag(session, dest);
      io.out(deleteMessage(dest));
    }
    return 0;
  }
  checkAlias(options, destinations, session.namespace);
  const source = await resolveSource(session, options);
  for (const dest of destinations) {
    await setTag(session, options, source, dest);
    io.out(setMessage(options, source, dest, session.namespace));
  }
  return 0;
}

async function resolveSource(session: Session, o: SetOptions): Promise<ResolvedSource> {
  if (!needsSourceStream(o)) return resolveDirect(o.source);
  const namespace = o.source.namespace ?? session.namespace;
  const stream = await session.streams.get(namespace, o.source.stream);
  if (!stream) throw new CliError(`image stream "${namespace}/${o.source.stream}" not found`);
  return resolveCopy(o.source, stream);
}

function setTag(session: Session, o: SetOptions, source: ResolvedSource, dest: StreamTagName) {
  return withConflictRetry(async () => {
    const stream = await session.streams.get(dest.namespace, dest.name);
    const existing = stream?.spec?.tags?.find((t) => t.name === dest.tag);
    const tag = desiredTag(o, source, dest, session.namespace, existing);
    await executeWrite(session.streams, dest.namespace, dest.name, planSetTag(stream, tag, dest));
  });
}

function deleteTag(session: Session, dest: StreamTagName) {
  return withConflictRetry(async () => {
    const stream = await session.streams.get(dest.namespace, dest.name);
    await executeWrite(session.streams, dest.namespace, dest.name, planDeleteTag(stream, dest));
  });
}
