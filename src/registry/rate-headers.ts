// What a registry says about its own limits: Retry-After on 429/503 (RFC 9110:
// delay-seconds or an HTTP-date) and Docker Hub's quota headers
// (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`, the
// IETF RateLimit draft shape; `ratelimit-reset` in seconds where sent).

/**
 * Retry-After and pauses are honoured up to an hour (ADR 0005, 0013): a bogus
 * value must not park a tag or a whole registry host for days.
 */
export const RETRY_AFTER_CAP_SECONDS = 60 * 60;

/** Retry-After in whole seconds from `now` (epoch ms), capped; undefined when absent or malformed. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Math.min(Number(trimmed), RETRY_AFTER_CAP_SECONDS);
  // an HTTP-date names its day and month; Date.parse alone takes "-5" for a year
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), RETRY_AFTER_CAP_SECONDS);
}

export interface QuotaHeader {
  /** the number before the first `;` */
  value: number;
  /** the `w=` window in seconds, when given */
  windowSeconds?: number;
}

/** `76;w=21600` -> { value: 76, windowSeconds: 21600 }; a bare `76` has no window. */
export function parseQuotaHeader(value: string | undefined): QuotaHeader | undefined {
  if (value === undefined) return undefined;
  const [head, ...params] = value.split(";").map((part) => part.trim());
  if (!head || !/^[0-9]+$/.test(head)) return undefined;
  const quota: QuotaHeader = { value: Number(head) };
  for (const param of params) {
    const match = /^w=([0-9]+)$/i.exec(param);
    if (match) quota.windowSeconds = Number(match[1]);
  }
  return quota;
}

/** Epoch seconds look like 1.7e9; anything below a year's worth of seconds is a delay. */
const EPOCH_THRESHOLD_SECONDS = 365 * 24 * 60 * 60;
/** At quota 0 with no reset or window given: a minute, then the next answer tells more. */
export const EXHAUSTED_DEFAULT_PAUSE_SECONDS = 60;

export interface QuotaHeaders {
  remaining?: string | undefined;
  limit?: string | undefined;
  reset?: string | undefined;
}

/**
 * How long to pause a host whose quota reads 0, in seconds (capped): until
 * `ratelimit-reset` if sent (a delay, or epoch seconds as some registries
 * send), else the window divided by the limit (in a sliding window that is
 * when, on average, the next pull frees up: 216 s for 100 per 6 h), else a
 * minute. Undefined while quota remains or no quota is reported.
 */
export function exhaustedQuotaPauseSeconds(
  headers: QuotaHeaders,
  nowMs: number,
): number | undefined {
  const remaining = parseQuotaHeader(headers.remaining);
  if (remaining === undefined || remaining.value > 0) return undefined;
  const reset = headers.reset?.trim();
  let seconds: number | undefined;
  if (reset && /^[0-9]+$/.test(reset)) {
    const n = Number(reset);
    seconds = n > EPOCH_THRESHOLD_SECONDS ? Math.ceil(n - nowMs / 1000) : n;
  } else {
    const limit = parseQuotaHeader(headers.limit);
    const window = remaining.windowSeconds ?? limit?.windowSeconds;
    if (window && limit && limit.value > 0) seconds = Math.ceil(window / limit.value);
  }
  const chosen = seconds !== undefined && seconds > 0 ? seconds : EXHAUSTED_DEFAULT_PAUSE_SECONDS;
  return Math.min(chosen, RETRY_AFTER_CAP_SECONDS);
}
