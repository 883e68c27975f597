// Where in the scheduled interval a stream's checks fall (ADR 0014). Every
// stream has a stable phase, a hash of namespace/name modulo the interval, and
// its scheduled tags are checked at the wall-clock slots phase + k * interval.
// The hash spreads many streams evenly over the interval, and the slots do not
// depend on when the process started, so a restart or a leader change keeps
// every stream's rhythm instead of checking everything at once.
import { createHash } from "node:crypto";

/** The stream's offset within the interval, in ms: the same in every process. */
export function slotPhaseMs(namespace: string, name: string, intervalMs: number): number {
  const digest = createHash("sha256").update(`${namespace}/${name}`).digest();
  return digest.readUIntBE(0, 6) % intervalMs;
}

/** The first slot strictly after `afterMs` (epoch ms). */
export function nextSlotMs(phaseMs: number, afterMs: number, intervalMs: number): number {
  const offset = (((phaseMs - afterMs) % intervalMs) + intervalMs) % intervalMs;
  return afterMs + (offset === 0 ? intervalMs : offset);
}
