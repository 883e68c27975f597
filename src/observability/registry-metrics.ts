// The registry client's observers, feeding the registry metrics with a
// bounded `registry` label (the first 20 hosts by name, the rest "other").

import type { RegistryClientOptions } from "../registry/options.js";
import { BoundedLabel } from "./bounded-label.js";
import type { Metrics } from "./metrics.js";

export const MAX_REGISTRY_LABELS = 20;

export function registryObservers(
  metrics: Metrics,
): Pick<RegistryClientOptions, "onRequest" | "onThrottle"> {
  const label = new BoundedLabel(MAX_REGISTRY_LABELS);
  return {
    onRequest: (method, code, seconds, host) => {
      metrics.registryRequests.inc({ method, code, registry: label.of(host) });
      metrics.registryRequestDuration.observe({ method }, seconds);
    },
    onThrottle: {
      throttled: (host, cause, seconds) =>
        metrics.registryThrottledSeconds.inc({ registry: label.of(host), cause }, seconds),
      quotaRemaining: (host, remaining) =>
        metrics.registryQuotaRemaining.set({ registry: label.of(host) }, remaining),
    },
  };
}
