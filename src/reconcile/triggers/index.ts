// Public surface of the pure image-trigger logic (no I/O, no clock): the
// trigger controller parses, plans and patches through these.

export { EVENT_NOTE_LIMIT, problemEventMessage, rolloutEventMessage } from "./events.js";
export { canonicalFieldPath, fieldPathGrammar, parseFieldPath, podSpecPath } from "./field-path.js";
export { type GateVerdict, gateVerdict } from "./gates.js";
export { type Health, rolloutHealth } from "./health.js";
export { changedTagKeys, tagIndexKey, triggerIndexKeys } from "./index-keys.js";
export {
  ANN_LAST_APPLIED_IMAGES,
  APPLIED_LABEL_PREFIX,
  type AppliedLabels,
  appliedImageHash,
  type LastAppliedRecord,
  readAppliedLabels,
  readLastApplied,
  serializeLastApplied,
} from "./last-applied.js";
export { parseTriggers } from "./parse-triggers.js";
export {
  buildImagePatch,
  buildTriggerPatch,
  type ImagePatch,
  type ImagePatchOptions,
  STRATEGIC_MERGE_PATCH,
} from "./patch.js";
export {
  ANN_ALLOWED_NAMESPACES,
  type ContainerImageChange,
  planTriggerUpdates,
  type SkipReason,
  type TriggerPlan,
  type TriggerSkip,
  type WriteHold,
} from "./plan.js";
export {
  eligibleNodes,
  type ImagePlatforms,
  LABEL_ARCH,
  LABEL_OS,
  type NodeLabels,
  type Platform,
  type PlatformVerdict,
  type PodPlacement,
  platformText,
  platformVerdict,
} from "./platforms.js";
export { podSpecOf, resolveContainer } from "./resolve-container.js";
export {
  ANN_ROLLOUT_POLICY,
  formatDuration,
  parseDuration,
  parseRolloutPolicy,
  type RolloutPolicy,
  readRolloutPolicy,
} from "./rollout-policy.js";
export {
  ANN_ROLLOUT_STATUS,
  type RolloutEntry,
  type RolloutPhase,
  type RolloutStatus,
  readRolloutStatus,
  serializeRolloutStatus,
} from "./rollout-state.js";
export { imagesFollowing } from "./running-images.js";
export {
  planSafeRollout,
  type Refusal,
  type RolloutContext,
  type RolloutNotice,
  recordedRefusals,
  type SafePlan,
} from "./safe-rollout.js";
export {
  type CrossNamespacePolicy,
  currentTagImage,
  lookupsFromStreams,
  type TagImageOptions,
  type TagLookup,
  type TriggerLookups,
  tagItemsFromStreams,
} from "./tag-image.js";
export * from "./types.js";
export {
  describeInstant,
  inWindow,
  nextWindowStart,
  parseWindows,
  type Windows,
} from "./windows.js";
