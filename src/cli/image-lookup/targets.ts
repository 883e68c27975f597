// What `set image-lookup` acts on: image streams (`app`, `is/app`), whose
// spec.lookupPolicy.local it sets, and objects with pod templates or Pods
// (`deployment/web`), on which it sets the resolve-names annotation.
import { podSpecPathOf } from "../../reconcile/image-lookup.js";
import { CliError } from "../errors.js";
import { validateStreamName } from "../names.js";

export interface ObjectKind {
  group: string;
  kind: string;
  apiVersion: string;
  /** as kubectl prints it: deployment.apps */
  label: string;
  podSpecPath: readonly string[];
}

export type LookupTarget =
  | { type: "stream"; name: string }
  | { type: "object"; kind: ObjectKind; name: string };

function objectKind(group: string, kind: string): ObjectKind {
  const podSpecPath = podSpecPathOf(group, kind);
  if (podSpecPath === undefined) throw new Error(`no pod spec path for ${group}/${kind}`);
  const lower = kind.toLowerCase();
  return {
    group,
    kind,
    apiVersion: group === "" ? "v1" : `${group}/v1`,
    label: group === "" ? lower : `${lower}.${group}`,
    podSpecPath,
  };
}

const STREAM_NAMES = new Set([
  "is",
  "imagestream",
  "imagestreams",
  "imagestream.image.openshift.io",
  "imagestreams.image.openshift.io",
]);

/** kubectl's names for each kind: singular, plural, short name, kind.group. */
const KINDS = new Map<string, ObjectKind>();
for (const [group, kind, short] of [
  ["", "Pod", "po"],
  ["apps", "Deployment", "deploy"],
  ["apps", "StatefulSet", "sts"],
  ["apps", "DaemonSet", "ds"],
  ["apps", "ReplicaSet", "rs"],
  ["batch", "Job", undefined],
  ["batch", "CronJob", "cj"],
] as const) {
  const resolved = objectKind(group, kind);
  const lower = kind.toLowerCase();
  for (const alias of [lower, `${lower}s`, resolved.label, `${lower}s.${group}`, short]) {
    if (alias !== undefined) KINDS.set(alias, resolved);
  }
}

function parseTarget(arg: string): LookupTarget {
  const slash = arg.indexOf("/");
  if (slash < 0) {
    validateStreamName(arg);
    return { type: "stream", name: arg };
  }
  const resource = arg.slice(0, slash).toLowerCase();
  const name = arg.slice(slash + 1);
  if (!name) throw new CliError(`"${arg}" names no object`);
  if (STREAM_NAMES.has(resource)) {
    validateStreamName(name);
    return { type: "stream", name };
  }
  const kind = KINDS.get(resource);
  if (kind === undefined) {
    throw new CliError(
      `the resource ${resource} does not support altering image lookup: use an image stream, ` +
        "or a pod, deployment, statefulset, daemonset, replicaset, job or cronjob",
    );
  }
  return { type: "object", kind, name };
}

export function parseTargets(args: readonly string[]): LookupTarget[] {
  return args.map(parseTarget);
}

export function targetLabel(target: LookupTarget): string {
  return target.type === "stream"
    ? `imagestream.image.openshift.io/${target.name}`
    : `${target.kind.label}/${target.name}`;
}
