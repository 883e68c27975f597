// Leader election timings (client-go's names and defaults), apart from the
// elector so that config.ts can validate flags without loading the elector.

export interface ElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's defaults. */
export const DEFAULT_TIMINGS: ElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** client-go's rules: leaseDuration > renewDeadline > retryPeriod > 0. */
export function validateTimings(t: ElectionTimings): void {
  if (!(t.retryPeriodMs > 0 && t.renewDeadlineMs > t.retryPeriodMs)) {
    throw new Error("leader election: the renew deadline must be longer than the retry period");
  }
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new Error("leader election: the lease duration must be longer than the renew deadline");
  }
}
