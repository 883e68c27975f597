// Manifest lists against the real registry: an OCI image index and a Docker
// manifest list with four platforms, imported in Legacy (one child, chosen by
// preference or by default) and PreserveOriginal (the list and every child).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpRegistryClient } from "../../src/registry/client.js";
import type { ImportRequest } from "../../src/registry/types.js";
import { type PushedIndex, pushIndex, RegistryPusher } from "../support/registry-push.js";
import { pushTargets, readRegistryEnv, uniqueRepository } from "./registry-env.js";

const env = readRegistryEnv();
const targets = pushTargets(env);
const client = new HttpRegistryClient({ caBundles: { [env.tls]: env.ca } });
afterAll(() => client.close());

const PLATFORMS = [
  { os: "linux", architecture: "arm64", variant: "v8" },
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "ppc64le" },
  { os: "linux", architecture: "s390x" },
];

function request(reference: string, overrides: Partial<ImportRequest>): ImportRequest {
  return {
    reference,
    insecure: false,
    importMode: "Legacy",
    preferredPlatforms: [],
    credentials: [],
    ...overrides,
  };
}

function childDigest(index: PushedIndex, architecture: string): string {
  const child = index.children.find((c) => c.platform.architecture === architecture);
  if (!child) throw new Error(`no ${architecture} child pushed`);
  return child.digest;
}

describe.each([
  ["OCI image index", "oci", "tls"],
  ["Docker manifest list", "docker", "plain"],
] as const)("%s", (_name, format, where) => {
  const repository = uniqueRepository(`multi-${format}`);
  const registry = env[where];
  const insecure = where === "plain";
  const reference = `${registry}/${repository}:v1`;
  let index: PushedIndex;
  beforeAll(async () => {
    index = await pushIndex(targets[where], {
      repository,
      tag: "v1",
      format,
      platforms: PLATFORMS,
    });
  });

  it("Legacy imports the preferred platform (variant ignored), recording the child's digest", async () => {
    const result = await client.importImage(
      request(reference, {
        insecure,
        preferredPlatforms: [
          { os: "linux", architecture: "riscv64" },
          { os: "linux", architecture: "arm64" },
        ],
      }),
    );
    expect(result.image.digest).toBe(childDigest(index, "arm64"));
    expect(result.image.config?.architecture).toBe("arm64");
    expect(result.image.dockerImageReference).toBe(
      `${registry}/${repository}@${childDigest(index, "arm64")}`,
    );
    expect(result.children).toEqual([]);
  });

  it("Legacy defaults to linux/amd64", async () => {
    const result = await client.importImage(request(reference, { insecure }));
    expect(result.image.digest).toBe(childDigest(index, "amd64"));
    expect(result.image.layers).toHaveLength(1);
  });

  it("PreserveOriginal records the list with every platform and imports every child", async () => {
    const result = await client.importImage(
      request(reference, { insecure, importMode: "PreserveOriginal" }),
    );
    const reported = await new RegistryPusher(targets[where]).headDigest(repository, "v1");
    expect(result.image.digest).toBe(reported);
    expect(result.image.digest).toBe(index.digest);
    expect(result.image.mediaType).toBe(index.mediaType);
    expect(result.image.layers).toEqual([]);
    expect(result.image.manifests?.map((m) => [m.os, m.architecture, m.variant])).toEqual([
      ["linux", "arm64", "v8"],
      ["linux", "amd64", undefined],
      ["linux", "ppc64le", undefined],
      ["linux", "s390x", undefined],
    ]);
    expect(result.children.map((c) => c.digest)).toEqual(index.children.map((c) => c.digest));
    expect(result.children.map((c) => c.config?.architecture)).toEqual([
      "arm64",
      "amd64",
      "ppc64le",
      "s390x",
    ]);
    expect(result.children.every((c) => c.layers.length === 1)).toBe(true);
  });
});
