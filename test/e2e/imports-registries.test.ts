// Every registry mode of the test environment, imported by the operator (its
// ServiceAccount, started with --ca-bundle of the registry CA): plain HTTP only
// with insecure, TLS with the configured CA, basic and token auth through a
// kubernetes.io/dockerconfigjson Secret of the stream's own namespace, and the
// Secrets that must never be used (excludeSecret, another namespace).
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANN_EXCLUDE_SECRET, ANN_INSECURE_REPOSITORY } from "../../src/api/types.js";
import {
  core,
  createNamespace,
  createPullSecret,
  createStream,
  deleteNamespace,
  dockerTag,
  getStream,
  importCondition,
  pushedV1,
  saveOperatorLog,
  sleep,
  statusTag,
  targets,
  waitForCondition,
  waitForImage,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

describe("registry modes", () => {
  let operator: RunningOperator;
  const namespaces: string[] = [];
  const namespace = async (prefix: string) => {
    const name = await createNamespace(prefix);
    namespaces.push(name);
    return name;
  };

  beforeAll(async () => {
    operator = await startOperator();
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-registries")).toEqual([]);
    await Promise.all(namespaces.map(deleteNamespace));
  });

  it("plain HTTP: refused without insecure, with a condition that says so", async () => {
    const ns = await namespace("reg-plain");
    const image = await pushedV1(targets.plain, "plain-secure");
    await createStream(ns, "plain", { tags: [dockerTag("v1", image.reference)] });

    const stream = await waitForCondition(ns, "plain", "v1", "InsecureRequired");
    const condition = importCondition(stream, "v1");
    expect(condition?.status).toBe("False");
    expect(condition?.message).toContain("HTTP only and requires the insecure flag");
    expect(condition?.message).toContain(`${testEnv.registry}/${image.repository}`);
    expect(statusTag(stream, "v1")?.items ?? []).toEqual([]);
  });

  it("plain HTTP: imported with importPolicy.insecure or the insecureRepository annotation", async () => {
    const ns = await namespace("reg-plain-ok");
    const image = await pushedV1(targets.plain, "plain");
    await createStream(ns, "by-policy", {
      tags: [dockerTag("v1", image.reference, { importPolicy: { insecure: true } })],
    });
    await createStream(
      ns,
      "by-annotation",
      { tags: [dockerTag("v1", image.reference)] },
      { [ANN_INSECURE_REPOSITORY]: "true" },
    );
    for (const name of ["by-policy", "by-annotation"]) {
      const stream = await waitForImage(ns, name, "v1");
      expect(statusTag(stream, "v1")?.items?.[0]?.image).toBe(image.digest);
    }
  });

  it("TLS: imported with the configured CA, no insecure flag", async () => {
    const ns = await namespace("reg-tls");
    const image = await pushedV1(targets.tls, "tls");
    await createStream(ns, "tls", { tags: [dockerTag("v1", image.reference)] });

    const stream = await waitForImage(ns, "tls", "v1");
    expect(statusTag(stream, "v1")?.items?.[0]).toMatchObject({
      image: image.digest,
      dockerImageReference: `${testEnv.registryTls}/${image.repository}@${image.digest}`,
    });
  });

  for (const mode of ["basic", "token"] as const) {
    it(`${mode} auth: Unauthorized without a Secret, imported through a dockerconfigjson Secret of the namespace`, async () => {
      const ns = await namespace(`reg-${mode}`);
      const target = targets[mode];
      const image = await pushedV1(target, mode);
      await createStream(ns, "private", { tags: [dockerTag("v1", image.reference)] });
      const refused = await waitForCondition(ns, "private", "v1", "Unauthorized");
      // OpenShift's message, then which pull secrets were tried (ADR 0017)
      expect(importCondition(refused, "v1")?.message).toBe(
        `you may not have access to the container image "${image.reference}"; ` +
          "pull secrets: no pull secret in the namespace",
      );

      // a new pull Secret retries the namespace's failed imports at once (no backoff wait)
      await createPullSecret(
        ns,
        "pull",
        target.registry,
        testEnv.registryUser,
        testEnv.registryPassword,
      );
      const stream = await waitForImage(ns, "private", "v1", 8_000);
      expect(statusTag(stream, "v1")?.items?.[0]?.image).toBe(image.digest);
      expect(importCondition(stream, "v1")).toBeUndefined();
      expect(JSON.stringify(stream)).not.toContain(testEnv.registryPassword);
      expect(operator.logs()).not.toContain(testEnv.registryPassword);
    });
  }

  it("a Secret annotated openshift.io/image.excludeSecret=true is not used", async () => {
    const ns = await namespace("reg-excluded");
    const image = await pushedV1(targets.basic, "excluded");
    await createPullSecret(
      ns,
      "excluded",
      targets.basic.registry,
      testEnv.registryUser,
      testEnv.registryPassword,
      { annotations: { [ANN_EXCLUDE_SECRET]: "true" } },
    );
    await createStream(ns, "private", { tags: [dockerTag("v1", image.reference)] });

    const stream = await waitForCondition(ns, "private", "v1", "Unauthorized");
    expect(statusTag(stream, "v1")?.items ?? []).toEqual([]);

    // the same Secret without the annotation is used: the exclusion was the only obstacle
    await core.patchNamespacedSecret(
      {
        namespace: ns,
        name: "excluded",
        body: [{ op: "remove", path: "/metadata/annotations/openshift.io~1image.excludeSecret" }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    const imported = await waitForImage(ns, "private", "v1", 8_000);
    expect(statusTag(imported, "v1")?.items?.[0]?.image).toBe(image.digest);
  });

  it("a kubernetes.io/dockercfg Secret keyed by host/path is used for repositories under that path", async () => {
    const ns = await namespace("reg-dockercfg");
    const image = await pushedV1(targets.basic, "dockercfg");
    await createPullSecret(
      ns,
      "legacy",
      `${targets.basic.registry}/${image.repository.split("/")[0]}`,
      testEnv.registryUser,
      testEnv.registryPassword,
      { type: "kubernetes.io/dockercfg" },
    );
    await createStream(ns, "private", { tags: [dockerTag("v1", image.reference)] });
    const stream = await waitForImage(ns, "private", "v1");
    expect(statusTag(stream, "v1")?.items?.[0]?.image).toBe(image.digest);
  });

  it("a Secret in another namespace is never used", async () => {
    const owner = await namespace("reg-owner");
    const other = await namespace("reg-other");
    const image = await pushedV1(targets.token, "elsewhere");
    await createPullSecret(
      owner,
      "pull",
      targets.token.registry,
      testEnv.registryUser,
      testEnv.registryPassword,
    );
    await createStream(other, "private", { tags: [dockerTag("v1", image.reference)] });

    const refused = await waitForCondition(other, "private", "v1", "Unauthorized");
    expect(statusTag(refused, "v1")?.items ?? []).toEqual([]);
    // the owner namespace's stream of the same image imports: the Secret itself is fine
    await createStream(owner, "private", { tags: [dockerTag("v1", image.reference)] });
    expect(statusTag(await waitForImage(owner, "private", "v1"), "v1")?.items?.[0]?.image).toBe(
      image.digest,
    );
    await sleep(1000);
    expect(statusTag(await getStream(other, "private"), "v1")?.items ?? []).toEqual([]);
  });
});
