import { describe, expect, it } from "vitest";
import { ConfigError, helpText, parseConfig } from "./config.js";

describe("parseConfig", () => {
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
    expect(c.maxScheduledImportsPerMinute).toBe(60);
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
    [["--no-such-flag"], /Unknown option/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it("answers --help and lists every flag with its variable", () => {
    expect(parseConfig(["--help"], {})).toBe("help");
    expect(helpText()).toContain("--namespaces");
    expect(helpText()).toContain("[$ISO_WORKERS]");
  });
});
