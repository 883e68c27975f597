// Turns image stream events into the tag keys whose trigger value changed:
// the predicate that keeps status noise (conditions, a scheduled import that
// found the same digest, our own generation stamps) from waking workloads,
// and so prevents write storms and loops. Informer handlers get only the new
// object, so the previous version of each stream is kept here.
import type { ImageStream } from "../../api/types.js";
import {
  changedTagKeys,
  type TagImageOptions,
  tagIndexKey,
} from "../../reconcile/triggers/index.js";
import type { ChangeVerb } from "../informer.js";

export interface StreamChange {
  namespace: string;
  name: string;
  /** tag keys ("namespace/stream:tag") whose image or access changed */
  tagKeys: Set<string>;
  /** the stream was first seen or deleted: every follower of it must look again */
  appearedOrVanished: boolean;
}

export class StreamChangeTracker {
  private readonly previous = new Map<string, ImageStream>();

  constructor(private readonly options: TagImageOptions = {}) {}

  observe(stream: ImageStream, verb: ChangeVerb): StreamChange {
    const namespace = stream.metadata.namespace ?? "";
    const name = stream.metadata.name ?? "";
    const key = `${namespace}/${name}`;
    const before = this.previous.get(key);
    if (verb === "delete") {
      this.previous.delete(key);
      return { namespace, name, tagKeys: allTagKeys(before ?? stream), appearedOrVanished: true };
    }
    this.previous.set(key, stream);
    if (before === undefined) {
      return { namespace, name, tagKeys: allTagKeys(stream), appearedOrVanished: true };
    }
    const tagKeys = changedTagKeys(before, stream, this.options);
    return { namespace, name, tagKeys, appearedOrVanished: false };
  }

  get size(): number {
    return this.previous.size;
  }
}

function allTagKeys(stream: ImageStream): Set<string> {
  const namespace = stream.metadata.namespace ?? "";
  const name = stream.metadata.name ?? "";
  const tags = [
    ...(stream.spec?.tags ?? []).map((t) => t.name),
    ...(stream.status?.tags ?? []).map((t) => t.tag),
  ];
  return new Set(tags.map((tag) => tagIndexKey(namespace, name, tag)));
}
