// Configuration of the registry client and the limits applied to everything a
// registry controls.

import type { HostSettings, RateBudget } from "./host-budget.js";
import type { RegistryPolicyOptions } from "./policy.js";
import type { ThrottleObserver } from "./throttle.js";
import type { TlsOptions } from "./tls.js";

export interface RegistryClientOptions extends RegistryPolicyOptions, TlsOptions {
  /** deadline of one HTTP exchange, body included (default 15 s) */
  requestTimeoutMs?: number;
  /** default 4 MiB, as the distribution server's own limit */
  maxManifestBytes?: number;
  /** default 8 MiB */
  maxConfigBytes?: number;
  /** default 256 KiB */
  maxTokenBytes?: number;
  /** default 1 MiB per page of a tag list */
  maxTagPageBytes?: number;
  /** redirects followed per request (default 5) */
  maxRedirects?: number;
  /** tags returned by listTags at most (default 10000) */
  maxTags?: number;
  /** `n` asked per tag-list page (default 1000) */
  tagPageSize?: number;
  /** clock in ms, for token expiry and Retry-After dates */
  now?: () => number;
  /** told of every HTTP exchange with a registry (for metrics); never sees headers or bodies */
  onRequest?: RequestObserver;
  /** requests per second and burst by registry host (ADR 0013; default DEFAULT_RATE_LIMITS) */
  rateLimits?: HostSettings<RateBudget>;
  /** requests in flight by registry host (default DEFAULT_CONCURRENCY) */
  concurrency?: HostSettings<number>;
  /** told of throttled time and of quotas registries report (for metrics) */
  onThrottle?: ThrottleObserver;
}

/**
 * method, status code (or "error" when no response came), duration in
 * seconds, and the host[:port] the request went to (as throttleKey names it:
 * Docker Hub's names as docker.io)
 */
export type RequestObserver = (method: string, code: string, seconds: number, host: string) => void;

export interface Limits {
  requestTimeoutMs: number;
  maxManifestBytes: number;
  maxConfigBytes: number;
  maxTokenBytes: number;
  maxTagPageBytes: number;
  maxRedirects: number;
  maxTags: number;
  tagPageSize: number;
}

const MiB = 1024 * 1024;

export function resolveLimits(options: RegistryClientOptions): Limits {
  return {
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    maxManifestBytes: options.maxManifestBytes ?? 4 * MiB,
    maxConfigBytes: options.maxConfigBytes ?? 8 * MiB,
    maxTokenBytes: options.maxTokenBytes ?? 256 * 1024,
    maxTagPageBytes: options.maxTagPageBytes ?? MiB,
    maxRedirects: options.maxRedirects ?? 5,
    maxTags: options.maxTags ?? 10_000,
    tagPageSize: options.tagPageSize ?? 1000,
  };
}
