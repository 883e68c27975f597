// Helpers shared by the import e2e files (test/e2e/imports*.test.ts): admin
// access to streams, Images, Secrets and Events, registry targets for the four
// test registries, and polling. The operator under test runs as its
// ServiceAccount (startOperator); everything here is the user's side, as admin.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type {
  Image,
  ImageStream,
  ImageStreamSpec,
  NamedTagEventList,
} from "../../src/api/types.js";
import { MEDIA, type PushTarget, pushImage, RegistryPusher } from "../support/registry-push.js";
import { adminKubeConfig, testEnv } from "./support/env.js";

export const core = adminKubeConfig.makeApiClient(CoreV1Api);
export const custom = adminKubeConfig.makeApiClient(CustomObjectsApi);
export const eventsApi = adminKubeConfig.makeApiClient(EventsV1Api);

const STREAMS = { group: "image.openshift.io", version: "v1", plural: "imagestreams" };
const IMAGES = { group: "image.openshift.io", version: "v1", plural: "images" };
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export const targets = {
  plain: { registry: testEnv.registry, scheme: "http" } satisfies PushTarget,
  tls: { registry: testEnv.registryTls, ca: testEnv.registryCa } satisfies PushTarget,
  basic: {
    registry: testEnv.registryBasic,
    ca: testEnv.registryCa,
    username: testEnv.registryUser,
    password: testEnv.registryPassword,
  } satisfies PushTarget,
  token: {
    registry: testEnv.registryToken,
    ca: testEnv.registryCa,
    username: testEnv.registryUser,
    password: testEnv.registryPassword,
  } satisfies PushTarget,
};

/** The digest the registry itself reports for repository:reference (HEAD Docker-Content-Digest). */
export function registryDigest(
  target: PushTarget,
  repository: string,
  reference: string,
): Promise<string> {
  return new RegistryPusher(target).headDigest(repository, reference);
}

/** Pushes a new repository's v1 and returns its pull spec and the digest the registry reports. */
export async function pushedV1(target: PushTarget, name: string) {
  const repository = uniqueRepository(name);
  await pushImage(target, { repository, tag: "v1" });
  return {
    repository,
    reference: `${target.registry}/${repository}:v1`,
    digest: await registryDigest(target, repository, "v1"),
  };
}

/** A fresh namespace per test file, so files never see each other's streams. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await core.deleteNamespace({ name }).catch(() => undefined);
}

export async function createStream(
  namespace: string,
  name: string,
  spec: ImageStreamSpec,
  annotations?: Record<string, string>,
): Promise<ImageStream> {
  return (await custom.createNamespacedCustomObject({
    ...STREAMS,
    namespace,
    body: {
      apiVersion: "image.openshift.io/v1",
      kind: "ImageStream",
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec,
    },
  })) as ImageStream;
}

export async function getStream(namespace: string, name: string): Promise<ImageStream> {
  return (await custom.getNamespacedCustomObject({ ...STREAMS, namespace, name })) as ImageStream;
}

export async function patchStream(
  namespace: string,
  name: string,
  ops: { op: string; path: string; value?: unknown }[],
): Promise<ImageStream> {
  return (await custom.patchNamespacedCustomObject(
    { ...STREAMS, namespace, name, body: ops },
    jsonPatch,
  )) as ImageStream;
}

export async function mergePatchStream(
  namespace: string,
  name: string,
  body: unknown,
): Promise<ImageStream> {
  return (await custom.patchNamespacedCustomObject(
    { ...STREAMS, namespace, name, body },
    mergePatch,
  )) as ImageStream;
}

/** What `oc tag` does to ask for a re-import: the spec tag's generation set to 0. */
export async function requestReimport(
  namespace: string,
  name: string,
  tag: string,
): Promise<ImageStream> {
  const stream = await getStream(namespace, name);
  const index = stream.spec?.tags?.findIndex((t) => t.name === tag) ?? -1;
  if (index < 0) throw new Error(`no spec tag ${tag} in ${namespace}/${name}`);
  return patchStream(namespace, name, [
    { op: "test", path: `/spec/tags/${index}/name`, value: tag },
    { op: "add", path: `/spec/tags/${index}/generation`, value: 0 },
  ]);
}

