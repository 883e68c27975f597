// Lease-based leader election on client-go's algorithm (client-node has none).
//
// - Expiry is judged by local observation only: a candidate remembers the
//   lease record it last saw and the LOCAL time it first saw it; the lease is
//   expired once that record has stayed unchanged for leaseDurationSeconds by
//   the candidate's own clock. The remote renewTime is written for humans and
//   never compared with a local clock, so skewed clocks cannot make two leaders.
// - Every get/create/update is cut off after requestTimeoutMs (< renewDeadline):
//   a hung request is a failed attempt, never a stuck loop.
// - A leader's watchdog fires renewDeadline after the start of its last
//   successful renew; it stops leading then, whatever its requests are doing.
//   A candidate needs leaseDuration (> renewDeadline) after it saw that renew,
//   which the server committed after the renew started: the old leader has
//   stopped before anyone can acquire.
// - A 409 on create/update is a lost round (someone else wrote first).
// - stop() releases a held lease the way client-go does (holder cleared,
//   leaseDurationSeconds 1), so a candidate takes over on its next attempt.
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import { isConflict } from "./kube-errors.js";
import { DEFAULT_TIMINGS, type ElectionTimings, validateTimings } from "./leader-timings.js";

/** The fields of a coordination.k8s.io/v1 Lease the election reads and writes. */
export interface LeaseRecord {
  holderIdentity?: string | undefined;
  leaseDurationSeconds: number;
  acquireTime?: Date | undefined;
  renewTime?: Date | undefined;
  leaseTransitions: number;
  /** optimistic concurrency: an update carrying a stale one gets 409 */
  resourceVersion?: string | undefined;
}

/** One Lease, by name; the Kubernetes implementation is in lease-api.ts. */
export interface LeaseApi {
  /** undefined when the Lease does not exist */
  get(signal: AbortSignal): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord, signal: AbortSignal): Promise<LeaseRecord>;
  update(record: LeaseRecord, signal: AbortSignal): Promise<LeaseRecord>;
}

/** Time as the elector sees it; tests script it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface LeaderElectionOptions {
  api: LeaseApi;
  identity: string;
  /** for log lines */
  name: string;
  timings?: ElectionTimings;
  log: Logger;
  clock?: Clock;
  onStartedLeading: () => void;
  /** called once when leadership is lost (not on stop()); the process should stop writing */
  onStoppedLeading: () => void;
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly t: ElectionTimings;
  private leading = false;
  private stopped = false;
  /** the record as last read or written, and the local time it first appeared */
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private loopTimer: unknown;
  private watchdog: unknown;
  private attempt: Promise<void> | undefined;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.clock = opts.clock ?? systemClock;
    this.t = opts.timings ?? DEFAULT_TIMINGS;
    validateTimings(this.t);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** a single request's limit: half the renew deadline leaves room for a retry */
  get requestTimeoutMs(): number {
    return Math.floor(this.t.renewDeadlineMs / 2);
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops campaigning; a leader releases the lease so the next one takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.loopTimer);
    this.clock.clearTimeout(this.watchdog);
    await this.attempt;
    if (this.leading) await this.release();
    this.leading = false;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.loopTimer = this.clock.setTimeout(() => {
      this.attempt = this.round();
    }, delayMs);
  }

  private async round(): Promise<void> {
    const started = this.clock.now();
    const won = await this.tryAcquireOrRenew().catch((err) => {
      this.opts.log.warn(
        { lease: this.opts.name, err: errorSummary(err) },
        "leader election attempt failed",
      );
      return false;
    });
    if (this.stopped) return;
    if (won) this.renewed(started);
    else if (this.leading && this.observed?.holderIdentity !== this.opts.identity) {
      this.stepDown("another holder took the lease");
      return;
    }
    // one attempt per retry period, counted from the attempt's start
    this.schedule(Math.max(0, started + this.t.retryPeriodMs - this.clock.now()));
  }

  /** A successful acquire or renew that started at `started` (local time). */
  private renewed(started: number): void {
    if (!this.leading) {
      this.leading = true;
      this.opts.log.info({ lease: this.opts.name, identity: this.opts.identity }, "became leader");
      this.opts.onStartedLeading();
    }
    this.clock.clearTimeout(this.watchdog);
    const left = started + this.t.renewDeadlineMs - this.clock.now();
    this.watchdog = this.clock.setTimeout(
      () => this.stepDown("renew deadline exceeded"),
      Math.max(0, left),
    );
  }

  private stepDown(why: string): void {
    if (!this.leading || this.stopped) return;
    this.leading = false;
    this.stopped = true;
    this.clock.clearTimeout(this.loopTimer);
    this.clock.clearTimeout(this.watchdog);
    this.opts.log.error({ lease: this.opts.name, reason: why }, "lost leadership");
    this.opts.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date(this.clock.now());
    const current = await this.call((s) => this.opts.api.get(s));
    if (!current) {
      const created = await this.write("create", {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: this.leaseSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      });
      return created !== undefined;
    }
    this.observe(current);
    const mine = current.holderIdentity === this.opts.identity;
    if (current.holderIdentity && !mine && this.observedValid()) return false;
    const updated = await this.write("update", {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.leaseSeconds,
      acquireTime: mine ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: current.leaseTransitions + (mine ? 0 : 1),
      resourceVersion: current.resourceVersion,
    });
    return updated !== undefined;
  }

  /** Writes the lease; undefined when another writer won the round (409). */
  private async write(
    verb: "create" | "update",
    record: LeaseRecord,
  ): Promise<LeaseRecord | undefined> {
    try {
      const written = await this.call((s) => this.opts.api[verb](record, s));
      this.observe(written);
      return written;
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.opts.log.debug({ lease: this.opts.name, verb }, "lost a leader election round (409)");
      return undefined;
    }
  }

  private observe(record: LeaseRecord): void {
    if (this.observed && this.observed.resourceVersion === record.resourceVersion) return;
    this.observed = record;
    this.observedAt = this.clock.now();
  }

  /** The observed record has not yet stayed unchanged for its lease duration, by our clock. */
  private observedValid(): boolean {
    const duration = (this.observed?.leaseDurationSeconds ?? 0) * 1000;
    return this.observedAt + duration > this.clock.now();
  }

  private get leaseSeconds(): number {
    return Math.ceil(this.t.leaseDurationMs / 1000);
  }

  /** Runs one API request, cut off (and aborted) after requestTimeoutMs. */
  private call<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        const err = new TimeoutError(`lease request timed out after ${this.requestTimeoutMs} ms`);
        abort.abort(err);
        reject(err);
      }, this.requestTimeoutMs);
    });
    return Promise.race([request(abort.signal), timeout]).finally(() =>
      this.clock.clearTimeout(timer),
    );
  }

  private async release(): Promise<void> {
    const last = this.observed;
    if (!last || last.holderIdentity !== this.opts.identity) return;
    const now = new Date(this.clock.now());
    try {
      await this.call((s) =>
        this.opts.api.update(
          {
            holderIdentity: undefined,
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: last.leaseTransitions,
            resourceVersion: last.resourceVersion,
          },
          s,
        ),
      );
      this.opts.log.info({ lease: this.opts.name }, "released the lease");
    } catch (err) {
      this.opts.log.warn(
        { lease: this.opts.name, err: errorSummary(err) },
        "could not release lease",
      );
    }
  }
}
