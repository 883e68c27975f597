// The revisions of a tag (pure): its status history numbered as
// `kubectl rollout history` numbers revisions, the oldest kept item 1 and
// the newest the highest, listed newest first. Numbers are positions in the
// history the stream holds now: once the operator trims the oldest items
// (ADR 0012) they shift, so scripts should roll back by digest.
import type { ImageStream, TagEvent } from "../../api/types.js";
import { findStatusTag } from "../../reconcile/index.js";
import { ago } from "../describe/age.js";
import { sourceLine } from "../describe/tags.js";
import { CliError } from "../errors.js";
import { type PinState, pinState } from "../rollback/pin.js";
import { formatTable } from "../table.js";

export interface Revision {
  revision: number;
  event: TagEvent;
  /** the item the tag points at now (items[0]) */
  current: boolean;
}

/** Newest first. */
export function revisions(stream: ImageStream, tag: string): Revision[] {
  const items = findStatusTag(stream, tag)?.items ?? [];
  return items.map((event, i) => ({ revision: items.length - i, event, current: i === 0 }));
}

/** The tag's revisions, or why it has none. */
export function requireRevisions(stream: ImageStream, tag: string, display: string): Revision[] {
  const found = revisions(stream, tag);
  if (found.length > 0) return found;
  const known = stream.spec?.tags?.some((t) => t.name === tag) || findStatusTag(stream, tag);
  throw new CliError(
    known
      ? `tag ${display} has no history yet: the operator has not recorded an image for it`
      : `tag ${display} does not exist on image stream ${stream.metadata.namespace}/${stream.metadata.name}`,
  );
}

/** What the tag follows, in describe's words, e.g. "updates automatically from registry X". */
export function followsText(stream: ImageStream, tag: string): string {
  const spec = stream.spec?.tags?.find((t) => t.name === tag);
  return sourceLine(stream, spec).trim();
}

function pinLines(stream: ImageStream, tag: string, display: string, pin: PinState): string[] {
  if (pin.state !== "pinned") return [];
  const before = sourceLine(stream, { name: tag, ...pin.record.previous }).trim();
  return [
    `Pinned by a rollback to ${pin.record.image} (before it: ${before}).`,
    `Undo with: kubectl imagestream rollback --undo ${display}`,
  ];
}

export function formatHistory(
  stream: ImageStream,
  tag: string,
  display: string,
  now: Date,
): string {
  const rows = requireRevisions(stream, tag, display).map((r) => [
    `${r.current ? "*" : " "} ${r.revision}`,
    ago(r.event.created, now),
    r.event.image || "<none>",
    r.event.dockerImageReference,
  ]);
  const header = [
    `${display}: ${followsText(stream, tag)}`,
    ...pinLines(stream, tag, display, pinState(stream, tag)),
  ];
  return `${header.join("\n")}\n\n${formatTable(["REVISION", "CREATED", "DIGEST", "REFERENCE"], rows)}`;
}
