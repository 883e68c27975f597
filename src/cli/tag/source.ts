// What SOURCE of `tag` names, detected as oc does: a registry host makes it a
// container image (DockerImage), `@digest` an image of a stream
// (ImageStreamImage), `:tag` a tag of a stream (ImageStreamTag), anything
// else a container image on the default registry. --source forces the kind.
import type { TagSourceKind } from "../../api/types.js";
import { parseImageReference } from "../../registry/reference.js";
import { CliError, UsageError } from "../errors.js";

export interface DockerSource {
  kind: "DockerImage";
  /** as the user wrote it: OpenShift keeps from.name unnormalised */
  reference: string;
}

export interface StreamSource {
  kind: "ImageStreamTag" | "ImageStreamImage";
  /** set only when SOURCE named one (`ns/stream:tag`) */
  namespace?: string;
  stream: string;
  /** ImageStreamTag */
  tag?: string;
  /** ImageStreamImage: a digest or a unique prefix of one */
  id?: string;
}

export type TagSource = DockerSource | StreamSource;

const SOURCE_KINDS: Record<string, TagSourceKind> = {
  docker: "DockerImage",
  dockerimage: "DockerImage",
  istag: "ImageStreamTag",
  imagestreamtag: "ImageStreamTag",
  isimage: "ImageStreamImage",
  imagestreamimage: "ImageStreamImage",
};

export function parseSourceKind(value: string | undefined): TagSourceKind | undefined {
  if (value === undefined) return undefined;
  const kind = SOURCE_KINDS[value.toLowerCase()];
  if (!kind) {
    throw new UsageError(
      `invalid source "${value}"; valid values are ${Object.keys(SOURCE_KINDS).join(", ")}`,
      "tag",
    );
  }
  return kind;
}

interface SplitReference {
  registry?: string;
  path: string[];
  tag?: string;
  id?: string;
}

function looksLikeHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

function splitReference(input: string): SplitReference {
  const at = input.indexOf("@");
  const rest = at < 0 ? input : input.slice(0, at);
  const id = at < 0 ? undefined : input.slice(at + 1);
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > rest.lastIndexOf("/");
  const name = hasTag ? rest.slice(0, colon) : rest;
  const segments = name.split("/");
  const split: SplitReference = { path: segments };
  if (segments.length > 1 && looksLikeHost(segments[0] as string)) {
    split.registry = segments[0] as string;
    split.path = segments.slice(1);
  }
  if (hasTag) split.tag = rest.slice(colon + 1);
  if (id !== undefined) split.id = id;
  return split;
}

function dockerSource(input: string): DockerSource {
  try {
    parseImageReference(input);
  } catch (error) {
    throw new CliError(`invalid SOURCE: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { kind: "DockerImage", reference: input };
}

function autoKind(split: SplitReference): TagSourceKind {
  if (split.registry !== undefined || split.path.length > 2) return "DockerImage";
  if (split.id !== undefined) return "ImageStreamImage";
  if (split.tag !== undefined) return "ImageStreamTag";
  return "DockerImage";
}

function streamSource(
  input: string,
  kind: StreamSource["kind"],
  split: SplitReference,
): StreamSource {
  if (split.registry !== undefined) {
    throw new CliError("server in SOURCE is only allowed when providing a container image");
  }
  const [first = "", second] = split.path;
  if (split.path.length > 2 || first === "" || second === "") {
    throw new CliError(`invalid image stream in SOURCE "${input}"`);
  }
  const source: StreamSource =
    second === undefined ? { kind, stream: first } : { kind, namespace: first, stream: second };
  if (kind === "ImageStreamTag") {
    if (!split.tag || split.id !== undefined) {
      throw new CliError("--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE");
    }
    source.tag = split.tag;
  } else {
    if (!split.id || split.tag !== undefined) {
      throw new CliError("--source=ImageStreamImage requires a valid <name>@<id> in SOURCE");
    }
    source.id = split.id;
  }
  return source;
}

export function detectSource(input: string, forced?: TagSourceKind): TagSource {
  if (input.trim() === "") throw new CliError("a source is required");
  const split = splitReference(input);
  const kind = forced ?? autoKind(split);
  return kind === "DockerImage" ? dockerSource(input) : streamSource(input, kind, split);
}

/** SOURCE as messages show it (oc prints the reference as written). */
export function displaySource(source: TagSource): string {
  if (source.kind === "DockerImage") return source.reference;
  const prefix = source.namespace ? `${source.namespace}/` : "";
  return source.kind === "ImageStreamTag"
    ? `${prefix}${source.stream}:${source.tag}`
    : `${prefix}${source.stream}@${source.id}`;
}
