// Per-registry-host budgets: a request rate (token bucket) and a concurrency
// limit, each with a default for every host and overrides by host (ADR 0013).
// Docker Hub answers on three names; they share one budget.

export interface RateBudget {
  /** requests per second refilled; 0 means no rate limit */
  perSecond: number;
  /** requests that may go at once after a quiet spell */
  burst: number;
}

export interface HostSettings<T> {
  default: T;
  /** by throttleKey(host) */
  hosts: Record<string, T>;
}

export const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, "registry-1.docker.io", "index.docker.io"]);

/**
 * Defaults (ADR 0013): Docker Hub gets 5 requests/s, burst 10, 4 at a time;
 * every other host 250/s, burst 500 (above the 200/s a 100 tags/s cold start
 * needs at 2 requests a tag) and 8 at a time, the socket cap before ADR 0013.
 */
export const DEFAULT_RATE_LIMITS: HostSettings<RateBudget> = {
  default: { perSecond: 250, burst: 500 },
  hosts: { [DOCKER_HUB]: { perSecond: 5, burst: 10 } },
};
export const DEFAULT_CONCURRENCY: HostSettings<number> = {
  default: 8,
  hosts: { [DOCKER_HUB]: 4 },
};

/** The name budgets, pauses and metrics use for a host[:port]. */
export function throttleKey(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

export function settingFor<T>(settings: HostSettings<T>, host: string): T {
  return settings.hosts[throttleKey(host)] ?? settings.default;
}

/** `base` with `overrides` on top: a default or host given in `overrides` wins. */
export function mergeHostSettings<T>(
  base: HostSettings<T>,
  overrides: Partial<HostSettings<T>>,
): HostSettings<T> {
  return {
    default: overrides.default ?? base.default,
    hosts: { ...base.hosts, ...overrides.hosts },
  };
}

/**
 * `default=V,host=V,...` (the flag syntax) with `parseValue` for each V;
 * throws an Error naming the bad entry.
 */
export function parseHostSettings<T>(
  text: string,
  parseValue: (value: string) => T | undefined,
): Partial<HostSettings<T>> {
  const parsed: Partial<HostSettings<T>> = { hosts: {} };
  for (const entry of text.split(",").map((s) => s.trim())) {
    if (!entry) continue;
    const i = entry.lastIndexOf("=");
    const key = i > 0 ? entry.slice(0, i).trim() : "";
    const value = i > 0 ? parseValue(entry.slice(i + 1).trim()) : undefined;
    if (!key || value === undefined) throw new Error(`invalid entry "${entry}"`);
    if (key === "default") parsed.default = value;
    else (parsed.hosts as Record<string, T>)[throttleKey(key)] = value;
  }
  return parsed;
}

/** `rps[:burst]`: rps a non-negative number (0: unlimited), burst a positive integer (default: one second's worth). */
export function parseRateBudget(value: string): RateBudget | undefined {
  const [rate, burst, extra] = value.split(":");
  if (extra !== undefined || !rate || !/^[0-9]+(\.[0-9]+)?$/.test(rate)) return undefined;
  const perSecond = Number(rate);
  if (burst === undefined) return { perSecond, burst: Math.max(1, Math.ceil(perSecond)) };
  if (!/^[0-9]+$/.test(burst) || Number(burst) < 1) return undefined;
  return { perSecond, burst: Number(burst) };
}

export function parseConcurrency(value: string): number | undefined {
  return /^[0-9]+$/.test(value) && Number(value) >= 1 ? Number(value) : undefined;
}

/** The flag syntax back, for help texts: `default=250:500,docker.io=5:10`. */
export function formatHostSettings<T>(
  settings: HostSettings<T>,
  format: (value: T) => string,
): string {
  const entries = [["default", settings.default] as const, ...Object.entries(settings.hosts)];
  return entries.map(([key, value]) => `${key}=${format(value)}`).join(",");
}

export function formatRateBudget(budget: RateBudget): string {
  return `${budget.perSecond}:${budget.burst}`;
}
