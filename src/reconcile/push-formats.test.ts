import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PushedTag } from "./push-events.js";
import { parsePushBody, pushedReference, type ReceiverFormat } from "./push-formats.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/push/${name}`, import.meta.url), "utf8"));

const FIXTURE_APP = { registry: "127.0.0.1:32410", repository: "fixtures/app", tag: "v1" };
const FIXTURE_APP_DIGEST =
  "sha256:b03386a97e6faff3513b23ab29e53090bfa26793dd87c609d6db3c183f47e49a";

describe("parsePushBody on each vendor's sample payload", () => {
  it.each<[ReceiverFormat, string, PushedTag[]]>([
    ["distribution", "distribution.json", [{ ...FIXTURE_APP, digest: FIXTURE_APP_DIGEST }]],
    ["gitlab", "distribution.json", [{ ...FIXTURE_APP, digest: FIXTURE_APP_DIGEST }]],
    [
      "dockerhub",
      "dockerhub.json",
      [{ registry: "docker.io", repository: "svendowideit/testhook", tag: "latest" }],
    ],
    ["quay", "quay.json", [{ registry: "quay.io", repository: "dgangaia/test", tag: "latest" }]],
    [
      "quay",
      "quay-tag-map.json",
      [{ registry: "quay.io", repository: "devtable/ubuntu", tag: "latest" }],
    ],
    [
      "harbor",
      "harbor.json",
      [
        {
          registry: "hub.harbor.com",
          repository: "test-webhook/debian",
          tag: "latest",
          digest: "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8",
        },
      ],
    ],
    ["harbor", "harbor-by-digest.json", []],
    ["github", "github-registry-package.json", []],
    [
      "gar",
      "gar-pubsub.json",
      [
        {
          registry: "us-east1-docker.pkg.dev",
          repository: "my-project/my-repo/hello-world",
          tag: "1.1",
          digest: "sha256:6ec128e26cd5d0d5a4bd1afd7f1c9c7cd6f9b3a4e8e1b2f3c4d5e6f708192a3b",
        },
      ],
    ],
    [
      "generic",
      "generic.json",
      [{ registry: "registry.example.com", repository: "team/app", tag: "v2" }],
    ],
  ])("%s: %s", (format, file, expected) => {
    expect(parsePushBody(format, fixture(file))).toEqual({ pushed: expected });
  });
});

describe("parsePushBody variants", () => {
  it("reads GitHub's newer package event and a tagged version", () => {
    const sample = fixture("github-registry-package.json") as { registry_package: unknown };
    const pkg = structuredClone(sample.registry_package) as {
      package_version: { container_metadata: { tag: { name: string } } };
    };
    pkg.package_version.container_metadata.tag.name = "v2";
    expect(parsePushBody("github", { action: "published", package: pkg })).toEqual({
      pushed: [
        {
          registry: "ghcr.io",
          repository: "codertocat/hello-world",
          tag: "v2",
          digest: "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498",
        },
      ],
    });
  });

  it("folds a Docker Hub official image into library/", () => {
    const body = { push_data: { tag: "1.27" }, repository: { repo_name: "library/nginx" } };
    expect(parsePushBody("dockerhub", body)).toEqual({
      pushed: [{ registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
    });
  });

  it("reads a Harbor resource_url written with a scheme", () => {
    const body = {
      type: "PUSH_ARTIFACT",
      event_data: {
        resources: [{ tag: "v1.0.0", resource_url: "https://example.com/library/nginx:v1.0.0" }],
      },
    };
    expect(parsePushBody("harbor", body)).toEqual({
      pushed: [{ registry: "example.com", repository: "library/nginx", tag: "v1.0.0" }],
    });
  });

  it("keeps a push whose digest is malformed, without the digest", () => {
    const body = fixture("distribution.json") as { events: { target: { digest: string } }[] };
    const event = body.events[0];
    if (event) event.target.digest = "sha256:nothex";
    expect(parsePushBody("distribution", body)).toEqual({ pushed: [FIXTURE_APP] });
  });

  it("ignores an Artifact Registry deletion", () => {
    const data = Buffer.from(JSON.stringify({ action: "DELETE", tag: "r.io/a/b:1" })).toString(
      "base64",
    );
    expect(parsePushBody("gar", { message: { data } })).toEqual({ pushed: [] });
  });

  it.each<[ReceiverFormat, unknown]>([
    ["distribution", { nothing: true }],
    ["dockerhub", fixture("quay.json")],
    ["quay", fixture("dockerhub.json")],
    ["harbor", { type: "DELETE_ARTIFACT", event_data: { resources: [] } }],
    ["harbor", { type: "PUSH_ARTIFACT" }],
    ["github", { zen: "hi" }],
    ["gar", { message: { data: "not base64 json!" } }],
    ["gar", {}],
    ["generic", { image: "nginx" }],
    ["generic", { images: ["r.io/a:1", 3] }],
    ["generic", null],
    ["quay", "text"],
  ])("%s: calls %j unknown", (format, body) => {
    expect(parsePushBody(format, body)).toHaveProperty("unknown");
  });
});

describe("pushedReference", () => {
  it.each([
    ["r.io/a/b:1", { registry: "r.io", repository: "a/b", tag: "1" }],
    ["r.io:5000/a:V1", { registry: "r.io:5000", repository: "a", tag: "V1" }],
    ["ghcr.io/Owner/App:v1", { registry: "ghcr.io", repository: "owner/app", tag: "v1" }],
    ["index.docker.io/nginx:1", { registry: "docker.io", repository: "library/nginx", tag: "1" }],
    ["r.io/a:", undefined],
    ["r.io/a", undefined],
    [`r.io/a@sha256:${"a".repeat(64)}`, undefined],
    ["nginx:1", undefined],
    ["r.io:5000/a", undefined],
  ])("%s", (text, expected) => {
    expect(pushedReference(text)).toEqual(expected);
  });
});
