// An in-memory stand-in for the API server, for unit tests of the import
// reconciler (imported by *.test.ts only). It keeps one copy of each stream
// the way the API server does for the writes ImportReconciler makes: every
// write bumps resourceVersion, a spec patch bumps metadata.generation, a
// guarded write from a stale version is a 409. It records each write and
// Event, so a test can say "this pass wrote nothing". The real API server's
// merge semantics are exercised by the e2e tests; what is faked here is only
// what a unit test needs to observe the write decisions.

import type { Image, ImageStream, ImageStreamStatus } from "../../api/types.js";
import { imageObjectName } from "../../api/types.js";
import { applyJsonPatch, deepFreeze } from "../../reconcile/test-fixtures.js";
import type { EventRecord, Recorder } from "../events.js";
import type { ImageStreamWriter, JsonPatchOp } from "../imagestream-writer.js";
import { type ImportControllerDeps, ImportReconciler } from "./controller.js";

export type WriteKind = "spec" | "status" | "annotation" | "image";

export interface RecordedWrite {
  kind: WriteKind;
  /** the stream (or Image name) after the write */
  after: ImageStream | string;
}

/** What isConflict() recognises: the API server's 409. */
export class ConflictError extends Error {
  readonly code = 409;
}

export class MemoryApi implements ImageStreamWriter {
  readonly writes: RecordedWrite[] = [];
  readonly events: EventRecord[] = [];
  readonly images = new Map<string, Image>();
  readonly recorder: Recorder = {
    record: async (event) => {
      this.events.push(event);
      return true;
    },
  };
  private readonly streams = new Map<string, ImageStream>();
  private lastVersion = 100;

  /** Creates or replaces a stream as a user would; returns the stored copy. */
  put(stream: ImageStream): ImageStream {
    return structuredClone(this.store(structuredClone(stream)));
  }

  /** The informer's view: the current stream, frozen because cache entries must not be mutated. */
  cached(namespace: string, name: string): ImageStream | undefined {
    const stream = this.streams.get(`${namespace}/${name}`);
    return stream && deepFreeze(structuredClone(stream));
  }

  statusWrites(): ImageStreamStatus[] {
    return this.writes
      .filter((w) => w.kind === "status" && typeof w.after !== "string")
      .map((w) => (w.after as ImageStream).status ?? {});
  }

  async patchSpec(stream: ImageStream, ops: JsonPatchOp[]): Promise<ImageStream> {
    const current = this.current(stream);
    const patched = applyJsonPatch(current, ops as Parameters<typeof applyJsonPatch>[1]);
    patched.metadata.generation = (patched.metadata.generation ?? 0) + 1;
    return this.written("spec", patched);
  }

  async writeStatus(stream: ImageStream, status: ImageStreamStatus): Promise<ImageStream> {
    const current = this.current(stream);
    return this.written("status", { ...current, status: structuredClone(status) });
  }

  /** Unguarded, as the real writer's annotation merge patch. */
  async setAnnotation(stream: ImageStream, key: string, value: string): Promise<ImageStream> {
    const current = this.mustExist(stream);
    const annotations = { ...current.metadata.annotations, [key]: value };
    return this.written("annotation", {
      ...current,
      metadata: { ...current.metadata, annotations },
    });
  }

  async getStream(namespace: string, name: string): Promise<ImageStream | undefined> {
    const stream = this.streams.get(`${namespace}/${name}`);
    return stream && structuredClone(stream);
  }

  async applyImage(image: Image): Promise<void> {
    const name = imageObjectName(image.digest);
    this.images.set(name, structuredClone(image));
    this.writes.push({ kind: "image", after: name });
  }

  async deleteImage(name: string): Promise<void> {
    this.images.delete(name);
  }

  /** The stored stream, when the caller's copy is that version (resourceVersion precondition). */
  private current(stream: ImageStream): ImageStream {
    const current = this.mustExist(stream);
    if (current.metadata.resourceVersion !== stream.metadata.resourceVersion) {
      throw new ConflictError(`stale resourceVersion ${stream.metadata.resourceVersion}`);
    }
    return structuredClone(current);
  }

  private mustExist(stream: ImageStream): ImageStream {
    const current = this.streams.get(`${stream.metadata.namespace}/${stream.metadata.name}`);
    if (!current) throw Object.assign(new Error("not found"), { code: 404 });
    return current;
  }

  private written(kind: WriteKind, stream: ImageStream): ImageStream {
    const stored = this.store(stream);
    this.writes.push({ kind, after: structuredClone(stored) });
    return structuredClone(stored);
  }

  private store(stream: ImageStream): ImageStream {
    this.lastVersion++;
    stream.metadata.resourceVersion = String(this.lastVersion);
    this.streams.set(`${stream.metadata.namespace}/${stream.metadata.name}`, stream);
    return stream;
  }
}

/**
 * An ImportReconciler over this in-memory API and a registry client, no pull
 * secrets: what most controller tests build; `extra` adds or overrides deps.
 */
export function memoryReconciler(
  api: MemoryApi,
  registry: ImportControllerDeps["registry"],
  extra: Partial<ImportControllerDeps> = {},
): ImportReconciler {
  return new ImportReconciler({
    registry,
    credentialsFor: () => [],
    bulkImportLimit: 50,
    getStream: (namespace, name) => api.cached(namespace, name),
    imageExists: (name) => api.images.has(name),
    writer: api,
    recorder: api.recorder,
    planner: {},
    ...extra,
  });
}
