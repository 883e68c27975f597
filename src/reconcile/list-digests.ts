// The Legacy list digests a stream records (ANN_LIST_DIGESTS): read by the
// planner to recognise an unchanged list with one HEAD, kept in step with the
// outcomes by the import controller. Pure.

import { ANN_LIST_DIGESTS, type ImageStream } from "../api/types.js";
import { isValidDigest } from "../registry/reference.js";
import type { Outcome } from "./types.js";

/** tag -> list digest; an unreadable annotation (edited by hand) counts as empty. */
export function recordedListDigests(stream: ImageStream): Record<string, string> {
  const raw = stream.metadata.annotations?.[ANN_LIST_DIGESTS];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => typeof v === "string" && isValidDigest(v)) as [
        string,
        string,
      ][],
    );
  } catch {
    return {};
  }
}

/**
 * The annotation's new value after these outcomes, or undefined when it stays
 * as it is: an import from a list records the list, any other import drops
 * the entry, failures and unchanged re-checks keep it, tags gone from spec
 * are dropped.
 */
export function plannedListDigests(
  stream: ImageStream,
  outcomes: readonly Outcome[],
): string | undefined {
  const current = recordedListDigests(stream);
  const next = { ...current };
  for (const o of outcomes) {
    if (o.kind !== "imported") continue;
    if (o.result.listDigest) next[o.tag] = o.result.listDigest;
    else delete next[o.tag];
  }
  const inSpec = new Set((stream.spec?.tags ?? []).map((t) => t.name));
  for (const tag of Object.keys(next)) if (!inSpec.has(tag)) delete next[tag];
  const value = JSON.stringify(Object.fromEntries(Object.entries(next).sort()));
  const present = stream.metadata.annotations?.[ANN_LIST_DIGESTS] !== undefined;
  const unchanged = present
    ? value === stream.metadata.annotations?.[ANN_LIST_DIGESTS]
    : Object.keys(next).length === 0;
  return unchanged ? undefined : value;
}
