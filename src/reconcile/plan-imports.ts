// What a reconcile has to fetch or resolve. A stream whose tags were all
// observed at their current spec, and that has no retry or scheduled import
// due, yields no work item: that is how a no-op reconcile makes no registry
// request.

import {
  ANN_INSECURE_REPOSITORY,
  ANN_PREFER_ARCH,
  ANN_PREFER_OS,
  type ImageStream,
  type TagReference,
} from "../api/types.js";
import type { PlatformPreference } from "../registry/types.js";
import { effectiveGeneration, findStatusTag, pendingCause } from "./generations.js";
import { recordedListDigests } from "./list-digests.js";
import { nextDue, repositoryDue, requeueAfterMs, watchScheduled } from "./schedule.js";
import {
  classifySource,
  effectiveImportMode,
  specFingerprint,
  type TagSource,
} from "./spec-tags.js";
import { trackingOutOfDate } from "./tracking.js";
import {
  type AttemptLog,
  type PlannerConfig,
  REPOSITORY_KEY,
  type RecordedImport,
  type RepositoryWork,
  type TagWork,
  type WorkCause,
  type WorkItem,
} from "./types.js";

export interface PlanContext {
  now: Date;
  /** the controller's in-memory record of this stream's attempts; empty after a restart */
  attempts?: AttemptLog;
  config?: PlannerConfig;
}

export interface ImportPlan {
  items: WorkItem[];
  /**
   * The log the plan was made from: the given one plus a record for each
   * scheduled tag seen for the first time (watchScheduled). The controller
   * keeps it, so such a tag is checked at its next slot, not at once.
   */
  attempts: AttemptLog;
  /**
   * Earliest retry or scheduled import among tags NOT in `items`. After doing
   * the items, call requeueAfterMs with the updated stream and attempts for
   * the exact value.
   */
  requeueAfterMs?: number;
}

export function planImports(stream: ImageStream, ctx: PlanContext): ImportPlan {
  const cfg = ctx.config ?? {};
  const attempts = watchScheduled(stream, ctx.attempts ?? new Map(), ctx.now, cfg);
  const items: WorkItem[] = [];
  for (const tag of stream.spec?.tags ?? []) {
    const item = planTag(stream, tag, attempts, ctx.now, cfg);
    if (item) items.push(item);
  }
  const repository = planRepository(stream, attempts, ctx.now, cfg);
  if (repository) items.push(repository);
  const planned = new Set(items.map((i) => i.tag));
  const requeue = requeueAfterMs(stream, attempts, ctx.now, cfg, planned);
  return requeue === undefined ? { items, attempts } : { items, attempts, requeueAfterMs: requeue };
}

function planTag(
  stream: ImageStream,
  tag: TagReference,
  attempts: AttemptLog,
  now: Date,
  cfg: PlannerConfig,
): TagWork | undefined {
  const source = classifySource(stream, tag);
  if (source.kind === "none") return undefined;
  if (source.kind === "tracking") {
    if (!trackingOutOfDate(stream, tag, source.sourceTag, cfg)) return undefined;
    return { ...base(stream, tag, "mirror", cfg), kind: "tracking", sourceTag: source.sourceTag };
  }
  const cause = pendingCause(stream, tag, cfg) ?? dueCause(stream, tag, attempts, now, cfg);
  if (!cause) return undefined;
  return workItem(stream, tag, source, base(stream, tag, cause, cfg), cfg);
}

function dueCause(
  stream: ImageStream,
  tag: TagReference,
  attempts: AttemptLog,
  now: Date,
  cfg: PlannerConfig,
): WorkCause | undefined {
  const due = nextDue(stream, tag, attempts, cfg);
  return due && due.atMs <= now.getTime() ? due.cause : undefined;
}

function base(stream: ImageStream, tag: TagReference, cause: WorkCause, cfg: PlannerConfig) {
  return {
    tag: tag.name,
    generation: effectiveGeneration(stream, tag),
    specHash: specFingerprint(stream, tag, cfg),
    cause,
  };
}

type Base = ReturnType<typeof base>;

function workItem(
  stream: ImageStream,
  tag: TagReference,
  source: Exclude<TagSource, { kind: "none" | "tracking" }>,
  b: Base,
  cfg: PlannerConfig,
): TagWork {
  switch (source.kind) {
    case "docker": {
      const recorded = recordedImport(stream, tag.name, b.specHash);
      return {
        ...b,
        kind: "docker",
        request: {
          reference: source.reference,
          insecure: tag.importPolicy?.insecure === true || streamInsecure(stream),
          importMode: effectiveImportMode(tag, cfg),
          preferredPlatforms: preferredPlatforms(tag, cfg),
        },
        ...(recorded ? { recorded } : {}),
      };
    }
    case "reference":
      return { ...b, kind: "reference", reference: source.reference };
    case "copy-istag":
      return { ...b, kind: "copy-istag", source: source.source, sourceTag: source.sourceTag };
    case "isimage":
      return { ...b, kind: "isimage", source: source.source, imageId: source.imageId };
    case "invalid":
      return { ...b, kind: "invalid", reason: source.reason, message: source.message };
  }
}

function streamInsecure(stream: ImageStream): boolean {
  return stream.metadata.annotations?.[ANN_INSECURE_REPOSITORY] === "true";
}

/** The tag's prefer-os/prefer-arch annotations first, then the configured platform. */
export function preferredPlatforms(
  tag: TagReference | undefined,
  cfg: PlannerConfig,
): PlatformPreference[] {
  const out: PlatformPreference[] = [];
  const os = tag?.annotations?.[ANN_PREFER_OS]?.trim();
  const architecture = tag?.annotations?.[ANN_PREFER_ARCH]?.trim();
  if (os || architecture)
    out.push({ ...(os ? { os } : {}), ...(architecture ? { architecture } : {}) });
  const fallback = cfg.defaultPlatform;
  const first = out[0];
  const same = first?.os === fallback?.os && first?.architecture === fallback?.architecture;
  if (fallback && !same) out.push({ ...fallback });
  return out;
}

function planRepository(
  stream: ImageStream,
  attempts: AttemptLog,
  now: Date,
  cfg: PlannerConfig,
): RepositoryWork | undefined {
  const due = repositoryDue(stream, attempts);
  if (!due || due.atMs > now.getTime()) return undefined;
  return {
    kind: "repository",
    tag: REPOSITORY_KEY,
    cause: attempts.has(REPOSITORY_KEY) ? "retry" : "new",
    request: {
      reference: (stream.spec?.dockerImageRepository ?? "").trim(),
      insecure: streamInsecure(stream),
    },
    importMode: cfg.defaultImportMode ?? "Legacy",
    preferredPlatforms: preferredPlatforms(undefined, cfg),
    generation: stream.metadata.generation ?? 1,
  };
}

/**
 * What the status holds for a tag whose current spec (same fingerprint) was
 * imported: a re-check can then stop at one HEAD. A changed spec (another
 * reference, import mode or platform) is imported afresh.
 */
function recordedImport(
  stream: ImageStream,
  tagName: string,
  specHash: string,
): RecordedImport | undefined {
  const statusTag = findStatusTag(stream, tagName);
  const head = statusTag?.items?.[0];
  if (!head?.image || statusTag?.specHash !== specHash) return undefined;
  const list = recordedListDigests(stream)[tagName];
  return {
    image: head.image,
    dockerImageReference: head.dockerImageReference,
    digests: list ? [head.image, list] : [head.image],
  };
}
