// Image lookup (spec.lookupPolicy.local) as OpenShift's image policy admission
// applies it (openshift/apiserver-library-go pkg/admission/imagepolicy), as a
// pure function: an admitted object in, a JSON patch of container images and
// admission warnings out. The rules:
//   - CREATE and UPDATE of Pods and of the pod templates of Deployments,
//     StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs; objects with a
//     controller owner are left alone (their owner's template was resolved);
//     a Job's template is immutable, so Job updates are left alone.
//   - An image written as one path segment (`app`, `app:v1`, `app@sha256:..`;
//     no tag means latest) names the stream of that name in the object's
//     namespace; it is replaced when that stream has lookupPolicy.local.
//   - `alpha.image.policy.openshift.io/resolve-names: "*"` on the object or its
//     pod template resolves every image against the namespace's streams
//     regardless of lookupPolicy, and then also names with a registry or a
//     path: the registry and first path segment are dropped
//     (`quay.io/org/app:v1` -> stream app), as OpenShift does.
//   - On UPDATE only containers whose image changed are resolved, unless the
//     annotation itself was added or removed.
// Ours: a tag with no image yet is left unchanged with a warning (OpenShift
// rewrites it to its integrated registry, which does not exist here); `name@digest`
// resolves when the digest is in the stream's history (OpenShift leaves it
// as written); ephemeral containers added through pods/ephemeralcontainers
// (`kubectl debug`) are resolved too, on any pod (OpenShift skips subresources).
import type { ImageStream } from "../api/types.js";
import { isRegistryHost, parseImageReference } from "../registry/reference.js";
import { currentTagImage, type TagImageOptions, tagEventReference } from "./triggers/tag-image.js";

export const ANN_RESOLVE_NAMES = "alpha.image.policy.openshift.io/resolve-names";

const TEMPLATE_SPEC = ["spec", "template", "spec"] as const;

/** The kinds resolved, by API group, and where each keeps its pod spec (JSON pointer segments). */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  "/Pod": ["spec"],
  "apps/Deployment": TEMPLATE_SPEC,
  "apps/StatefulSet": TEMPLATE_SPEC,
  "apps/DaemonSet": TEMPLATE_SPEC,
  "apps/ReplicaSet": TEMPLATE_SPEC,
  "batch/Job": TEMPLATE_SPEC,
  "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Where the kind keeps its pod spec; undefined for kinds image lookup does not resolve. */
export function podSpecPathOf(group: string, kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS[`${group}/${kind}`];
}

/** Where resolve-names is written: the pod template's annotations, or a Pod's own. */
export function resolveNamesPathOf(podSpecPath: readonly string[]): string[] {
  return podSpecPath.length > 1 ? [...podSpecPath.slice(0, -1), "metadata"] : ["metadata"];
}

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

export interface ImageLookupRequest {
  /** request.kind.group ("" for the core group) */
  group: string;
  /** request.kind.kind */
  kind: string;
  namespace: string;
  operation: string;
  subResource?: string;
  object: unknown;
  oldObject?: unknown;
}

export interface ImageReplaceOp {
  op: "replace";
  path: string;
  value: string;
}

export interface ImageLookupResult {
  patch: ImageReplaceOp[];
  warnings: string[];
}

/** The namespace's streams, as the ImageStream cache holds them. */
export type StreamGetter = (namespace: string, name: string) => ImageStream | undefined;

type Json = Record<string, unknown>;

const NOTHING: ImageLookupResult = { patch: [], warnings: [] };

function asRecord(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = asRecord(current)?.[key];
  return current;
}

function hasControllerOwner(object: unknown): boolean {
  const owners = at(object, ["metadata", "ownerReferences"]);
  return Array.isArray(owners) && owners.some((o) => asRecord(o)?.controller === true);
}

/** The annotation on the object, or on its pod template (what `set image-lookup` writes). */
export function resolvesAllNames(object: unknown, podSpecPath: readonly string[]): boolean {
  const own = at(object, ["metadata", "annotations", ANN_RESOLVE_NAMES]);
  const template = at(object, [
    ...resolveNamesPathOf(podSpecPath),
    "annotations",
    ANN_RESOLVE_NAMES,
  ]);
  return own === "*" || template === "*";
}

function isInScope(request: ImageLookupRequest): boolean {
  if (request.operation !== "CREATE" && request.operation !== "UPDATE") return false;
  if (request.namespace === "") return false;
  if (request.kind === "Job" && request.operation === "UPDATE") return false;
  const sub = request.subResource ?? "";
  // ephemeral containers come from `kubectl debug`, never from an owner's
  // template: resolved on controller-owned pods too
  if (request.kind === "Pod" && sub === "ephemeralcontainers") return true;
  return sub === "" && !hasControllerOwner(request.object);
}

