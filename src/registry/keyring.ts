// Pull secrets -> credentials for an image, with the kubelet's keyring rules:
// keys may be URLs, hosts, host:port or host/path; `*` globs whole host
// labels; the path must be a prefix (by segment). Ports follow OpenShift's
// importer (ADR 0026): the port must be equal, except that a registry named
// without a port is port 80 over plain HTTP and 443 over HTTPS, so a key
// `host:80` serves a plain-HTTP `host`, `host:443` (and `host`) an HTTPS one;
// a key without a port is never sent over plain HTTP to a port-less host.
// All matches are returned, most specific first, so the client can try each.
// An entry with only an `identitytoken` (a refresh token, ADR 0031) becomes a
// refresh-token credential. Passwords and identity tokens are only ever
// handed to the registry client, never logged; what the keyring says about a
// secret (explain) names the secret, the registry key and why it was
// unusable, never a value from it.

import type { V1Secret } from "@kubernetes/client-node";
import { ANN_EXCLUDE_SECRET } from "../api/types.js";
import { DOCKER_HUB } from "./reference.js";
import type { DockerCredential, ImageReference } from "./types.js";

export const DOCKERCONFIGJSON_TYPE = "kubernetes.io/dockerconfigjson";
export const DOCKERCFG_TYPE = "kubernetes.io/dockercfg";
/** What `oc create secret generic --type=kubernetes.io/podmanconfigjson` makes from Podman's auth.json. */
export const PODMANCONFIGJSON_TYPE = "kubernetes.io/podmanconfigjson";
/** Every Secret type read as a pull secret, each with the data key holding its registry map. */
export const PULL_SECRET_FIELDS: Readonly<Record<string, string>> = {
  [DOCKERCONFIGJSON_TYPE]: ".dockerconfigjson",
  [DOCKERCFG_TYPE]: ".dockercfg",
  [PODMANCONFIGJSON_TYPE]: "auth.json",
};
export const PULL_SECRET_TYPES = Object.keys(PULL_SECRET_FIELDS);
const DOCKER_HUB_KEY_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

interface KeyringEntry {
  /** the registry key as written, for explanations */
  key: string;
  hostLabels: string[];
  port: string;
  path: string;
  credential: DockerCredential;
  /** position in input order, the final tie-breaker */
  order: number;
}

/** A registry key we could not use, and why (never its contents). */
interface UnusableEntry {
  key: string;
  hostLabels: string[];
  port: string;
  path: string;
  source: string;
  problem: string;
}

/** What a secret gave: "unusable" when nothing in it can be read. */
interface SecretReport {
  source: string;
  /** of a pull-secret type (other Secrets are only named in explanations, never logged) */
  pullSecret: boolean;
  unusable?: string;
}

export interface KeyringBuild {
  keyring: Keyring;
  /** secrets that could not be read, by name and reason only */
  warnings: string[];
}

/** How many secrets an explanation names before "and N more". */
const EXPLAINED_SECRETS = 8;

