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
    expect(c.maxTagHistory).toBe(10);
  });

  it("reads --max-tag-history (ISO_MAX_TAG_HISTORY); 0 keeps every item", () => {
    const fromEnv = parseConfig([], { ISO_MAX_TAG_HISTORY: "0" });
    const fromFlag = parseConfig(["--max-tag-history", "25"], { ISO_MAX_TAG_HISTORY: "0" });
    if (fromEnv === "help" || fromFlag === "help") throw new Error("unexpected help");
    expect([fromEnv.maxTagHistory, fromFlag.maxTagHistory]).toEqual([0, 25]);
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
    [["--registry-ca", "nohost"], /expected host=\/path/],
    [["--registry-ca", "r.io=/does/not/exist"], /cannot read \/does\/not\/exist: ENOENT/],
    [["--max-tag-history", "many"], /--max-tag-history: expected a non-negative integer/],
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
