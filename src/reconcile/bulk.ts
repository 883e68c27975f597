// Bulk import of spec.dockerImageRepository, as OpenShift does it: list the
// repository's tags, import the first `limit` in priority order into status
// tags only (no spec tags are created), and record the rest in
// status.repository.additionalTags.

import type { ImageStream } from "../api/types.js";
import type { DockerWork, RepositoryWork } from "./types.js";

export const DEFAULT_BULK_LIMIT = 50;

const TAG_NAME = /^[\w][\w.-]{0,127}$/;
const SEMVER =
  /^v?(0|[1-9]\d*|\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

interface Version {
  numbers: [number, number, number];
  pre: string[];
}

function parseVersion(tag: string): Version | undefined {
  const m = SEMVER.exec(tag);
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  return { numbers: [num(m[1]), num(m[2]), num(m[3])], pre: m[4] ? m[4].split(".") : [] };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release ranks above its pre-releases
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** >0 when a is the newer version */
function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.numbers[i] as number) - (b.numbers[i] as number);
    if (d !== 0) return d;
  }
  return comparePre(a.pre, b.pre);
}

function lexical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** latest first, then semver newest first (a leading v tolerated), then the rest lexically. */
export function compareTagPriority(a: string, b: string): number {
  if (a === "latest" || b === "latest") return a === b ? 0 : a === "latest" ? -1 : 1;
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va && vb) return compareVersions(vb, va) || lexical(a, b);
  if (va || vb) return va ? -1 : 1;
  return lexical(a, b);
}

export function orderRepositoryTags(
  tags: readonly string[],
  limit = DEFAULT_BULK_LIMIT,
): { import: string[]; additional: string[] } {
  const unique = [...new Set(tags)].filter((t) => TAG_NAME.test(t));
  const ordered = unique.sort(compareTagPriority);
  const n = Math.max(0, limit);
  return { import: ordered.slice(0, n), additional: ordered.slice(n) };
}

/**
 * The imports to run after listTags succeeded. Tags that are also spec tags
 * are left to the spec tag, which says how to import them.
 */
export function planRepositoryImports(
  item: RepositoryWork,
  stream: ImageStream,
  listedTags: readonly string[],
  limit = DEFAULT_BULK_LIMIT,
): { items: DockerWork[]; additionalTags: string[] } {
  const specTags = new Set((stream.spec?.tags ?? []).map((t) => t.name));
  const ordered = orderRepositoryTags(
    listedTags.filter((t) => !specTags.has(t)),
    limit,
  );
  const items = ordered.import.map(
    (tag): DockerWork => ({
      kind: "docker",
      tag,
      generation: item.generation,
      specHash: "",
      cause: item.cause,
      request: {
        reference: `${item.request.reference}:${tag}`,
        insecure: item.request.insecure,
        importMode: item.importMode,
        preferredPlatforms: item.preferredPlatforms.map((p) => ({ ...p })),
      },
    }),
  );
  return { items, additionalTags: ordered.additional };
}
