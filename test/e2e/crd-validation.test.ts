// The ImageStream and Image CRDs reject what OpenShift's API server rejects,
// with OpenShift's messages, and accept the edge cases OpenShift accepts.
// Runs against the real API server: kubectl from PATH, the e2e environment
// (test/e2e/support/env.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_VERSION,
  type Image,
  type ImageStream,
  type TagReference,
} from "../../src/api/types.js";
import {
  applyJson,
  installCrds,
  type KubectlResult,
  kubectl,
  kubectlOk,
} from "./support/kubectl.js";

const namespace = `crd-validation-${Date.now().toString(36)}`;
const FIELD_MANAGER = "crd-validation";

let streamCounter = 0;

function stream(tags: unknown[]): ImageStream {
  streamCounter += 1;
  return {
    apiVersion: API_VERSION,
    kind: "ImageStream",
    metadata: { name: `stream-${streamCounter}`, namespace },
    spec: { tags: tags as TagReference[] },
  };
}

function dockerTag(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, from: { kind: "DockerImage", name: "quay.io/org/app:1.0" }, ...extra };
}

function apply(object: object, extraArgs: string[] = []): KubectlResult {
  return applyJson(object, FIELD_MANAGER, extraArgs);
}

function create(object: object): KubectlResult {
  return kubectl(["create", "-f", "-"], JSON.stringify(object));
}

function expectRejected(result: KubectlResult, ...messages: string[]): void {
  expect(result.status, result.stdout).not.toBe(0);
  for (const message of messages) expect(result.stderr).toContain(message);
}

function expectAccepted(result: KubectlResult): void {
  expect(result.status, result.stderr).toBe(0);
}

function readStream(name: string): ImageStream {
  return JSON.parse(kubectlOk(["get", "imagestreams", name, "-n", namespace, "-o", "json"]));
}

beforeAll(() => {
  installCrds();
  kubectlOk(["create", "namespace", namespace]);
});

afterAll(() => {
  kubectl(["delete", "namespace", namespace, "--wait=false"]);
  kubectl(["delete", "images", "-l", `e2e=${namespace}`, "--wait=false"]);
});

describe("ImageStream spec tags: rejected with OpenShift's messages", () => {
  const kindMessage = "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";

  it("rejects an unknown from.kind", () => {
    const bad = stream([{ name: "latest", from: { kind: "Docker", name: "nginx" } }]);
    expectRejected(apply(bad), "spec.tags[0].from.kind", kindMessage);
  });

  it("rejects a from without kind", () => {
    const bad = stream([{ name: "latest", from: { name: "nginx" } }]);
    expectRejected(apply(bad), "spec.tags[0].from.kind", "Required value", kindMessage);
  });

  it("rejects an unknown importMode", () => {
    const bad = stream([dockerTag("latest", { importPolicy: { importMode: "Newest" } })]);
    expectRejected(
      apply(bad),
      "spec.tags[0].importPolicy.importMode",
      "valid ImportMode values are Legacy or PreserveOriginal",
    );
  });

  it("rejects an unknown referencePolicy.type", () => {
    const bad = stream([dockerTag("latest", { referencePolicy: { type: "Remote" } })]);
    expectRejected(
      apply(bad),
      "spec.tags[0].referencePolicy.type",
      'valid values are "Source", "Local"',
    );
  });

  it.each([
    ["ImageStreamTag", "other:latest"],
    ["ImageStreamImage", "other@sha256:0123"],
  ])("rejects a scheduled tag from %s", (kind, name) => {
    const bad = stream([
      { name: "latest", from: { kind, name }, importPolicy: { scheduled: true } },
    ]);
    expectRejected(
      apply(bad),
      "spec.tags[0].importPolicy.scheduled",
      "only tags pointing to Docker repositories may be scheduled for background import",
    );
  });

  it.each([
    ["a leading dash", "-latest"],
    ["a colon", "v1:2"],
    ["a slash", "v1/2"],
    ["129 characters", `v${"1".repeat(128)}`],
    ["no characters", ""],
  ])("rejects a tag name with %s", (_what, name) => {
    expectRejected(apply(stream([dockerTag(name)])), "spec.tags[0].name", "should match");
  });

  it("rejects duplicate tag names on create", () => {
    const bad = stream([dockerTag("latest"), dockerTag("latest")]);
    expectRejected(create(bad), "spec.tags[1]", "Duplicate value");
  });

  it("rejects duplicate tag names on server-side apply", () => {
    const bad = stream([dockerTag("latest"), dockerTag("latest")]);
    expectRejected(apply(bad), 'duplicate entries for key [name="latest"]');
  });

  it("rejects more than 1000 spec tags", () => {
    const tags = Array.from({ length: 1001 }, (_, index) => dockerTag(`v${index}`));
    expectRejected(apply(stream(tags)), "spec.tags", "must have at most 1000 items");
  });
});

