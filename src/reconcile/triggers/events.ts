// Event texts for the trigger controller. events.k8s.io/v1 rejects a note
// longer than 1024 bytes, and image references can be long, so texts are
// capped (in UTF-8 bytes, as the API server counts).

import { ANN_TRIGGERS } from "../../api/types.js";
import type { ContainerImageChange } from "./plan.js";
import { containerLabel } from "./plan.js";
import type { TriggerProblem } from "./types.js";

export const EVENT_NOTE_LIMIT = 1024;

/** Why and how a container was rolled: the tag, the old image and the new one. */
export function rolloutEventMessage(change: ContainerImageChange): string {
  const { from } = change.trigger;
  const tag = `image stream tag ${from.namespace}/${from.name}`;
  const why =
    change.cause === "TagMoved"
      ? `${tag} moved`
      : change.cause === "Rollback"
        ? `the rollout following ${tag} failed`
        : `new trigger on ${tag}`;
  const container = containerLabel({
    containerList: change.containerList,
    name: change.containerName,
  });
  const old =
    change.oldImage === undefined || change.oldImage.trim() === "" ? "no image" : change.oldImage;
  return cap(`${why}: set ${container} image to ${change.newImage} (was ${old})`);
}

/** A problem with where it is: "image.openshift.io/triggers[1]: ..." */
export function problemEventMessage(problem: TriggerProblem): string {
  const prefix = problem.position === undefined ? "" : `${ANN_TRIGGERS}[${problem.position}]: `;
  return cap(`${prefix}${problem.message}`);
}

function cap(text: string): string {
  if (Buffer.byteLength(text) <= EVENT_NOTE_LIMIT) return text;
  // Array.from splits by code point, so no surrogate pair is cut in half
  const chars = Array.from(text);
  let bytes = Buffer.byteLength("…");
  let kept = 0;
  for (const ch of chars) {
    bytes += Buffer.byteLength(ch);
    if (bytes > EVENT_NOTE_LIMIT) break;
    kept++;
  }
  return `${chars.slice(0, kept).join("")}…`;
}
