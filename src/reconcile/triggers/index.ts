// Public surface of the pure image-trigger logic (no I/O, no clock): the
// trigger controller parses, plans and patches through these.

export { EVENT_NOTE_LIMIT, problemEventMessage, rolloutEventMessage } from "./events.js";
export { canonicalFieldPath, fieldPathGrammar, parseFieldPath, podSpecPath } from "./field-path.js";
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
} from "./plan.js";
export { resolveContainer } from "./resolve-container.js";
export { imagesFollowing } from "./running-images.js";
export {
  type CrossNamespacePolicy,
  currentTagImage,
  lookupsFromStreams,
  type TagImageOptions,
  type TagLookup,
  type TriggerLookups,
} from "./tag-image.js";
export * from "./types.js";
