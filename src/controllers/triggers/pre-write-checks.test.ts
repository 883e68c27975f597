// The checks before a write with fakes for their three peers (registry,
// secrets, nodes): each fake stands for what the unit test cannot produce;
// the e2e test (test/e2e/safe-rollouts.test.ts) runs them against a real
// registry and API server.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import {
  type ContainerImageChange,
  type NodeLabels,
  type Platform,
  parseTriggers,
  type Workload,
} from "../../reconcile/triggers/index.js";
import { trigger, WEB_PATH, withTriggers, workload } from "../../reconcile/triggers/testdata.js";
import { ImportError, type PullCheckRequest } from "../../registry/types.js";
import { platformsOfImage } from "./cluster-reads.js";
import { PreWriteChecks } from "./pre-write-checks.js";

const IMAGE = `registry.example:5000/shop/web@sha256:${"a".repeat(64)}`;

function pullSecret(name: string, user: string): V1Secret {
  const auth = Buffer.from(`${user}:pw`).toString("base64");
  const config = JSON.stringify({ auths: { "registry.example:5000": { auth } } });
  return {
    metadata: { name, namespace: "shop" },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": Buffer.from(config).toString("base64") },
  };
}

function target(podSpec: object = {}): { workload: Workload; change: ContainerImageChange } {
  const base = workload("Deployment", { web: "x" });
  const spec = base.spec as { template: { spec: object } };
  spec.template.spec = { ...spec.template.spec, ...podSpec };
  const w = withTriggers(base, [trigger("web:latest", WEB_PATH)]);
  const parsed = parseTriggers(w.metadata?.annotations?.["image.openshift.io/triggers"], w);
  const t = parsed.triggers[0];
  if (!t) throw new Error("no trigger");
  const change: ContainerImageChange = {
    containerList: "containers",
    containerName: "web",
    oldImage: "x",
    newImage: IMAGE,
    trigger: t,
    cause: "TagMoved",
  };
  return { workload: w, change };
}

interface Fakes {
  pull?: (req: PullCheckRequest) => Promise<void>;
  secrets?: V1Secret[];
  account?: string[] | undefined;
  nodes?: NodeLabels[];
  platforms?: Platform[];
}

function checks(f: Fakes) {
  const asked: PullCheckRequest[] = [];
  const checker = new PreWriteChecks({
    registry: {
      checkPullable: async (req) => {
        asked.push(req);
        await f.pull?.(req);
        return { answeredBy: "registry" };
      },
    },
    pullSecret: (ns, name) =>
      f.secrets?.find((s) => s.metadata?.namespace === ns && s.metadata?.name === name),
    serviceAccountSecrets: async () => ("account" in f ? f.account : []),
    nodes: () => f.nodes ?? [],
    imagePlatforms: async () => f.platforms,
    freshMs: 600_000,
  });
  return { checker, asked };
}

const arm = (name: string) => ({
  name,
  labels: { "kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", pool: "arm" },
});

describe("PreWriteChecks", () => {
  it("asks with the credentials of the pod spec's and the service account's pull secrets", async () => {
    const { checker, asked } = checks({
      secrets: [
        pullSecret("own", "pod-user"),
        pullSecret("from-sa", "sa-user"),
        pullSecret("other", "x"),
      ],
      account: ["from-sa"],
    });
    const { workload: w, change } = target({
      imagePullSecrets: [{ name: "own" }],
      serviceAccountName: "builder",
    });
    expect(await checker.check(w, change, undefined)).toBeUndefined();
    expect(
      asked[0]?.credentials.map((c) => ("username" in c ? c.username : c.kind)).sort(),
    ).toEqual(["pod-user", "sa-user"]);
    expect(asked[0]?.freshMs).toBe(600_000);
  });

  it("a digest the pods cannot read is ImageNotPullable, naming the secrets tried", async () => {
    const { checker } = checks({
      secrets: [pullSecret("own", "pod-user")],
      pull: async () => {
        throw new ImportError("Unauthorized", "authentication required");
      },
    });
    const { workload: w, change } = target({
      imagePullSecrets: [{ name: "own" }, { name: "gone" }],
    });
    expect(await checker.check(w, change, undefined)).toEqual({
      reason: "ImageNotPullable",
      image: IMAGE,
      message:
        "not readable with the workload's pull secrets (shop/own, shop/gone; missing: gone): authentication required",
    });
  });

  it("no pull secret at all says so", async () => {
    const { checker } = checks({
      pull: async () => {
        throw new ImportError("Unauthorized", "authentication required");
      },
    });
    const { workload: w, change } = target();
    const refusal = await checker.check(w, change, undefined);
    expect(refusal?.message).toContain(
      "none: the pod spec and service account shop/default name no pull secrets; no entry for this registry, so anonymously",
    );
  });

  it("a deleted digest is ImageNotPullable; a registry that does not answer is ImageCheckFailed", async () => {
    const notFound = checks({
      pull: async () => Promise.reject(new ImportError("NotFound", "manifest unknown")),
    });
    const { workload: w, change } = target();
    expect((await notFound.checker.check(w, change, undefined))?.message).toBe(
      "the registry does not have it (deleted?): manifest unknown",
    );
    const down = checks({
      pull: async () => Promise.reject(new ImportError("Timeout", "timed out")),
    });
    expect((await down.checker.check(w, change, undefined))?.reason).toBe("ImageCheckFailed");
  });

  it("refuses an amd64-only image for arm64 nodes, with the Legacy hint when the tag chose it", async () => {
    const { checker } = checks({
      nodes: [arm("a1")],
      platforms: [{ os: "linux", architecture: "amd64" }],
    });
    const { workload: w, change } = target({ nodeSelector: { pool: "arm" } });
    const stream = {
      metadata: {
        name: "web",
        namespace: "shop",
        annotations: {
          "imagestream-operator.io/list-digests": JSON.stringify({
            latest: `sha256:${"b".repeat(64)}`,
          }),
        },
      },
    } as ImageStream;
    const refusal = await checker.check(w, change, stream);
    expect(refusal?.reason).toBe("PlatformMismatch");
    expect(refusal?.message).toContain(
      "linux/arm64 (1 node, e.g. a1); the tag's Legacy import chose linux/amd64",
    );
  });

  it("no nodes, or an image of unknown platforms: rolls", async () => {
    const { workload: w, change } = target();
    expect(
      await checks({ platforms: [{ os: "linux", architecture: "amd64" }] }).checker.check(
        w,
        change,
        undefined,
      ),
    ).toBeUndefined();
    expect(
      await checks({ nodes: [arm("a1")], platforms: undefined }).checker.check(
        w,
        change,
        undefined,
      ),
    ).toBeUndefined();
  });
});

describe("platformsOfImage", () => {
  it("a list's children (not attestations), else the image's config", () => {
    const list = {
      metadata: {},
      dockerImageReference: "",
      digest: "",
      dockerImageManifests: [
        { digest: "a", mediaType: "", manifestSize: 1, os: "linux", architecture: "amd64" },
        { digest: "b", mediaType: "", manifestSize: 1, os: "linux", architecture: "arm64" },
        { digest: "c", mediaType: "", manifestSize: 1, os: "unknown", architecture: "unknown" },
      ],
    };
    expect(platformsOfImage(list)).toEqual([
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm64" },
    ]);
    expect(
      platformsOfImage({
        metadata: {},
        dockerImageReference: "",
        digest: "",
        config: { os: "linux", architecture: "s390x" },
      }),
    ).toEqual([{ os: "linux", architecture: "s390x" }]);
  });
});
