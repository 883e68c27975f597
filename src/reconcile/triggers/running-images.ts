// What a triggered workload runs for one image stream tag: the images its
// pod template holds in the containers whose triggers follow that tag,
// paused or not. The import controller keeps these items in the tag's
// history (ADR 0012): a paused or rolled-back workload stays on an old image
// while the tag moves on, and that item is what it may roll back to again.

import { ANN_TRIGGERS } from "../../api/types.js";
import { parseTriggers } from "./parse-triggers.js";
import { readRolloutStatus } from "./rollout-state.js";
import type { Workload } from "./types.js";

export function imagesFollowing(
  workload: Workload,
  namespace: string,
  stream: string,
  tag: string,
): string[] {
  const parsed = parseTriggers(workload.metadata?.annotations?.[ANN_TRIGGERS], workload);
  const following = parsed.triggers.filter(
    (t) => t.from.namespace === namespace && t.stream === stream && t.tag === tag,
  );
  // a rollout we follow may be written back to the image it replaced (ADR 0030)
  const rollout = readRolloutStatus(workload).status;
  const images = following.flatMap((t) => {
    const entry = rollout[t.container.key];
    const back = entry?.phase === "Progressing" ? entry.previous : undefined;
    return [t.container.image, back];
  });
  return [...new Set(images.filter((i): i is string => i !== undefined && i !== ""))];
}
