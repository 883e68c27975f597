// What a triggered workload runs for one image stream tag: the images its
// pod template holds in the containers whose triggers follow that tag,
// paused or not. The import controller keeps these items in the tag's
// history (ADR 0012): a paused or rolled-back workload stays on an old image
// while the tag moves on, and that item is what it may roll back to again.

import { ANN_TRIGGERS } from "../../api/types.js";
import { parseTriggers } from "./parse-triggers.js";
import type { Workload } from "./types.js";

export function imagesFollowing(
  workload: Workload,
  namespace: string,
  stream: string,
  tag: string,
): string[] {
  const parsed = parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
  const images = parsed.triggers
    .filter((t) => t.from.namespace === namespace && t.stream === stream && t.tag === tag)
    .map((t) => t.container.image)
    .filter((image): image is string => image !== undefined && image !== "");
  return [...new Set(images)];
}
