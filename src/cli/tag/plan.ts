// What `tag` writes, planned from what it read (pure). oc replaces the whole
// spec tag: from, reference, insecure and scheduled are exactly what the
// flags say (so re-running without --scheduled stops the schedule, as
// OpenShift documents). We keep what no flag was given for: the tag's
// annotations, its import mode and its reference policy.
import type {
  ImageStream,
  ObjectReference,
  TagImportPolicy,
  TagReference,
  TagSourceKind,
} from "../../api/types.js";
import { crossNamespaceDeniedMessage, isCrossNamespaceAllowed } from "../../reconcile/index.js";
import { CliError } from "../errors.js";
import { displayTag, type StreamTagName } from "../names.js";
import {
  newStream,
  putTagOps,
  removeTagOps,
  resourceVersionGuard,
  type StreamWrite,
} from "../writes.js";
import type { TagOptions } from "./options.js";
import { displaySource, type StreamSource, type TagSource } from "./source.js";

export type SetOptions = Extract<TagOptions, { kind: "set" }>;

/** The source after client-side resolution: what from will hold. */
export interface ResolvedSource {
  kind: TagSourceKind;
  name: string;
  /** the namespace SOURCE named, if any */
  namespace?: string;
  /** how messages show it */
  display: string;
}

/** Without --alias, an ImageStreamTag is copied: it needs the source stream's current image. */
export function needsSourceStream(o: SetOptions): o is SetOptions & { source: StreamSource } {
  return o.source.kind === "ImageStreamTag" && !o.alias;
}

/**
 * The copy of `stream:tag`: its current image as `stream@digest`
 * (ImageStreamImage), or its pull spec when the tag records no image (a
 * reference tag), as oc does.
 */
export function resolveCopy(source: StreamSource, sourceStream: ImageStream): ResolvedSource {
  const head = sourceStream.status?.tags?.find((t) => t.tag === source.tag)?.items?.[0];
  if (!head) {
    throw new CliError(
      `"${displaySource(source)}" is not currently pointing to an image, cannot use it as the source of a tag`,
    );
  }
  if (!head.image) {
    return {
      kind: "DockerImage",
      name: head.dockerImageReference,
      display: head.dockerImageReference,
    };
  }
  const name = `${source.stream}@${head.image}`;
  const resolved: ResolvedSource = { kind: "ImageStreamImage", name, display: name };
  if (source.namespace) {
    resolved.namespace = source.namespace;
    resolved.display = `${source.namespace}/${name}`;
  }
  return resolved;
}

/** Every source but a copied ImageStreamTag resolves without I/O. */
export function resolveDirect(source: TagSource): ResolvedSource {
  const display = displaySource(source);
  if (source.kind === "DockerImage")
    return { kind: "DockerImage", name: source.reference, display };
  const name =
    source.kind === "ImageStreamTag"
      ? `${source.stream}:${source.tag}`
      : `${source.stream}@${source.id}`;
  return {
    kind: source.kind,
    name,
    display,
    ...(source.namespace ? { namespace: source.namespace } : {}),
  };
}

/** --alias makes a tracking tag, which only exists within one stream. */
export function checkAlias(o: SetOptions, destinations: StreamTagName[], namespace: string): void {
  if (!o.alias) return;
  const source = o.source;
  for (const dest of destinations) {
    const sameStream =
      source.kind !== "DockerImage" &&
      (source.namespace ?? namespace) === dest.namespace &&
      source.stream === dest.name;
    if (!sameStream) throw new CliError("cannot set alias across different Image Streams");
    if (source.kind === "ImageStreamTag" && source.tag === dest.tag) {
      throw new CliError(`tag ${dest.tag} cannot track itself`);
    }
  }
}

function fromReference(
  source: ResolvedSource,
  dest: StreamTagName,
  namespace: string,
): ObjectReference {
  const from: ObjectReference = { kind: source.kind, name: source.name };
  if (source.kind === "DockerImage") return from;
  // a stream named without namespace lives in the current one, not the destination's
  const sourceNamespace =
    source.namespace ?? (dest.namespace !== namespace ? namespace : undefined);
  if (sourceNamespace) from.namespace = sourceNamespace;
  return from;
}

/** The whole new spec tag; generation 0 asks the operator to import (or resolve) it now. */
export function desiredTag(
  o: SetOptions,
  source: ResolvedSource,
  dest: StreamTagName,
  namespace: string,
  existing: TagReference | undefined,
): TagReference {
  const importPolicy: TagImportPolicy = {};
  if (o.insecure) importPolicy.insecure = true;
  if (o.scheduled) importPolicy.scheduled = true;
  const importMode = o.importMode ?? existing?.importPolicy?.importMode;
  if (importMode) importPolicy.importMode = importMode;
  const tag: TagReference = {
    name: dest.tag,
    from: fromReference(source, dest, namespace),
    generation: 0,
    importPolicy,
    referencePolicy: { type: o.referencePolicy ?? (existing?.referencePolicy?.type || "Source") },
  };
  if (o.reference) tag.reference = true;
  if (existing?.annotations) tag.annotations = existing.annotations;
  return tag;
}

/** The namespace of the stream SOURCE names: its own, else the current one. */
export function sourceNamespace(source: ResolvedSource, namespace: string): string {
  return source.namespace ?? namespace;
}

/**
 * The operator's refusal (ADR 0004) of a destination in another namespace
 * than a source stream that does not share with it; undefined when it will
 * use the source. Said before anything is written, instead of a tag that
 * fails Forbidden later.
 */
export function crossNamespaceRefusal(
  source: ResolvedSource,
  sourceStream: ImageStream | undefined,
  dest: StreamTagName,
  namespace: string,
): string | undefined {
  if (source.kind === "DockerImage") return undefined;
  const from = sourceNamespace(source, namespace);
  if (from === dest.namespace) return undefined;
  if (sourceStream && isCrossNamespaceAllowed(sourceStream, dest.namespace)) return undefined;
  const stream = source.name.split(/[:@]/)[0] ?? source.name;
  return (
    `the operator would refuse tag ${displayTag(dest, namespace)}: ` +
    `${crossNamespaceDeniedMessage({ namespace: from, name: stream }, dest.namespace)}; nothing was written`
  );
}

export function planSetTag(
  stream: ImageStream | undefined,
  tag: TagReference,
  dest: StreamTagName,
): StreamWrite {
  if (!stream) return { kind: "create", stream: newStream(dest.namespace, dest.name, [tag]) };
  return { kind: "patch", ops: [...resourceVersionGuard(stream), ...putTagOps(stream, tag)] };
}

export function planDeleteTag(stream: ImageStream | undefined, dest: StreamTagName): StreamWrite {
  if (!stream) throw new CliError(`image stream "${dest.namespace}/${dest.name}" not found`);
  const ops = removeTagOps(stream, dest.tag);
  if (!ops)
    throw new CliError(
      `destination tag ${dest.namespace}/${dest.name}:${dest.tag} does not exist.`,
    );
  return { kind: "patch", ops };
}

export function setMessage(
  o: SetOptions,
  source: ResolvedSource,
  dest: StreamTagName,
  namespace: string,
): string {
  const target = displayTag(dest, namespace);
  if (o.alias) return `Tag ${target} set up to track ${source.display}.`;
  if (o.scheduled) return `Tag ${target} set to import ${source.display} periodically.`;
  return `Tag ${target} set to ${source.display}.`;
}

export function deleteMessage(dest: StreamTagName): string {
  return `Deleted tag ${dest.namespace}/${dest.name}:${dest.tag}.`;
}
