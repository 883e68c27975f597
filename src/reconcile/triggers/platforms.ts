// Whether an image can run where a workload's pods can be scheduled (ADR
// 0030): the os/architecture of every node the pod spec admits (its
// nodeSelector and required node affinity, matched against node labels as
// the scheduler does) must be among the image's platforms (a manifest list's
// children, or the single image's). Taints and tolerations are not read:
// a node the pods tolerate nowhere still counts, which can only refuse more.

export const LABEL_OS = "kubernetes.io/os";
export const LABEL_ARCH = "kubernetes.io/arch";

export interface NodeLabels {
  name: string;
  labels: Record<string, string>;
}

interface Requirement {
  key?: string;
  operator?: string;
  values?: string[];
}

interface SelectorTerm {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

/** The scheduling fields of a pod spec that decide which nodes it may use. */
export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: SelectorTerm[] };
    };
  };
}

export interface Platform {
  os: string;
  architecture: string;
}

export const platformText = (p: Platform) => `${p.os}/${p.architecture}`;

function matchesRequirement(value: string | undefined, r: Requirement): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const n = Number.parseInt(value ?? "", 10);
      const bound = Number.parseInt(values[0] ?? "", 10);
      if (Number.isNaN(n) || Number.isNaN(bound)) return false;
      return r.operator === "Gt" ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function matchesTerm(node: NodeLabels, term: SelectorTerm): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // an empty term matches no node (the scheduler's rule)
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((r) => matchesRequirement(node.labels[r.key ?? ""], r)) &&
    fields.every((r) => r.key === "metadata.name" && matchesRequirement(node.name, r))
  );
}

/** Nodes the pod spec can be scheduled on, by labels (and metadata.name fields). */
export function eligibleNodes(placement: PodPlacement, nodes: readonly NodeLabels[]): NodeLabels[] {
  const selector = placement.nodeSelector ?? {};
  const terms =
    placement.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms;
  return nodes.filter(
    (node) =>
      Object.entries(selector).every(([k, v]) => node.labels[k] === v) &&
      (terms === undefined || terms.some((t) => matchesTerm(node, t))),
  );
}

export type PlatformVerdict =
  | { ok: true; note?: string }
  | { ok: false; missing: Platform[]; message: string };

export interface ImagePlatforms {
  /** the platforms the image runs on; empty: unknown (not checked) */
  platforms: Platform[];
  /** a Legacy import of a manifest list chose this single child */
  legacyList?: string;
}

/**
 * Whether the image covers every os/arch of the eligible nodes. No node
 * known, or none with os/arch labels: not judged (rolled, with a note).
 */
export function platformVerdict(
  image: ImagePlatforms,
  placement: PodPlacement,
  nodes: readonly NodeLabels[],
): PlatformVerdict {
  if (image.platforms.length === 0) return { ok: true, note: "the image's platforms are unknown" };
  if (nodes.length === 0) return { ok: true, note: "no nodes are known: platforms not checked" };
  const eligible = eligibleNodes(placement, nodes).filter(
    (n) => n.labels[LABEL_OS] !== undefined && n.labels[LABEL_ARCH] !== undefined,
  );
  if (eligible.length === 0) {
    return {
      ok: true,
      note: "no known node matches the pod's node selection: platforms not checked",
    };
  }
  const covered = new Set(image.platforms.map(platformText));
  const missing = new Map<string, { platform: Platform; node: string; count: number }>();
  for (const node of eligible) {
    const platform = {
      os: node.labels[LABEL_OS] ?? "",
      architecture: node.labels[LABEL_ARCH] ?? "",
    };
    const text = platformText(platform);
    if (covered.has(text)) continue;
    const seen = missing.get(text);
    if (seen) seen.count++;
    else missing.set(text, { platform, node: node.name, count: 1 });
  }
  if (missing.size === 0) return { ok: true };
  const nodesText = [...missing.entries()]
    .map(([text, m]) => `${text} (${m.count} node${m.count === 1 ? "" : "s"}, e.g. ${m.node})`)
    .join(", ");
  const has = image.platforms.map(platformText).join(", ");
  const legacy =
    image.legacyList === undefined
      ? ""
      : `; the tag's Legacy import chose ${has} from manifest list ${image.legacyList}: ` +
        "set importPolicy.importMode: PreserveOriginal on the tag, or the tag annotation " +
        "importer.image.openshift.io/prefer-arch";
  return {
    ok: false,
    missing: [...missing.values()].map((m) => m.platform),
    message: `the image is for ${has}, but the pods can be scheduled on ${nodesText}${legacy}`,
  };
}
