// `kubectl imagestream rollback [NS/]STREAM:TAG [--to-revision=N | --to=DIGEST]`
// points the tag at an earlier image of its history (a pin the operator
// resolves from the stream, never re-imported) and remembers what the tag
// followed; `rollback --undo` restores that. Both wait until the operator
// recorded the result, so triggered workloads are already rolling when the
// command returns.
import type { ImageStream } from "../../api/types.js";
import { sourceLine } from "../describe/tags.js";
import { CliError } from "../errors.js";
import { ROLLBACK_HELP } from "../help.js";
import { followsText } from "../history/plan.js";
import { type TagProgress, tagProgress } from "../import/progress.js";
import type { Io } from "../io.js";
import { openSession, type Session } from "../kube.js";
import { displayTag, parseStreamTag, type StreamTagName } from "../names.js";
import { withConflictRetry } from "../streams.js";
import { parseRollbackArgs, type RollbackOptions } from "./options.js";
import { describeEvent, planRollback, planUndo, settingsList } from "./plan.js";

const POLL_MS = 500;

async function readStream(session: Session, t: StreamTagName): Promise<ImageStream> {
  const stream = await session.streams.get(t.namespace, t.name);
  if (!stream) throw new CliError(`image stream "${t.namespace}/${t.name}" not found`);
  return stream;
}

/** Polls until the operator answered the request the write made (generation 0). */
async function waitForOutcome(
  session: Session,
  t: StreamTagName,
  timeoutMs: number,
): Promise<TagProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = tagProgress(await readStream(session, t), t.tag);
    if (progress.state !== "requested" && progress.state !== "importing") return progress;
    if (Date.now() >= deadline) return progress;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function outcomeError(display: string, p: TagProgress, timeoutMs: number): CliError {
  const seconds = `${Math.round(timeoutMs / 1000)}s`;
  switch (p.state) {
    case "failed":
      return new CliError(`tag ${display} failed: ${p.reason}: ${p.message}`);
    case "removed":
      return new CliError(`tag ${display} was removed from the image stream while waiting`);
    case "requested":
      return new CliError(
        `tag ${display}: the operator did not pick up the change within ${seconds} (is the imagestream operator running?)`,
      );
    default:
      return new CliError(`tag ${display}: timed out after ${seconds} waiting for the operator`);
  }
}

async function rollback(
  session: Session,
  o: RollbackOptions,
  t: StreamTagName,
  io: Io,
): Promise<number> {
  const display = displayTag(t, session.namespace);
  const { plan, stream } = await withConflictRetry(async () => {
    const read = await readStream(session, t);
    const p = planRollback(read, t.tag, o.to, display, new Date());
    await session.streams.patch(t.namespace, t.name, p.ops);
    return { plan: p, stream: read };
  });
  const outcome = await waitForOutcome(session, t, o.timeoutMs);
  if (outcome.state !== "imported" || outcome.event.image !== plan.to.event.image) {
    throw outcomeError(display, outcome, o.timeoutMs);
  }
  const followed = [sourceLine(stream, plan.previous).trim(), ...settingsList(plan.previous)];
  io.out(
    [
      `Tag ${display} rolled back to revision ${plan.to.revision}: ${describeEvent(outcome.event)} (was revision ${plan.from.revision}: ${plan.from.event.image}).`,
      `Tag ${display} is pinned to that image: it no longer follows its source (${followed.join("; ")}).`,
      `Run 'kubectl imagestream rollback --undo ${display}' to restore the source, the schedule and the import settings.`,
    ].join("\n"),
  );
  return 0;
}

async function undo(
  session: Session,
  o: RollbackOptions,
  t: StreamTagName,
  io: Io,
): Promise<number> {
  const display = displayTag(t, session.namespace);
  const { plan, stream } = await withConflictRetry(async () => {
    const read = await readStream(session, t);
    const p = planUndo(read, t.tag, display);
    return { plan: p, stream: await session.streams.patch(t.namespace, t.name, p.ops) };
  });
  const outcome = await waitForOutcome(session, t, o.timeoutMs);
  const follows = [followsText(stream, t.tag), ...settingsList(plan.restored)];
  io.out(`Tag ${display} is no longer pinned to ${plan.pinned}: ${follows.join("; ")}.`);
  if (outcome.state !== "imported") throw outcomeError(display, outcome, o.timeoutMs);
  io.out(`Tag ${display} imported: ${describeEvent(outcome.event)}`);
  return 0;
}

export async function runRollback(args: readonly string[], io: Io): Promise<number> {
  const options = parseRollbackArgs(args);
  if ("help" in options) {
    io.out(ROLLBACK_HELP);
    return 0;
  }
  const session = openSession(options.global);
  const target = parseStreamTag(options.target, session.namespace);
  return options.undo ? undo(session, options, target, io) : rollback(session, options, target, io);
}
