// `rollback` and `rollback --undo` as writes (pure): which history item the
// tag goes back to, the pin that points it there, and the record that lets
// --undo restore what the tag followed (pin.ts, ADR 0025). Every patch is
// guarded by the stream's resourceVersion (writes.ts), so a concurrent
// writer makes the command re-read and plan again.
import type { ImageStream, TagEvent, TagReference } from "../../api/types.js";
import { formatTime } from "../../reconcile/index.js";
import { CliError } from "../errors.js";
import { type Revision, requireRevisions } from "../history/plan.js";
import type { PatchOp } from "../streams.js";
import { pointerSegment, putTagOps, resourceVersionGuard } from "../writes.js";
import {
  ANN_PINNED_TAGS,
  type PinRecord,
  pinRecords,
  pinSource,
  pinState,
  savedTag,
} from "./pin.js";

export type RollbackTarget =
  | { kind: "previous" }
  | { kind: "revision"; revision: number }
  | { kind: "digest"; digest: string };

export interface RollbackPlan {
  ops: PatchOp[];
  from: Revision;
  to: Revision;
  /** the spec tag the pin replaces and --undo restores */
  previous: TagReference;
  /** the tag was already pinned by an earlier rollback */
  repinned: boolean;
}

function pickTarget(history: Revision[], target: RollbackTarget, display: string): Revision {
  const current = history[0] as Revision;
  switch (target.kind) {
    case "previous": {
      const older = history.find((r) => r.event.image && r.event.image !== current.event.image);
      if (!older) throw new CliError(`tag ${display} has no earlier image to roll back to`);
      return older;
    }
    case "revision": {
      const found = history.find((r) => r.revision === target.revision);
      if (!found) {
        throw new CliError(
          `tag ${display} has no revision ${target.revision}: it has revisions 1 to ${history.length}`,
        );
      }
      return found;
    }
    case "digest": {
      const wanted = target.digest.includes(":") ? target.digest : `sha256:${target.digest}`;
      const images = new Set(history.map((r) => r.event.image).filter((i) => i.startsWith(wanted)));
      if (images.size > 1)
        throw new CliError(`several images of tag ${display} match "${target.digest}"`);
      const found = history.find((r) => images.has(r.event.image));
      if (!found)
        throw new CliError(`image ${target.digest} is not in the history of tag ${display}`);
      return found;
    }
  }
}

/** Sets the annotation to the given records (removes it when there are none). */
function recordOps(stream: ImageStream, records: Record<string, PinRecord>): PatchOp[] {
  const annotations = stream.metadata.annotations;
  const path = `/metadata/annotations/${pointerSegment(ANN_PINNED_TAGS)}`;
  if (Object.keys(records).length === 0) {
    return annotations && ANN_PINNED_TAGS in annotations ? [{ op: "remove", path }] : [];
  }
  const value = JSON.stringify(records);
  if (!annotations)
    return [{ op: "add", path: "/metadata/annotations", value: { [ANN_PINNED_TAGS]: value } }];
  return [{ op: "add", path, value }];
}

function pinnedTag(stream: ImageStream, tag: TagReference, digest: string): TagReference {
  return {
    name: tag.name,
    ...(tag.annotations ? { annotations: tag.annotations } : {}),
    from: pinSource(stream, digest),
    reference: false,
    ...(tag.referencePolicy ? { referencePolicy: tag.referencePolicy } : {}),
    generation: 0,
  };
}

export function planRollback(
  stream: ImageStream,
  tagName: string,
  target: RollbackTarget,
  display: string,
  now: Date,
): RollbackPlan {
  const history = requireRevisions(stream, tagName, display);
  const spec = stream.spec?.tags?.find((t) => t.name === tagName);
  if (!spec) {
    throw new CliError(`tag ${display} has no spec tag (it only has status): nothing to pin`);
  }
  const from = history[0] as Revision;
  const to = pickTarget(history, target, display);
  if (!to.event.image) {
    throw new CliError(
      `revision ${to.revision} of tag ${display} has no image digest (a reference tag)`,
    );
  }
  if (to.event.image === from.event.image) {
    throw new CliError(
      `tag ${display} already points at ${to.event.image} (revision ${from.revision})`,
    );
  }
  const pin = pinState(stream, tagName);
  const previous: TagReference =
    pin.state === "pinned" ? { name: tagName, ...pin.record.previous } : spec;
  const records = {
    ...pinRecords(stream),
    [tagName]: { image: to.event.image, previous: savedTag(previous), pinnedAt: formatTime(now) },
  };
  const ops = [
    ...resourceVersionGuard(stream),
    ...putTagOps(stream, pinnedTag(stream, spec, to.event.image)),
    ...recordOps(stream, records),
  ];
  return { ops, from, to, previous, repinned: pin.state === "pinned" };
}

export interface UndoPlan {
  ops: PatchOp[];
  restored: TagReference;
  /** the image the tag was pinned to */
  pinned: string;
}

export function planUndo(stream: ImageStream, tagName: string, display: string): UndoPlan {
  const pin = pinState(stream, tagName);
  if (pin.state === "none")
    throw new CliError(`tag ${display} is not pinned by a rollback: nothing to undo`);
  if (pin.state === "stale") {
    throw new CliError(
      `tag ${display} was changed after its rollback to ${pin.record.image}: nothing to undo (it keeps its current source)`,
    );
  }
  const restored: TagReference = { name: tagName, ...pin.record.previous, generation: 0 };
  const { [tagName]: _undone, ...rest } = pinRecords(stream);
  const ops = [
    ...resourceVersionGuard(stream),
    ...putTagOps(stream, restored),
    ...recordOps(stream, rest),
  ];
  return { ops, restored, pinned: pin.record.image };
}

/** The import settings worth naming next to a source: they come back with --undo. */
export function settingsList(tag: TagReference): string[] {
  const settings: string[] = [];
  if (tag.importPolicy?.scheduled) settings.push("scheduled");
  if (tag.importPolicy?.insecure) settings.push("insecure");
  if (tag.importPolicy?.importMode) settings.push(`import mode ${tag.importPolicy.importMode}`);
  if (tag.referencePolicy?.type) settings.push(`reference policy ${tag.referencePolicy.type}`);
  if (tag.reference) settings.push("reference only");
  return settings.length > 0 ? [settings.join(", ")] : [];
}

export function describeEvent(event: TagEvent): string {
  return event.dockerImageReference.endsWith(event.image)
    ? event.dockerImageReference
    : `${event.dockerImageReference} (${event.image})`;
}
