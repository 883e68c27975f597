// Registry politeness at the transport (ADR 0013): before a request goes out
// it waits for its host's rate budget (a token bucket) and for one of the
// host's concurrency slots; a host that answered 429/503 with Retry-After, or
// reported its quota exhausted, is paused for every tag, and a request to it
// fails fast without being sent. Waiting here is not the registry being slow:
// the request deadline only starts once a request has its socket.

import {
  DEFAULT_CONCURRENCY,
  DEFAULT_RATE_LIMITS,
  type HostSettings,
  type RateBudget,
  settingFor,
  throttleKey,
} from "./host-budget.js";
import { BoundedCache } from "./lru.js";
import {
  exhaustedQuotaPauseSeconds,
  parseQuotaHeader,
  parseRetryAfter,
  RETRY_AFTER_CAP_SECONDS,
} from "./rate-headers.js";
import { ImportError, type ImportFailureReason } from "./types.js";

/** A 429 without Retry-After still says "slow down": the host rests this long. */
export const RATE_LIMITED_DEFAULT_PAUSE_SECONDS = 30;
/** Hosts with state kept (budgets, pauses); a redirecting registry cannot grow it forever. */
const MAX_HOSTS = 1000;

export type ThrottleCause = "rate_limit" | "concurrency" | "paused";

export interface ThrottleObserver {
  /** seconds spent waiting (rate_limit, concurrency) or newly paused (paused), by throttleKey */
  throttled?: (host: string, cause: ThrottleCause, seconds: number) => void;
  /** the registry's own count of requests left (Docker Hub's ratelimit-remaining) */
  quotaRemaining?: (host: string, remaining: number) => void;
}

export interface ThrottleOptions {
  rateLimits?: HostSettings<RateBudget>;
  concurrency?: HostSettings<number>;
  now?: () => number;
  /** how a wait is spent; a fake in tests */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  observer?: ThrottleObserver;
}

/** A token bucket whose tokens may go negative: each taker is told when its token is due. */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly budget: RateBudget,
    private readonly now: () => number,
  ) {
    this.tokens = budget.burst;
    this.updatedMs = now();
  }

  /** Takes a token; returns the ms until it may be used (0: now). Later takers queue behind. */
  take(): number {
    if (this.budget.perSecond <= 0) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.budget.perSecond) * 1000);
  }

  /** Returns a token taken for a request that was never sent. */
  giveBack(): void {
    if (this.budget.perSecond <= 0) return;
    this.refill();
    this.tokens = Math.min(this.budget.burst, this.tokens + 1);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedMs) / 1000;
    this.tokens = Math.min(this.budget.burst, this.tokens + elapsed * this.budget.perSecond);
    this.updatedMs = now;
  }
}

/** A counting semaphore, first come first served. */
export class Slots {
  private inUse = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.inUse < this.limit) {
      this.inUse++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      this.waiters.push(grant);
    });
  }

  /** Hands the slot to the next waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inUse--;
  }

  get busy(): number {
    return this.inUse;
  }
}

function cancelled(): ImportError {
  return new ImportError("Timeout", "registry request was cancelled");
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Why a host is paused: the failure every import to it reports meanwhile. */
interface Pause {
  untilMs: number;
  reason: ImportFailureReason;
  /** e.g. "rate limit reached", completed with "(retry after Ns)" */
  what: string;
}

interface HostState {
  bucket: TokenBucket;
  slots: Slots;
  pause?: Pause;
}

/** What a response said about the host's limits; headers by lower-case name. */
export interface RateAnswer {
  status: number;
  header: (name: string) => string | undefined;
}

export class RegistryThrottle {
  private readonly hosts = new BoundedCache<string, HostState>(MAX_HOSTS);
  private readonly rateLimits: HostSettings<RateBudget>;
  private readonly concurrency: HostSettings<number>;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly observer: ThrottleObserver;

  constructor(options: ThrottleOptions = {}) {
    this.rateLimits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.observer = options.observer ?? {};
  }