function parseKey(key: string): { host: string; port: string; path: string } | undefined {
  const withoutScheme = key.trim().replace(/^[a-z]+:\/\//i, "");
  const slash = withoutScheme.indexOf("/");
  const hostPort = (slash < 0 ? withoutScheme : withoutScheme.slice(0, slash)).toLowerCase();
  // docker treats /v1/ and /v2/ as the registry root
  let path = slash < 0 ? "" : withoutScheme.slice(slash + 1);
  path = path.replace(/^v[12](\/|$)/, "").replace(/\/+$/, "");
  const portMatch = /^(.*?)(?::([0-9]+))?$/.exec(hostPort);
  const host = portMatch?.[1] ?? "";
  if (!host) return undefined;
  const normalisedHost = DOCKER_HUB_KEY_HOSTS.has(host) ? DOCKER_HUB : host;
  return { host: normalisedHost, port: portMatch?.[2] ?? "", path };
}

type Decoded = { credential: DockerCredential } | { problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeCredential(value: unknown, source: string): Decoded {
  if (typeof value !== "object" || value === null) return { problem: "is not an object" };
  const entry = value as {
    auth?: unknown;
    username?: unknown;
    password?: unknown;
    identitytoken?: unknown;
  };
  if (typeof entry.auth === "string" && entry.auth.length > 0) {
    if (!BASE64.test(entry.auth.trim())) return { problem: 'has an "auth" that is not base64' };
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { problem: 'has an "auth" that is not base64 of user:password' };
    const credential = {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      source,
    };
    return { credential };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") {
    return { credential: { username: entry.username, password: entry.password, source } };
  }
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
    // a refresh token for the registry's token service (ADR 0031)
    return { credential: { kind: "refresh-token", identityToken: entry.identitytoken, source } };
  }
  return { problem: 'has no "auth", nor "username" and "password"' };
}

/** The registry map of a secret, or why it has none. */
function authsOf(secret: V1Secret): { auths: Record<string, unknown> } | { problem: string } {
  const field = PULL_SECRET_FIELDS[secret.type ?? ""] ?? ".dockercfg";
  const encoded = secret.data?.[field];
  if (!encoded) return { problem: `has no ${field} data` };
  if (!BASE64.test(encoded.trim())) return { problem: `its ${field} is not base64` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    return { problem: `its ${field} is not JSON` };
  }
  const auths = (parsed as { auths?: unknown } | null)?.auths;
  // .dockercfg is the bare map, but people often paste a config.json into it;
  // config.json and Podman's auth.json both hold { "auths": {...} }
  const map = secret.type !== DOCKERCFG_TYPE || isMap(auths) ? auths : parsed;
  return isMap(map) ? { auths: map } : { problem: `its ${field} has no registry map ("auths")` };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPullSecret(secret: V1Secret): boolean {
  return PULL_SECRET_TYPES.includes(secret.type ?? "");
}

function specificity(a: KeyringEntry, b: KeyringEntry): number {
  const segments = (entry: KeyringEntry) => (entry.path ? entry.path.split("/").length : 0);
  const wildcards = (entry: KeyringEntry) => entry.hostLabels.filter((l) => l.includes("*")).length;
  return (
    segments(b) - segments(a) ||
    wildcards(a) - wildcards(b) ||
    Number(Boolean(b.port)) - Number(Boolean(a.port)) ||
    a.order - b.order
  );
}

// `*` matches any run of characters within one label (as the kubelet's
// filepath.Match does). Matched with two pointers, going back only to the last
// star: at most pattern x label steps. A RegExp built from the key backtracks
// exponentially on keys like "*a*a*a*a*a*a*a*a*a*a*b" (found by fuzzing): a
// tenant's pull secret could stall the operator's event loop.
function labelMatches(pattern: string, label: string): boolean {
  let p = 0;
  let l = 0;
  let star = -1;
  let resume = 0;
  while (l < label.length) {
    if (pattern[p] === "*") {
      star = p++;
      resume = l;
    } else if (p < pattern.length && pattern[p] === label[l]) {
      p++;
      l++;
    } else if (star >= 0) {
      p = star + 1;
      l = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

type Matchable = Pick<KeyringEntry, "hostLabels" | "port" | "path">;
type Scheme = NonNullable<DockerCredential["onlyOver"]>;
const BOTH: readonly Scheme[] = ["https", "http"];

/**
 * Over which schemes a key's port serves the image's port, or undefined.
 * OpenShift's importer looks up `host` over HTTPS and `host:80` over plain
 * HTTP, and retries `host:443` over HTTPS as `host`; we also accept a key
 * `host:443` for an HTTPS `host`, which its own test calls right but
 * unsupported (ADR 0026).
 */
function portSchemes(keyPort: string, imagePort: string): readonly Scheme[] | undefined {
  if (imagePort !== "" && keyPort === imagePort) return BOTH;
  if (imagePort === "") {
    if (keyPort === "") return ["https"];
    if (keyPort === "80") return ["http"];
    if (keyPort === "443") return ["https"];
    return undefined;
  }
  return imagePort === "443" && keyPort === "" ? ["https"] : undefined;
}

/**
 * The kubelet's rule (as many host labels, globs per label, path prefix by
 * segment) with OpenShift's ports: the schemes the entry may be sent over,
 * or undefined when it does not match.
 */
function matches(
  entry: Matchable,
  image: Pick<ImageReference, "registry" | "repository">,
): readonly Scheme[] | undefined {
  const [hostPart = "", port = ""] = image.registry.toLowerCase().split(/:(?=[0-9]+$)/);
  const host = DOCKER_HUB_KEY_HOSTS.has(hostPart) ? DOCKER_HUB : hostPart;
  const labels = host.split(".");
  const matched =
    entry.hostLabels.length === labels.length &&
    entry.hostLabels.every((pattern, i) => labelMatches(pattern, labels[i] ?? "")) &&
    (!entry.path || `${image.repository}/`.startsWith(`${entry.path}/`));
  return matched ? portSchemes(entry.port, port) : undefined;
}

/** The credential as the client gets it: restricted to one scheme when the port rule says so. */
function handOut(entry: KeyringEntry, schemes: readonly Scheme[]): DockerCredential {
  const only = schemes.length === 1 ? schemes[0] : undefined;
  return only ? { ...entry.credential, onlyOver: only } : entry.credential;
}

/** For an explanation: where a scheme-restricted entry is not sent. */
function schemeNote(entry: KeyringEntry, schemes: readonly Scheme[]): string | undefined {
  if (schemes.length !== 1) return undefined;
  return schemes[0] === "https"
    ? `entry "${entry.key}" is only sent over HTTPS (key it "${entry.hostLabels.join(".")}:80" for a plain-HTTP registry)`
    : `entry "${entry.key}" is only sent over plain HTTP`;
}

export class Keyring {
  private readonly entries: KeyringEntry[];

  constructor(
    entries: KeyringEntry[],
    private readonly secrets: SecretReport[] = [],
    private readonly unusable: UnusableEntry[] = [],
  ) {
    this.entries = [...entries].sort(specificity);
  }

  static fromSecrets(secrets: V1Secret[]): KeyringBuild {
    const entries: KeyringEntry[] = [];
    const reports: SecretReport[] = [];
    const unusable: UnusableEntry[] = [];
    for (const secret of secrets) {
      const source = `${secret.metadata?.namespace ?? ""}/${secret.metadata?.name ?? ""}`;
      if (!isPullSecret(secret)) {
        reports.push({
          source,
          pullSecret: false,
          unusable: `is not a pull secret (type ${secret.type ?? "Opaque"})`,
        });
        continue;
      }
      if (secret.metadata?.annotations?.[ANN_EXCLUDE_SECRET] === "true") continue;
      const read = authsOf(secret);
      if ("problem" in read) {
        reports.push({ source, pullSecret: true, unusable: `could not be read: ${read.problem}` });
        continue;
      }
      reports.push({ source, pullSecret: true });
      for (const [key, value] of Object.entries(read.auths)) {
        const parsedKey = parseKey(key);
        if (!parsedKey) continue;
        const place = {
          hostLabels: parsedKey.host.split("."),
          port: parsedKey.port,
          path: parsedKey.path,
        };
        const decoded = decodeCredential(value, source);
        if ("problem" in decoded) {
          unusable.push({ ...place, key, source, problem: decoded.problem });
          continue;
        }
        const credential = { ...decoded.credential, entry: key };
        entries.push({ ...place, key, credential, order: entries.length });
      }
    }
    const warnings = reports
      .filter((r) => r.unusable !== undefined && r.pullSecret)
      .map((r) => `pull secret ${r.source} ${r.unusable}`);
    return { keyring: new Keyring(entries, reports, unusable), warnings };
  }

  /** Every credential whose key matches the image, most specific first. */
  lookup(image: Pick<ImageReference, "registry" | "repository">): DockerCredential[] {
    return this.entries.flatMap((entry) => {
      const schemes = matches(entry, image);
      return schemes ? [handOut(entry, schemes)] : [];
    });
  }

  /**
   * Which pull secrets were tried for the image and why each gave nothing
   * the registry accepted, for an Unauthorized import: names, registry keys
   * and reasons only.
   */
  explain(image: Pick<ImageReference, "registry" | "repository">): string {
    if (this.secrets.length === 0) return "no pull secret in the namespace";
    const lines = this.secrets.map((report) => this.explainSecret(report, image));
    const more = lines.length - EXPLAINED_SECRETS;
    const shown = lines.slice(0, EXPLAINED_SECRETS).join("; ");
    return more > 0 ? `${shown}; and ${more} more` : shown;
  }

  private explainSecret(
    report: SecretReport,
    image: Pick<ImageReference, "registry" | "repository">,
  ): string {
    if (report.unusable) return `${report.source} ${report.unusable}`;
    const sent = this.entries.filter(
      (e) => e.credential.source === report.source && matches(e, image),
    );
    if (sent.length > 0) {
      const notes = sent.flatMap((e) => schemeNote(e, matches(e, image) ?? BOTH) ?? []);
      const unless = notes.length > 0 ? `, or not sent: ${notes.join("; ")}` : "";
      const tokens = sent.every((e) => e.credential.kind === "refresh-token");
      const what = tokens ? "identitytoken" : "credentials";
      return `${report.source}: its ${what} for ${image.registry} ${tokens ? "was" : "were"} refused${unless}`;
    }
    const bad = this.unusable.filter((e) => e.source === report.source && matches(e, image));
    if (bad.length > 0)
      return bad.map((e) => `${report.source}: entry "${e.key}" ${e.problem}`).join("; ");
    return `${report.source}: no entry for ${image.registry}/${image.repository}`;
  }
}
