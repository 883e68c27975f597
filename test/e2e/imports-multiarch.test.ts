// Manifest lists, both formats (OCI image index and Docker manifest list):
// Legacy records one child (linux/amd64 by default, or the tag's prefer-arch),
// PreserveOriginal records the list digest and an Image whose
// dockerImageManifests lists every platform, read with the seed's jsonpath.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANN_PREFER_ARCH } from "../../src/api/types.js";
import { type Platform, type PushedIndex, pushIndex } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  getImage,
  registryDigest,
  saveOperatorLog,
  statusTag,
  targets,
  uniqueRepository,
  waitForImage,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

// the architectures the seed document prints for busybox:latest
const PLATFORMS: Platform[] = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm", variant: "v7" },
  { os: "linux", architecture: "arm64" },
  { os: "linux", architecture: "386" },
  { os: "linux", architecture: "mips64le" },
  { os: "linux", architecture: "ppc64le" },
  { os: "linux", architecture: "riscv64" },
  { os: "linux", architecture: "s390x" },
];
const SEED_JSONPATH = '{range .dockerImageManifests[*]}{.os}/{.architecture}{"\\n"}{end}';

function childFor(index: PushedIndex, architecture: string): string {
  const child = index.children.find((c) => c.platform.architecture === architecture);
  if (!child) throw new Error(`no ${architecture} child`);
  return child.digest;
}

let operator: RunningOperator;
beforeAll(async () => {
  operator = await startOperator();
});
afterAll(async () => {
  await operator?.stop();
  if (operator) expect(saveOperatorLog(operator, "imports-multiarch")).toEqual([]);
});

describe.each(["oci", "docker"] as const)("a manifest list in %s format", (format) => {
  let namespace: string;
  let index: PushedIndex;
  const repository = uniqueRepository(`multi-${format}`);
  const reference = `${testEnv.registry}/${repository}:v1`;

  beforeAll(async () => {
    namespace = await createNamespace(`multi-${format}`);
    index = await pushIndex(targets.plain, { repository, tag: "v1", format, platforms: PLATFORMS });
    expect(await registryDigest(targets.plain, repository, "v1")).toBe(index.digest);
    const insecure = { insecure: true };
    await createStream(namespace, "multi", {
      tags: [
        dockerTag("legacy", reference, { importPolicy: { ...insecure, importMode: "Legacy" } }),
        dockerTag("arm64", reference, {
          annotations: { [ANN_PREFER_ARCH]: "arm64" },
          importPolicy: { ...insecure, importMode: "Legacy" },
        }),
        dockerTag("preserve", reference, {
          importPolicy: { ...insecure, importMode: "PreserveOriginal" },
        }),
      ],
    });
  });

  afterAll(async () => {
    if (namespace) await deleteNamespace(namespace);
  });

  it("Legacy records the linux/amd64 child", async () => {
    const amd64 = childFor(index, "amd64");
    const stream = await waitForImage(namespace, "multi", "legacy");
    expect(statusTag(stream, "legacy")?.items?.[0]).toMatchObject({
      image: amd64,
      dockerImageReference: `${testEnv.registry}/${repository}@${amd64}`,
    });
    const image = await getImage(amd64);
    expect(image?.config).toMatchObject({ os: "linux", architecture: "amd64" });
    expect(image?.dockerImageManifests ?? []).toEqual([]);
  });

  it("Legacy with the prefer-arch annotation records that child", async () => {
    const arm64 = childFor(index, "arm64");
    const stream = await waitForImage(namespace, "multi", "arm64");
    expect(statusTag(stream, "arm64")?.items?.[0]?.image).toBe(arm64);
    expect((await getImage(arm64))?.config?.architecture).toBe("arm64");
  });

  it("PreserveOriginal records the list digest; its Image lists every platform", async () => {
    const stream = await waitForImage(namespace, "multi", "preserve");
    expect(statusTag(stream, "preserve")?.items?.[0]).toMatchObject({
      image: index.digest,
      dockerImageReference: `${testEnv.registry}/${repository}@${index.digest}`,
    });
    const image = await getImage(index.digest);
    expect(image?.dockerImageManifestMediaType).toBe(index.mediaType);
    expect(image?.dockerImageManifests).toEqual(
      index.children.map((child) =>
        expect.objectContaining({
          digest: child.digest,
          mediaType: child.mediaType,
          manifestSize: child.manifestSize,
          os: child.platform.os,
          architecture: child.platform.architecture,
          ...(child.platform.variant ? { variant: child.platform.variant } : {}),
        }),
      ),
    );
    // every child is an Image of its own, though none appears in the tag history
    for (const child of index.children) {
      expect((await getImage(child.digest))?.config?.architecture).toBe(
        child.platform.architecture,
      );
    }

    const { stdout } = await promisify(execFile)(
      "kubectl",
      [
        "get",
        "images.image.openshift.io",
        `sha256.${index.digest.slice("sha256:".length)}`,
        "-o",
        `jsonpath=${SEED_JSONPATH}`,
      ],
      { env: { ...process.env, KUBECONFIG: testEnv.kubeconfig } },
    );
    expect(stdout.trim().split("\n")).toEqual([
      "linux/amd64",
      "linux/arm",
      "linux/arm64",
      "linux/386",
      "linux/mips64le",
      "linux/ppc64le",
      "linux/riscv64",
      "linux/s390x",
    ]);
  });
});
