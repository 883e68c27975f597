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
import type { ListPage } from "./list-pages.js";

export interface ResourceSource<T extends KubernetesObject> {
  paths: string[];
  list: (path: string, page: ListPage) => Promise<KubernetesListObject<T>>;
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

/** A page's limit and continue token as client-node's list calls name them. */
function pageParams(page: ListPage): { limit?: number; _continue?: string } {
  return { limit: page.limit, _continue: page.continueToken };
}

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
    list: async (path, page) => {
      const ns = namespaceOf(path);
      const res = ns
        ? await api.listNamespacedCustomObject({ ...g, namespace: ns, ...pageParams(page) })
        : await api.listClusterCustomObject({ ...g, ...pageParams(page) });
      return res as KubernetesListObject<T>;
    },
    shape: shapeForCache,
  };
}

export function imageSource<T extends KubernetesObject>(kc: KubeConfig): ResourceSource<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    paths: [`/apis/${GROUP}/${VERSION}/${IMAGE_PLURAL}`],
    list: async (_path, page) =>
      (await api.listClusterCustomObject(
        { group: GROUP, version: VERSION, plural: IMAGE_PLURAL, ...pageParams(page) },
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
    list: async (path, page) => {
      const ns = namespaceOf(path);
      const params = { fieldSelector, ...pageParams(page) };
      const res = ns
        ? await api.listNamespacedSecret({ namespace: ns, ...params })
        : await api.listSecretForAllNamespaces(params);
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
    list: async (_path, page) =>
      (await api.listNamespacedSecret({
        namespace,
        fieldSelector,
        ...pageParams(page),
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
    list: async (_path, page) =>
      (await api.listNode(
        pageParams(page),
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
  type Params = ReturnType<typeof pageParams>;
  const listers: Record<WorkloadKind, (p: Params, ns?: string) => Promise<unknown>> = {
    Deployment: (p, ns) =>
      ns
        ? apps.listNamespacedDeployment({ namespace: ns, ...p })
        : apps.listDeploymentForAllNamespaces(p),
    StatefulSet: (p, ns) =>
      ns
        ? apps.listNamespacedStatefulSet({ namespace: ns, ...p })
        : apps.listStatefulSetForAllNamespaces(p),
    DaemonSet: (p, ns) =>
      ns
        ? apps.listNamespacedDaemonSet({ namespace: ns, ...p })
        : apps.listDaemonSetForAllNamespaces(p),
    CronJob: (p, ns) =>
      ns
        ? batch.listNamespacedCronJob({ namespace: ns, ...p })
        : batch.listCronJobForAllNamespaces(p),
  };
  return {
    paths: scopedPaths(prefix, plural, namespaces),
    list: async (path, page) =>
      (await listers[kind](pageParams(page), namespaceOf(path))) as KubernetesListObject<T>,
    shape: shapeWorkloadForCache,
  };
}
