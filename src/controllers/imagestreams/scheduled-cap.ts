// The cluster-wide cap on scheduled imports (ADR 0014), with the meaning of
// OpenShift's maxScheduledImageImportsPerMinute: a token bucket refilled at
// perMinute/60 tokens a second and holding up to 2 x perMinute (60 -> 1/s,
// burst 120), one token per stream's scheduled check. Only scheduled checks
// ask for a token. A stream that finds none reserves the next free one and is
// requeued for that moment, so a backlog costs one extra reconcile per
// deferred stream, not one per stream per second.

/** Tokens that may be taken ahead of time: a negative balance is the queue of reservations. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; returns 0 when it was there, else the ms until it will be. */
  take(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.lastMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.perSecond);
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

export interface Behind {
  /** how long a check that is due now waits for its token */
  waitMs: number;
  /** streams holding a reservation */
  reserved: number;
  perMinute: number;
  intervalMs: number;
}

export interface ScheduledCapOptions {
  /** scheduled imports per minute; 0 means no cap */
  perMinute: number;
  /** the scheduled interval: a wait longer than this means a round cannot complete */
  intervalMs: number;
  now?: () => number;
  /** a stream's scheduled check came due (counted once, however long it waits) */
  onDue?: () => void;
  /** it found no token and waits for a reserved one */
  onDeferred?: () => void;
  /** the backlog outlasts the interval; called at most once per BEHIND_REPORT_MS */
  onBehind?: (behind: Behind) => void;
}

export const BEHIND_REPORT_MS = 5 * 60_000;

/** undefined: go ahead; a number: no token yet, look again after this many ms. */
export type Admission = number | undefined;

export class ScheduledImportCap {
  private readonly bucket: TokenBucket | undefined;
  private readonly reservations = new Map<string, number>(); // key -> epoch ms of its token
  private readonly now: () => number;
  private lastBehindMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: ScheduledCapOptions) {
    this.now = opts.now ?? Date.now;
    const perMinute = opts.perMinute;
    this.bucket =
      perMinute > 0 ? new TokenBucket(perMinute / 60, 2 * perMinute, this.now()) : undefined;
  }

  /** Asks for the stream's scheduled check to run now. */
  admit(key: string): Admission {
    const now = this.now();
    const reserved = this.reservations.get(key);
    if (reserved !== undefined) {
      if (reserved > now) return reserved - now;
      this.reservations.delete(key);
      return undefined;
    }
    this.opts.onDue?.();
    const waitMs = this.bucket?.take(now) ?? 0;
    if (waitMs === 0) return undefined;
    this.reservations.set(key, now + waitMs);
    this.opts.onDeferred?.();
    if (waitMs > this.opts.intervalMs) this.reportBehind(now, waitMs);
    return waitMs;
  }

  /** The stream is gone: drop its reservation (its token is not handed back). */
  forget(key: string): void {
    this.reservations.delete(key);
  }

  private reportBehind(now: number, waitMs: number): void {
    if (now - this.lastBehindMs < BEHIND_REPORT_MS) return;
    this.lastBehindMs = now;
    this.opts.onBehind?.({
      waitMs,
      reserved: this.reservations.size,
      perMinute: this.opts.perMinute,
      intervalMs: this.opts.intervalMs,
    });
  }
}
