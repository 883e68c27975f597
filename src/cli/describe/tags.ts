// The per-tag blocks of `describe`: source line, import state, history.
// Tracking tags (symlinks within the stream) are listed next to the tag
// they follow, as oc does: "latest (stable, prod)".
import type { ImageStream, NamedTagEventList, TagReference } from "../../api/types.js";
import { compareTagPriority } from "../../reconcile/bulk.js";
import { classifySource, findStatusTag, isImportPending } from "../../reconcile/index.js";
import { pinState } from "../rollback/pin.js";
import { ago } from "./age.js";

/** Every tag in spec or status, most important first (latest, newest versions, the rest). */
export function tagNames(stream: ImageStream): string[] {
  const names = new Set<string>();
  for (const t of stream.status?.tags ?? []) names.add(t.tag);
  for (const t of stream.spec?.tags ?? []) names.add(t.name);
  return [...names].sort(compareTagPriority);
}

function specTag(stream: ImageStream, name: string): TagReference | undefined {
  return stream.spec?.tags?.find((t) => t.name === name);
}

/** alias -> the tag it finally tracks, for chains that end at an existing spec tag. */
export function trackingTargets(stream: ImageStream): Map<string, string> {
  const targets = new Map<string, string>();
  for (const tag of stream.spec?.tags ?? []) {
    const seen = new Set([tag.name]);
    let current: TagReference | undefined = tag;
    let source = classifySource(stream, tag);
    while (current && source.kind === "tracking" && !seen.has(source.sourceTag)) {
      seen.add(source.sourceTag);
      current = specTag(stream, source.sourceTag);
      if (current) source = classifySource(stream, current);
    }
    if (seen.size > 1 && current && source.kind !== "tracking") targets.set(tag.name, current.name);
  }
  return targets;
}

function sourceName(stream: ImageStream, tag: TagReference): string {
  const from = tag.from;
  if (!from) return "";
  return from.namespace && from.namespace !== stream.metadata.namespace
    ? `${from.namespace}/${from.name}`
    : from.name;
}

/** oc's words for a spec tag's source ("  tagged from X", "  updates automatically from registry X"...). */
export function sourceLine(stream: ImageStream, tag: TagReference | undefined): string {
  if (!tag) return "  no spec tag";
  if (!tag.from) return "  tag without source image";
  const name = sourceName(stream, tag);
  const reference = tag.reference === true;
  const scheduled = tag.importPolicy?.scheduled === true;
  switch (tag.from.kind) {
    case "DockerImage":
      if (reference) return `  reference to registry ${name}`;
      return scheduled ? `  updates automatically from registry ${name}` : `  tagged from ${name}`;
    case "ImageStreamTag":
      if (reference) return `  reference to ${name}`;
      return scheduled ? `  updates automatically from ${name}` : `  tagged from ${name}`;
    case "ImageStreamImage":
      return reference ? `  reference to image ${name}` : `  tagged from ${name}`;
    default:
      return reference
        ? `  reference to ${tag.from.kind} ${name}`
        : `  updates from ${tag.from.kind} ${name}`;
  }
}

function policyLines(tag: TagReference | undefined): string[] {
  const lines: string[] = [];
  if (tag?.importPolicy?.insecure) lines.push("    will use insecure HTTPS or HTTP connections");
  if (tag?.importPolicy?.importMode === "PreserveOriginal") {
    lines.push("    imports every platform of a manifest list (PreserveOriginal)");
  }
  if (tag?.referencePolicy?.type === "Local") {
    lines.push("    prefer registry pullthrough when referencing this tag");
  }
  return lines;
}

/** A tag a rollback pinned (ADR 0025): what it followed before, and how to go back to it. */
function pinLines(stream: ImageStream, name: string): string[] {
  const pin = pinState(stream, name);
  if (pin.state !== "pinned") return [];
  const before = sourceLine(stream, { name, ...pin.record.previous }).trim();
  return [
    `    pinned by a rollback; before it: ${before}`,
    `    (kubectl imagestream rollback --undo ${stream.metadata.name}:${name} restores it)`,
  ];
}

/** The sample-catalog annotations oc shows under a tag. */
function annotationLines(tag: TagReference | undefined): string[] {
  const a = tag?.annotations ?? {};
  const lines: string[] = [];
  if (a.description) lines.push(`  ${a.description}`);
  if (a.tags) lines.push(`  Tags: ${a.tags.split(",").join(", ")}`);
  if (a.supports) lines.push(`  Supports: ${a.supports.split(",").join(", ")}`);
  if (a.sampleRepo) lines.push(`  Example Repo: ${a.sampleRepo}`);
  return lines.length > 0 ? [...lines, ""] : [];
}

function conditionLines(status: NamedTagEventList | undefined, now: Date): string[] {
  return (status?.conditions ?? [])
    .filter((c) => c.type === "ImportSuccess" && c.status === "False")
    .flatMap((c) => [
      `  ! error: Import failed (${c.reason ?? "Unknown"}): ${c.message ?? ""}`,
      `      ${ago(c.lastTransitionTime, now)}`,
    ]);
}

function historyLines(status: NamedTagEventList | undefined, now: Date): string[] {
  return (status?.items ?? []).flatMap((item, index) => [
    `  ${index === 0 ? "*" : " "} ${item.dockerImageReference}`,
    `      ${ago(item.created, now)}${item.image ? `   ${item.image}` : ""}`,
  ]);
}

export function formatTagBlock(
  stream: ImageStream,
  name: string,
  aliases: string[],
  now: Date,
): string {
  const tag = specTag(stream, name);
  const status = findStatusTag(stream, name);
  const lines = [
    aliases.length > 0 ? `${name} (${aliases.sort(compareTagPriority).join(", ")})` : name,
    sourceLine(stream, tag),
    ...policyLines(tag),
    ...pinLines(stream, name),
    "",
    ...annotationLines(tag),
  ];
  if (isImportPending(stream, name)) lines.push("  ~ importing latest image ...");
  lines.push(...conditionLines(status, now), ...historyLines(status, now));
  while (lines.at(-1) === "") lines.pop();
  return lines.join("\n");
}

export function formatTagBlocks(stream: ImageStream, now: Date): string[] {
  const targets = trackingTargets(stream);
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, target] of targets)
    aliasesOf.set(target, [...(aliasesOf.get(target) ?? []), alias]);
  return tagNames(stream)
    .filter((name) => !targets.has(name))
    .map((name) => formatTagBlock(stream, name, aliasesOf.get(name) ?? [], now));
}
