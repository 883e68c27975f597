// Has the operator answered the import request? (pure). The CLI wrote
// generation 0; the operator stamps the tag with a generation above anything
// observed (ADR 0003) and records the outcome under it, in items[0] on
// success or in the ImportSuccess condition on failure.
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagEvent } from "../../api/types.js";
import { findStatusTag } from "../../reconcile/index.js";

export type TagProgress =
  /** generation still 0: the operator has not seen the request yet */
  | { state: "requested" }
  /** stamped, no outcome for that generation yet */
  | { state: "importing" }
  | { state: "imported"; event: TagEvent }
  | { state: "failed"; reason: string; message: string }
  /** the spec tag disappeared while we waited */
  | { state: "removed" };

export function tagProgress(stream: ImageStream, name: string): TagProgress {
  const spec = stream.spec?.tags?.find((t) => t.name === name);
  if (!spec) return { state: "removed" };
  const generation = typeof spec.generation === "number" ? spec.generation : 0;
  if (generation <= 0) return { state: "requested" };
  return outcomeAt(stream, name, generation) ?? { state: "importing" };
}

/** The tag's latest recorded outcome, if it was recorded at `generation` or later. */
function outcomeAt(stream: ImageStream, name: string, generation: number): TagProgress | undefined {
  const status = findStatusTag(stream, name);
  const head = status?.items?.[0];
  const condition = status?.conditions?.find((c) => c.type === "ImportSuccess");
  const failedLast =
    condition?.status === "False" &&
    condition.generation >= generation &&
    condition.generation >= (head?.generation ?? 0);
  if (failedLast) {
    return {
      state: "failed",
      reason: condition.reason ?? "Unknown",
      message: condition.message ?? "",
    };
  }
  if (head && head.generation >= generation) return { state: "imported", event: head };
  return undefined;
}

export function isSettled(progress: TagProgress): boolean {
  return progress.state !== "requested" && progress.state !== "importing";
}

/**
 * A whole-repository import is done when the operator stamped the check
 * annotation again: the command removed it, and the operator writes it after
 * every bulk import it runs (a stream without it is always due).
 */
export function repositoryImported(stream: ImageStream): boolean {
  return Boolean(stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK]);
}

/** What the tags of a stream hold after a repository import, status order. */
export function statusTagProgress(stream: ImageStream): { tag: string; progress: TagProgress }[] {
  return (stream.status?.tags ?? []).map((t) => {
    const head = t.items?.[0];
    const condition = t.conditions?.find((c) => c.type === "ImportSuccess" && c.status === "False");
    const progress: TagProgress = condition
      ? { state: "failed", reason: condition.reason ?? "Unknown", message: condition.message ?? "" }
      : head
        ? { state: "imported", event: head }
        : { state: "importing" };
    return { tag: t.tag, progress };
  });
}
