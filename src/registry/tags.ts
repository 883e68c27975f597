// Tag listing with pagination (`n` and the Link header of the distribution
// API), bounded in pages and total tags; links may not leave the registry.

import type { Limits } from "./options.js";
import type { RegistrySession } from "./session.js";
import { headerValue } from "./transport.js";
import { ImportError } from "./types.js";

const TAG = /^[\w][\w.-]{0,127}$/;

/** The target of `<url>; rel="next"`, if any. */
export function nextPageLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /\brel\s*=\s*"?next"?/i.test(match[2] ?? "")) return match[1];
  }
  return undefined;
}

function tagsOf(body: Buffer, host: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ImportError("InternalError", `registry ${host} returned a malformed tag list`);
  }
  const tags = (parsed as { tags?: unknown } | null)?.tags;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) {
    throw new ImportError("InternalError", `registry ${host} returned a malformed tag list`);
  }
  // tags become spec tag names: anything that is not a valid tag is dropped
  return tags.filter((tag): tag is string => typeof tag === "string" && TAG.test(tag));
}

export async function listAllTags(
  session: RegistrySession,
  repository: string,
  limits: Limits,
  reference: string,
): Promise<string[]> {
  const first = session.resolve(`/v2/${repository}/tags/list?n=${limits.tagPageSize}`);
  const seenPages = new Set<string>();
  const tags = new Set<string>();
  let page: URL | undefined = first;
  while (page && tags.size < limits.maxTags) {
    if (seenPages.has(page.href)) {
      throw new ImportError("InternalError", `the tag list of "${reference}" loops`);
    }
    seenPages.add(page.href);
    const response = await session.send({
      method: "GET",
      path: `${page.pathname}${page.search}`,
      maxBodyBytes: limits.maxTagPageBytes,
    });
    const pageTags = tagsOf(response.body, page.host);
    for (const tag of pageTags) tags.add(tag);
    const link = nextPageLink(headerValue(response.headers, "link"));
    const next: URL | undefined = link === undefined ? undefined : new URL(link, page);
    if (next && next.origin !== first.origin) {
      throw new ImportError(
        "InternalError",
        `the tag list of "${reference}" links to another host`,
      );
    }
    page = pageTags.length === 0 ? undefined : next;
  }
  return [...tags].slice(0, limits.maxTags);
}
