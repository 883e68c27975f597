// Image objects no stream refers to any more. An Image is kept when any
// stream's history names its digest, when it is a child of a kept manifest
// list (PreserveOriginal), or while it is younger than the grace period: the
// controller creates Images before it writes the status that refers to them.

import { digestFromImageObjectName, type Image, type ImageStream } from "../api/types.js";

/** Names of Image objects to delete, sorted. Pass every stream and every Image of the cluster. */
export function planImageGC(
  streams: readonly ImageStream[],
  images: readonly Image[],
  now: Date,
  graceMinutes: number,
): string[] {
  const referenced = new Set<string>();
  for (const s of streams) {
    for (const tag of s.status?.tags ?? []) {
      for (const item of tag.items ?? []) if (item.image) referenced.add(item.image);
    }
  }
  const byDigest = new Map(images.map((img) => [digestOf(img), img]));
  for (const d of [...referenced]) {
    for (const child of byDigest.get(d)?.dockerImageManifests ?? []) referenced.add(child.digest);
  }
  const cutoff = now.getTime() - graceMinutes * 60_000;
  const doomed: string[] = [];
  for (const img of images) {
    const name = img.metadata.name;
    if (!name || referenced.has(digestOf(img))) continue;
    const created = Date.parse(img.metadata.creationTimestamp ?? "");
    // an Image of unknown age is kept: better an orphan than a deleted image
    if (Number.isNaN(created) || created > cutoff) continue;
    doomed.push(name);
  }
  return doomed.sort();
}

function digestOf(img: Image): string {
  return img.digest || digestFromImageObjectName(img.metadata.name ?? "");
}
