// Turning what the controller observed (a registry result or error) into an
// Outcome for applyOutcomes. Pure: the controller does the call, we do the
// bookkeeping, so it cannot drift between callers.

import { ImportError, type ImportResult } from "../registry/types.js";
import type {
  DockerWork,
  FailedOutcome,
  ImportedOutcome,
  RecordedImport,
  ResolvedOutcome,
  WorkItem,
} from "./types.js";

export function importedOutcome(item: DockerWork, result: ImportResult): ImportedOutcome {
  return {
    kind: "imported",
    tag: item.tag,
    generation: item.generation,
    specHash: item.specHash,
    result,
  };
}

/** A re-check found the tag where the status says: the same item, nothing to fetch or create. */
export function unchangedOutcome(item: DockerWork, recorded: RecordedImport): ResolvedOutcome {
  return {
    kind: "resolved",
    tag: item.tag,
    generation: item.generation,
    specHash: item.specHash,
    dockerImageReference: recorded.dockerImageReference,
    image: recorded.image,
  };
}

/**
 * Only ImportError messages reach the status: the registry client promises
 * they are sanitised. Anything else could carry a header or a credential, so
 * it becomes a fixed message and the controller logs the error itself.
 */
export function failedOutcome(item: WorkItem, error: unknown): FailedOutcome {
  const base = {
    kind: "failed" as const,
    tag: item.tag,
    generation: item.generation,
    ...("specHash" in item ? { specHash: item.specHash } : {}),
  };
  if (error instanceof ImportError) {
    return {
      ...base,
      reason: error.reason,
      message: error.message,
      ...(error.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: error.retryAfterSeconds }
        : {}),
    };
  }
  return {
    ...base,
    reason: "InternalError",
    message: "internal error while importing (see the operator logs)",
  };
}
