// What a rollback remembers (ADR 0025): `oc tag stream@digest stream:tag`
// replaces the spec tag, so its source, schedule and import settings are
// gone. A rollback here writes the same pin (from: ImageStreamImage
// stream@digest, which the operator resolves from the stream's own history
// and never re-imports), and keeps the spec tag it replaced in an annotation
// on the stream, so `rollback --undo` can put it back. Pure.
import type { ImageStream, ObjectReference, TagReference } from "../../api/types.js";

/** JSON object: tag -> PinRecord. */
export const ANN_PINNED_TAGS = "imagestream-operator.io/pinned-tags";

/** The spec tag as the rollback found it, without what belongs to the tag's name or request state. */
export type SavedTag = Omit<TagReference, "name" | "generation">;

export interface PinRecord {
  /** the digest the rollback pinned the tag to */
  image: string;
  /** the spec tag the first rollback replaced (later rollbacks keep it) */
  previous: SavedTag;
  /** RFC 3339, when the tag was last pinned */
  pinnedAt: string;
}

function isRecord(value: unknown): value is PinRecord {
  const r = value as PinRecord;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.image === "string" &&
    typeof r.previous === "object" &&
    r.previous !== null
  );
}

/** Every well-formed record of the stream; a damaged annotation reads as none. */
export function pinRecords(stream: ImageStream): Record<string, PinRecord> {
  const raw = stream.metadata.annotations?.[ANN_PINNED_TAGS];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => isRecord(v)));
  } catch {
    return {};
  }
}

/** The source a pin writes: an image of the stream itself. */
export function pinSource(stream: ImageStream, digest: string): ObjectReference {
  return { kind: "ImageStreamImage", name: `${stream.metadata.name}@${digest}` };
}

function isPinnedBy(
  stream: ImageStream,
  tag: TagReference | undefined,
  record: PinRecord,
): boolean {
  const from = tag?.from;
  if (from?.kind !== "ImageStreamImage") return false;
  const sameNamespace = !from.namespace || from.namespace === stream.metadata.namespace;
  return sameNamespace && from.name === pinSource(stream, record.image).name;
}

export type PinState =
  | { state: "none" }
  /** the spec tag is still the pin the rollback wrote */
  | { state: "pinned"; record: PinRecord }
  /** a record exists, but the spec tag was changed since (by tag, an edit...): it is not restored */
  | { state: "stale"; record: PinRecord };

export function pinState(stream: ImageStream, tagName: string): PinState {
  const record = pinRecords(stream)[tagName];
  if (!record) return { state: "none" };
  const tag = stream.spec?.tags?.find((t) => t.name === tagName);
  return isPinnedBy(stream, tag, record) ? { state: "pinned", record } : { state: "stale", record };
}

/** The spec tag without its name and generation: what a record keeps. */
export function savedTag(tag: TagReference): SavedTag {
  const { name: _name, generation: _generation, ...rest } = tag;
  return rest;
}
