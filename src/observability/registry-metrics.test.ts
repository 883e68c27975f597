import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";
import { MAX_REGISTRY_LABELS, registryObservers } from "./registry-metrics.js";

describe("registryObservers", () => {
  it("labels requests, throttled seconds and quota by registry, at most 20 hosts by name", async () => {
    const metrics = createMetrics(false);
    const { onRequest, onThrottle } = registryObservers(metrics);
    for (let i = 0; i < MAX_REGISTRY_LABELS + 5; i++)
      onRequest?.("GET", "200", 0.01, `r${i}.example`);
    onRequest?.("HEAD", "429", 0.01, "docker.io");
    onThrottle?.throttled?.("docker.io", "paused", 20);
    onThrottle?.throttled?.("r0.example", "rate_limit", 0.5);
    onThrottle?.quotaRemaining?.("r1.example", 76);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'imagestream_registry_requests_total{method="GET",code="200",registry="r19.example"} 1',
    );
    expect(text).toContain(
      'imagestream_registry_requests_total{method="GET",code="200",registry="other"} 5',
    );
    expect(text).toContain(
      'imagestream_registry_requests_total{method="HEAD",code="429",registry="other"} 1',
    );
    expect(text).toContain(
      'imagestream_registry_throttled_seconds_total{registry="r0.example",cause="rate_limit"} 0.5',
    );
    expect(text).toContain('imagestream_registry_quota_remaining{registry="r1.example"} 76');
  });
});
