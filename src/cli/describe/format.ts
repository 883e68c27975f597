// `describe` output (pure, clock injected): OpenShift's `oc describe is`
// layout, a header of aligned fields, then one block per tag with its
// source, import state and history.
import type { ImageStream } from "../../api/types.js";
import { ago } from "./age.js";
import { formatTagBlocks, tagNames } from "./tags.js";

const KEY_WIDTH = 18;

function field(key: string, value: string): string {
  return `${`${key}:`.padEnd(KEY_WIDTH)}${value}`;
}

/** `k=v` pairs, sorted, one per line, continuation lines aligned with the value column. */
function mapField(key: string, map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return field(key, "<none>");
  const [first, ...rest] = entries.map(([k, v]) => `${k}=${v}`);
  return [
    field(key, first as string),
    ...rest.map((line) => `${" ".repeat(KEY_WIDTH)}${line}`),
  ].join("\n");
}

/** Distinct images in any tag's history; image-less (reference) entries count by pull spec. */
export function uniqueImages(stream: ImageStream): number {
  const seen = new Set<string>();
  for (const tag of stream.status?.tags ?? []) {
    for (const item of tag.items ?? []) {
      const key = item.image || item.dockerImageReference;
      if (key) seen.add(key);
    }
  }
  return seen.size;
}

export function describeStream(stream: ImageStream, now: Date): string {
  const status = stream.status;
  const repository = status?.publicDockerImageRepository || status?.dockerImageRepository;
  const names = tagNames(stream);
  const header = [
    field("Name", stream.metadata.name ?? ""),
    field("Namespace", stream.metadata.namespace ?? ""),
    field("Created", ago(stream.metadata.creationTimestamp, now)),
    mapField("Labels", stream.metadata.labels),
    mapField("Annotations", stream.metadata.annotations),
    field("Image Repository", repository || "<none>"),
    field("Image Lookup", `local=${stream.spec?.lookupPolicy?.local === true}`),
  ];
  const bulk = stream.spec?.dockerImageRepository?.trim();
  if (bulk) header.push(field("Repository", `imports all tags of ${bulk}`));
  if (names.length === 0) return [...header, field("Tags", "<none>")].join("\n");
  header.push(
    field("Unique Images", String(uniqueImages(stream))),
    field("Tags", String(names.length)),
  );
  return `${header.join("\n")}\n\n${formatTagBlocks(stream, now).join("\n\n")}`;
}
