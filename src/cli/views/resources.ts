// Which view a command names and the objects it asks for: `istag NAME...`,
// `istag/NAME`, `isimage NAME...`, `isimage/NAME`, with kubectl's long and
// group-qualified resource names too. Names are validated here so that a
// typo is a usage error, not a request.
import { parseImageViewName, parseTagViewName, VIEWS_GROUP } from "../../reconcile/image-views.js";
import { CliError } from "../errors.js";
import { validateStreamName, validateTagName } from "../names.js";

export type ViewResource = "istag" | "isimage";

const ALIASES: Record<ViewResource, string[]> = {
  istag: ["istag", "istags", "imagestreamtag", "imagestreamtags"],
  isimage: ["isimage", "isimages", "imagestreamimage", "imagestreamimages"],
};

/** istag, imagestreamtags, imagestreamtag.image.imagestream-operator.io, ... */
export function viewResource(word: string): ViewResource | undefined {
  const lower = word.toLowerCase();
  const bare = lower.endsWith(`.${VIEWS_GROUP}`)
    ? lower.slice(0, -VIEWS_GROUP.length - 1)
    : lower.endsWith(".image.openshift.io")
      ? lower.slice(0, -".image.openshift.io".length)
      : lower;
  for (const [resource, names] of Object.entries(ALIASES)) {
    if (names.includes(bare)) return resource as ViewResource;
  }
  return undefined;
}

export interface TagName {
  stream: string;
  tag: string;
}

export interface ImageName {
  stream: string;
  digest: string;
}

/** `stream:tag`; a bare `stream` means its latest tag, as oc describe istag reads it. */
export function parseTagName(name: string): TagName {
  const parsed = name.includes(":") ? parseTagViewName(name) : { stream: name, tag: "latest" };
  if (!parsed)
    throw new CliError(`"${name}" is not a valid image stream tag name: use <stream>:<tag>`);
  validateStreamName(parsed.stream);
  validateTagName(parsed.tag);
  return parsed;
}

/** `stream@sha256:<hex>` (a unique prefix of the hex accepted). */
export function parseImageName(name: string): ImageName {
  const parsed = parseImageViewName(name);
  if (!parsed) {
    throw new CliError(
      `"${name}" is not a valid image stream image name: use <stream>@sha256:<digest or unique prefix>`,
    );
  }
  validateStreamName(parsed.stream);
  return parsed;
}

export interface ViewTarget {
  resource: ViewResource;
  /** the names as given (without the resource/ prefix) */
  names: string[];
}

/**
 * `RESOURCE NAME...` or `RESOURCE/NAME...` (one resource for all); undefined
 * when the first word names no view (the caller may handle other kinds).
 */
export function parseViewTarget(positionals: readonly string[]): ViewTarget | undefined {
  const [first, ...rest] = positionals;
  if (first === undefined) return undefined;
  const direct = viewResource(first);
  if (direct) return { resource: direct, names: rest.map((n) => stripPrefix(n, direct)) };
  const slash = first.indexOf("/");
  const resource = slash > 0 ? viewResource(first.slice(0, slash)) : undefined;
  if (!resource) return undefined;
  return { resource, names: positionals.map((n) => stripPrefix(n, resource)) };
}

function stripPrefix(arg: string, resource: ViewResource): string {
  const slash = arg.indexOf("/");
  if (slash < 0) return arg;
  const named = viewResource(arg.slice(0, slash));
  if (named !== resource) {
    throw new CliError(`"${arg}": name one kind of object per command (${resource} here)`);
  }
  return arg.slice(slash + 1);
}
