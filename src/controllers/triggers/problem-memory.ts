// The trigger problems of each workload and when each was last reported, so
// that a Warning Event is emitted when a problem appears, not on every resync
// or status update of the workload (the recorder's 60 s dedup alone would
// repeat it every resync), and again when its Event could not be written or
// has expired (after an hour), so a problem never goes quiet for good.
import { problemEventMessage, type TriggerProblem } from "../../reconcile/triggers/index.js";
import { PROBLEM_RESEND_MS } from "../events.js";

/** when each problem text was last reported; undefined: not yet written */
type Reports = Map<string, number | undefined>;

function textOf(problem: TriggerProblem): string {
  return `${problem.reason}:${problemEventMessage(problem)}`;
}

export class ProblemMemory {
  private readonly reported = new Map<string, Reports>();

  constructor(
    private readonly resendAfterMs = PROBLEM_RESEND_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Remembers the workload's current problems and returns those to report
   * now: new ones, ones whose last Event failed, ones reported an hour ago.
   * A problem that went away and comes back is new again.
   */
  due(workload: string, problems: readonly TriggerProblem[]): TriggerProblem[] {
    const before = this.reported.get(workload) ?? new Map<string, number | undefined>();
    const now: Reports = new Map();
    const due: TriggerProblem[] = [];
    for (const problem of problems) {
      const text = textOf(problem);
      if (now.has(text)) continue;
      const sentAt = before.get(text);
      now.set(text, sentAt);
      if (sentAt === undefined || this.now() - sentAt >= this.resendAfterMs) due.push(problem);
    }
    if (now.size === 0) this.reported.delete(workload);
    else this.reported.set(workload, now);
    return due;
  }

  /** The problem's Event was written. */
  sent(workload: string, problem: TriggerProblem): void {
    const reports = this.reported.get(workload);
    const text = textOf(problem);
    if (reports?.has(text)) reports.set(text, this.now());
  }

  forget(workload: string): void {
    this.reported.delete(workload);
  }
}
