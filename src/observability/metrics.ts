// Prometheus metrics. Queue and reconcile metrics use the controller-runtime
// names so existing dashboards work; ours live under the imagestream_ prefix.
// No label ever carries an object name (cardinality stays bounded).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  reconcileTotal: Counter<"controller" | "result">;
  reconcileErrors: Counter<"controller">;
  reconcileTime: Histogram<"controller">;
  queueDepth: Gauge<"name">;
  queueAdds: Counter<"name">;
  queueDuration: Histogram<"name">;
  workDuration: Histogram<"name">;
  queueRetries: Counter<"name">;
  leaderStatus: Gauge<"name">;
  imports: Counter<"result" | "reason">;
  registryRequests: Counter<"method" | "code" | "registry">;
  registryRequestDuration: Histogram<"method">;
  registryThrottledSeconds: Counter<"registry" | "cause">;
  registryQuotaRemaining: Gauge<"registry">;
  scheduledChecksDue: Counter;
  scheduledChecksDeferred: Counter;
  triggerRollouts: Counter<"kind">;
  triggerProblems: Counter<"kind">;
  apiWrites: Counter<"resource" | "verb">;
  pushNotifications: Counter<"receiver" | "result">;
  pushToImport: Histogram;
}

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers: r,
    }),
    reconcileErrors: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers: r,
    }),
    reconcileTime: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: durationBuckets,
      registers: r,
    }),
    queueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name"],
      registers: r,
    }),
    queueAdds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name"],
      registers: r,
    }),
    queueDuration: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name"],
      buckets: durationBuckets,
      registers: r,
    }),
    workDuration: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames: ["name"],
      buckets: durationBuckets,
      registers: r,
    }),
    queueRetries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name"],
      registers: r,
    }),
    leaderStatus: new Gauge({
      name: "leader_election_master_status",
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master",
      labelNames: ["name"],
      registers: r,
    }),
    imports: new Counter({
      name: "imagestream_imports_total",
      help: "Tag imports by result (success, failure) and failure reason",
      labelNames: ["result", "reason"],
      registers: r,
    }),
    registryRequests: new Counter({
      name: "imagestream_registry_requests_total",
      help: "HTTP requests sent to registries, by method, status code and registry host",
      labelNames: ["method", "code", "registry"],
      registers: r,
    }),
    registryThrottledSeconds: new Counter({
      name: "imagestream_registry_throttled_seconds_total",
      help: "Seconds requests waited for a registry host's rate limit or concurrency, and seconds the host was paused (429/503 Retry-After, quota used up), by registry host and cause",
      labelNames: ["registry", "cause"],
      registers: r,
    }),
    registryQuotaRemaining: new Gauge({
      name: "imagestream_registry_quota_remaining",
      help: "Requests left in the registry's own quota where it reports one (Docker Hub ratelimit-remaining)",
      labelNames: ["registry"],
      registers: r,
    }),
    registryRequestDuration: new Histogram({
      name: "imagestream_registry_request_duration_seconds",
      help: "Latency of registry HTTP requests",
      labelNames: ["method"],
      buckets: durationBuckets,
      registers: r,
    }),
    scheduledChecksDue: new Counter({
      name: "imagestream_scheduled_checks_due_total",
      help: "Scheduled stream checks that came due (one per stream and round, however many tags)",
      registers: r,
    }),
    scheduledChecksDeferred: new Counter({
      name: "imagestream_scheduled_checks_deferred_total",
      help: "Scheduled stream checks requeued by --max-scheduled-image-imports-per-minute",
      registers: r,
    }),
    triggerRollouts: new Counter({
      name: "imagestream_trigger_rollouts_total",
      help: "Workload image updates caused by image stream tag moves, by workload kind",
      labelNames: ["kind"],
      registers: r,
    }),
    triggerProblems: new Counter({
      name: "imagestream_trigger_problems_total",
      help: "Invalid image.openshift.io/triggers entries found, by workload kind",
      labelNames: ["kind"],
      registers: r,
    }),
    apiWrites: new Counter({
      name: "imagestream_api_writes_total",
      help: "Writes sent to the Kubernetes API, by resource and verb",
      labelNames: ["resource", "verb"],
      registers: r,
    }),
    pushNotifications: new Counter({
      name: "imagestream_push_notifications_total",
      help: "Registry push notifications by receiver and result (accepted, unauthenticated, malformed, no_matching_tag)",
      labelNames: ["receiver", "result"],
      registers: r,
    }),
    pushToImport: new Histogram({
      name: "imagestream_push_to_import_seconds",
      help: "From a push notification to the status of a tag it names showing a new image",
      buckets: durationBuckets,
      registers: r,
    }),
  };
}
