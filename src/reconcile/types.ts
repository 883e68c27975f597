// Shapes shared by the pure planners of src/reconcile. The controller performs
// every side effect; these types are the contract between the two: what the
// planner asks for (WorkItem), what happened (Outcome), what the controller
// remembers between reconciles (AttemptLog).

import type { ImportMode, NamedTagEventList } from "../api/types.js";
import type {
  ImportedImage,
  ImportFailureReason,
  ImportRequest,
  ImportResult,
  PlatformPreference,
} from "../registry/types.js";

/** Status tag with our fingerprint of the spec tag its last outcome was for (ADR 0003). */
export type StatusTag = NamedTagEventList & { specHash?: string };

/** Condition reasons: the registry's, plus Conflict for an ambiguous ImageStreamImage prefix. */
export type FailureReason = ImportFailureReason | "Conflict";

/** Settings of the planners (from src/config.ts); every field has a default. */
export interface PlannerConfig {
  /** importMode for tags that set none; default Legacy */
  defaultImportMode?: ImportMode;
  /** tried after the tag's prefer-os/prefer-arch annotations */
  defaultPlatform?: PlatformPreference;
  /** interval of scheduled imports; default 900 */
  scheduledIntervalSeconds?: number;
  disableScheduledImport?: boolean;
}

export interface AttemptRecord {
  at: Date;
  /** 0 after a success */
  consecutiveFailures: number;
  /** from a RateLimited failure: the registry asked us to wait this long */
  retryAfterSeconds?: number;
  /** a registry push concerns the tag: look now (cause "recheck", not capped) */
  recheck?: true;
}

/**
 * Per stream, per tag: the last import attempt. Kept in the controller's
 * memory only; after a restart every failed tag is retried once immediately
 * (ADR 0005) and every scheduled tag is checked at its stream's next slot
 * (ADR 0014). Key: tag name, or REPOSITORY_KEY for the bulk import.
 */
export type AttemptLog = ReadonlyMap<string, AttemptRecord>;

/** AttemptLog key of the spec.dockerImageRepository import: not a valid tag name. */
export const REPOSITORY_KEY = "<repository>";

/** Why a work item was planned: for logs and metrics. */
export type WorkCause =
  | "new"
  | "generation"
  | "spec-changed"
  | "retry"
  | "scheduled"
  | "recheck"
  | "mirror";

interface WorkBase {
  tag: string;
  /** the generation the outcome records */
  generation: number;
  /** fingerprint of the spec tag this item was planned from; recorded with the outcome */
  specHash: string;
  cause: WorkCause;
}

/** Registry import of one DockerImage tag: the controller adds credentials and calls importImage. */
export interface DockerWork extends WorkBase {
  kind: "docker";
  request: Omit<ImportRequest, "credentials">;
  /**
   * Set when the tag's current spec was imported before: the item the status
   * holds, and the digests that mean it has not moved (its image, and for a
   * Legacy child the list it came from). The controller then re-checks with
   * one HEAD instead of importing.
   */
  recorded?: RecordedImport;
}

export interface RecordedImport {
  image: string;
  dockerImageReference: string;
  digests: string[];
}

/** reference: true DockerImage tag: recorded without a registry call. */
export interface ReferenceWork extends WorkBase {
  kind: "reference";
  reference: string;
}

/** ImageStreamTag of the same stream: applyOutcomes mirrors it, no I/O needed. */
export interface TrackingWork extends WorkBase {
  kind: "tracking";
  sourceTag: string;
}

/** Another stream's tag or image: the controller looks the stream up and calls resolveLocally. */
export interface CopyTagWork extends WorkBase {
  kind: "copy-istag";
  source: { namespace: string; name: string };
  sourceTag: string;
}

export interface ImageIdWork extends WorkBase {
  kind: "isimage";
  source: { namespace: string; name: string };
  /** a digest or a unique prefix of one (with or without "sha256:") */
  imageId: string;
}

/** A spec tag we cannot act on: resolveLocally turns it into a failure, no retry. */
export interface InvalidWork extends WorkBase {
  kind: "invalid";
  reason: FailureReason;
  message: string;
}

/** Bulk import of spec.dockerImageRepository: listTags, then planRepositoryImports. */
export interface RepositoryWork {
  kind: "repository";
  tag: typeof REPOSITORY_KEY;
  cause: WorkCause;
  request: Omit<ImportRequest, "credentials" | "importMode" | "preferredPlatforms">;
  importMode: ImportMode;
  preferredPlatforms: PlatformPreference[];
  generation: number;
}

export type TagWork =
  | DockerWork
  | ReferenceWork
  | TrackingWork
  | CopyTagWork
  | ImageIdWork
  | InvalidWork;
export type WorkItem = TagWork | RepositoryWork;

interface OutcomeBase {
  tag: string;
  generation: number;
  specHash?: string;
}

export interface ImportedOutcome extends OutcomeBase {
  kind: "imported";
  result: ImportResult;
}

/** Success without new Image objects: reference tags and copies from other streams. */
export interface ResolvedOutcome extends OutcomeBase {
  kind: "resolved";
  dockerImageReference: string;
  image: string;
}

export interface FailedOutcome extends OutcomeBase {
  kind: "failed";
  reason: FailureReason;
  message: string;
  retryAfterSeconds?: number;
}

export type Outcome = ImportedOutcome | ResolvedOutcome | FailedOutcome;

/** An Event the controller should record on the stream (src/controllers/events.ts). */
export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason:
    | "TagUpdated"
    | "ImportFailed"
    | "ImportRecovered"
    | "RepositoryImportFailed"
    | "HistoryTrimmed"
    | "InvalidMaxTagHistory";
  action: string;
  note: string;
  tag?: string;
}

export type { ImportedImage };
