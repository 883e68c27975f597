// The new status after a pass: outcomes applied with OpenShift's history
// rules, tracking tags mirrored, tags removed from spec dropped, and our
// summary fields recomputed. Returns new objects; the input stream (an
// informer cache entry) is never mutated.

import {
  ANN_DOCKER_REPOSITORY_CHECK,
  type ImageStream,
  type ImageStreamStatus,
} from "../api/types.js";
import type { ImportedImage } from "../registry/types.js";
import { planTagEvents } from "./events.js";
import { collectImages } from "./images.js";
import { recordFailure, recordSuccess, type TagChange } from "./tag-events.js";
import { syncTrackingTags } from "./tracking.js";
import {
  type Outcome,
  type PlannedEvent,
  type PlannerConfig,
  REPOSITORY_KEY,
  type StatusTag,
} from "./types.js";

export interface ApplyContext {
  /** configured pull spec of the stream in an integrated registry, or empty */
  dockerImageRepository?: string;
  publicDockerImageRepository?: string;
  /** set when this pass listed spec.dockerImageRepository successfully */
  repository?: { additionalTags: string[] };
  config?: PlannerConfig;
}

export interface ApplyResult {
  status: ImageStreamStatus;
  /** to create as Image objects (toImageObject) before writing the status */
  images: ImportedImage[];
  events: PlannedEvent[];
  /** stamp openshift.io/image.dockerRepositoryCheck with now: an import changed the stream, or it was never stamped */
  stampRepositoryCheck: boolean;
}

export function applyOutcomes(
  stream: ImageStream,
  outcomes: readonly Outcome[],
  now: Date,
  ctx: ApplyContext = {},
): ApplyResult {
  const old = stream.status;
  const tags = new Map<string, StatusTag>(
    (old?.tags ?? []).map((t) => [t.tag, structuredClone(t) as StatusTag]),
  );
  const events: PlannedEvent[] = [];
  let importChanged = false;
  for (const o of outcomes) {
    if (o.tag === REPOSITORY_KEY) {
      if (o.kind === "failed") events.push(repositoryFailedEvent(stream, o.reason, o.message));
      continue;
    }
    const change = applyOne(tags.get(o.tag), o, now);
    tags.set(o.tag, change.tag);
    importChanged ||= change.changed;
  }
  importChanged = syncTrackingTags(stream, tags, now, ctx.config) || importChanged;
  dropRemovedTags(stream, tags);
  const status = buildStatus(stream, [...tags.values()], ctx);
  const neverStamped = !stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK];
  const attempted = outcomes.some((o) => o.tag !== REPOSITORY_KEY);
  return {
    status,
    images: collectImages(outcomes),
    events: [...planTagEvents(old, status), ...events],
    stampRepositoryCheck: importChanged || (neverStamped && attempted),
  };
}

function applyOne(current: StatusTag | undefined, o: Outcome, now: Date): TagChange {
  if (o.kind === "failed") {
    const failure = { reason: o.reason, message: o.message, generation: o.generation };
    return recordFailure(current, o.tag, failure, o.specHash, now);
  }
  const event =
    o.kind === "imported"
      ? { dockerImageReference: o.result.image.dockerImageReference, image: o.result.image.digest }
      : { dockerImageReference: o.dockerImageReference, image: o.image };
  return recordSuccess(current, o.tag, { ...event, generation: o.generation }, o.specHash, now);
}

/**
 * `oc tag -d` deletes spec and status; a tag edited out of spec loses its
 * status the same way. Status-only tags are kept while
 * spec.dockerImageRepository is set: the bulk import creates them there.
 */
function dropRemovedTags(stream: ImageStream, tags: Map<string, StatusTag>): void {
  if (stream.spec?.dockerImageRepository?.trim()) return;
  const inSpec = new Set((stream.spec?.tags ?? []).map((t) => t.name));
  for (const name of [...tags.keys()]) if (!inSpec.has(name)) tags.delete(name);
}

function buildStatus(stream: ImageStream, tags: StatusTag[], ctx: ApplyContext): ImageStreamStatus {
  const sorted = [...tags].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const repository = stream.spec?.dockerImageRepository?.trim()
    ? ctx.repository
      ? { additionalTags: [...ctx.repository.additionalTags] }
      : stream.status?.repository && structuredClone(stream.status.repository)
    : undefined;
  const lastUpdated = newestCreated(sorted);
  return {
    dockerImageRepository: ctx.dockerImageRepository ?? "",
    ...(ctx.publicDockerImageRepository
      ? { publicDockerImageRepository: ctx.publicDockerImageRepository }
      : {}),
    tags: sorted,
    ...(repository ? { repository } : {}),
    tagCount: sorted.filter((t) => (t.items?.length ?? 0) > 0).length,
    ...(lastUpdated ? { lastUpdated } : {}),
  };
}

function newestCreated(tags: StatusTag[]): string | undefined {
  let newest: string | undefined;
  for (const t of tags) {
    const created = t.items?.[0]?.created;
    if (created && (!newest || Date.parse(created) > Date.parse(newest))) newest = created;
  }
  return newest;
}

function repositoryFailedEvent(stream: ImageStream, reason: string, message: string): PlannedEvent {
  const repo = stream.spec?.dockerImageRepository ?? "";
  return {
    type: "Warning",
    reason: "RepositoryImportFailed",
    action: "Import",
    note: `Import of repository ${repo} failed (${reason}): ${message}`,
  };
}
