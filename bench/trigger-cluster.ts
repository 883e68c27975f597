// The user's side of image triggers on the real test environment, shared by
// test/e2e/triggers*.test.ts and bench/trigger.ts: admin clients, image
// streams fed from the plain-HTTP test registry, triggered workloads, Events,
// and polling. The operator under test runs as its ServiceAccount
// (startOperator); everything here acts as admin, as a user would.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type EventsV1Event,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1PodSpec,
} from "@kubernetes/client-node";
import {
  ANN_TRIGGERS,
  GROUP,
  IMAGESTREAM_PLURAL,
  type ImageStream,
  VERSION,
} from "../src/api/types.js";
import {
  createNamespace,
  deleteNamespace,
  eventually,
  getStream,
  patchStream,
  sleep,
} from "../test/e2e/imports-support.js";
import { adminKubeConfig, testEnv } from "../test/e2e/support/env.js";
import { type PushedImage, pushImage } from "../test/support/registry-push.js";

// The stream and namespace primitives are the import suites' own.
export { createNamespace, deleteNamespace, eventually, getStream, patchStream, sleep };

export const core = adminKubeConfig.makeApiClient(CoreV1Api);
export const apps = adminKubeConfig.makeApiClient(AppsV1Api);
export const batch = adminKubeConfig.makeApiClient(BatchV1Api);
export const custom = adminKubeConfig.makeApiClient(CustomObjectsApi);
export const eventsApi = adminKubeConfig.makeApiClient(EventsV1Api);

const STREAMS = { group: GROUP, version: VERSION, plural: IMAGESTREAM_PLURAL };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
export const strategicMerge = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);

/** Runs fn over items with at most `parallel` calls in flight. */
export async function inParallel<T, R>(
  items: readonly T[],
  parallel: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

/** A new image (random layer, so a new digest) pushed to the plain registry. */
export function pushToRegistry(repository: string, tag: string): Promise<PushedImage> {
  return pushImage(
    { registry: testEnv.registry, scheme: "http" },
    { repository, tag, layerCount: 1, layerBytes: 64 },
  );
}

export interface StreamOptions {
  annotations?: Record<string, string>;
  /** importPolicy.scheduled: re-imported on a schedule, and at once on a push notification */
  scheduled?: boolean;
}

/** A stream whose tags import repository:tag from the plain registry (insecure: HTTP). */
export async function createStream(
  namespace: string,
  name: string,
  tags: Record<string, string>,
  { annotations, scheduled }: StreamOptions = {},
): Promise<ImageStream> {
  const specTags = Object.entries(tags).map(([tag, source]) => ({
    name: tag,
    from: { kind: "DockerImage", name: `${testEnv.registry}/${source}` },
    importPolicy: { insecure: true, ...(scheduled ? { scheduled: true } : {}) },
  }));
  return (await custom.createNamespacedCustomObject({
    ...STREAMS,
    namespace,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "ImageStream",
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec: { tags: specTags },
    },
  })) as ImageStream;
}

export async function annotateStream(
  namespace: string,
  name: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  await custom.patchNamespacedCustomObject(
    { ...STREAMS, namespace, name, body: { metadata: { annotations } } },
    mergePatch,
  );
}

/**
 * What `oc tag` / `oc import-image` do to ask for a re-import (ADR 0003): the
 * spec tag's generation set to 0. Waits first until an earlier request was
 * answered (the generation is no longer 0), so each measured change is one
 * request and one answer.
 */
export async function requestReimport(namespace: string, name: string, tag: string): Promise<void> {
  const stream = await reimportAnswered(namespace, name, tag);
  const index = stream.spec?.tags?.findIndex((t) => t.name === tag) ?? -1;
  if (index < 0) throw new Error(`no spec tag ${tag} in ${namespace}/${name}`);
  await patchStream(namespace, name, [
    { op: "test", path: `/spec/tags/${index}/name`, value: tag },
    { op: "add", path: `/spec/tags/${index}/generation`, value: 0 },
  ]);
}

/** The stream once no re-import request of the tag is pending (generation not 0). */
export function reimportAnswered(
  namespace: string,
  name: string,
  tag: string,
): Promise<ImageStream> {
  return eventually(`an earlier re-import of ${namespace}/${name}:${tag} answered`, async () => {
    const stream = await getStream(namespace, name);
    const generation = stream.spec?.tags?.find((t) => t.name === tag)?.generation;
    return generation === 0 || generation === null ? undefined : stream;
  });
}

export function currentItem(stream: ImageStream, tag: string) {
  return stream.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
}

/** The tag's dockerImageReference once its current image is `digest`. */
export async function waitForTagImage(
  namespace: string,
  name: string,
  tag: string,
  digest: string,
  timeoutMs = 30_000,
): Promise<string> {
  return eventually(
    `${namespace}/${name}:${tag} to point at ${digest}`,
    async () => {
      const item = currentItem(await getStream(namespace, name), tag);
      return item?.image === digest ? item.dockerImageReference : undefined;
    },
    timeoutMs,
    100,
  );
}

/** The ImportSuccess condition of a tag once it is False (a failed import). */
export async function waitForImportFailure(namespace: string, name: string, tag: string) {
  return eventually(`${namespace}/${name}:${tag} to report a failed import`, async () => {
    const status = (await getStream(namespace, name)).status?.tags?.find((t) => t.tag === tag);
    const condition = status?.conditions?.find((c) => c.type === "ImportSuccess");
    return condition?.status === "False" ? condition : undefined;
  });
}

// ---- workloads

export type Kind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob";

