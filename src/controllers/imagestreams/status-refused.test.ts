// A status the API server refuses (over etcd's size limit, invalid) is a
// Warning Event on the stream with the server's reason, at most hourly, and
// the reconcile still fails so the queue retries with backoff. The refusal is
// injected into the in-memory API: a real API server refuses a status only
// for sizes no test should push (covered, with the real body, in
// kube-errors.test.ts).
import { ApiException } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageStream, ImageStreamStatus } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import { dockerTag, makeStream } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import { REASON_STATUS_REJECTED } from "./controller.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const TOO_LARGE = { kind: "Status", message: "etcdserver: request is too large", code: 500 };

/** A MemoryApi whose status writes the API server refuses. */
class RefusingApi extends MemoryApi {
  override async writeStatus(_s: ImageStream, _status: ImageStreamStatus): Promise<ImageStream> {
    throw new ApiException(500, "Internal Server Error", TOO_LARGE, {});
  }
}

let fake: FakeRegistry;
let client: HttpRegistryClient;

beforeEach(async () => {
  fake = await FakeRegistry.start();
  client = new HttpRegistryClient({});
  fake.addImage("app", "v1");
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe("a refused status write", () => {
  it("is one StatusUpdateRejected Warning on the stream per hour, with the server's message", async () => {
    const api = new RefusingApi();
    const insecure = { importPolicy: { insecure: true } };
    api.put(makeStream({ tags: [dockerTag("v1", `${fake.host}/app:v1`, insecure)] }));
    let now = new Date("2026-01-01T12:00:00Z");
    const reconciler = memoryReconciler(api, client, { now: () => now });
    const key = "team/app";
    await expect(reconciler.reconcile(key, log)).rejects.toMatchObject({ code: 500 });
    await expect(reconciler.reconcile(key, log)).rejects.toMatchObject({ code: 500 });
    const refused = () => api.events.filter((e) => e.reason === REASON_STATUS_REJECTED);
    expect(refused().map((e) => [e.type, e.target.kind, e.target.name])).toEqual([
      ["Warning", "ImageStream", "app"],
    ]);
    expect(refused()[0]?.note).toBe(
      "the API server refused the import results (status with 1 tag): " +
        "Refused (HTTP 500): etcdserver: request is too large",
    );
    now = new Date(now.getTime() + 60 * 60_000);
    await expect(reconciler.reconcile(key, log)).rejects.toMatchObject({ code: 500 });
    expect(refused()).toHaveLength(2);
  });
});
