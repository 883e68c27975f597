// The user's side of bench/import.ts, as admin: distinct synthetic images in
// the plain registry (one repository per stream, one image per tag), the
// streams that name them, re-import requests, and the Image objects the run
// made (removed afterwards: they are cluster-scoped and outlive the namespace).
import type { ImageStream, TagReference } from "../src/api/types.js";
import {
  createStream,
  custom,
  dockerTag,
  patchStream,
  sleep,
  targets,
  uniqueRepository,
} from "../test/e2e/imports-support.js";
import { testEnv } from "../test/e2e/support/env.js";
import { pushImage } from "../test/support/registry-push.js";

export interface Fixture {
  /** stream name -> registry repository */
  repositories: Map<string, string>;
  /** stream name -> digest pushed for each tag, in tagNames order */
  digests: Map<string, string[]>;
  tagNames: string[];
}

/** Runs fn over items with at most `concurrency` calls in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function pushStreamImages(repository: string, tagNames: string[]): Promise<string[]> {
  const digests: string[] = [];
  for (const tag of tagNames) {
    // one small random layer: every image, and so every digest, is distinct
    const image = await pushImage(targets.plain, {
      repository,
      tag,
      layerCount: 1,
      layerBytes: 256,
    });
    digests.push(image.digest);
  }
  return digests;
}

/** Pushes streams x tags distinct images: repository <run>/s<i>, tags v1..v<tags>. */
export async function pushImages(streams: number, tags: number): Promise<Fixture> {
  const run = uniqueRepository("bench-import");
  const names = Array.from({ length: streams }, (_, i) => `s${i}`);
  const tagNames = Array.from({ length: tags }, (_, i) => `v${i + 1}`);
  const fixture: Fixture = { repositories: new Map(), digests: new Map(), tagNames };
  await pool(names, 16, async (name) => {
    const repository = `${run}/${name}`;
    fixture.repositories.set(name, repository);
    fixture.digests.set(name, await pushStreamImages(repository, tagNames));
  });
  return fixture;
}

export function distinctDigests(fixture: Fixture): number {
  return new Set([...fixture.digests.values()].flat()).size;
}

/** host:port the streams name: the registry itself, or a counting proxy in front of it. */
let registryHost = testEnv.registry;
export function nameRegistry(host: string): void {
  registryHost = host;
}

function specTags(fixture: Fixture, name: string): TagReference[] {
  const from = `${registryHost}/${fixture.repositories.get(name)}`;
  const importPolicy = { insecure: true, scheduled: true };
  return fixture.tagNames.map((tag) => dockerTag(tag, `${from}:${tag}`, { importPolicy }));
}

export function createStreams(namespace: string, fixture: Fixture): Promise<void> {
  const names = [...fixture.repositories.keys()];
  return pool(names, 16, (name) =>
    createStream(namespace, name, { tags: specTags(fixture, name) }),
  );
}

export async function listStreams(namespace: string): Promise<ImageStream[]> {
  const list = (await custom.listNamespacedCustomObject({
    group: "image.openshift.io",
    version: "v1",
    plural: "imagestreams",
    namespace,
  })) as { items: ImageStream[] };
  return list.items;
}

/** Every tag's newest status item is the digest pushed for it. */
export function importedAll(fixture: Fixture) {
  return (s: ImageStream): boolean => {
    const expected = fixture.digests.get(s.metadata.name ?? "") ?? [];
    return fixture.tagNames.every(
      (tag, i) => s.status?.tags?.find((t) => t.tag === tag)?.items?.[0]?.image === expected[i],
    );
  };
}

/** What `oc tag` sends to ask for a re-import (generation 0), for every tag in one patch. */
export function requestReimports(namespace: string, fixture: Fixture): Promise<void> {
  const ops = fixture.tagNames.flatMap((tag, i) => [
    { op: "test", path: `/spec/tags/${i}/name`, value: tag },
    { op: "add", path: `/spec/tags/${i}/generation`, value: 0 },
  ]);
  const names = [...fixture.repositories.keys()];
  return pool(names, 16, (name) => patchStream(namespace, name, ops));
}

/** Every request answered: each spec tag's generation is the one its status observed. */
export function reimportsAnswered(s: ImageStream): boolean {
  return (s.spec?.tags ?? []).every((tag) => {
    const status = s.status?.tags?.find((t) => t.tag === tag.name);
    const condition = status?.conditions?.find((c) => c.type === "ImportSuccess");
    const observed = Math.max(status?.items?.[0]?.generation ?? 0, condition?.generation ?? 0);
    return (tag.generation ?? 0) > 0 && tag.generation === observed;
  });
}

/** Polls listStreams every second until all `count` streams satisfy done. */
export async function waitStreams(
  namespace: string,
  count: number,
  done: (s: ImageStream) => boolean,
): Promise<ImageStream[]> {
  for (;;) {
    const streams = await listStreams(namespace);
    if (streams.length === count && streams.every(done)) return streams;
    await sleep(1000);
  }
}

/** Status of every stream, by name, for "did anything change" comparisons. */
export function statuses(streams: ImageStream[]): Map<string, string> {
  return new Map(streams.map((s) => [s.metadata.name ?? "", JSON.stringify(s.status)]));
}

export function sameStatuses(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, status]) => b.get(name) === status);
}

/** Deletes the Image objects named by the pushed digests; returns how many existed. */
export async function deleteImages(fixture: Fixture): Promise<number> {
  let deleted = 0;
  const names = [...fixture.digests.values()].flat().map((d) => d.replace(":", "."));
  await pool(names, 16, async (name) => {
    try {
      await custom.deleteClusterCustomObject({
        group: "image.openshift.io",
        version: "v1",
        plural: "images",
        name,
      });
      deleted++;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  });
  return deleted;
}