export interface TriggerSpec {
  /** "stream:tag" */
  name: string;
  fieldPath: string;
  namespace?: string;
  paused?: boolean;
}

export function triggersJson(triggers: TriggerSpec[]): string {
  return JSON.stringify(
    triggers.map((t) => ({
      from: {
        kind: "ImageStreamTag",
        name: t.name,
        ...(t.namespace ? { namespace: t.namespace } : {}),
      },
      fieldPath: t.fieldPath,
      ...(t.paused === undefined ? {} : { paused: t.paused }),
    })),
  );
}

export interface WorkloadSpec {
  name: string;
  /** the annotation value as is (so tests can write broken JSON) */
  triggers?: string;
  containers: Record<string, string>;
  initContainers?: Record<string, string>;
}

function containers(images: Record<string, string>): V1Container[] {
  return Object.entries(images).map(([name, image]) => ({ name, image }));
}

function podTemplate(spec: WorkloadSpec) {
  const podSpec: V1PodSpec = { containers: containers(spec.containers) };
  if (spec.initContainers) podSpec.initContainers = containers(spec.initContainers);
  return { metadata: { labels: { app: spec.name } }, spec: podSpec };
}

function metadata(spec: WorkloadSpec) {
  return {
    name: spec.name,
    ...(spec.triggers === undefined ? {} : { annotations: { [ANN_TRIGGERS]: spec.triggers } }),
  };
}

/** Creates a workload with no replicas (no scheduler or kubelet here). */
export async function createWorkload(kind: Kind, namespace: string, spec: WorkloadSpec) {
  const selector = { matchLabels: { app: spec.name } };
  const template = podTemplate(spec);
  const meta = metadata(spec);
  switch (kind) {
    case "Deployment":
      return apps.createNamespacedDeployment({
        namespace,
        body: { metadata: meta, spec: { replicas: 0, selector, template } },
      });
    case "StatefulSet":
      return apps.createNamespacedStatefulSet({
        namespace,
        body: { metadata: meta, spec: { replicas: 0, serviceName: spec.name, selector, template } },
      });
    case "DaemonSet":
      return apps.createNamespacedDaemonSet({
        namespace,
        body: { metadata: meta, spec: { selector, template } },
      });
    case "CronJob": {
      const jobTemplate = { spec: { template: { ...template, spec: cronPodSpec(template.spec) } } };
      return batch.createNamespacedCronJob({
        namespace,
        body: { metadata: meta, spec: { schedule: "0 0 1 1 *", suspend: true, jobTemplate } },
      });
    }
  }
}

function cronPodSpec(spec: V1PodSpec): V1PodSpec {
  return { ...spec, restartPolicy: "Never" };
}

export interface WorkloadView {
  generation: number;
  resourceVersion: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  containers: Record<string, string | undefined>;
  initContainers: Record<string, string | undefined>;
  uid: string;
}

export async function readWorkload(kind: Kind, namespace: string, name: string) {
  const object =
    kind === "Deployment"
      ? await apps.readNamespacedDeployment({ namespace, name })
      : kind === "StatefulSet"
        ? await apps.readNamespacedStatefulSet({ namespace, name })
        : kind === "DaemonSet"
          ? await apps.readNamespacedDaemonSet({ namespace, name })
          : await batch.readNamespacedCronJob({ namespace, name });
  const podSpec =
    "jobTemplate" in (object.spec ?? {})
      ? (object.spec as { jobTemplate: { spec?: { template: { spec?: V1PodSpec } } } }).jobTemplate
          .spec?.template.spec
      : (object.spec as { template: { spec?: V1PodSpec } }).template.spec;
  const byName = (list: V1Container[] | undefined) =>
    Object.fromEntries((list ?? []).map((c) => [c.name, c.image]));
  return {
    generation: object.metadata?.generation ?? 0,
    resourceVersion: object.metadata?.resourceVersion ?? "",
    annotations: object.metadata?.annotations ?? {},
    labels: object.metadata?.labels ?? {},
    containers: byName(podSpec?.containers),
    initContainers: byName(podSpec?.initContainers),
    uid: object.metadata?.uid ?? "",
  } satisfies WorkloadView;
}

/** The workload once check accepts it. */
export function waitForWorkload(
  kind: Kind,
  namespace: string,
  name: string,
  what: string,
  check: (w: WorkloadView) => boolean,
  timeoutMs = 30_000,
): Promise<WorkloadView> {
  return eventually(
    `${kind} ${namespace}/${name} ${what}`,
    async () => {
      const view = await readWorkload(kind, namespace, name);
      return check(view) ? view : undefined;
    },
    timeoutMs,
    100,
  );
}

/** events.k8s.io/v1 Events about one object. */
export async function eventsFor(namespace: string, name: string): Promise<EventsV1Event[]> {
  const list = await eventsApi.listNamespacedEvent({ namespace });
  return list.items.filter((e) => e.regarding?.name === name);
}

export function waitForEvent(
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<EventsV1Event> {
  return eventually(
    `an Event ${reason} on ${namespace}/${name}`,
    async () => (await eventsFor(namespace, name)).find((e) => e.reason === reason),
    timeoutMs,
  );
}

/** The ReplicaSet the Deployment controller made for the Deployment with this image. */
export async function replicaSetWithImage(namespace: string, uid: string, image: string) {
  const list = await apps.listNamespacedReplicaSet({ namespace });
  return list.items.find(
    (rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.kind === "Deployment" && o.uid === uid) &&
      rs.spec?.template?.spec?.containers.some((c) => c.image === image),
  );
}
