// The trigger problems last reported per workload, so that a Warning Event is
// emitted when a problem appears, not on every resync or status update of
// the workload (the recorder's 60 s dedup alone would repeat it every resync).
import { problemEventMessage, type TriggerProblem } from "../../reconcile/triggers/index.js";

export class ProblemMemory {
  private readonly reported = new Map<string, Set<string>>();

  /**
   * Remembers the workload's current problems and returns those not reported
   * last time. A problem that went away and comes back is reported again.
   */
  update(workload: string, problems: readonly TriggerProblem[]): TriggerProblem[] {
    const before = this.reported.get(workload) ?? new Set<string>();
    const now = new Set<string>();
    const fresh: TriggerProblem[] = [];
    for (const problem of problems) {
      const text = `${problem.reason}:${problemEventMessage(problem)}`;
      if (!before.has(text) && !now.has(text)) fresh.push(problem);
      now.add(text);
    }
    if (now.size === 0) this.reported.delete(workload);
    else this.reported.set(workload, now);
    return fresh;
  }

  forget(workload: string): void {
    this.reported.delete(workload);
  }
}