export async function getImage(digest: string): Promise<Image | undefined> {
  try {
    return (await custom.getClusterCustomObject({
      ...IMAGES,
      name: digest.replace(":", "."),
    })) as Image;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export function statusTag(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return stream.status?.tags?.find((t) => t.tag === tag);
}

export function importCondition(stream: ImageStream, tag: string) {
  return statusTag(stream, tag)?.conditions?.find((c) => c.type === "ImportSuccess");
}

/** Polls probe every intervalMs until it returns a value; fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const found = await probe();
      if (found !== undefined && found !== false) return found;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The stream once the tag has a status entry that satisfies ready. */
export function waitForTag(
  namespace: string,
  name: string,
  tag: string,
  ready: (t: NamedTagEventList, s: ImageStream) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<ImageStream> {
  return eventually(
    `${namespace}/${name}:${tag} ${what}`,
    async () => {
      const stream = await getStream(namespace, name);
      const t = statusTag(stream, tag);
      return t && ready(t, stream) ? stream : undefined;
    },
    timeoutMs,
  );
}

export function waitForImage(
  namespace: string,
  name: string,
  tag: string,
  timeoutMs = 30_000,
): Promise<ImageStream> {
  return waitForTag(
    namespace,
    name,
    tag,
    (t) => (t.items?.length ?? 0) > 0,
    "has an image",
    timeoutMs,
  );
}

export function waitForCondition(
  namespace: string,
  name: string,
  tag: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<ImageStream> {
  return waitForTag(
    namespace,
    name,
    tag,
    (t) => t.conditions?.some((c) => c.type === "ImportSuccess" && c.reason === reason) ?? false,
    `has condition reason ${reason}`,
    timeoutMs,
  );
}

export interface StreamEvent {
  reason: string;
  type: string;
  note: string;
}

/** events.k8s.io/v1 Events regarding one stream. */
export async function streamEvents(namespace: string, name: string): Promise<StreamEvent[]> {
  const list = await eventsApi.listNamespacedEvent({ namespace });
  return list.items
    .filter((e) => e.regarding?.kind === "ImageStream" && e.regarding.name === name)
    .map((e) => ({ reason: e.reason ?? "", type: e.type ?? "", note: e.note ?? "" }));
}

export interface PullSecretOptions {
  annotations?: Record<string, string>;
  /** default kubernetes.io/dockerconfigjson; kubernetes.io/dockercfg holds the bare map */
  type?: "kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg";
}

/** A pull Secret with one entry, keyed by registry host (or host/path). */
export async function createPullSecret(
  namespace: string,
  name: string,
  key: string,
  username: string,
  password: string,
  options: PullSecretOptions = {},
): Promise<void> {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  await createPullSecretOf(namespace, name, { [key]: { username, password, auth } }, options);
}

/** A pull Secret whose entries hold only an identitytoken each (ADR 0031), by registry key. */
export async function createIdentityTokenSecret(
  namespace: string,
  name: string,
  tokens: Record<string, string>,
): Promise<void> {
  const auths = Object.fromEntries(
    Object.entries(tokens).map(([key, identitytoken]) => [key, { identitytoken }]),
  );
  await createPullSecretOf(namespace, name, auths);
}

/** A pull Secret of the given registry map. */
async function createPullSecretOf(
  namespace: string,
  name: string,
  auths: Record<string, unknown>,
  options: PullSecretOptions = {},
): Promise<void> {
  const type = options.type ?? "kubernetes.io/dockerconfigjson";
  const [field, content] =
    type === "kubernetes.io/dockercfg" ? [".dockercfg", auths] : [".dockerconfigjson", { auths }];
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name, ...(options.annotations ? { annotations: options.annotations } : {}) },
      type,
      data: { [field]: Buffer.from(JSON.stringify(content)).toString("base64") },
    },
  });
}

/** Sum of every series of a counter (or any metric lines starting with prefix). */
export async function counterSum(
  operator: { metricsUrl: string },
  prefix: string,
): Promise<number> {
  const text = await (await fetch(operator.metricsUrl)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

export const REGISTRY_REQUESTS = "imagestream_registry_requests_total{";
export const API_WRITES = "imagestream_api_writes_total{";
export const RECONCILES =
  'controller_runtime_reconcile_total{controller="imagestream",result="success"}';

export function dockerTag(name: string, from: string, extra: Record<string, unknown> = {}) {
  return { name, from: { kind: "DockerImage", name: from }, ...extra };
}

/** A repository name no other test or run has used (the registries outlive test runs). */
export function uniqueRepository(prefix: string): string {
  return `e2e/${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Keeps what the operator logged, for reading after a failure:
 * $ISO_CLUSTER_DIR/logs/e2e-<name>-operator.log (or the temp dir).
 * Returns the lines logged at error level or above (pino level >= 50).
 */
export function saveOperatorLog(operator: { logs: () => string }, name: string): string[] {
  const dir = process.env.ISO_CLUSTER_DIR ? join(process.env.ISO_CLUSTER_DIR, "logs") : tmpdir();
  mkdirSync(dir, { recursive: true });
  const text = operator.logs();
  writeFileSync(join(dir, `e2e-${name}-operator.log`), text);
  return text.split("\n").filter((line) => line.trim() !== "" && !belowError(line));
}

/** pino JSON lines carry a numeric level; anything else (a crash on stderr) counts as an error */
function belowError(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === "number" && level < 50;
  } catch {
    return false;
  }
}

/**
 * Waits out two periodic resyncs (the operator started with --resync-seconds
 * resyncSeconds) and checks the stream's key was reconciled at least twice
 * meanwhile, so "nothing happened" is measured over real passes.
 */
export async function waitForResyncs(
  operator: { metric: (series: string) => Promise<number> },
  resyncSeconds: number,
): Promise<void> {
  const before = await operator.metric(RECONCILES);
  await sleep(2 * resyncSeconds * 1000 + 500);
  const passes = (await operator.metric(RECONCILES)) - before;
  if (passes < 2) throw new Error(`expected at least 2 reconciles over two resyncs, saw ${passes}`);
}

/** Runs fn over items, at most `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Points every registry tag in `tags` at the (Docker v2) manifest `from` names: one digest, many tags. */
export async function copyTag(
  target: PushTarget,
  repository: string,
  from: string,
  tags: string[],
): Promise<void> {
  const pusher = new RegistryPusher(target);
  const manifest = await pusher.send("GET", `/v2/${repository}/manifests/${from}`, repository, {
    accept: MEDIA.docker.manifest,
  });
  await pool(tags, 8, (tag) =>
    pusher.pushManifest(repository, tag, MEDIA.docker.manifest, manifest.body),
  );
}
