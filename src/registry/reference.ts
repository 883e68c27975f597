// Pull-spec parsing with the rules container tools use (distribution/reference):
// the first path segment is a registry host only if it looks like one, Docker
// Hub is the default registry and its single-segment names live in library/.

import { isIPv6 } from "node:net";
import { excerpt } from "../api/excerpt.js";
import { type ImageReference, ImportError } from "./types.js";

export const DOCKER_HUB = "docker.io";
/** Docker Hub's API does not answer on docker.io itself. */
const DOCKER_HUB_API_HOST = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
/** distribution/reference: the normalised name (host/repository) is at most 255 characters */
const MAX_NAME_LENGTH = 255;
/** name, ":" tag (128), "@sha512:" and 128 hex: no valid reference is longer */
const MAX_REFERENCE_LENGTH = MAX_NAME_LENGTH + 1 + 128 + 8 + 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]{1,5}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** Only algorithms whose hash we can verify are accepted. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** A reference as the user wrote it, plus the defaults needed to reach it. */
export interface ParsedReference extends ImageReference {
  /** the name part exactly as written, without tag or digest */
  writtenName: string;
}

function invalid(input: string, why: string): ImportError {
  return new ImportError("InvalidReference", `invalid image reference "${excerpt(input)}": ${why}`);
}

export function isValidDigest(value: string): boolean {
  const colon = value.indexOf(":");
  if (colon < 0) return false;
  const expectedLength = DIGEST_HEX_LENGTH[value.slice(0, colon)];
  const hex = value.slice(colon + 1);
  return expectedLength === hex.length && /^[0-9a-f]+$/.test(hex);
}

/** A registry host[:port] as a reference names it (with a "." or a port, or localhost). */
export function isRegistryHost(segment: string): boolean {
  return looksLikeRegistryHost(segment) && isValidHost(segment);
}

function looksLikeRegistryHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

function isValidHost(host: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(host);
  if (bracketed) {
    const port = bracketed[2];
    return isIPv6(bracketed[1] ?? "") && (port === undefined || PORT.test(port));
  }
  const [name = "", port, ...extra] = host.split(":");
  if (extra.length > 0 || (port !== undefined && !PORT.test(port))) return false;
  return name.split(".").every((part) => DOMAIN_COMPONENT.test(part));
}

function splitDigest(input: string): { rest: string; digest?: string } {
  const at = input.indexOf("@");
  if (at < 0) return { rest: input };
  const digest = input.slice(at + 1);
  if (!isValidDigest(digest)) throw invalid(input, "invalid digest (want sha256:<64 hex>)");
  return { rest: input.slice(0, at), digest };
}

function splitTag(input: string, rest: string): { name: string; tag?: string } {
  const lastColon = rest.lastIndexOf(":");
  // a colon before the last slash belongs to host:port, not to a tag
  if (lastColon < 0 || lastColon < rest.lastIndexOf("/")) return { name: rest };
  const tag = rest.slice(lastColon + 1);
  if (!TAG.test(tag)) throw invalid(input, "invalid tag");
  return { name: rest.slice(0, lastColon), tag };
}

function splitRegistry(input: string, name: string): { registry?: string; path: string } {
  const slash = name.indexOf("/");
  const first = slash < 0 ? name : name.slice(0, slash);
  if (slash < 0 || !looksLikeRegistryHost(first)) return { path: name };
  if (!isValidHost(first)) throw invalid(input, "invalid registry host");
  return { registry: first, path: name.slice(slash + 1) };
}

function validatePath(input: string, path: string): void {
  if (path.length === 0) throw invalid(input, "empty repository name");
  for (const component of path.split("/")) {
    if (component.toLowerCase() !== component) {
      throw invalid(input, "repository name must be lowercase");
    }
    if (!PATH_COMPONENT.test(component)) throw invalid(input, "invalid repository name");
  }
}

/** Parses `[host[:port]/]path[:tag][@digest]`; throws ImportError InvalidReference. */
export function parseImageReference(input: string): ParsedReference {
  if (input.trim().length === 0) throw invalid(input, "empty reference");
  if (/\s/.test(input)) throw invalid(input, "contains whitespace");
  if (input.length > MAX_REFERENCE_LENGTH) {
    throw invalid(input, `longer than ${MAX_REFERENCE_LENGTH} characters`);
  }
  const { rest, digest } = splitDigest(input);
  const { name, tag } = splitTag(input, rest);
  const { registry: writtenRegistry, path } = splitRegistry(input, name);
  validatePath(input, path);
  const registry =
    writtenRegistry && !DOCKER_HUB_ALIASES.has(writtenRegistry) ? writtenRegistry : DOCKER_HUB;
  const repository = registry === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path;
  // measured normalised, as distribution/reference does: what is written may be shorter
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalid(input, "name longer than 255 characters");
  }
  const parsed: ParsedReference = { registry, repository, writtenName: name };
  // a digest wins over a tag; "latest" is only a default when neither is given
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  else if (tag === undefined) parsed.tag = "latest";
  return parsed;
}

/**
 * The user's reference as written, with the tag (if any) replaced by the
 * digest: `nginx:1.25` -> `nginx@sha256:...`, as OpenShift records it (it keeps
 * the name unnormalised: no docker.io/ or library/ added).
 */
export function digestReference(parsed: ParsedReference, digest: string): string {
  return `${parsed.writtenName}@${digest}`;
}

/** The host:port the registry API is reached at. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** Fully qualified form, for keyring matching and logs. */
export function canonicalName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}
