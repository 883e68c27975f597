import { describe, expect, it } from "vitest";
import { ConfigError, helpText, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("push receivers: on the HTTPS server by default, a Secret by name (default namespace the pod's), registry hosts per receiver", () => {
    const c = parseConfig(["--webhook-registry-hosts", "dockerhub=mirror.example.com:5000"], {
      POD_NAMESPACE: "ops",
    });
    if (c === "help") throw new Error("unexpected help");
    expect(c.webhook).toEqual({
      secretName: "imagestream-operator-webhook",
      secretNamespace: "ops",
      receivers: [
        "distribution",
        "dockerhub",
        "quay",
        "harbor",
        "github",
        "gitlab",
        "gar",
        "generic",
      ],
      registryHosts: { dockerhub: "mirror.example.com:5000" },
      serviceName: "imagestream-operator-webhook",
    });
    const some = parseConfig(["--webhook-receivers", "github,quay"], {});
    expect(some !== "help" && some.webhook?.receivers).toEqual(["github", "quay"]);
    expect(() => parseConfig(["--webhook-receivers", "github,ecr"], {})).toThrow(ConfigError);
    // off, or no HTTPS server to serve them: there is no plain-HTTP listener
    expect(parseConfig(["--webhook-enabled", "false"], {})).toHaveProperty("webhook", undefined);
    expect(parseConfig(["--serving-addr", ""], {})).toHaveProperty("webhook", undefined);
    expect(() => parseConfig(["--webhook-addr", "0.0.0.0:9443"], {})).toThrow(ConfigError);
    for (const bad of ["nope=r.io", "dockerhub=", "dockerhub=r.io=x"]) {
      expect(() => parseConfig(["--webhook-registry-hosts", bad], {})).toThrow(ConfigError);
    }
    expect(() => parseConfig(["--webhook-secret", "s3cret"], {})).toThrow(ConfigError);
  });

  it("push receivers: the pod's IP for the leader's EndpointSlice, no Service when emptied", () => {
    const c = parseConfig([], { POD_IP: "10.1.2.3" });
    expect(c !== "help" && c.webhook).toMatchObject({
      serviceName: "imagestream-operator-webhook",
      podIp: "10.1.2.3",
    });
    const none = parseConfig(["--webhook-service", ""], { POD_IP: "10.1.2.3" });
    expect(none !== "help" && none.webhook?.serviceName).toBeUndefined();
  });

  it("applies defaults", () => {
    const c = parseConfig([], {});
    if (c === "help") throw new Error("unexpected help");
    expect(c.workers).toBe(4);
    expect(c.namespaces).toEqual([]);
    expect(c.defaultImportMode).toBe("Legacy");
    expect(c.defaultPlatform).toEqual({ os: "linux", architecture: "amd64" });
    expect(c.metricsAddr).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(c.leaderElect).toBe(true);
    expect(c.scheduledImportSeconds).toBe(900);
    expect(c.maxTagHistory).toBe(10);
    expect(c.maxScheduledImportsPerMinute).toBe(60);
  });

  it("leader election timings: client-go's defaults, flags or env, lease > renew > retry", () => {
    const defaults = parseConfig([], {});
    const custom = parseConfig(["--leader-election-lease-duration-seconds", "30"], {
      ISO_LEADER_ELECTION_RENEW_DEADLINE_SECONDS: "20",
      ISO_LEADER_ELECTION_RETRY_PERIOD_SECONDS: "4",
    });
    if (defaults === "help" || custom === "help") throw new Error("unexpected help");
    expect(defaults.leaderElection).toEqual({
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    expect(custom.leaderElection).toEqual({
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 4_000,
    });
    expect(() => parseConfig(["--leader-election-renew-deadline-seconds", "15"], {})).toThrow(
      /lease duration must be longer than the renew deadline/,
    );
    expect(() => parseConfig(["--leader-election-retry-period-seconds", "10"], {})).toThrow(
      /renew deadline must be longer than the retry period/,
    );
  });

  it("serves HTTPS on :8443 with a self-managed certificate unless told otherwise", () => {
    const defaults = parseConfig([], {});
    const provided = parseConfig(["--serving-cert-managed=false"], {
      ISO_SERVING_ADDR: "127.0.0.1:9443",
      ISO_SERVING_CERT_SECRET: "from-cert-manager",
    });
    const off = parseConfig(["--serving-addr", ""], {});
    if (defaults === "help" || provided === "help" || off === "help") throw new Error("help");
    expect(defaults.serving).toEqual({
      addr: { host: "0.0.0.0", port: 8443 },
      secretName: "imagestream-operator-serving-cert",
      managed: true,
      serviceName: "imagestream-operator",
      syncMs: 60_000,
    });
    expect(provided.serving).toMatchObject({
      addr: { host: "127.0.0.1", port: 9443 },
      secretName: "from-cert-manager",
      managed: false,
    });
    expect(off.serving).toBeUndefined();
  });

  it("reads --max-tag-history (ISO_MAX_TAG_HISTORY); 0 keeps every item", () => {
    const fromEnv = parseConfig([], { ISO_MAX_TAG_HISTORY: "0" });
    const fromFlag = parseConfig(["--max-tag-history", "25"], { ISO_MAX_TAG_HISTORY: "0" });
    if (fromEnv === "help" || fromFlag === "help") throw new Error("unexpected help");
    expect([fromEnv.maxTagHistory, fromFlag.maxTagHistory]).toEqual([0, 25]);
  });

  it.each<[string[], Record<string, string>, number]>([
    [["--max-scheduled-image-imports-per-minute", "120"], {}, 120],
    [[], { ISO_MAX_SCHEDULED_IMAGE_IMPORTS_PER_MINUTE: "30" }, 30],
    [["--max-scheduled-image-imports-per-minute", "0"], {}, 0],
    [["--max-scheduled-image-imports-per-minute=-1"], {}, 0],
    [[], { ISO_MAX_SCHEDULED_IMAGE_IMPORTS_PER_MINUTE: "-1" }, 0],
  ])("scheduled import cap %j %j -> %d (0: no cap)", (argv, env, expected) => {
    const c = parseConfig(argv, env);
    if (c === "help") throw new Error("unexpected help");
    expect(c.maxScheduledImportsPerMinute).toBe(expected);
  });

  it("reads environment variables and lets flags win", () => {
    const c = parseConfig(["--workers", "9"], {
      ISO_WORKERS: "2",
      ISO_NAMESPACES: "a, b",
      ISO_LEADER_ELECT: "false",
    });
    if (c === "help") throw new Error("unexpected help");
    expect(c.workers).toBe(9);
    expect(c.namespaces).toEqual(["a", "b"]);
    expect(c.leaderElect).toBe(false);
  });

  it.each([
    [["--workers", "zero"], /--workers: expected a positive integer/],
    [["--default-import-mode", "Both"], /valid ImportMode values are Legacy or PreserveOriginal/],
    [["--default-platform", "linux"], /expected os\/arch/],
    [["--leader-elect", "maybe"], /expected true or false/],
    [["--max-scheduled-image-imports-per-minute=-2"], /expected a non-negative integer/],
    [["--max-scheduled-image-imports-per-minute", "lots"], /expected a non-negative integer/],
    [["--registry-ca", "nohost"], /expected host=\/path/],
    [["--registry-ca", "r.io=/does/not/exist"], /cannot read \/does\/not\/exist: ENOENT/],
    [["--max-tag-history", "many"], /--max-tag-history: expected a non-negative integer/],
    [["--no-such-flag"], /Unknown option/],
    [["--registry-rate-limit", "quay.io"], /--registry-rate-limit: invalid entry "quay.io"/],
    [["--registry-rate-limit", "default=-1"], /invalid entry "default=-1"/],
    [["--registry-concurrency", "quay.io=0"], /--registry-concurrency: invalid entry "quay.io=0"/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it("budgets registry hosts: Docker Hub smaller by default, entries given replace only theirs", () => {
    const defaults = parseConfig([], {});
    if (defaults === "help") throw new Error("unexpected help");
    expect(defaults.registryRateLimits).toEqual({
      default: { perSecond: 250, burst: 500 },
      hosts: { "docker.io": { perSecond: 5, burst: 10 } },
    });
    expect(defaults.registryConcurrency).toEqual({ default: 8, hosts: { "docker.io": 4 } });
    const c = parseConfig(["--registry-rate-limit", "default=50:80,quay.io=2"], {
      ISO_REGISTRY_CONCURRENCY: "registry-1.docker.io=1",
    });
    if (c === "help") throw new Error("unexpected help");
    expect(c.registryRateLimits).toEqual({
      default: { perSecond: 50, burst: 80 },
      hosts: { "docker.io": { perSecond: 5, burst: 10 }, "quay.io": { perSecond: 2, burst: 2 } },
    });
    expect(c.registryConcurrency).toEqual({ default: 8, hosts: { "docker.io": 1 } });
  });

  it("answers --help and lists every flag with its variable", () => {
    expect(parseConfig(["--help"], {})).toBe("help");
    expect(helpText()).toContain("--namespaces");
    expect(helpText()).toContain("[$ISO_WORKERS]");
    expect(helpText()).toContain(
      "(default default=250:500,docker.io=5:10) [$ISO_REGISTRY_RATE_LIMIT]",
    );
  });
});
