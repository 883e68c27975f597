// Registry push notifications (CNCF distribution "notifications" envelope):
// which stream tags a push concerns. Pure: the receivers parse the bodies,
// this decides. A push re-checks every DockerImage spec tag whose source
// names the pushed repository and tag, scheduled or not (ADR 0024): the
// check itself still asks the registry, so the notification is only a hint.

import type { ImageStream } from "../api/types.js";
import { isRegistryHost, isValidDigest, parseImageReference } from "../registry/reference.js";
import { classifySource } from "./spec-tags.js";

export interface PushedTag {
  /** host[:port] of the registry as clients address it */
  registry: string;
  repository: string;
  tag: string;
  /**
   * The manifest digest the sender says the tag now names, when its format
   * gives one: never trusted as data (the check asks the registry), only
   * used to know when a check has seen the push (ADR 0027).
   */
  digest?: string;
}

interface DistributionEvent {
  action?: unknown;
  target?: { repository?: unknown; tag?: unknown; url?: unknown; digest?: unknown };
  request?: { host?: unknown };
}

/** Push events with a tag, from a distribution notification envelope; malformed entries are skipped. */
export function pushedTags(envelope: unknown): PushedTag[] {
  const events = (envelope as { events?: unknown })?.events;
  if (!Array.isArray(events)) return [];
  const out: PushedTag[] = [];
  for (const e of events as DistributionEvent[]) {
    if (e?.action !== "push") continue;
    const pushed = validPush(e.target?.repository, e.target?.tag, hostOf(e), e.target?.digest);
    if (pushed !== undefined) out.push(pushed);
  }
  return out;
}

// The sender's fields must make a valid reference, read as stream tags read
// theirs (Docker Hub's aliases and library/ included), or they could never
// match one: anything else (a bare word for a host, a "repository" holding
// a tag or control characters) is skipped rather than passed on and logged.
export function validPush(
  repository: unknown,
  tag: unknown,
  host: string | undefined,
  digest?: unknown,
): PushedTag | undefined {
  if (typeof repository !== "string" || typeof tag !== "string" || !tag || !host) return undefined;
  if (!isRegistryHost(host) || repository.includes("@")) return undefined;
  try {
    const ref = parseImageReference(`${host}/${repository}:${tag}`);
    if (ref.tag !== tag) return undefined;
    const pushed = { registry: ref.registry.toLowerCase(), repository: ref.repository, tag };
    // a malformed digest is dropped, not the push: it only saves a follow-up check
    return typeof digest === "string" && isValidDigest(digest) ? { ...pushed, digest } : pushed;
  } catch {
    return undefined;
  }
}

function hostOf(e: DistributionEvent): string | undefined {
  if (typeof e.request?.host === "string" && e.request.host) return e.request.host;
  if (typeof e.target?.url !== "string") return undefined;
  try {
    return new URL(e.target.url).host;
  } catch {
    return undefined;
  }
}

/**
 * The registry as push matching compares it: lowercase, without the default
 * HTTPS port (registry.example.com:443 is registry.example.com). Docker Hub's
 * aliases are already folded into docker.io by parseImageReference.
 */
export function canonicalRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return lower.endsWith(":443") ? lower.slice(0, -4) : lower;
}

/** The key a pushed tag and a following spec tag share. */
export function pushKey(p: PushedTag): string {
  return `${canonicalRegistry(p.registry)}/${p.repository}:${p.tag}`;
}

/** The stream's DockerImage spec tags by the push key of their source (the push index's entries). */
export function followedSources(stream: ImageStream): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const tag of stream.spec?.tags ?? []) {
    const source = classifySource(stream, tag);
    if (source.kind !== "docker") continue;
    try {
      const ref = parseImageReference(source.reference);
      if (!ref.tag) continue; // pinned by digest: a push cannot move it
      const key = pushKey({ registry: ref.registry, repository: ref.repository, tag: ref.tag });
      out.set(key, [...(out.get(key) ?? []), tag.name]);
    } catch {
      // an invalid reference is reported by the import itself
    }
  }
  return out;
}

/** Names of the stream's DockerImage tags whose source is one of the pushed tags. */
export function tagsFollowing(stream: ImageStream, pushed: readonly PushedTag[]): string[] {
  const sources = followedSources(stream);
  const names = new Set<string>();
  for (const p of pushed) for (const name of sources.get(pushKey(p)) ?? []) names.add(name);
  return [...names];
}
