// `kubectl imagestream describe STREAM...` (also `is/STREAM`, `is STREAM`),
// and `describe istag STREAM:TAG...` / `describe isimage STREAM@DIGEST...`
// (also `istag/NAME`, `isimage/NAME`): oc's image layout, from the image views.
import type { KubeConfig } from "@kubernetes/client-node";
import { CliError, UsageError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { DESCRIBE_HELP } from "../help.js";
import type { Io } from "../io.js";
import { currentNamespace, loadConfig, openSession } from "../kube.js";
import { validateStreamName } from "../names.js";
import { KubeViewReader, type ViewReader } from "../views/reader.js";
import {
  parseImageName,
  parseTagName,
  parseViewTarget,
  type ViewTarget,
} from "../views/resources.js";
import { describeStream } from "./format.js";
import { describeImage, describeTagWithoutImage } from "./image.js";

const RESOURCE_NAMES = new Set([
  "is",
  "imagestream",
  "imagestreams",
  "imagestream.image.openshift.io",
  "imagestreams.image.openshift.io",
]);

/** Stream names from `STREAM`, `is/STREAM` or `is STREAM...`. */
export function streamNames(positionals: readonly string[]): string[] {
  const [first, ...rest] = positionals;
  const args =
    first !== undefined && RESOURCE_NAMES.has(first.toLowerCase()) ? rest : [...positionals];
  const names = args.map((arg) => {
    const slash = arg.indexOf("/");
    if (slash < 0) return arg;
    const resource = arg.slice(0, slash);
    if (!RESOURCE_NAMES.has(resource.toLowerCase())) {
      throw new CliError(
        `describe shows image streams (is), image stream tags (istag) and images (isimage), not "${resource}"`,
      );
    }
    return arg.slice(slash + 1);
  });
  if (names.length === 0) throw new UsageError("you must specify an image stream", "describe");
  for (const name of names) validateStreamName(name);
  return names;
}

async function describeView(
  reader: ViewReader,
  namespace: string,
  resource: ViewTarget["resource"],
  name: string,
  now: Date,
): Promise<string> {
  if (resource === "istag") {
    const { stream, tag } = parseTagName(name);
    const view = await reader.tag(namespace, stream, tag);
    return view.image
      ? describeImage(view.image, view.image.metadata.name, now)
      : describeTagWithoutImage(view, now);
  }
  const { stream, digest } = parseImageName(name);
  const view = await reader.image(namespace, stream, digest);
  return describeImage(view.image, view.image.metadata.name, now);
}

async function describeViews(
  target: ViewTarget,
  kc: KubeConfig,
  namespace: string,
  io: Io,
  now: Date,
): Promise<number> {
  const reader = new KubeViewReader(kc);
  const blocks: string[] = [];
  for (const name of target.names) {
    blocks.push(await describeView(reader, namespace, target.resource, name, now));
  }
  for (const note of reader.notes) io.err(note);
  io.out(blocks.join("\n\n\n"));
  return 0;
}

export async function runDescribe(
  args: readonly string[],
  io: Io,
  now = () => new Date(),
): Promise<number> {
  const { global, positionals } = parseCommand("describe", args, {});
  if (global.help) {
    io.out(DESCRIBE_HELP);
    return 0;
  }
  const target = parseViewTarget(positionals);
  if (target) {
    if (target.names.length === 0) {
      const what = target.resource === "istag" ? "STREAM:TAG" : "STREAM@DIGEST";
      throw new UsageError(
        `you must specify the ${target.resource} to describe: ${what}`,
        "describe",
      );
    }
    const kc = loadConfig(global);
    return describeViews(target, kc, currentNamespace(kc, global), io, now());
  }
  const names = streamNames(positionals);
  const session = openSession(global);
  const blocks: string[] = [];
  for (const name of names) {
    const stream = await session.streams.get(session.namespace, name);
    if (!stream) throw new CliError(`image stream "${session.namespace}/${name}" not found`);
    blocks.push(describeStream(stream, now()));
  }
  io.out(blocks.join("\n\n\n"));
  return 0;
}
