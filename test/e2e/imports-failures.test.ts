// A failed import keeps the tag's history, sets ImportSuccess=False, and, unlike
// OpenShift, heals on its own: the controller retries with backoff (base
// 10 s, ADR 0005), so pushing the missing image is all a user has to do.
// Each transition is an events.k8s.io/v1 Event on the stream, never one per pass.
import { type AddressInfo, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  getStream,
  importCondition,
  patchStream,
  REGISTRY_REQUESTS,
  registryDigest,
  saveOperatorLog,
  sleep,
  statusTag,
  streamEvents,
  targets,
  uniqueRepository,
  waitForCondition,
  waitForImage,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const REGISTRY_TIMEOUT_SECONDS = 2;

// first retry after 10 s (+ jitter), the next 20 s later: room for both
const RECOVERY_TIMEOUT_MS = 45_000;

describe("a failing import", () => {
  let operator: RunningOperator;
  let namespace: string;
  const repository = uniqueRepository("failing");
  const pullSpec = (tag: string) => `${testEnv.registry}/${repository}:${tag}`;
  const insecure = { importPolicy: { insecure: true } };
  let v1: string;

  beforeAll(async () => {
    operator = await startOperator([
      "--registry-timeout-seconds",
      String(REGISTRY_TIMEOUT_SECONDS),
    ]);
    namespace = await createNamespace("failing");
    await pushImage(targets.plain, { repository, tag: "v1" });
    v1 = await registryDigest(targets.plain, repository, "v1");
    await createStream(namespace, "app", {
      tags: [
        dockerTag("web", pullSpec("v1"), insecure),
        dockerTag("fresh", pullSpec("later"), insecure),
      ],
    });
    await waitForImage(namespace, "app", "web");
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-failures")).toEqual([]);
    if (namespace) await deleteNamespace(namespace);
  });

  it("a tag whose image is not pushed yet gets ImportSuccess=False NotFound and no items", async () => {
    const stream = await waitForCondition(namespace, "app", "fresh", "NotFound");
    const condition = importCondition(stream, "fresh");
    expect(condition).toMatchObject({ status: "False", reason: "NotFound" });
    expect(condition?.message).toContain(pullSpec("later"));
    expect(condition?.generation).toBe(
      stream.spec?.tags?.find((t) => t.name === "fresh")?.generation,
    );
    expect(Date.parse(condition?.lastTransitionTime ?? "")).not.toBeNaN();
    expect(statusTag(stream, "fresh")?.items ?? []).toEqual([]);
  });

  it("a tag moved to a missing image keeps its history and says why", async () => {
    const stream = await getStream(namespace, "app");
    const index = stream.spec?.tags?.findIndex((t) => t.name === "web") ?? -1;
    await patchStream(namespace, "app", [
      { op: "test", path: `/spec/tags/${index}/name`, value: "web" },
      { op: "replace", path: `/spec/tags/${index}/from/name`, value: pullSpec("v2") },
    ]);

    const failed = await waitForCondition(namespace, "app", "web", "NotFound");
    expect(statusTag(failed, "web")?.items?.map((i) => i.image)).toEqual([v1]);
    const events = await eventually("ImportFailed events for both tags", async () => {
      const found = (await streamEvents(namespace, "app")).filter(
        (e) => e.reason === "ImportFailed",
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(events.every((e) => e.type === "Warning")).toBe(true);
    expect(events.map((e) => e.note).join("\n")).toContain("Import of tag web failed (NotFound)");
  });

  it("both recover on their own once the images are pushed, with ImportRecovered and TagUpdated", async () => {
    await pushImage(targets.plain, { repository, tag: "v2" });
    await pushImage(targets.plain, { repository, tag: "later" });
    const v2 = await registryDigest(targets.plain, repository, "v2");
    const later = await registryDigest(targets.plain, repository, "later");

    const healed = await waitForTag(
      namespace,
      "app",
      "web",
      (t) => t.items?.[0]?.image === v2,
      "recovered to v2",
      RECOVERY_TIMEOUT_MS,
    );
    expect(statusTag(healed, "web")?.items?.map((i) => i.image)).toEqual([v2, v1]);
    expect(importCondition(healed, "web")).toBeUndefined();
    const fresh = await waitForImage(namespace, "app", "fresh", RECOVERY_TIMEOUT_MS);
    expect(statusTag(fresh, "fresh")?.items?.map((i) => i.image)).toEqual([later]);
    expect(importCondition(fresh, "fresh")).toBeUndefined();

    const events = await eventually("ImportRecovered for both tags", async () => {
      const found = await streamEvents(namespace, "app");
      const recovered = found.filter((e) => e.reason === "ImportRecovered");
      return recovered.length >= 2 ? found : undefined;
    });
    const notes = (reason: string) => events.filter((e) => e.reason === reason).map((e) => e.note);
    expect(notes("TagUpdated")).toEqual(
      expect.arrayContaining([
        `Tag web updated from ${v1} to ${v2}`,
        `Tag fresh updated from <none> to ${later}`,
      ]),
    );
    // one Event per transition, however many retries ran in between
    expect(notes("ImportFailed")).toHaveLength(2);
    expect(notes("ImportRecovered")).toHaveLength(2);
    expect(
      events.filter((e) => e.reason === "ImportRecovered").every((e) => e.type === "Normal"),
    ).toBe(true);
  });

  it("a recovered stream stays quiet: no new Events", async () => {
    const before = (await streamEvents(namespace, "app")).length;
    await sleep(2000);
    expect(await streamEvents(namespace, "app")).toHaveLength(before);
  });

  it("an invalid reference and a cloud metadata address fail at once with a clear reason", async () => {
    const requests = await counterSum(operator, REGISTRY_REQUESTS);
    await createStream(namespace, "bad", {
      tags: [
        dockerTag("invalid", `${testEnv.registry}/UPPER/Case:v1`, insecure),
        dockerTag("metadata", "169.254.169.254/latest/meta-data:v1", insecure),
      ],
    });
    const invalid = await waitForCondition(namespace, "bad", "invalid", "InvalidReference");
    expect(statusTag(invalid, "invalid")?.items ?? []).toEqual([]);
    const denied = await waitForCondition(namespace, "bad", "metadata", "Forbidden");
    expect(importCondition(denied, "metadata")?.message).toContain("169.254.169.254");
    // neither went out to a registry
    expect(await counterSum(operator, REGISTRY_REQUESTS)).toBe(requests);
  });

  it("a registry that accepts connections and never answers ends in a Timeout condition", async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await createStream(namespace, "silent", {
        tags: [dockerTag("v1", `127.0.0.1:${port}/never/answers:v1`, insecure)],
      });
      const stream = await waitForCondition(namespace, "silent", "v1", "Timeout", 20_000);
      expect(importCondition(stream, "silent")).toBeUndefined();
      expect(importCondition(stream, "v1")?.message).toContain(`127.0.0.1:${port}`);
      expect(held.length).toBeGreaterThan(0);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});
