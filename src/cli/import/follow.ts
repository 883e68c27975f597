// Following a tag through tracking tags of the same stream to the tag that
// names a source, as oc import-image does: re-importing `latest` that tracks
// `v2` re-imports `v2`.
import type { ImageStream, TagReference } from "../../api/types.js";
import { CliError } from "../errors.js";

export interface FollowedTag {
  /** the tag that names a source (the requested one when it tracks nothing) */
  name: string;
  tag: TagReference;
  /** whether at least one tracking tag was followed */
  followed: boolean;
}

/** The stream-local tag an ImageStreamTag source tracks, or undefined when it is no tracking tag. */
function trackedTag(stream: ImageStream, tag: TagReference): string | undefined {
  const from = tag.from;
  if (from?.kind !== "ImageStreamTag") return undefined;
  const [streamName, tagName] = from.name.includes(":")
    ? from.name.split(":", 2)
    : [stream.metadata.name, from.name];
  const otherNamespace = from.namespace && from.namespace !== stream.metadata.namespace;
  if (otherNamespace || streamName !== stream.metadata.name) {
    throw new CliError(`tag "${tag.name}" points to an imagestreamtag from another ImageStream`);
  }
  return tagName;
}

/** undefined when the requested tag is not in spec. */
export function followTag(stream: ImageStream, name: string): FollowedTag | undefined {
  const specTags = new Map((stream.spec?.tags ?? []).map((t) => [t.name, t]));
  let current = specTags.get(name);
  if (!current) return undefined;
  const seen = new Set([name]);
  for (;;) {
    const next = trackedTag(stream, current);
    if (next === undefined) return { name: current.name, tag: current, followed: seen.size > 1 };
    if (seen.has(next)) {
      throw new CliError(`tag "${name}" on the image stream is a reference to same tag`);
    }
    const target = specTags.get(next);
    if (!target) throw new CliError(`tag "${name}" points to tag "${next}", which does not exist`);
    seen.add(next);
    current = target;
  }
}
