// `kubectl imagestream get istag [STREAM:TAG...]` and `get isimage
// [STREAM@DIGEST...]`: the image views' objects (ADR 0021), read from their
// API when it is served, else built here from what the user may read, with a
// warning on stderr saying so (src/cli/views/reader.ts).
import {
  type ImageStreamImageView,
  type ImageStreamTagView,
  VIEWS_GROUP,
} from "../../reconcile/image-views.js";
import { imageTable, tagTable } from "../../reconcile/view-tables.js";
import { UsageError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { GET_HELP } from "../help.js";
import type { Io } from "../io.js";
import { currentNamespace, loadConfig } from "../kube.js";
import { formatObjects, type Printable, parseOutput } from "../output/print.js";
import { KubeViewReader, type ViewReader } from "../views/reader.js";
import {
  parseImageName,
  parseTagName,
  parseViewTarget,
  type ViewTarget,
} from "../views/resources.js";

const OPTIONS = { output: { type: "string", short: "o" } } as const;

async function tagObjects(
  reader: ViewReader,
  ns: string,
  names: string[],
): Promise<ImageStreamTagView[]> {
  if (names.length === 0) return reader.tags(ns);
  const views: ImageStreamTagView[] = [];
  for (const name of names) {
    const { stream, tag } = parseTagName(name);
    views.push(await reader.tag(ns, stream, tag));
  }
  return views;
}

async function imageObjects(
  reader: ViewReader,
  ns: string,
  names: string[],
): Promise<ImageStreamImageView[]> {
  if (names.length === 0) {
    throw new UsageError(
      "name the images: isimage STREAM@DIGEST (list them with get istag)",
      "get",
    );
  }
  const views: ImageStreamImageView[] = [];
  for (const name of names) {
    const { stream, digest } = parseImageName(name);
    views.push(await reader.image(ns, stream, digest));
  }
  return views;
}

async function printable(
  reader: ViewReader,
  ns: string,
  target: ViewTarget,
  now: Date,
): Promise<Printable> {
  const single = target.names.length === 1;
  if (target.resource === "istag") {
    const objects = await tagObjects(reader, ns, target.names);
    return {
      objects,
      single,
      table: tagTable(objects, now),
      resource: `imagestreamtag.${VIEWS_GROUP}`,
    };
  }
  const objects = await imageObjects(reader, ns, target.names);
  return {
    objects,
    single,
    table: imageTable(objects, now),
    resource: `imagestreamimage.${VIEWS_GROUP}`,
  };
}

/** io.out adds the newline a template usually ends with; kubectl adds none. */
function withoutFinalNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

export async function runGet(
  args: readonly string[],
  io: Io,
  now = () => new Date(),
): Promise<number> {
  const { global, positionals, values } = parseCommand("get", args, OPTIONS);
  if (global.help) {
    io.out(GET_HELP);
    return 0;
  }
  const target = parseViewTarget(positionals);
  if (!target) {
    throw new UsageError(
      positionals.length === 0
        ? "name what to get: istag [STREAM:TAG...] or isimage STREAM@DIGEST..."
        : `get shows image stream tags (istag) and images (isimage) only, not "${positionals[0]}": use kubectl get for the rest`,
      "get",
    );
  }
  const format = parseOutput(values.output as string | undefined, "get");
  const kc = loadConfig(global);
  const ns = currentNamespace(kc, global);
  const reader = new KubeViewReader(kc);
  const p = await printable(reader, ns, target, now());
  for (const note of reader.notes) io.err(note);
  const text = formatObjects(p, format);
  if (text === "" && format.kind === "table") {
    io.err(`No resources found in ${ns} namespace.`);
    return 0;
  }
  io.out(format.kind === "jsonpath" ? withoutFinalNewline(text) : text);
  return 0;
}
