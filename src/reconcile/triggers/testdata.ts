// Workload objects for the trigger tests, typed as client-node's own models so
// the tests also prove that real informer objects fit the Workload shape.

import type { V1Container, V1CronJob, V1Deployment, V1PodSpec } from "@kubernetes/client-node";
import { ANN_TRIGGERS } from "../../api/types.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  APPLIED_LABEL_PREFIX,
  appliedImageHash,
  serializeLastApplied,
} from "./last-applied.js";
import type { Workload, WorkloadKind } from "./types.js";

export interface WorkloadOptions {
  namespace?: string;
  initContainers?: Record<string, string>;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  resourceVersion?: string;
}

function containerList(images: Record<string, string>): V1Container[] {
  return Object.entries(images).map(([name, image]) => ({ name, image }));
}

function podSpec(containers: Record<string, string>, options: WorkloadOptions): V1PodSpec {
  const spec: V1PodSpec = { containers: containerList(containers) };
  if (options.initContainers !== undefined) {
    spec.initContainers = containerList(options.initContainers);
  }
  return spec;
}

function metadata(options: WorkloadOptions) {
  return {
    name: "app",
    namespace: options.namespace ?? "shop",
    resourceVersion: options.resourceVersion ?? "41",
    annotations: options.annotations ?? {},
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  };
}

/**
 * The record annotation and the applied-image labels as the operator writes
 * them for `record` (keys canonical fieldPaths). The label names come from the
 * keys here, independently of the planner's own parsing.
 */
export function recordedAs(record: Record<string, string>): {
  annotations: Record<string, string>;
  labels: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  for (const [key, image] of Object.entries(record)) {
    const name = /name=="([^"]+)"/.exec(key)?.[1];
    if (name !== undefined) labels[`${APPLIED_LABEL_PREFIX}${name}`] = appliedImageHash(image);
  }
  return { annotations: { [ANN_LAST_APPLIED_IMAGES]: serializeLastApplied(record) }, labels };
}

/** A Deployment, StatefulSet or DaemonSet (same pod template path) or a CronJob. */
export function workload(
  kind: WorkloadKind,
  containers: Record<string, string>,
  options: WorkloadOptions = {},
): Workload {
  const template = { metadata: { labels: { app: "app" } }, spec: podSpec(containers, options) };
  if (kind === "CronJob") {
    const cronJob: V1CronJob = {
      metadata: metadata(options),
      spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } },
    };
    return { ...cronJob, kind };
  }
  const deployment: V1Deployment = {
    metadata: metadata(options),
    spec: { selector: { matchLabels: { app: "app" } }, template },
  };
  return { ...deployment, kind };
}

/** The same workload with its triggers annotation set to these triggers. */
export function withTriggers(target: Workload, triggers: unknown[]): Workload {
  const annotations = { ...target.metadata?.annotations, [ANN_TRIGGERS]: JSON.stringify(triggers) };
  return { ...target, metadata: { ...target.metadata, annotations } };
}

export function trigger(name: string, fieldPath: string, extra: Record<string, unknown> = {}) {
  return { from: { kind: "ImageStreamTag", name }, fieldPath, ...extra };
}

export const WEB_PATH = 'spec.template.spec.containers[?(@.name=="web")].image';
export const SIDECAR_PATH = 'spec.template.spec.containers[?(@.name=="sidecar")].image';
export const CRON_JOB_PATH =
  'spec.jobTemplate.spec.template.spec.containers[?(@.name=="job")].image';

/**
 * A stand-in for the API server's strategic merge, limited to what the
 * trigger patches use (maps, null deleting a key, container lists merged by
 * name), for the story tests (rollback.test.ts, safe-rollout.test.ts).
 */
export function mergeByName(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const merged = [...target];
    for (const item of patch as { name: string }[]) {
      const at = merged.findIndex((m) => (m as { name: string }).name === item.name);
      if (at === -1) merged.push(item);
      else merged[at] = mergeByName(merged[at], item);
    }
    return merged;
  }
  if (
    typeof patch !== "object" ||
    patch === null ||
    typeof target !== "object" ||
    target === null
  ) {
    return patch;
  }
  const merged: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeByName(merged[key], value);
  }
  return merged;
}
