// Public surface of the pure import planners, for src/controllers and the CLI.
// Order of use in one reconcile of a stream:
//   1. planSpecGenerations -> apply `patch` (JSON patch) if non-empty, continue with the result
//   2. planImports -> for each item: docker -> registry.importImage -> importedOutcome/failedOutcome;
//      repository -> registry.listTags -> planRepositoryImports -> docker items as above;
//      anything else -> resolveLocally (reads other streams through `lookup`)
//   3. applyOutcomes -> create `images` (toImageObject), write status unless statusEquals,
//      stamp the check annotation if asked, record `events`
//   4. recordAttempts, then requeueAfterMs for the next visit

export { DEFAULT_BULK_LIMIT, orderRepositoryTags, planRepositoryImports } from "./bulk.js";
export { planTagEvents } from "./events.js";
export {
  findStatusTag,
  isImportPending,
  type JsonPatchOp,
  observedGeneration,
  planSpecGenerations,
  type SpecGenerationPlan,
  type SpecGenerationUpdate,
} from "./generations.js";
export { collectImages, toImageObject } from "./images.js";
export { planImageGC } from "./images-gc.js";
export { failedOutcome, importedOutcome } from "./outcomes.js";
export { type ImportPlan, type PlanContext, planImports } from "./plan-imports.js";
export {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffMs,
  isScheduled,
  recordAttempts,
  requeueAfterMs,
} from "./schedule.js";
export { type LocalWork, resolveLocally, type StreamLookup } from "./sources.js";
export { classifySource, specFingerprint } from "./spec-tags.js";
export { type ApplyContext, type ApplyResult, applyOutcomes } from "./status.js";
export { statusEquals } from "./status-equals.js";
export { formatTime } from "./tag-events.js";
export {
  ANN_ALLOWED_NAMESPACES,
  crossNamespaceDeniedMessage,
  isCrossNamespaceAllowed,
} from "./tenancy.js";
export * from "./types.js";