interface Container {
  list: (typeof CONTAINER_LISTS)[number];
  index: number;
  name: string;
  image: string;
}

function containersOf(spec: unknown): Container[] {
  const found: Container[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = asRecord(spec)?.[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item, index) => {
      const { name, image } = asRecord(item) ?? {};
      if (typeof image === "string" && image !== "") {
        found.push({ list, index, name: typeof name === "string" ? name : "", image });
      }
    });
  }
  return found;
}

/**
 * On UPDATE, a container (by name) whose image the old object already had is
 * left alone, unless resolve-names was added or removed: then all are resolved.
 */
function unchangedImages(
  request: ImageLookupRequest,
  specPath: readonly string[],
  resolveAll: boolean,
): (container: Container) => boolean {
  const old = request.oldObject;
  if (request.operation !== "UPDATE" || old === undefined) return () => false;
  if (resolveAll !== resolvesAllNames(old, specPath)) return () => false;
  const oldImages = new Map(containersOf(at(old, specPath)).map((c) => [c.name, c.image]));
  return (container) => oldImages.get(container.name) === container.image;
}

export function planImageLookup(
  request: ImageLookupRequest,
  getStream: StreamGetter,
  options: TagImageOptions = {},
): ImageLookupResult {
  const specPath = podSpecPathOf(request.group, request.kind);
  if (specPath === undefined || !isInScope(request)) return NOTHING;
  const resolveAll = resolvesAllNames(request.object, specPath);
  const isUnchanged = unchangedImages(request, specPath, resolveAll);
  const result: ImageLookupResult = { patch: [], warnings: [] };
  for (const container of containersOf(at(request.object, specPath))) {
    if (isUnchanged(container)) continue;
    const where = `${specPath.join(".")}.${container.list}[${container.index}].image`;
    const lookup = resolveImage(container.image, request.namespace, resolveAll, getStream, options);
    if (lookup.warning !== undefined) result.warnings.push(`${where}: ${lookup.warning}`);
    if (lookup.image !== undefined && lookup.image !== container.image) {
      const path = `/${[...specPath, container.list, container.index].join("/")}/image`;
      result.patch.push({ op: "replace", path, value: lookup.image });
    }
  }
  return result;
}

interface ImageResolution {
  image?: string;
  warning?: string;
}

/**
 * The stream an image names: its only path segment, or with resolve-names the
 * segment after the registry and one namespace (OpenShift's reference parser
 * puts deeper paths in the name, which no stream can be called).
 */
function streamNameOf(writtenName: string, resolveAll: boolean): string | undefined {
  const segments = writtenName.split("/");
  if (segments.length > 1 && isRegistryHost(segments[0] ?? "")) segments.shift();
  if (segments.length === 1 && writtenName === segments[0]) return segments[0];
  if (!resolveAll || segments.length > 2) return undefined;
  return segments[segments.length - 1];
}

export function resolveImage(
  image: string,
  namespace: string,
  resolveAll: boolean,
  getStream: StreamGetter,
  options: TagImageOptions = {},
): ImageResolution {
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(image);
  } catch {
    return {}; // not ours to judge: the kubelet reports unpullable images
  }
  const name = streamNameOf(parsed.writtenName, resolveAll);
  const stream = name === undefined ? undefined : getStream(namespace, name);
  if (stream === undefined || !(resolveAll || stream.spec?.lookupPolicy?.local === true)) return {};
  if (parsed.digest !== undefined) return byDigest(stream, parsed.digest, image, options);
  const tag = parsed.tag ?? "latest";
  const resolved = currentTagImage(stream, tag, options);
  if (resolved !== undefined) return { image: resolved };
  return { warning: `image stream tag ${name}:${tag} has no image yet; "${image}" left unchanged` };
}

function byDigest(
  stream: ImageStream,
  digest: string,
  image: string,
  options: TagImageOptions,
): ImageResolution {
  for (const tag of stream.status?.tags ?? []) {
    const item = tag.items?.find((i) => i.image === digest);
    const resolved = item && tagEventReference(stream, tag.tag, item, options);
    if (resolved !== undefined) return { image: resolved };
  }
  const name = stream.metadata.name ?? "";
  return { warning: `image stream ${name} has no image ${digest}; "${image}" left unchanged` };
}
