// History retention through the whole import path: ImportReconciler with the
// real registry client against a fake registry, and the in-memory API. What
// is checked here is when the controller trims (only in a status it writes
// anyway), what it protects (the running images it is told about), and the
// Events; the rules' tables are in src/reconcile/retention.test.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import { ANN_MAX_TAG_HISTORY } from "../../reconcile/retention.js";
import { digest, dockerTag, event, makeStream, statusTag } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import type { ImportReconciler } from "./controller.js";
import type { RetentionDeps } from "./retention.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const KEY = "team/app";
/** eight older items, newest first: digests 8..1 */
const OLD = [..."87654321"].map((c) => event(digest(c)));

let fake: FakeRegistry;
let client: HttpRegistryClient;
let api: MemoryApi;

beforeEach(async () => {
  fake = await FakeRegistry.start();
  client = new HttpRegistryClient({});
  api = new MemoryApi();
});

afterEach(async () => {
  client.close();
  await fake.close();
});

function reconciler(retention: RetentionDeps): ImportReconciler {
  return memoryReconciler(api, client, { retention });
}

/** A stream whose tag latest has the old history and now points at app:<tag> of the fake. */
function putStream(tag: string, annotations?: Record<string, string>): void {
  const from = `${fake.host}/app:${tag}`;
  api.put(
    makeStream({
      tags: [dockerTag("latest", from, { importPolicy: { insecure: true } })],
      status: [statusTag("latest", OLD)],
      ...(annotations ? { annotations } : {}),
    }),
  );
}

function items(): string[] {
  const stream = api.cached("team", "app") as ImageStream;
  return (stream.status?.tags?.[0]?.items ?? []).map((i) => i.image);
}

async function moveTo(tag: string): Promise<string> {
  const pushed = fake.addImage("app", tag);
  const stream = (await api.getStream("team", "app")) as ImageStream;
  await api.patchSpec(stream, [
    { op: "add", path: "/spec/tags/0/from/name", value: `${fake.host}/app:${tag}` },
  ]);
  return pushed.digest;
}

const keepAll = { maxTagHistory: 0, runningImages: () => [] };

describe("history retention in the import controller", () => {
  it("trims to N plus the running item in the status an import writes, and adds no write of its own", async () => {
    const v1 = fake.addImage("app", "v1").digest;
    putStream("v1");
    await reconciler(keepAll).reconcile(KEY, log);
    expect(items()).toEqual([v1, ...OLD.map((i) => i.image)]);

    // the limit now applies (a restart with a smaller flag): nothing to import, nothing written
    const running = `quay.io/org/app@${digest("2")}`;
    const limited = reconciler({ maxTagHistory: 3, runningImages: () => [running] });
    const writes = api.writes.length;
    await limited.reconcile(KEY, log);
    expect(api.writes.length).toBe(writes);
    expect(items()).toHaveLength(9);

    // the next status write trims it
    const v2 = await moveTo("v2");
    await limited.reconcile(KEY, log);
    expect(items()).toEqual([v2, v1, digest("8"), digest("2")]);
    expect(api.events.map((e) => e.reason)).toEqual(["TagUpdated", "TagUpdated"]);
    const statusWrites = api.statusWrites().length;
    await limited.reconcile(KEY, log);
    expect(api.statusWrites().length).toBe(statusWrites);
  });

  it("leaves the history as it is while the workload caches have not listed", async () => {
    const v1 = fake.addImage("app", "v1").digest;
    putStream("v1");
    await reconciler({ maxTagHistory: 3, runningImages: () => undefined }).reconcile(KEY, log);
    expect(items()).toEqual([v1, ...OLD.map((i) => i.image)]);
  });

  it("drops the oldest items to stay below the byte budget, with a Warning saying how many", async () => {
    const v1 = fake.addImage("app", "v1").digest;
    putStream("v1");
    // room for the old status, not for it and the new item
    const budget = JSON.stringify((api.cached("team", "app") as ImageStream).status).length + 20;
    await reconciler({ ...keepAll, statusBudgetBytes: budget }).reconcile(KEY, log);
    const trimmed = api.events.find((e) => e.reason === "HistoryTrimmed");
    expect(trimmed?.type).toBe("Warning");
    const note = trimmed?.note ?? "";
    const dropped = Number(/^dropped (\d+) oldest tag history item\(s\)/.exec(note)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(note).toContain(`below ${budget} bytes`);
    // the oldest went first (the old items share a second: the older position first)
    expect(items()).toEqual([v1, ...OLD.map((i) => i.image)].slice(0, 9 - dropped));
    const written = api.statusWrites().at(-1);
    expect(Buffer.byteLength(JSON.stringify(written))).toBeLessThanOrEqual(budget);
  });

  it("reports an invalid annotation once per value, and uses the flag's limit", async () => {
    fake.addImage("app", "v1");
    putStream("v1", { [ANN_MAX_TAG_HISTORY]: "five" });
    const imports = reconciler({ maxTagHistory: 2, runningImages: () => [] });
    await imports.reconcile(KEY, log);
    await imports.reconcile(KEY, log);
    const warnings = api.events.filter((e) => e.reason === "InvalidMaxTagHistory");
    expect(warnings.map((e) => [e.type, e.note])).toEqual([
      [
        "Warning",
        `annotation ${ANN_MAX_TAG_HISTORY} must be a whole number of items per tag (0 keeps every item), got "five"; using 2`,
      ],
    ]);
    expect(items()).toHaveLength(2);
  });
});
