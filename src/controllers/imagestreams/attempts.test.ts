// Requests that arrive while a reconcile of the same stream is running (a
// registry push notification, a changed pull secret) must survive that
// reconcile's own update of the attempt log, and a pass that fails (the API
// server away while it writes) must leave its rechecks for the retry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../observability/logger.js";
import { dockerTag, makeStream } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import type { ImportReconciler } from "./controller.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const KEY = "team/app";
const SCHEDULE_MS = 15 * 60_000;

let fake: FakeRegistry;
let client: HttpRegistryClient;
let api: MemoryApi;

beforeEach(async () => {
  fake = await FakeRegistry.start();
  client = new HttpRegistryClient({});
  api = new MemoryApi();
  fake.addImage("app", "v1");
  const scheduled = { importPolicy: { insecure: true, scheduled: true } };
  api.put(makeStream({ tags: [dockerTag("v1", `${fake.host}/app:v1`, scheduled)] }));
});

afterEach(async () => {
  client.close();
  await fake.close();
});

function importReconciler(): ImportReconciler {
  return memoryReconciler(api, client, {
    planner: { scheduledIntervalSeconds: SCHEDULE_MS / 1000 },
  });
}

/** Calls `during` once, while the reconcile is waiting for the registry's manifest answer. */
function whileImporting(during: () => void): void {
  let done = false;
  fake.use((_req, _res, url) => {
    if (!done && url.pathname.startsWith("/v2/app/manifests/")) {
      done = true;
      during();
    }
    return false; // the fake answers as usual
  });
}

describe("the attempt log", () => {
  it("without a recheck, a scheduled tag is next due at its stream's slot, within one interval", async () => {
    const result = await importReconciler().reconcile(KEY, log);
    expect(result?.requeueAfterMs).toBeGreaterThan(0);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(SCHEDULE_MS);
  });

  it("keeps a push recheck that arrives during the import: the tag is due again at once", async () => {
    const imports = importReconciler();
    whileImporting(() => imports.recheck(KEY, ["v1"]));
    const result = await imports.reconcile(KEY, log);
    expect(result).toEqual({ requeueAfterMs: 1000 });
  });

  it("keeps a push recheck when the pass fails to write: the retry imports the moved tag", async () => {
    const imports = importReconciler();
    await imports.reconcile(KEY, log);
    const first = api.cached("team", "app")?.status?.tags?.[0]?.items?.[0]?.image;
    const moved = fake.addImage("app", "v1", { architecture: "arm64" });
    imports.recheck(KEY, ["v1"]);
    const applyImage = api.applyImage.bind(api);
    api.applyImage = async () => {
      throw new TypeError("fetch failed"); // what client-node throws on connection refused
    };
    await expect(imports.reconcile(KEY, log)).rejects.toThrow("fetch failed");
    api.applyImage = applyImage; // the API server is back; the work queue retries the key
    await imports.reconcile(KEY, log);
    const items = api.cached("team", "app")?.status?.tags?.[0]?.items?.map((i) => i.image);
    expect(items).toEqual([moved.digest, first]);
  });
});