describe("ImageStream spec tags: edge cases OpenShift accepts", () => {
  it("accepts scheduled imports from DockerImage and tags with no source", () => {
    const tags = [
      dockerTag("latest", {
        importPolicy: { scheduled: true, importMode: "PreserveOriginal", insecure: true },
        referencePolicy: { type: "Local" },
      }),
      { name: "no-source", importPolicy: { scheduled: true } },
      { name: "null-source", from: null, importPolicy: { scheduled: true } },
      { name: "tracking", from: { kind: "ImageStreamTag", name: "latest" }, importPolicy: {} },
    ];
    const good = stream(tags);
    expectAccepted(apply(good));
    expect(readStream(good.metadata.name ?? "").spec).toStrictEqual(good.spec);
  });

  it("accepts tag names at the edges of the pattern and empty policy values", () => {
    const tags = [
      dockerTag(`_${"a".repeat(127)}`),
      dockerTag("1.0_rc-1"),
      dockerTag("v2", {
        generation: null,
        annotations: null,
        importPolicy: { importMode: "" },
        referencePolicy: { type: "" },
      }),
    ];
    const good = stream(tags);
    expectAccepted(apply(good));
    expect(readStream(good.metadata.name ?? "").spec).toStrictEqual(good.spec);
  });

  it("accepts 1000 spec tags", () => {
    const tags = Array.from({ length: 1000 }, (_, index) =>
      dockerTag(`v${index}`, {
        importPolicy: { scheduled: true },
        referencePolicy: { type: "Source" },
      }),
    );
    expectAccepted(apply(stream(tags)));
  });
});

describe("ImageStream status: our fields are kept", () => {
  it("round-trips specHash, conditions and the summary fields through the status subresource", () => {
    const target = stream([dockerTag("latest")]);
    expectAccepted(apply(target));
    const status = {
      dockerImageRepository: "registry.example/ns/app",
      tags: [
        {
          tag: "latest",
          specHash: "3f2a9c",
          items: [
            {
              created: "2026-01-02T03:04:05Z",
              dockerImageReference: "quay.io/org/app@sha256:aa",
              image: "sha256:aa",
              generation: 2,
            },
          ],
          conditions: [
            {
              type: "ImportSuccess",
              status: "False",
              lastTransitionTime: "2026-01-02T03:04:06Z",
              reason: "NotFound",
              message: "not found",
              generation: 3,
            },
          ],
        },
        { tag: "pending", items: null },
      ],
      repository: { additionalTags: ["old-1", "old-2"] },
      tagCount: 2,
      lastUpdated: "2026-01-02T03:04:05Z",
    };
    const { name } = target.metadata;
    const statusPatch = {
      apiVersion: API_VERSION,
      kind: "ImageStream",
      metadata: { name, namespace },
      status,
    };
    expectAccepted(apply(statusPatch, ["--subresource=status"]));
    expect(readStream(name ?? "").status).toStrictEqual(status);
  });
});

describe("Image: named by its digest", () => {
  const digest = `sha256:${"ab".repeat(32)}`;

  function image(name: string, imageDigest: string): Image {
    return {
      apiVersion: API_VERSION,
      kind: "Image",
      metadata: { name, labels: { e2e: namespace } },
      digest: imageDigest,
      dockerImageReference: `quay.io/org/app@${imageDigest}`,
    };
  }

  it("rejects a name that is not the digest with ':' replaced by '.'", () => {
    const bad = image(`sha256.${"cd".repeat(32)}`, digest);
    expectRejected(apply(bad), "metadata.name must be the digest with ':' replaced by '.'");
  });

  it("rejects a digest that is not algorithm:hex", () => {
    expectRejected(apply(image("sha256.xyz", "sha256:xyz")), "digest", "should match");
  });

  it("accepts a full Image and keeps every field", () => {
    const good: Image = {
      ...image(digest.replace(":", "."), digest),
      dockerImageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      size: 1234,
      layers: [
        { name: "sha256:11", size: 1000, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
      ],
      config: {
        architecture: "arm64",
        os: "linux",
        variant: "v8",
        created: "2026-01-02T03:04:05Z",
        author: "someone",
        entrypoint: ["/bin/app"],
        cmd: ["--serve"],
        user: "1001",
        workingDir: "/srv",
        exposedPorts: ["8080/tcp"],
        env: ["A=b"],
        labels: { "org.opencontainers.image.source": "https://example.com" },
      },
      dockerImageManifests: [
        {
          digest: "sha256:22",
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          manifestSize: 500,
          architecture: "arm64",
          os: "linux",
          variant: "v8",
        },
      ],
    };
    expectAccepted(apply(good));
    const live = JSON.parse(kubectlOk(["get", "images", good.metadata.name ?? "", "-o", "json"]));
    const { metadata: _liveMeta, ...liveFields } = live;
    const { metadata: _meta, ...inputFields } = good;
    expect(liveFields).toStrictEqual(inputFields);
  });
});
