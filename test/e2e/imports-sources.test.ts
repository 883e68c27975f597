// Tags whose source is not a registry: a tracking tag (same stream), a copy
// from another stream of the namespace, a copy from another namespace (denied
// until the source stream opts in, ADR 0004), an ImageStreamImage by digest
// prefix, and a reference tag (no registry call at all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageStream } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  getStream,
  importCondition,
  mergePatchStream,
  REGISTRY_REQUESTS,
  registryDigest,
  requestReimport,
  saveOperatorLog,
  sleep,
  statusTag,
  targets,
  uniqueRepository,
  waitForCondition,
  waitForImage,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const ALLOWED_NAMESPACES = "imagestream-operator.io/allowed-namespaces";

function head(stream: ImageStream, tag: string) {
  return statusTag(stream, tag)?.items?.[0];
}

describe("tags from streams, images and references", () => {
  let operator: RunningOperator;
  let namespace: string;
  let consumer: string;
  const repository = uniqueRepository("sources");
  const reference = `${testEnv.registry}/${repository}:v1`;
  let first: string;
  let second: string;

  beforeAll(async () => {
    operator = await startOperator();
    namespace = await createNamespace("sources");
    consumer = await createNamespace("consumer");
    await pushImage(targets.plain, { repository, tag: "v1" });
    first = await registryDigest(targets.plain, repository, "v1");
    await createStream(namespace, "src", {
      tags: [
        dockerTag("v1", reference, { importPolicy: { insecure: true } }),
        { name: "latest", from: { kind: "ImageStreamTag", name: "v1" } },
      ],
    });
    await waitForImage(namespace, "src", "v1");
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-sources")).toEqual([]);
    await Promise.all([namespace, consumer].filter(Boolean).map(deleteNamespace));
  });

  it("a tracking tag mirrors its source tag's current item", async () => {
    const stream = await waitForImage(namespace, "src", "latest");
    expect(head(stream, "latest")).toMatchObject({
      image: first,
      dockerImageReference: `${testEnv.registry}/${repository}@${first}`,
    });
  });

  it("a cross-stream copy in the namespace takes the source tag's image", async () => {
    await createStream(namespace, "copy", {
      tags: [{ name: "stable", from: { kind: "ImageStreamTag", name: "src:v1" } }],
    });
    const stream = await waitForImage(namespace, "copy", "stable");
    expect(head(stream, "stable")).toMatchObject({
      image: first,
      dockerImageReference: `${testEnv.registry}/${repository}@${first}`,
    });
  });

  it("after a new import the tracking tag follows; the copy stays where it was", async () => {
    await pushImage(targets.plain, { repository, tag: "v1" });
    second = await registryDigest(targets.plain, repository, "v1");
    await requestReimport(namespace, "src", "v1");

    const stream = await waitForTag(
      namespace,
      "src",
      "latest",
      (t) => t.items?.[0]?.image === second,
      "follows v1 to the new digest",
    );
    expect(head(stream, "v1")?.image).toBe(second);
    expect(statusTag(stream, "latest")?.items?.map((i) => i.image)).toEqual([second, first]);
    await sleep(1000);
    expect(head(await getStream(namespace, "copy"), "stable")?.image).toBe(first);
  });

  it("an ImageStreamImage resolves a unique digest prefix, and refuses an ambiguous one", async () => {
    const prefix = first.slice(0, "sha256:".length + 12);
    await createStream(namespace, "pinned", {
      tags: [
        { name: "old", from: { kind: "ImageStreamImage", name: `src@${prefix}` } },
        { name: "hex", from: { kind: "ImageStreamImage", name: `src@${second.slice(7, 19)}` } },
        { name: "any", from: { kind: "ImageStreamImage", name: "src@sha256:" } },
      ],
    });
    const stream = await waitForImage(namespace, "pinned", "old");
    expect(head(stream, "old")).toMatchObject({
      image: first,
      dockerImageReference: `${testEnv.registry}/${repository}@${first}`,
    });
    expect(head(await waitForImage(namespace, "pinned", "hex"), "hex")?.image).toBe(second);
    const ambiguous = await waitForCondition(namespace, "pinned", "any", "Conflict");
    expect(importCondition(ambiguous, "any")?.message).toContain(
      "multiple images match the prefix",
    );
  });

  it("a copy from another namespace is refused until the source stream shares it, then copied", async () => {
    await createStream(consumer, "app", {
      tags: [
        {
          name: "prod",
          from: { kind: "ImageStreamTag", name: "src:v1", namespace },
        },
      ],
    });
    const denied = await waitForCondition(consumer, "app", "prod", "Forbidden");
    const message = importCondition(denied, "prod")?.message ?? "";
    expect(message).toContain(`image stream ${namespace}/src`);
    expect(message).toContain(`${ALLOWED_NAMESPACES}: "${consumer}"`);
    expect(statusTag(denied, "prod")?.items ?? []).toEqual([]);

    await mergePatchStream(namespace, "src", {
      metadata: { annotations: { [ALLOWED_NAMESPACES]: consumer } },
    });
    // retried with backoff (base 10 s): no action on the consuming stream needed
    const copied = await waitForImage(consumer, "app", "prod", 45_000);
    expect(head(copied, "prod")?.image).toBe(second);
    expect(importCondition(copied, "prod")).toBeUndefined();
  });

  it("a reference tag records the reference as given, no image, with no registry request", async () => {
    const requests = await counterSum(operator, REGISTRY_REQUESTS);
    const missing = `${testEnv.registry}/${uniqueRepository("never-pushed")}:v9`;
    await createStream(namespace, "refs", {
      tags: [dockerTag("ext", missing, { reference: true })],
    });
    const stream = await waitForImage(namespace, "refs", "ext");
    expect(statusTag(stream, "ext")?.items).toEqual([
      expect.objectContaining({ dockerImageReference: missing, image: "" }),
    ]);
    expect(importCondition(stream, "ext")).toBeUndefined();
    expect(await counterSum(operator, REGISTRY_REQUESTS)).toBe(requests);
  });
});
