// `describe istag` / `describe isimage` output (pure, clock injected): oc's
// image layout (the seed's 6.6.1 example, oc's DescribeImage): Image Name,
// Docker Image, Name, Created, Image Size with the first and last binary
// layer, Image Created, Author, Arch, the Manifests of a manifest list (one
// `os/arch digest` line per platform, as the seed's 6.7.2 shows), then the
// container config: Entrypoint, Command, Working Dir, User, Exposes Ports,
// Docker Labels, Environment. Empty values print as <none>, as oc's.
import type { ImageStreamTagView, ImageView } from "../../reconcile/image-views.js";
import { ago } from "./age.js";

const KEY_WIDTH = 16;
const INDENT = " ".repeat(KEY_WIDTH);

function field(key: string, value: string | undefined): string {
  return `${`${key}:`.padEnd(KEY_WIDTH)}${value ? value : "<none>"}`;
}

/** One field whose value spans lines: the first beside the key, the rest aligned under it. */
function multiField(key: string, lines: readonly string[]): string {
  if (lines.length === 0) return field(key, undefined);
  const [first, ...rest] = lines;
  return [field(key, first), ...rest.map((l) => `${INDENT}${l}`)].join("\n");
}

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/** docker/go-units HumanSize as the seed prints it: decimal units, 4 significant digits ("251.2 MB"). */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))} ${UNITS[unit]}`;
}

/** oc's size line: the total, then the first layer and the last layer with content. */
function sizeLine(image: ImageView): string {
  const total = humanSize(image.dockerImageMetadata.Size ?? 0);
  const layers = image.dockerImageLayers ?? [];
  if (image.dockerImageManifests?.length) return field("Image Size", undefined);
  if (layers.length === 0) return field("Layer Size", total);
  if (layers.length === 1) return field("Image Size", total);
  const info: string[] = [];
  const first = layers[0];
  if (first && first.size > 0) info.push(`first layer ${humanSize(first.size)}`);
  const last = [...layers.slice(1)].reverse().find((l) => l.size > 0);
  if (last) info.push(`last binary layer ${humanSize(last.size)}`);
  return field("Image Size", info.length > 0 ? `${total} (${info.join(", ")})` : total);
}

type Manifest = NonNullable<ImageView["dockerImageManifests"]>[number];

/** `os/arch[/variant] digest`, one per platform of a manifest list. */
export function manifestLines(manifests: readonly Manifest[]): string[] {
  return manifests.map(
    (m) => `${m.os}/${m.architecture}${m.variant ? `/${m.variant}` : ""} ${m.digest}`,
  );
}

function sortedPairs(map: Record<string, unknown> | undefined): string[] {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`);
}

function configLines(image: ImageView): string[] {
  const c = image.dockerImageMetadata.Config ?? {};
  const lines: string[] = [];
  if (c.Entrypoint?.length) lines.push(field("Entrypoint", c.Entrypoint.join(" ")));
  if (c.Cmd?.length || !c.Entrypoint?.length) lines.push(field("Command", c.Cmd?.join(" ")));
  const ports = Object.keys(c.ExposedPorts ?? {}).sort();
  lines.push(
    field("Working Dir", c.WorkingDir),
    field("User", c.User),
    field("Exposes Ports", ports.join(", ")),
    multiField("Docker Labels", sortedPairs(c.Labels)),
    multiField("Environment", c.Env ?? []),
  );
  return lines;
}

/** oc's describe of the image of an istag or isimage; imageName is what oc prints as Image Name. */
export function describeImage(image: ImageView, imageName: string, now: Date): string {
  const meta = image.dockerImageMetadata;
  const manifests = image.dockerImageManifests ?? [];
  const lines = [
    field("Image Name", imageName),
    field("Docker Image", image.dockerImageReference),
    field("Name", image.metadata.name),
  ];
  if (image.metadata.creationTimestamp) {
    lines.push(field("Created", ago(image.metadata.creationTimestamp, now)));
  }
  lines.push(
    sizeLine(image),
    field("Image Created", meta.Created ? ago(meta.Created, now) : undefined),
    field("Author", meta.Author),
    field("Arch", meta.Architecture),
  );
  if (manifests.length > 0) lines.push(multiField("Manifests", manifestLines(manifests)));
  lines.push(...configLines(image));
  return lines.join("\n");
}

/**
 * A tag whose image metadata could not be read (no Image object yet, a
 * reference tag, or Images the user may not read): what its view holds.
 */
export function describeTagWithoutImage(view: ImageStreamTagView, now: Date): string {
  const from = view.tag?.from;
  const failed = view.conditions?.find((c) => c.type === "ImportSuccess" && c.status === "False");
  const lines = [
    field("Image Name", undefined),
    field("Docker Image", from?.kind === "DockerImage" ? from.name : undefined),
    field("Name", undefined),
    field(
      "Created",
      view.metadata.creationTimestamp ? ago(view.metadata.creationTimestamp, now) : undefined,
    ),
    field("Image Size", "<unknown: no image metadata>"),
  ];
  if (failed)
    lines.push(field("Import Error", `${failed.reason ?? "Unknown"}: ${failed.message ?? ""}`));
  return lines.join("\n");
}
