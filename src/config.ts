// Operator configuration: every flag has an environment variable (flags win).
// Parsed with node:util parseArgs; no dependency needed for this.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ElectionTimings, validateTimings } from "./controllers/leader-timings.js";
import { RECEIVER_FORMATS, type ReceiverFormat } from "./reconcile/push-formats.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_RATE_LIMITS,
  formatHostSettings,
  formatRateBudget,
  type HostSettings,
  mergeHostSettings,
  parseConcurrency,
  parseHostSettings,
  parseRateBudget,
  type RateBudget,
} from "./registry/host-budget.js";
import { isRegistryHost } from "./registry/reference.js";

interface FlagSpec {
  env: string;
  help: string;
  default?: string;
  boolean?: boolean;
}

export const FLAGS = {
  kubeconfig: {
    env: "KUBECONFIG",
    help: "kubeconfig file (default: in-cluster config, else ~/.kube/config)",
  },
  namespaces: { env: "ISO_NAMESPACES", help: "comma-separated namespaces to watch (default: all)" },
  workers: { env: "ISO_WORKERS", help: "concurrent reconciles per controller", default: "4" },
  "resync-seconds": {
    env: "ISO_RESYNC_SECONDS",
    help: "periodic full resync of every object",
    default: "600",
  },
  "list-page-size": {
    env: "ISO_LIST_PAGE_SIZE",
    help: "objects per page when an informer lists (0: one request for everything)",
    default: "500",
  },
  "scheduled-import-seconds": {
    env: "ISO_SCHEDULED_IMPORT_SECONDS",
    help: "interval of scheduled tag imports (importPolicy.scheduled)",
    default: "900",
  },
  "max-scheduled-image-imports-per-minute": {
    env: "ISO_MAX_SCHEDULED_IMAGE_IMPORTS_PER_MINUTE",
    help: "scheduled stream checks per minute, cluster-wide (burst twice that); 0 or -1: no cap",
    default: "60",
  },
  "default-import-mode": {
    env: "ISO_DEFAULT_IMPORT_MODE",
    help: "import mode for tags without one: Legacy or PreserveOriginal",
    default: "Legacy",
  },
  "default-platform": {
    env: "ISO_DEFAULT_PLATFORM",
    help: "os/arch picked from manifest lists in Legacy mode when the tag prefers none",
    default: "linux/amd64",
  },
  "bulk-import-limit": {
    env: "ISO_BULK_IMPORT_LIMIT",
    help: "tags imported from spec.dockerImageRepository",
    default: "50",
  },
  "allowed-registries": {
    env: "ISO_ALLOWED_REGISTRIES",
    help: "comma-separated registry host globs imports may reach (default: any)",
  },
  "blocked-registries": {
    env: "ISO_BLOCKED_REGISTRIES",
    help: "comma-separated registry host globs imports may never reach",
  },
  "registry-ca": {
    env: "ISO_REGISTRY_CA",
    help: "comma-separated host=/path/ca.pem: extra CA bundle per registry host",
  },
  "ca-bundle": { env: "ISO_CA_BUNDLE", help: "PEM file of extra CAs trusted for every registry" },
  "registry-timeout-seconds": {
    env: "ISO_REGISTRY_TIMEOUT_SECONDS",
    help: "timeout of each registry request",
    default: "15",
  },
  "registry-rate-limit": {
    env: "ISO_REGISTRY_RATE_LIMIT",
    help: "requests/s and burst per registry host, default=rps[:burst],host=rps[:burst],... (rps 0: no limit); entries replace the defaults they name",
    default: formatHostSettings(DEFAULT_RATE_LIMITS, formatRateBudget),
  },
  "registry-concurrency": {
    env: "ISO_REGISTRY_CONCURRENCY",
    help: "requests in flight per registry host, default=n,host=n,...; entries replace the defaults they name",
    default: formatHostSettings(DEFAULT_CONCURRENCY, String),
  },
  "registry-hostname": {
    env: "ISO_REGISTRY_HOSTNAME",
    help: "integrated registry host; sets status.dockerImageRepository and enables Local reference policy",
  },
  "image-gc-interval-seconds": {
    env: "ISO_IMAGE_GC_INTERVAL_SECONDS",
    help: "how often unreferenced Image objects are collected; 0 disables (needs all namespaces watched)",
    default: "300",
  },
  "image-gc-grace-minutes": {
    env: "ISO_IMAGE_GC_GRACE_MINUTES",
    help: "age before an unreferenced Image object is deleted",
    default: "10",
  },
  "pull-check-fresh-seconds": {
    env: "ISO_PULL_CHECK_FRESH_SECONDS",
    help: "before a trigger writes a digest, a read of it this recent (the import's) with the pods' credentials answers the pull check; older: one HEAD (ADR 0030)",
    default: "600",
  },
  "max-tag-history": {
    env: "ISO_MAX_TAG_HISTORY",
    help: "items kept per tag in status history, besides those triggered workloads run; 0 keeps all (a stream's imagestream-operator.io/max-tag-history annotation overrides)",
    default: "10",
  },
  "metrics-addr": {
    env: "ISO_METRICS_ADDR",
    help: "listen address of /metrics, /healthz, /readyz",
    default: "0.0.0.0:8080",
  },
  "webhook-enabled": {
    env: "ISO_WEBHOOK_ENABLED",
    help: "serve the registry push-notification receivers (POST /hooks/<receiver>, docs/push.md) on the HTTPS server (--serving-addr) of every replica; only the leader acts on them",
    default: "true",
  },
  "webhook-service": {
    env: "ISO_WEBHOOK_SERVICE",
    help: "Service (no selector) whose EndpointSlice the leader points at itself ($POD_IP and the HTTPS port), so pushes reach the replica that imports; empty or no $POD_IP: none written",
    default: "imagestream-operator-webhook",
  },
  "webhook-secret-name": {
    env: "ISO_WEBHOOK_SECRET_NAME",
    help: "Secret holding the receivers' secrets, one key per receiver (dockerhub, quay, harbor, github, gitlab, distribution, gar, generic); a receiver without a key is off",
    default: "imagestream-operator-webhook",
  },
  "webhook-receivers": {
    env: "ISO_WEBHOOK_RECEIVERS",
    help: "receivers served (comma-separated; each also needs its key in the Secret)",
    default: "distribution,dockerhub,quay,harbor,github,gitlab,gar,generic",
  },
  "webhook-registry-hosts": {
    env: "ISO_WEBHOOK_REGISTRY_HOSTS",
    help: "receiver=host[:port],...: match a receiver's pushes against this registry instead of the one its payload names (a mirror of Docker Hub, a self-hosted instance)",
  },
  "webhook-secret-namespace": {
    env: "ISO_WEBHOOK_SECRET_NAMESPACE",
    help: "namespace of that Secret (default: the pod's namespace, else imagestream-operator-system)",
  },
  "serving-addr": {
    env: "ISO_SERVING_ADDR",
    help: "listen address of the HTTPS server every replica runs (image views API; the API server calls it); empty disables it",
    default: ":8443",
  },
  "serving-cert-secret": {
    env: "ISO_SERVING_CERT_SECRET",
    help: "Secret (tls.crt, tls.key) in the operator's namespace holding the serving certificate",
    default: "imagestream-operator-serving-cert",
  },
  "serving-cert-managed": {
    env: "ISO_SERVING_CERT_MANAGED",
    help: "true: the operator creates and renews a CA and serving certificate in that Secret and writes the CA bundle into the APIService; false: the Secret is provided (cert-manager)",
    default: "true",
  },
  "serving-cert-sync-seconds": {
    env: "ISO_SERVING_CERT_SYNC_SECONDS",
    help: "how often every replica re-reads the serving Secret (renewals, cert-manager rotations) and the leader renews what is due",
    default: "60",
  },
  "serving-service": {
    env: "ISO_SERVING_SERVICE",
    help: "name of the Service in front of the HTTPS server (the certificate's DNS names)",
    default: "imagestream-operator",
  },
  "leader-elect": {
    env: "ISO_LEADER_ELECT",
    help: "enable leader election (true/false)",
    default: "true",
  },
  "leader-election-namespace": {
    env: "ISO_LEADER_ELECTION_NAMESPACE",
    help: "namespace of the Lease (default: the pod's namespace, else imagestream-operator-system)",
  },
  "leader-election-id": {
    env: "ISO_LEADER_ELECTION_ID",
    help: "name of the Lease",
    default: "imagestream-operator",
  },
  "leader-election-lease-duration-seconds": {
    env: "ISO_LEADER_ELECTION_LEASE_DURATION_SECONDS",
    help: "how long a candidate waits, by its own clock, after the Lease last changed before taking it over",
    default: "15",
  },
  "leader-election-renew-deadline-seconds": {
    env: "ISO_LEADER_ELECTION_RENEW_DEADLINE_SECONDS",
    help: "a leader that has not renewed for this long stops (exits); shorter than the lease duration",
    default: "10",
  },
  "leader-election-retry-period-seconds": {
    env: "ISO_LEADER_ELECTION_RETRY_PERIOD_SECONDS",
    help: "time between attempts to acquire or renew the Lease; shorter than the renew deadline",
    default: "2",
  },
  "log-level": { env: "ISO_LOG_LEVEL", help: "trace, debug, info, warn, error", default: "info" },
  help: { env: "", help: "show this help", boolean: true },
} satisfies Record<string, FlagSpec>;

