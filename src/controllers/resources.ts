// Informer sources: the watch path and matching list call per resource, one
// per watched namespace or a single cluster-wide one.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { GROUP, IMAGE_PLURAL, IMAGESTREAM_PLURAL, VERSION } from "../api/types.js";
import {
  shapeForCache,
  shapeImageForCache,
  shapeNodeForCache,
  shapeWorkloadForCache,
} from "./cache-shape.js";

export interface ResourceSource<T extends KubernetesObject> {
  paths: string[];
  list: (path: string) => Promise<KubernetesListObject<T>>;
  fieldSelector?: string;
  /** what the informer keeps of each object */
  shape?: (obj: T) => T;
  watchAccept?: string;
}

// Metadata-only list and watch (what client-go's metadata informers ask
// for): the API server sends PartialObjectMetadata, never the Image's layers
// and config, so neither the bytes nor the parsing are paid.
const METADATA_LIST_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const METADATA_WATCH_ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

function namespaceOf(path: string): string | undefined {
  return /\/namespaces\/([^/]+)\//.exec(path)?.[1];
}

function scopedPaths(prefix: string, plural: string, namespaces: string[]): string[] {
  return namespaces.length === 0
    ? [`${prefix}/${plural}`]
    : namespaces.map((ns) => `${prefix}/namespaces/${ns}/${plural}`);
}

export function imageStreamSource<T extends KubernetesObject>(
  kc: KubeConfig,
  namespaces: string[],
): ResourceSource<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const g = { group: GROUP, version: VERSION, plural: IMAGESTREAM_PLURAL };
  return {
    paths: scopedPaths(`/apis/${GROUP}/${VERSION}`, IMAGESTREAM_PLURAL, namespaces),
    list: async (path) => {
      const ns = namespaceOf(path);
      const res = ns
        ? await api.listNamespacedCustomObject({ ...g, namespace: ns })
        : await api.listClusterCustomObject(g);
      return res as KubernetesListObject<T>;
    },
    shape: shapeForCache,
  };
}

export function imageSource<T extends KubernetesObject>(kc: KubeConfig): ResourceSource<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    paths: [`/apis/${GROUP}/${VERSION}/${IMAGE_PLURAL}`],
    list: async () =>
      (await api.listClusterCustomObject(
        { group: GROUP, version: VERSION, plural: IMAGE_PLURAL },
        setHeaderOptions("Accept", METADATA_LIST_ACCEPT),
      )) as KubernetesListObject<T>,
    shape: shapeImageForCache,
    watchAccept: METADATA_WATCH_ACCEPT,
  };
}

/** Pull secrets of one type (field selectors cannot OR two types). */
export function pullSecretSource<T extends KubernetesObject>(
  kc: KubeConfig,
  namespaces: string[],
  /** one of PULL_SECRET_TYPES (src/registry/keyring.ts) */
  type: string,
): ResourceSource<T> {
  const api = kc.makeApiClient(CoreV1Api);
  const fieldSelector = `type=${type}`;
  return {
    paths: scopedPaths("/api/v1", "secrets", namespaces),
    fieldSelector,
    list: async (path) => {
      const ns = namespaceOf(path);
      const res = ns
        ? await api.listNamespacedSecret({ namespace: ns, fieldSelector })
        : await api.listSecretForAllNamespaces({ fieldSelector });
      return res as unknown as KubernetesListObject<T>;
    },
    shape: shapeForCache,
  };
}

/** The one Secret holding the push receivers' secrets (one key per receiver), watched so rotation applies at once. */
export function receiverSecretSource<T extends KubernetesObject>(
  kc: KubeConfig,
  namespace: string,
  name: string,
): ResourceSource<T> {
  const api = kc.makeApiClient(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  return {
    paths: [`/api/v1/namespaces/${namespace}/secrets`],
    fieldSelector,
    list: async () =>
      (await api.listNamespacedSecret({
        namespace,
        fieldSelector,
      })) as unknown as KubernetesListObject<T>,
    shape: shapeForCache,
  };
}

/**
 * Nodes, metadata only (the labels are all the platform check reads, ADR
 * 0030): never their status, images or conditions.
 */
export function nodeSource<T extends KubernetesObject>(kc: KubeConfig): ResourceSource<T> {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    paths: ["/api/v1/nodes"],
    list: async () =>
      (await api.listNode(
        {},
        setHeaderOptions("Accept", METADATA_LIST_ACCEPT),
      )) as unknown as KubernetesListObject<T>,
    shape: shapeNodeForCache,
    watchAccept: METADATA_WATCH_ACCEPT,
  };
}

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob";

export function workloadSource<T extends KubernetesObject>(
  kc: KubeConfig,
  namespaces: string[],
  kind: WorkloadKind,
): ResourceSource<T> {
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const plural = `${kind.toLowerCase()}s`;
  const prefix = kind === "CronJob" ? "/apis/batch/v1" : "/apis/apps/v1";
  const listers: Record<WorkloadKind, (ns?: string) => Promise<unknown>> = {
    Deployment: (ns) =>
      ns ? apps.listNamespacedDeployment({ namespace: ns }) : apps.listDeploymentForAllNamespaces(),
    StatefulSet: (ns) =>
      ns
        ? apps.listNamespacedStatefulSet({ namespace: ns })
        : apps.listStatefulSetForAllNamespaces(),
    DaemonSet: (ns) =>
      ns ? apps.listNamespacedDaemonSet({ namespace: ns }) : apps.listDaemonSetForAllNamespaces(),
    CronJob: (ns) =>
      ns ? batch.listNamespacedCronJob({ namespace: ns }) : batch.listCronJobForAllNamespaces(),
  };
  return {
    paths: scopedPaths(prefix, plural, namespaces),
    list: async (path) => (await listers[kind](namespaceOf(path))) as KubernetesListObject<T>,
    shape: shapeWorkloadForCache,
  };
}
