// Pull secrets -> credentials for an image, with the kubelet's keyring rules:
// keys may be URLs, hosts, host:port or host/path; `*` globs whole host
// labels; the port must be equal; the path must be a prefix (by segment).
// All matches are returned, most specific first, so the client can try each.
// Passwords are only ever handed to the registry client, never logged.

import type { V1Secret } from "@kubernetes/client-node";
import { ANN_EXCLUDE_SECRET } from "../api/types.js";
import { DOCKER_HUB } from "./reference.js";
import type { DockerCredential, ImageReference } from "./types.js";

export const DOCKERCONFIGJSON_TYPE = "kubernetes.io/dockerconfigjson";
export const DOCKERCFG_TYPE = "kubernetes.io/dockercfg";
const DOCKER_HUB_KEY_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

interface KeyringEntry {
  hostLabels: string[];
  port: string;
  path: string;
  credential: DockerCredential;
  /** position in input order, the final tie-breaker */
  order: number;
}

export interface KeyringBuild {
  keyring: Keyring;
  /** secrets that could not be read, by name only */
  warnings: string[];
}

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

function decodeCredential(value: unknown, source: string): DockerCredential | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const entry = value as { auth?: unknown; username?: unknown; password?: unknown };
  if (typeof entry.auth === "string" && entry.auth.length > 0) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") {
    return { username: entry.username, password: entry.password, source };
  }
  return undefined;
}

/** The registry map of a secret, or undefined when it is not a pull secret or unreadable. */
function authsOf(secret: V1Secret): Record<string, unknown> | undefined {
  const field = secret.type === DOCKERCONFIGJSON_TYPE ? ".dockerconfigjson" : ".dockercfg";
  const encoded = secret.data?.[field];
  if (!encoded) return undefined;
  const parsed: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  const auths = (parsed as { auths?: unknown } | null)?.auths;
  // .dockercfg is the bare map, but people often paste a config.json into it
  const map = secret.type === DOCKERCONFIGJSON_TYPE || isMap(auths) ? auths : parsed;
  return isMap(map) ? map : undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPullSecret(secret: V1Secret): boolean {
  return secret.type === DOCKERCONFIGJSON_TYPE || secret.type === DOCKERCFG_TYPE;
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

export class Keyring {
  private readonly entries: KeyringEntry[];

  constructor(entries: KeyringEntry[]) {
    this.entries = [...entries].sort(specificity);
  }

  static fromSecrets(secrets: V1Secret[]): KeyringBuild {
    const entries: KeyringEntry[] = [];
    const warnings: string[] = [];
    for (const secret of secrets) {
      if (!isPullSecret(secret)) continue;
      if (secret.metadata?.annotations?.[ANN_EXCLUDE_SECRET] === "true") continue;
      const source = `${secret.metadata?.namespace ?? ""}/${secret.metadata?.name ?? ""}`;
      let auths: Record<string, unknown> | undefined;
      try {
        auths = authsOf(secret);
      } catch {
        auths = undefined;
      }
      if (!auths) {
        warnings.push(`pull secret ${source} could not be read`);
        continue;
      }
      for (const [key, value] of Object.entries(auths)) {
        const parsedKey = parseKey(key);
        const credential = decodeCredential(value, source);
        if (!parsedKey || !credential) continue;
        entries.push({
          hostLabels: parsedKey.host.split("."),
          port: parsedKey.port,
          path: parsedKey.path,
          credential,
          order: entries.length,
        });
      }
    }
    return { keyring: new Keyring(entries), warnings };
  }

  /** Every credential whose key matches the image, most specific first. */
  lookup(image: Pick<ImageReference, "registry" | "repository">): DockerCredential[] {
    const [hostPart = "", port = ""] = image.registry.toLowerCase().split(/:(?=[0-9]+$)/);
    const host = DOCKER_HUB_KEY_HOSTS.has(hostPart) ? DOCKER_HUB : hostPart;
    const labels = host.split(".");
    return this.entries
      .filter((entry) => entry.port === port)
      .filter((entry) => entry.hostLabels.length === labels.length)
      .filter((entry) =>
        entry.hostLabels.every((pattern, i) => labelMatches(pattern, labels[i] ?? "")),
      )
      .filter((entry) => !entry.path || `${image.repository}/`.startsWith(`${entry.path}/`))
      .map((entry) => entry.credential);
  }
}