  /** Fails with RateLimited while the host is paused; retryAfterSeconds is what remains. */
  checkPaused(host: string): void {
    const key = throttleKey(host);
    const pause = this.hosts.get(key)?.pause;
    const remainingMs = (pause?.untilMs ?? 0) - this.now();
    if (!pause || remainingMs <= 0) return;
    const seconds = Math.ceil(remainingMs / 1000);
    throw new ImportError(
      pause.reason,
      `registry ${key} ${pause.what} (retry after ${seconds}s)`,
      seconds,
    );
  }

  /**
   * Waits for the host's rate budget and a concurrency slot, then runs `send`.
   * The pause is checked before and after the wait: a 429 that arrives while
   * this request queued stops it too.
   */
  async run<T>(host: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = throttleKey(host);
    this.checkPaused(key);
    const state = this.state(key);
    await this.waitForToken(key, state, signal);
    const queued = this.now();
    try {
      await state.slots.acquire(signal);
    } catch (error) {
      state.bucket.giveBack();
      throw error;
    }
    this.report(key, "concurrency", this.now() - queued);
    try {
      try {
        this.checkPaused(key);
      } catch (error) {
        state.bucket.giveBack();
        throw error;
      }
      return await send();
    } finally {
      state.slots.release();
    }
  }

  /** Pauses the host after a 429/503 with Retry-After, a bare 429, or a quota of 0. */
  observe(host: string, answer: RateAnswer): void {
    const key = throttleKey(host);
    const remaining = parseQuotaHeader(answer.header("ratelimit-remaining"));
    if (remaining) this.observer.quotaRemaining?.(key, remaining.value);
    const asked = this.retryAfterPause(answer);
    if (asked) this.pause(key, asked.seconds, asked.reason, asked.what);
    const exhausted = this.quotaPause(answer);
    if (exhausted) this.pause(key, exhausted, "RateLimited", "reports its pull quota used up");
  }

  private retryAfterPause(answer: RateAnswer) {
    if (answer.status !== 429 && answer.status !== 503) return undefined;
    const asked = parseRetryAfter(answer.header("retry-after"), this.now());
    if (answer.status === 503) {
      // a 503 without Retry-After is an outage, which the tag's own backoff handles
      return asked
        ? { seconds: asked, reason: "InternalError" as const, what: "answered 503" }
        : undefined;
    }
    const seconds = asked ?? RATE_LIMITED_DEFAULT_PAUSE_SECONDS;
    return { seconds, reason: "RateLimited" as const, what: "rate limit reached" };
  }

  private quotaPause(answer: RateAnswer): number | undefined {
    return exhaustedQuotaPauseSeconds(
      {
        remaining: answer.header("ratelimit-remaining"),
        limit: answer.header("ratelimit-limit"),
        reset: answer.header("ratelimit-reset"),
      },
      this.now(),
    );
  }

  /** Extends (never shortens) the host's pause; reports the seconds added. */
  private pause(key: string, seconds: number, reason: ImportFailureReason, what: string): void {
    if (seconds <= 0) return;
    const state = this.state(key);
    const now = this.now();
    const untilMs = now + Math.min(seconds, RETRY_AFTER_CAP_SECONDS) * 1000;
    const added = untilMs - Math.max(state.pause?.untilMs ?? 0, now);
    if (added <= 0) return;
    state.pause = { untilMs, reason, what };
    this.report(key, "paused", added);
  }

  private async waitForToken(key: string, state: HostState, signal?: AbortSignal): Promise<void> {
    const waitMs = state.bucket.take();
    if (waitMs <= 0) return;
    try {
      await this.sleep(waitMs, signal);
    } catch (error) {
      state.bucket.giveBack();
      throw error;
    }
    this.report(key, "rate_limit", waitMs);
  }

  private report(key: string, cause: ThrottleCause, ms: number): void {
    if (ms > 0) this.observer.throttled?.(key, cause, ms / 1000);
  }

  private state(key: string): HostState {
    let state = this.hosts.get(key);
    if (!state) {
      state = {
        bucket: new TokenBucket(settingFor(this.rateLimits, key), this.now),
        slots: new Slots(settingFor(this.concurrency, key)),
      };
      this.hosts.set(key, state);
    }
    return state;
  }
}
