import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { RegistryPolicy } from "./policy.js";
import { ImportError } from "./types.js";

const fakeDns: Record<string, LookupAddress[]> = {
  "evil.example.com": [{ address: "169.254.169.254", family: 4 }],
  "mixed.example.com": [
    { address: "203.0.113.7", family: 4 },
    { address: "fe80::1", family: 6 },
  ],
  "good.example.com": [{ address: "203.0.113.8", family: 4 }],
};

const resolve = async (hostname: string) => fakeDns[hostname] ?? [];

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "allowed";
  } catch (error) {
    return error instanceof ImportError ? error.reason : String(error);
  }
}

describe("RegistryPolicy.resolveForConnect", () => {
  const policy = new RegistryPolicy({ resolve });
  it.each([
    ["127.0.0.1", "allowed"],
    ["[::1]", "allowed"],
    ["10.1.2.3", "allowed"],
    ["good.example.com", "allowed"],
    ["169.254.169.254", "Forbidden"],
    ["169.254.1.1", "Forbidden"],
    ["[fe80::1]", "Forbidden"],
    ["fd00:ec2::254", "Forbidden"],
    ["::ffff:169.254.169.254", "Forbidden"],
    ["100.100.100.200", "Forbidden"],
    ["metadata.google.internal", "Forbidden"],
    ["METADATA.GOOGLE.INTERNAL.", "Forbidden"],
    ["evil.example.com", "Forbidden"],
    ["mixed.example.com", "Forbidden"],
  ])("%s -> %s", async (host, expected) => {
    expect(await reasonOf(policy.resolveForConnect(host))).toBe(expected);
  });
});

describe("RegistryPolicy.checkRegistry", () => {
  const policy = new RegistryPolicy({
    allowedRegistries: ["quay.io", "*.example.com", "127.0.0.1:5000", "docker.io"],
    blockedRegistries: ["bad.example.com"],
  });
  it.each([
    ["quay.io", "allowed"],
    ["quay.io:443", "allowed"],
    ["QUAY.IO", "allowed"],
    ["r.example.com", "allowed"],
    ["a.b.example.com:8443", "allowed"],
    ["example.com", "Forbidden"],
    ["bad.example.com", "Forbidden"],
    ["127.0.0.1:5000", "allowed"],
    ["127.0.0.1:5001", "Forbidden"],
    ["ghcr.io", "Forbidden"],
    ["quay.io.evil.net", "Forbidden"],
  ])("%s -> %s", async (registry, expected) => {
    expect(await reasonOf(Promise.resolve().then(() => policy.checkRegistry(registry)))).toBe(
      expected,
    );
  });

  it("allows every registry when no allow list is given", () => {
    expect(() => new RegistryPolicy().checkRegistry("anything.example.org")).not.toThrow();
  });
});
