// What each informer keeps of the objects it watches: only the fields its
// consumers read (issue "Scale"). Every object arriving from a list or a watch
// passes through one of these before it is cached, so memory grows with what
// the operator uses, not with what users put in their objects. Writes never
// send a cached object back (they are patches), so a trimmed cache cannot
// erase a field on the server.
import type { KubernetesObject, V1ObjectMeta } from "@kubernetes/client-node";
import { ANN_IMAGE_MANIFESTS, ANN_TRIGGERS } from "../api/types.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  ANN_ROLLOUT_POLICY,
  ANN_ROLLOUT_STATUS,
  APPLIED_LABEL_PREFIX,
} from "../reconcile/triggers/index.js";

/** kubectl's copy of the whole object: large, and read by nothing here. */
const LAST_APPLIED_CONFIGURATION = "kubectl.kubernetes.io/last-applied-configuration";

type Meta = V1ObjectMeta;

function withoutBulk(meta: Meta | undefined): Meta {
  const { managedFields: _managed, ...rest } = meta ?? {};
  const annotations = rest.annotations;
  if (annotations && LAST_APPLIED_CONFIGURATION in annotations) {
    const { [LAST_APPLIED_CONFIGURATION]: _copy, ...kept } = annotations;
    rest.annotations = kept;
  }
  return rest;
}

/** ImageStreams and pull Secrets: everything but managedFields and kubectl's last-applied copy. */
export function shapeForCache<T extends KubernetesObject>(obj: T): T {
  return { ...obj, metadata: withoutBulk(obj.metadata) };
}

/**
 * Images: name, age and the child digests of a list (what garbage collection
 * and "already created" read); never layers or configs. The watch asks the
 * API server for metadata only, so this mostly drops managedFields.
 */
export function shapeImageForCache<T extends KubernetesObject>(obj: T): T {
  const meta = obj.metadata ?? {};
  const manifests = meta.annotations?.[ANN_IMAGE_MANIFESTS];
  const shaped: Meta = {
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
    ...(meta.creationTimestamp !== undefined ? { creationTimestamp: meta.creationTimestamp } : {}),
    ...(manifests !== undefined ? { annotations: { [ANN_IMAGE_MANIFESTS]: manifests } } : {}),
  };
  return { metadata: shaped } as T;
}

interface ContainerLike {
  name?: unknown;
  image?: unknown;
}

function containerViews(list: unknown): ContainerLike[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((c: ContainerLike) => ({ name: c?.name, image: c?.image }));
}

// Besides the containers, what the checks before a write read (ADR 0030):
// where the pods may be scheduled and which pull secrets they use.
function podSpecView(podSpec: unknown): Record<string, unknown> | undefined {
  if (typeof podSpec !== "object" || podSpec === null) return undefined;
  const spec = podSpec as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  const c = containerViews(spec.containers);
  const i = containerViews(spec.initContainers);
  if (c) view.containers = c;
  if (i) view.initContainers = i;
  if (spec.nodeSelector) view.nodeSelector = spec.nodeSelector;
  const required = (spec.affinity as { nodeAffinity?: Record<string, unknown> } | undefined)
    ?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required)
    view.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } };
  if (Array.isArray(spec.imagePullSecrets)) {
    view.imagePullSecrets = spec.imagePullSecrets.map((s: { name?: unknown }) => ({
      name: s?.name,
    }));
  }
  if (typeof spec.serviceAccountName === "string")
    view.serviceAccountName = spec.serviceAccountName;
  return view;
}

// The status fields rolloutHealth reads, kept only for workloads with a
// rollout policy: the others never need them.
const STATUS_FIELDS = [
  "observedGeneration",
  "replicas",
  "updatedReplicas",
  "availableReplicas",
  "readyReplicas",
  "desiredNumberScheduled",
  "updatedNumberScheduled",
  "numberAvailable",
  "lastScheduleTime",
  "lastSuccessfulTime",
];

function statusView(status: unknown): Record<string, unknown> | undefined {
  if (typeof status !== "object" || status === null) return undefined;
  const s = status as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  for (const field of STATUS_FIELDS) if (s[field] !== undefined) view[field] = s[field];
  if (Array.isArray(s.conditions)) {
    view.conditions = s.conditions
      .filter((c: { type?: unknown }) => c?.type === "Progressing")
      .map((c: Record<string, unknown>) => ({
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
        lastUpdateTime: c.lastUpdateTime,
      }));
  }
  if (Array.isArray(s.active)) view.active = s.active.map(() => ({}));
  return view;
}

function pick(record: Record<string, string> | undefined, keep: (key: string) => boolean) {
  if (!record) return undefined;
  const kept = Object.entries(record).filter(([k]) => keep(k));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

const OUR_ANNOTATIONS = new Set([
  ANN_TRIGGERS,
  ANN_LAST_APPLIED_IMAGES,
  ANN_ROLLOUT_POLICY,
  ANN_ROLLOUT_STATUS,
]);

/**
 * Workloads: identity, the trigger annotation, our record (annotation and
 * labels), and the names and images of the pod template's containers: what
 * planning a trigger reads. A write re-reads the full object only after a 409.
 */
export function shapeWorkloadForCache<T extends KubernetesObject & { spec?: unknown }>(obj: T): T {
  const meta = obj.metadata ?? {};
  const followed = meta.annotations?.[ANN_ROLLOUT_POLICY] !== undefined;
  const annotations = pick(meta.annotations, (k) => OUR_ANNOTATIONS.has(k));
  const labels = pick(meta.labels, (k) => k.startsWith(APPLIED_LABEL_PREFIX));
  const shapedMeta: Meta = {
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}),
    ...(meta.uid !== undefined ? { uid: meta.uid } : {}),
    ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
    ...(followed && meta.generation !== undefined ? { generation: meta.generation } : {}),
    ...(annotations ? { annotations } : {}),
    ...(labels ? { labels } : {}),
  };
  const spec = workloadSpecView(obj.spec, followed);
  const status = followed ? statusView((obj as { status?: unknown }).status) : undefined;
  return { metadata: shapedMeta, spec, ...(status ? { status } : {}) } as T;
}

/** Nodes: name and labels (the platform check, ADR 0030), nothing else. */
export function shapeNodeForCache<T extends KubernetesObject>(obj: T): T {
  const meta = obj.metadata ?? {};
  const shaped: Meta = {
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
    ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
  };
  return { metadata: shaped } as T;
}

/** spec.template.spec (Deployment, StatefulSet, DaemonSet) or spec.jobTemplate.spec.template.spec (CronJob). */
function workloadSpecView(spec: unknown, followed: boolean): Record<string, unknown> | undefined {
  if (typeof spec !== "object" || spec === null) return undefined;
  const s = spec as {
    replicas?: unknown;
    template?: { spec?: unknown };
    jobTemplate?: { spec?: { template?: { spec?: unknown } } };
  };
  if (s.jobTemplate) {
    return {
      jobTemplate: {
        spec: { template: { spec: podSpecView(s.jobTemplate.spec?.template?.spec) } },
      },
    };
  }
  const replicas = followed && typeof s.replicas === "number" ? { replicas: s.replicas } : {};
  return { ...replicas, template: { spec: podSpecView(s.template?.spec) } };
}
