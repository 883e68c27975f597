// Our own writes outrun the informer cache: right after the controller
// patches a stream, the key is often processed again (it was marked dirty by
// an earlier event) while the cache still holds the version we replaced.
// Planning from that version redoes finished work (a registry request, then a
// write that fails its resourceVersion guard). So we remember the versions our
// writes superseded and skip a pass that reads one of them: the watch event of
// our write is on its way and enqueues the key again.
import type { ImageStream } from "../../api/types.js";
import type { ImageStreamWriter } from "../imagestream-writer.js";

const PER_KEY_LIMIT = 16;

export class SupersededVersions {
  private readonly byKey = new Map<string, Set<string>>();

  record(key: string, before: string | undefined, after: string | undefined): void {
    // a write the server found to be no change returns the same version: no event will follow
    if (!before || !after || before === after) return;
    let versions = this.byKey.get(key);
    if (!versions) {
      versions = new Set();
      this.byKey.set(key, versions);
    }
    if (versions.size >= PER_KEY_LIMIT) versions.clear();
    versions.add(before);
  }

  /** True when `version` was replaced by our own write; otherwise forgets the key's record. */
  isStale(key: string, version: string | undefined): boolean {
    const versions = this.byKey.get(key);
    if (!versions) return false;
    if (version && versions.has(version)) return true;
    this.byKey.delete(key);
    return false;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}

/** The writer, recording which stream versions each of its writes replaced. */
export function recordingWriter(
  writer: ImageStreamWriter,
  superseded: SupersededVersions,
): ImageStreamWriter {
  const track = async (s: ImageStream, write: Promise<ImageStream>): Promise<ImageStream> => {
    const written = await write;
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    superseded.record(key, s.metadata.resourceVersion, written.metadata.resourceVersion);
    return written;
  };
  return {
    patchSpec: (s, ops) => track(s, writer.patchSpec(s, ops)),
    writeStatus: (s, status) => track(s, writer.writeStatus(s, status)),
    setAnnotation: (s, k, v) => track(s, writer.setAnnotation(s, k, v)),
    getStream: (ns, n) => writer.getStream(ns, n),
    applyImage: (image) => writer.applyImage(image),
    deleteImage: (n) => writer.deleteImage(n),
  };
}
