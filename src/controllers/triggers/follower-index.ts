// Which workloads follow which image stream tags: the index that lets a tag
// move wake only the workloads that follow it. Maintained from workload
// events (the workload side is the one that names the tags).
export class FollowerIndex {
  private readonly byTag = new Map<string, Set<string>>();
  /** "namespace/stream" -> workloads following any of its tags */
  private readonly byStream = new Map<string, Set<string>>();
  private readonly tagsOf = new Map<string, Set<string>>();

  /** Replaces what a workload follows (tag keys from triggerIndexKeys). */
  set(workload: string, tagKeys: Iterable<string>): void {
    this.remove(workload);
    const keys = new Set(tagKeys);
    if (keys.size === 0) return;
    this.tagsOf.set(workload, keys);
    for (const key of keys) {
      add(this.byTag, key, workload);
      add(this.byStream, streamOfTagKey(key), workload);
    }
  }

  remove(workload: string): void {
    const keys = this.tagsOf.get(workload);
    if (keys === undefined) return;
    this.tagsOf.delete(workload);
    for (const key of keys) {
      drop(this.byTag, key, workload);
      drop(this.byStream, streamOfTagKey(key), workload);
    }
  }

  /** Workloads following any of these tag keys. */
  followersOf(tagKeys: Iterable<string>): Set<string> {
    const found = new Set<string>();
    for (const key of tagKeys) for (const w of this.byTag.get(key) ?? []) found.add(w);
    return found;
  }

  /** Workloads following any tag of a stream (it appeared or vanished). */
  followersOfStream(namespace: string, stream: string): Set<string> {
    return new Set(this.byStream.get(`${namespace}/${stream}`) ?? []);
  }

  /** Tag keys a workload follows (empty when unknown). */
  followed(workload: string): Set<string> {
    return new Set(this.tagsOf.get(workload) ?? []);
  }

  get size(): number {
    return this.tagsOf.size;
  }
}

// A tag cannot contain ":" (nor a stream name), so the last ":" splits them.
function streamOfTagKey(key: string): string {
  return key.slice(0, key.lastIndexOf(":"));
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function drop(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
