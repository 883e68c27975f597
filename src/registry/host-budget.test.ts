import { describe, expect, it } from "vitest";
import {
  DEFAULT_RATE_LIMITS,
  formatHostSettings,
  formatRateBudget,
  mergeHostSettings,
  parseConcurrency,
  parseHostSettings,
  parseRateBudget,
  settingFor,
  throttleKey,
} from "./host-budget.js";

describe("throttleKey", () => {
  it("gives Docker Hub's three names one key, other hosts their own (lower case, port kept)", () => {
    expect(["docker.io", "registry-1.docker.io", "Index.Docker.IO"].map(throttleKey)).toEqual([
      "docker.io",
      "docker.io",
      "docker.io",
    ]);
    expect(throttleKey("Quay.io")).toBe("quay.io");
    expect(throttleKey("registry.local:5000")).toBe("registry.local:5000");
    expect(throttleKey("auth.docker.io")).toBe("auth.docker.io");
  });
});

describe("parseRateBudget", () => {
  it.each([
    ["5:10", { perSecond: 5, burst: 10 }],
    ["0.5", { perSecond: 0.5, burst: 1 }],
    ["20", { perSecond: 20, burst: 20 }],
    ["0", { perSecond: 0, burst: 1 }],
    ["5:0", undefined],
    ["-1", undefined],
    ["fast", undefined],
    ["1:2:3", undefined],
    ["", undefined],
  ])("%s", (value, expected) => {
    expect(parseRateBudget(value)).toEqual(expected);
  });
});

describe("parseHostSettings", () => {
  it("reads a default and hosts, Docker Hub aliases folded, IPv6 hosts kept", () => {
    expect(
      parseHostSettings("default=50:100, registry-1.docker.io=2:4,[::1]:5000=1", parseRateBudget),
    ).toEqual({
      default: { perSecond: 50, burst: 100 },
      hosts: { "docker.io": { perSecond: 2, burst: 4 }, "[::1]:5000": { perSecond: 1, burst: 1 } },
    });
    expect(parseHostSettings("quay.io=3", parseConcurrency)).toEqual({ hosts: { "quay.io": 3 } });
  });

  it("names the bad entry", () => {
    expect(() => parseHostSettings("quay.io", parseConcurrency)).toThrow('invalid entry "quay.io"');
    expect(() => parseHostSettings("=4", parseConcurrency)).toThrow('invalid entry "=4"');
    expect(() => parseHostSettings("quay.io=0", parseConcurrency)).toThrow("quay.io=0");
  });

  it("merges over the defaults: a user's quay.io entry keeps Docker Hub's default", () => {
    const merged = mergeHostSettings(
      DEFAULT_RATE_LIMITS,
      parseHostSettings("quay.io=10", parseRateBudget),
    );
    expect(settingFor(merged, "quay.io")).toEqual({ perSecond: 10, burst: 10 });
    expect(settingFor(merged, "index.docker.io")).toEqual({ perSecond: 5, burst: 10 });
    expect(settingFor(merged, "ghcr.io")).toEqual(DEFAULT_RATE_LIMITS.default);
  });

  it("formats back to the flag syntax", () => {
    expect(formatHostSettings(DEFAULT_RATE_LIMITS, formatRateBudget)).toBe(
      "default=250:500,docker.io=5:10",
    );
  });
});
