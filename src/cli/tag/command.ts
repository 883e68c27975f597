// `kubectl imagestream tag`: resolve SOURCE (reading the source stream for a
// copy), then write each destination's spec tag. The operator does the
// import; this command returns as soon as the spec is written, as oc does.
import type { ImageStream } from "../../api/types.js";
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
  crossNamespaceRefusal,
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
  sourceNamespace,
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
  const { source, stream } = await resolveSource(session, options);
  const refusals = await crossNamespaceRefusals(session, source, stream, destinations);
  if (refusals.length > 0) {
    for (const refusal of refusals) io.err(`error: ${refusal}`);
    return 1;
  }
  for (const dest of destinations) {
    await setTag(session, options, source, dest);
    io.out(setMessage(options, source, dest, session.namespace));
  }
  return 0;
}

async function resolveSource(
  session: Session,
  o: SetOptions,
): Promise<{ source: ResolvedSource; stream?: ImageStream }> {
  if (!needsSourceStream(o)) return { source: resolveDirect(o.source) };
  const namespace = o.source.namespace ?? session.namespace;
  const stream = await session.streams.get(namespace, o.source.stream);
  if (!stream) throw new CliError(`image stream "${namespace}/${o.source.stream}" not found`);
  return { source: resolveCopy(o.source, stream), stream };
}

/** Destinations the operator would refuse, read with the source stream (ADR 0004). */
async function crossNamespaceRefusals(
  session: Session,
  source: ResolvedSource,
  known: ImageStream | undefined,
  destinations: StreamTagName[],
): Promise<string[]> {
  const from = sourceNamespace(source, session.namespace);
  if (source.kind === "DockerImage" || destinations.every((d) => d.namespace === from)) return [];
  let stream = known;
  if (!stream) {
    try {
      stream = await session.streams.get(from, source.name.split(/[:@]/)[0] ?? source.name);
    } catch (error) {
      // a stream this user cannot read: the operator decides, as it would anyway
      if (error instanceof CliError) return [];
      throw error;
    }
  }
  return destinations.flatMap(
    (dest) => crossNamespaceRefusal(source, stream, dest, session.namespace) ?? [],
  );
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
