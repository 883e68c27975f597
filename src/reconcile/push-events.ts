// Registry push notifications (CNCF distribution "notifications" envelope):
// which stream tags a push concerns. Pure: the webhook server parses the body,
// this decides. A push re-imports only tags that follow their source
// (importPolicy.scheduled), the same set a scheduled import would check: the
// notification only makes it happen now instead of up to 15 minutes later.

import type { ImageStream } from "../api/types.js";
import { isRegistryHost, parseImageReference } from "../registry/reference.js";
import { classifySource } from "./spec-tags.js";

export interface PushedTag {
  /** host[:port] of the registry as clients address it */
  registry: string;
  repository: string;
  tag: string;
}

interface DistributionEvent {
  action?: unknown;
  target?: { repository?: unknown; tag?: unknown; url?: unknown };
  request?: { host?: unknown };
}

/** Push events with a tag, from a distribution notification envelope; malformed entries are skipped. */
export function pushedTags(envelope: unknown): PushedTag[] {
  const events = (envelope as { events?: unknown })?.events;
  if (!Array.isArray(events)) return [];
  const out: PushedTag[] = [];
  for (const e of events as DistributionEvent[]) {
    if (e?.action !== "push") continue;
    const pushed = validPush(e.target?.repository, e.target?.tag, hostOf(e));
    if (pushed !== undefined) out.push(pushed);
  }
  return out;
}

// The sender's fields must make a valid reference, read as stream tags read
// theirs (Docker Hub's aliases and library/ included), or they could never
// match one: anything else (a bare word for a host, a "repository" holding
// a tag or control characters) is skipped rather than passed on and logged.
function validPush(
  repository: unknown,
  tag: unknown,
  host: string | undefined,
): PushedTag | undefined {
  if (typeof repository !== "string" || typeof tag !== "string" || !tag || !host) return undefined;
  if (!isRegistryHost(host) || repository.includes("@")) return undefined;
  try {
    const ref = parseImageReference(`${host}/${repository}:${tag}`);
    if (ref.tag !== tag) return undefined;
    return { registry: ref.registry.toLowerCase(), repository: ref.repository, tag };
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

/** Names of the stream's scheduled DockerImage tags whose source is one of the pushed tags. */
export function tagsFollowing(stream: ImageStream, pushed: readonly PushedTag[]): string[] {
  const wanted = new Set(pushed.map((p) => `${p.registry}/${p.repository}:${p.tag}`));
  const names: string[] = [];
  for (const tag of stream.spec?.tags ?? []) {
    if (!tag.importPolicy?.scheduled) continue;
    const source = classifySource(stream, tag);
    if (source.kind !== "docker") continue;
    try {
      const ref = parseImageReference(source.reference);
      if (ref.tag && wanted.has(`${ref.registry.toLowerCase()}/${ref.repository}:${ref.tag}`)) {
        names.push(tag.name);
      }
    } catch {
      // an invalid reference is reported by the import itself
    }
  }
  return names;
}
