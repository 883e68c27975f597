// Reading a spec tag: its fingerprint (what counts as a "change", ADR 0003),
// its effective import mode and what kind of source it names.

import { createHash } from "node:crypto";
import type { ImageStream, ImportMode, TagReference } from "../api/types.js";
import type { FailureReason, PlannerConfig } from "./types.js";

export function effectiveImportMode(tag: TagReference, cfg: PlannerConfig = {}): ImportMode {
  return tag.importPolicy?.importMode || cfg.defaultImportMode || "Legacy";
}

export function effectiveSourceNamespace(stream: ImageStream, tag: TagReference): string {
  return tag.from?.namespace || stream.metadata.namespace || "";
}

/**
 * The fields whose change makes OpenShift reset a tag's generation: from.kind,
 * from.name, effective from.namespace, reference, effective importMode.
 * insecure, scheduled and referencePolicy are deliberately left out.
 * Hashed so the status field stays short; sha256 is deterministic, not a secret.
 */
export function specFingerprint(
  stream: ImageStream,
  tag: TagReference,
  cfg: PlannerConfig = {},
): string {
  const fields = [
    tag.from?.kind ?? "",
    tag.from?.name ?? "",
    tag.from ? effectiveSourceNamespace(stream, tag) : "",
    tag.reference === true,
    effectiveImportMode(tag, cfg),
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex").slice(0, 16);
}

export function findSpecTag(stream: ImageStream, name: string): TagReference | undefined {
  return stream.spec?.tags?.find((t) => t.name === name);
}

const DIGEST_REFERENCE = /@[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** repo@sha256:...: such a tag is scheduled only until its first successful import. */
export function isDigestReference(reference: string): boolean {
  return DIGEST_REFERENCE.test(reference);
}

export type TagSource =
  | { kind: "none" }
  | { kind: "docker"; reference: string }
  | { kind: "reference"; reference: string }
  | { kind: "tracking"; sourceTag: string }
  | { kind: "copy-istag"; source: { namespace: string; name: string }; sourceTag: string }
  | { kind: "isimage"; source: { namespace: string; name: string }; imageId: string }
  | { kind: "invalid"; reason: FailureReason; message: string };

/** What the spec tag's from names, following OpenShift's parsing of `[stream:]tag` / `[stream@]id`. */
export function classifySource(stream: ImageStream, tag: TagReference): TagSource {
  const from = tag.from;
  if (!from) return { kind: "none" };
  const name = from.name ?? "";
  switch (from.kind) {
    case "DockerImage":
      if (name.trim() === "") return invalid(`spec tag ${tag.name} has an empty from.name`);
      return tag.reference === true
        ? { kind: "reference", reference: name }
        : { kind: "docker", reference: name };
    case "ImageStreamTag":
      return classifyStreamTag(stream, tag, name);
    case "ImageStreamImage":
      return classifyStreamImage(stream, tag, name);
    default:
      return invalid(
        `from.kind "${from.kind}" of spec tag ${tag.name} is not supported: use DockerImage, ImageStreamTag or ImageStreamImage`,
      );
  }
}

function classifyStreamTag(stream: ImageStream, tag: TagReference, name: string): TagSource {
  const parts = name.split(":");
  const [streamName, sourceTag] =
    parts.length === 1 ? [stream.metadata.name ?? "", parts[0]] : [parts[0], parts[1]];
  if (parts.length > 2 || !streamName || !sourceTag) {
    return invalid(
      `from.name "${name}" of spec tag ${tag.name} is not a valid ImageStreamTag: use <tag> or <stream>:<tag>`,
    );
  }
  const namespace = effectiveSourceNamespace(stream, tag);
  if (namespace === stream.metadata.namespace && streamName === stream.metadata.name) {
    if (sourceTag === tag.name) return invalid(`spec tag ${tag.name} cannot track itself`);
    return { kind: "tracking", sourceTag };
  }
  return { kind: "copy-istag", source: { namespace, name: streamName }, sourceTag };
}

function classifyStreamImage(stream: ImageStream, tag: TagReference, name: string): TagSource {
  const parts = name.split("@");
  const [streamName, imageId] =
    parts.length === 1 ? [stream.metadata.name ?? "", parts[0]] : [parts[0], parts[1]];
  if (parts.length > 2 || !streamName || !imageId) {
    return invalid(
      `from.name "${name}" of spec tag ${tag.name} is not a valid ImageStreamImage: use [<stream>@]<digest or unique prefix>`,
    );
  }
  const namespace = effectiveSourceNamespace(stream, tag);
  return { kind: "isimage", source: { namespace, name: streamName }, imageId };
}

function invalid(message: string): TagSource {
  return { kind: "invalid", reason: "InvalidReference", message };
}
