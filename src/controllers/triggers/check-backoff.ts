// When a refused digest is checked again (ADR 0030). A workload is planned
// on every status update of its own, so without this a digest the pods
// cannot pull would cost a registry request per pass. Kept in memory only:
// the refusal is also on the workload (its Event, its rollout-status entry),
// and a restart re-checks each refusal once.
import type { Refusal } from "../../reconcile/triggers/index.js";

const MIN_MS = 30_000;
const MAX_MS = 10 * 60_000;

interface Checked {
  refusal: Refusal;
  /** what the check read from the workload (checkInputs): a change re-checks at once */
  inputs: string;
  /** when this image was first refused */
  first: number;
  /** the next check is due then */
  due: number;
}

export class CheckBackoff {
  /** workload key -> container key -> last check of a refused image */
  private readonly last = new Map<string, Map<string, Checked>>();

  /**
   * The refusals whose re-check is not due yet, by container key: the plan
   * holds them without asking the registry.
   */
  held(workload: string, now: number, inputs: string): Map<string, Refusal> {
    const held = new Map<string, Refusal>();
    for (const [key, checked] of this.last.get(workload) ?? []) {
      if (now < checked.due && checked.inputs === inputs) held.set(key, checked.refusal);
    }
    return held;
  }

  /**
   * A check ran: a refusal waits twice as long as it has lasted (30 s to 10
   * min) before the next; a pass forgets it.
   */
  checked(
    workload: string,
    key: string,
    check: { image: string; inputs: string; now: number },
    refusal?: Refusal,
  ): void {
    const { image, inputs, now } = check;
    const checks = this.last.get(workload) ?? new Map<string, Checked>();
    if (refusal === undefined) {
      checks.delete(key);
    } else {
      const before = checks.get(key);
      const first = before?.refusal.image === image ? before.first : now;
      const wait = Math.min(MAX_MS, Math.max(MIN_MS, 2 * (now - first)));
      checks.set(key, { refusal, inputs, first, due: now + wait });
    }
    if (checks.size === 0) this.last.delete(workload);
    else this.last.set(workload, checks);
  }

  /** The earliest re-check due for a workload. */
  nextCheck(workload: string): number | undefined {
    const due = [...(this.last.get(workload)?.values() ?? [])].map((c) => c.due);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  forget(workload: string): void {
    this.last.delete(workload);
  }

  /** Every refusal is checked again on its next pass (the nodes changed). */
  clear(): void {
    this.last.clear();
  }
}