export interface Config {
  kubeconfig?: string;
  namespaces: string[];
  workers: number;
  resyncSeconds: number;
  /** objects per informer list page; 0: unpaginated */
  listPageSize: number;
  scheduledImportSeconds: number;
  /** 0: no cap */
  maxScheduledImportsPerMinute: number;
  defaultImportMode: "Legacy" | "PreserveOriginal";
  defaultPlatform: { os: string; architecture: string };
  bulkImportLimit: number;
  allowedRegistries: string[];
  blockedRegistries: string[];
  registryCAs: Record<string, string>;
  caBundle?: string;
  registryTimeoutMs: number;
  registryRateLimits: HostSettings<RateBudget>;
  registryConcurrency: HostSettings<number>;
  registryHostname?: string;
  imageGcGraceMinutes: number;
  imageGcIntervalSeconds: number;
  maxTagHistory: number;
  pullCheckFreshSeconds: number;
  metricsAddr: { host: string; port: number };
  /** undefined: no receivers (--webhook-enabled=false, or no HTTPS server) */
  webhook?: {
    secretName: string;
    secretNamespace: string;
    receivers: ReceiverFormat[];
    /** receiver -> the registry its pushes are matched against */
    registryHosts: Record<string, string>;
    /** the receivers' Service: its names go in the serving certificate */
    serviceName?: string;
    /** $POD_IP: with serviceName, the leader points that Service's EndpointSlice here */
    podIp?: string;
  };
  /** undefined: no HTTPS server (--serving-addr "") */
  serving?: {
    addr: { host: string; port: number };
    secretName: string;
    managed: boolean;
    serviceName: string;
    syncMs: number;
  };
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaderElection: ElectionTimings;
  logLevel: string;
}

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = [
    "Usage: imagestream-operator [flags]",
    "",
    "Flags (each also read from the environment variable shown):",
  ];
  for (const [name, spec] of Object.entries(FLAGS) as [string, FlagSpec][]) {
    const def = spec.default ? ` (default ${spec.default})` : "";
    const env = spec.env ? ` [$${spec.env}]` : "";
    lines.push(`  --${name.padEnd(26)} ${spec.help}${def}${env}`);
  }
  return lines.join("\n");
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config | "help" {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([k, s]) => [k, { type: "boolean" in s ? "boolean" : "string" }]),
  ) as Record<string, { type: "string" | "boolean" }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${helpText()}`);
  }
  if (values.help) return "help";
  const get = (name: keyof typeof FLAGS): string | undefined => {
    const spec: FlagSpec = FLAGS[name];
    const v = values[name] ?? (spec.env ? env[spec.env] : undefined) ?? spec.default;
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  return buildConfig(get, env);
}

function buildConfig(
  get: (n: keyof typeof FLAGS) => string | undefined,
  env: NodeJS.ProcessEnv,
): Config {
  const importMode = get("default-import-mode");
  if (importMode !== "Legacy" && importMode !== "PreserveOriginal") {
    throw new ConfigError(
      "--default-import-mode: valid ImportMode values are Legacy or PreserveOriginal",
    );
  }
  const caBundle = get("ca-bundle");
  return {
    kubeconfig: get("kubeconfig"),
    namespaces: list(get("namespaces")),
    workers: positiveInt("workers", get("workers")),
    resyncSeconds: positiveInt("resync-seconds", get("resync-seconds")),
    listPageSize: positiveInt("list-page-size", get("list-page-size"), true),
    scheduledImportSeconds: positiveInt(
      "scheduled-import-seconds",
      get("scheduled-import-seconds"),
    ),
    maxScheduledImportsPerMinute: perMinuteCap(
      "max-scheduled-image-imports-per-minute",
      get("max-scheduled-image-imports-per-minute"),
    ),
    defaultImportMode: importMode,
    defaultPlatform: platform(get("default-platform") ?? "linux/amd64"),
    bulkImportLimit: positiveInt("bulk-import-limit", get("bulk-import-limit")),
    allowedRegistries: list(get("allowed-registries")),
    blockedRegistries: list(get("blocked-registries")),
    registryCAs: registryCAs(get("registry-ca")),
    caBundle: caBundle ? readPem("ca-bundle", caBundle) : undefined,
    registryTimeoutMs:
      positiveInt("registry-timeout-seconds", get("registry-timeout-seconds")) * 1000,
    registryRateLimits: hostSettings(
      "registry-rate-limit",
      get("registry-rate-limit"),
      DEFAULT_RATE_LIMITS,
      parseRateBudget,
    ),
    registryConcurrency: hostSettings(
      "registry-concurrency",
      get("registry-concurrency"),
      DEFAULT_CONCURRENCY,
      parseConcurrency,
    ),
    registryHostname: get("registry-hostname"),
    imageGcGraceMinutes: positiveInt("image-gc-grace-minutes", get("image-gc-grace-minutes"), true),
    imageGcIntervalSeconds: positiveInt(
      "image-gc-interval-seconds",
      get("image-gc-interval-seconds"),
      true,
    ),
    maxTagHistory: positiveInt("max-tag-history", get("max-tag-history"), true),
    pullCheckFreshSeconds: positiveInt(
      "pull-check-fresh-seconds",
      get("pull-check-fresh-seconds"),
      true,
    ),
    metricsAddr: hostPort("metrics-addr", get("metrics-addr") ?? "0.0.0.0:8080"),
    webhook: webhook(get, env),
    serving: serving(get),
    leaderElect: bool("leader-elect", get("leader-elect")),
    leaderElectionNamespace:
      get("leader-election-namespace") ?? env.POD_NAMESPACE ?? "imagestream-operator-system",
    leaderElectionId: get("leader-election-id") ?? "imagestream-operator",
    leaderElection: electionTimings(get),
    logLevel: get("log-level") ?? "info",
  };
}

function list(v: string | undefined): string[] {
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function electionTimings(get: (n: keyof typeof FLAGS) => string | undefined): ElectionTimings {
  const seconds = (name: keyof typeof FLAGS) => positiveInt(name, get(name)) * 1000;
  const timings = {
    leaseDurationMs: seconds("leader-election-lease-duration-seconds"),
    renewDeadlineMs: seconds("leader-election-renew-deadline-seconds"),
    retryPeriodMs: seconds("leader-election-retry-period-seconds"),
  };
  try {
    validateTimings(timings);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return timings;
}

function positiveInt(name: string, v: string | undefined, allowZero = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      `--${name}: expected a ${allowZero ? "non-negative" : "positive"} integer, got "${v}"`,
    );
  }
  return n;
}

/** A non-negative integer, or -1 (OpenShift's "unlimited"), which reads as 0: no cap. */
function perMinuteCap(name: string, v: string | undefined): number {
  return v?.trim() === "-1" ? 0 : positiveInt(name, v, true);
}

function bool(name: string, v: string | undefined): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ConfigError(`--${name}: expected true or false, got "${v}"`);
}

function platform(v: string): { os: string; architecture: string } {
  const [os, architecture, extra] = v.split("/");
  if (!os || !architecture || extra !== undefined) {
    throw new ConfigError(`--default-platform: expected os/arch such as linux/amd64, got "${v}"`);
  }
  return { os, architecture };
}

// Receiver secrets live in a Secret, never in a flag or its environment
// variable (both show in `ps` and in the pod spec).
function webhook(
  get: (n: keyof typeof FLAGS) => string | undefined,
  env: NodeJS.ProcessEnv,
): Config["webhook"] {
  // served on the HTTPS server only: no plain-HTTP listener (ADR 0027)
  if (!bool("webhook-enabled", get("webhook-enabled")) || !get("serving-addr")) return undefined;
  const receivers = list(get("webhook-receivers"));
  const hosts = get("webhook-registry-hosts");
  for (const r of receivers) {
    if (!(RECEIVER_FORMATS as readonly string[]).includes(r)) {
      throw new ConfigError(
        `--webhook-receivers: unknown receiver "${r}"; expected some of ${RECEIVER_FORMATS.join(", ")}`,
      );
    }
  }
  const registryHosts: Record<string, string> = {};
  for (const entry of list(hosts)) {
    const [receiver = "", host = "", extra] = entry.split("=");
    if (
      !(RECEIVER_FORMATS as readonly string[]).includes(receiver) ||
      !isRegistryHost(host) ||
      extra !== undefined
    ) {
      throw new ConfigError(
        `--webhook-registry-hosts: expected receiver=host[:port] with a receiver among ${RECEIVER_FORMATS.join(", ")}, got "${entry}"`,
      );
    }
    registryHosts[receiver] = host.toLowerCase();
  }
  const serviceName = get("webhook-service");
  const podIp = env.POD_IP?.trim();
  return {
    secretName: get("webhook-secret-name") ?? "imagestream-operator-webhook",
    secretNamespace:
      get("webhook-secret-namespace") ?? env.POD_NAMESPACE ?? "imagestream-operator-system",
    receivers: receivers as ReceiverFormat[],
    registryHosts,
    ...(serviceName ? { serviceName } : {}),
    ...(podIp ? { podIp } : {}),
  };
}

function serving(get: (n: keyof typeof FLAGS) => string | undefined): Config["serving"] {
  const addr = get("serving-addr");
  if (!addr) return undefined;
  return {
    addr: hostPort("serving-addr", addr),
    secretName: get("serving-cert-secret") ?? "imagestream-operator-serving-cert",
    managed: bool("serving-cert-managed", get("serving-cert-managed")),
    serviceName: get("serving-service") ?? "imagestream-operator",
    syncMs: positiveInt("serving-cert-sync-seconds", get("serving-cert-sync-seconds")) * 1000,
  };
}

function hostPort(flag: string, v: string): { host: string; port: number } {
  const i = v.lastIndexOf(":");
  const port = Number(v.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--${flag}: expected host:port, got "${v}"`);
  }
  return { host: v.slice(0, i) || "0.0.0.0", port };
}

/** A per-host flag merged over the built-in defaults (ADR 0013). */
function hostSettings<T>(
  flag: string,
  v: string | undefined,
  defaults: HostSettings<T>,
  parseValue: (value: string) => T | undefined,
): HostSettings<T> {
  try {
    return mergeHostSettings(defaults, parseHostSettings(v ?? "", parseValue));
  } catch (err) {
    throw new ConfigError(`--${flag}: ${(err as Error).message}`);
  }
}

function registryCAs(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of list(v)) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new ConfigError(`--registry-ca: expected host=/path/ca.pem, got "${pair}"`);
    out[pair.slice(0, i)] = readPem("registry-ca", pair.slice(i + 1));
  }
  return out;
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
  }
}
