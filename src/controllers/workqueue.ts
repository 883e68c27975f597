// A work queue of keys with client-go semantics on top of p-queue:
// - a key waiting in the queue is stored once (adding it again is a no-op);
// - a key is never processed by two workers at once; adding a key that is
//   being processed marks it dirty, and it runs once more afterwards;
// - failures requeue with per-key exponential backoff and jitter; success
//   forgets the failure count;
// - delayed adds keep only the earliest timer per key; long delays fire on
//   shared 1-second ticks (one timer for every key due in that second);
// - p-queue bounds the number of concurrent reconciles;
// - a queue made `paused` collects keys but runs none until start(): what a
//   controller does until its informers' caches have synced.
import PQueue from "p-queue";
import type { Metrics } from "../observability/metrics.js";

export interface ReconcileResult {
  /** run this key again after this many milliseconds (scheduled work) */
  requeueAfterMs?: number;
}

export type ReconcileFn = (key: string) => Promise<ReconcileResult | undefined>;

export interface WorkQueueOptions {
  name: string;
  concurrency: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** fraction of the delay added at random, so retries of many keys spread out */
  jitter?: number;
  random?: () => number;
  now?: () => number;
  metrics?: Pick<
    Metrics,
    "queueDepth" | "queueAdds" | "queueDuration" | "workDuration" | "queueRetries"
  >;
  onError?: (key: string, err: unknown, retryInMs: number) => void;
  /** collect keys, run none until start() */
  paused?: boolean;
}

/** Keys added when one timer fires. */
interface Bucket {
  keys: Set<string>;
  handle: NodeJS.Timeout;
}

/**
 * Delays from this long on fire at the end of their second, together with
 * every other key due in it. A spread schedule (ADR 0014) runs a check every
 * few ms; woken for each alone, the process paid about twice the CPU per
 * unchanged check it pays for the same checks run a second's worth at a time
 * (bench:check-cpu, docs/benchmarks.md), and held one Node timer per key.
 * Shorter delays (backoff's first steps, a slot a few ms away) stay exact.
 */
const TICK_FROM_MS = 5_000;
const TICK_MS = 1_000;

export class WorkQueue {
  private readonly waiting = new Map<string, number>(); // key -> time added
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** key -> when its pending delayed add fires (the bucket's time) */
  private readonly timers = new Map<string, number>();
  private readonly buckets = new Map<number, Bucket>();
  private readonly pool: PQueue;
  private shuttingDown = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly reconcile: ReconcileFn,
    private readonly opts: WorkQueueOptions,
  ) {
    this.pool = new PQueue({ concurrency: opts.concurrency, autoStart: opts.paused !== true });
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** Runs the keys collected while paused, and every key added from now on. */
  start(): void {
    this.pool.start();
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.queueAdds.inc({ name: this.opts.name });
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.set(key, this.now());
    this.updateDepth();
    void this.pool.add(() => this.process(key));
  }

  /** Adds the key after a delay; an earlier pending timer for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const now = this.now();
    const exact = now + delayMs;
    const fireAt = delayMs < TICK_FROM_MS ? exact : Math.ceil(exact / TICK_MS) * TICK_MS;
    const existing = this.timers.get(key);
    if (existing !== undefined && existing <= fireAt) return;
    if (existing !== undefined) this.leaveBucket(key, existing);
    this.timers.set(key, fireAt);
    this.bucketAt(fireAt, now).keys.add(key);
  }

  private bucketAt(fireAt: number, now: number): Bucket {
    let bucket = this.buckets.get(fireAt);
    if (!bucket) {
      const handle = setTimeout(() => this.fire(fireAt), fireAt - now);
      handle.unref();
      bucket = { keys: new Set(), handle };
      this.buckets.set(fireAt, bucket);
    }
    return bucket;
  }

  private leaveBucket(key: string, fireAt: number): void {
    const bucket = this.buckets.get(fireAt);
    if (!bucket) return;
    bucket.keys.delete(key);
    if (bucket.keys.size > 0) return;
    clearTimeout(bucket.handle);
    this.buckets.delete(fireAt);
  }

  private fire(fireAt: number): void {
    const bucket = this.buckets.get(fireAt);
    this.buckets.delete(fireAt);
    for (const key of bucket?.keys ?? []) {
      this.timers.delete(key);
      this.add(key);
    }
  }

  /** Requeues after the key's next backoff delay and returns that delay. */
  addRateLimited(key: string): number {
    const attempts = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempts);
    this.opts.metrics?.queueRetries.inc({ name: this.opts.name });
    const delay = this.backoffDelay(attempts);
    this.addAfter(key, delay);
    return delay;
  }

  backoffDelay(attempts: number): number {
    const base = this.opts.baseDelayMs ?? 500;
    const max = this.opts.maxDelayMs ?? 300_000;
    const exp = Math.min(max, base * 2 ** Math.min(attempts - 1, 30));
    return Math.round(exp * (1 + (this.opts.jitter ?? 0.1) * this.random()));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.waiting.size;
  }

  /** reconciles running now */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Resolves when nothing is waiting or running (timers may still be pending). */
  async idle(): Promise<void> {
    await this.pool.onIdle();
  }

  /** Stops accepting keys, drops timers, and waits up to timeoutMs for running work. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    for (const bucket of this.buckets.values()) clearTimeout(bucket.handle);
    this.buckets.clear();
    this.timers.clear();
    this.pool.clear();
    this.waiting.clear();
    this.updateDepth();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = this.pool.onIdle().then(() => true);
    const result = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    return result;
  }

  private async process(key: string): Promise<void> {
    const addedAt = this.waiting.get(key);
    if (addedAt === undefined) return; // dropped by shutdown
    this.waiting.delete(key);
    this.processing.add(key);
    this.updateDepth();
    const started = this.now();
    this.opts.metrics?.queueDuration.observe({ name: this.opts.name }, (started - addedAt) / 1000);
    try {
      const result = await this.reconcile(key);
      this.forget(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const delay = this.addRateLimited(key);
      this.opts.onError?.(key, err, delay);
    } finally {
      this.opts.metrics?.workDuration.observe(
        { name: this.opts.name },
        (this.now() - started) / 1000,
      );
      this.processing.delete(key);
      if (this.dirty.delete(key)) this.add(key);
    }
  }

  private updateDepth(): void {
    this.opts.metrics?.queueDepth.set({ name: this.opts.name }, this.waiting.size);
  }
}
