// What an import costs, counted where it is paid: requests at the (fake)
// registry and writes at the (in-memory) API server, through the whole
// controller. Targets of issue "Scale": a cold import of a single-platform tag
// is 2 registry requests, and per stream one spec write, one status write and
// one write per new Image; an unchanged scheduled re-check is one HEAD and no
// write, also for a reconciler just started (nothing in memory or cache).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANN_LIST_DIGESTS, type ImageStream } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import { dockerTag, makeStream } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import type { ImportReconciler } from "./controller.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const T0 = new Date("2026-01-01T12:00:00Z");
const INTERVAL_S = 900;
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

let fake: FakeRegistry;
let api: MemoryApi;
let clients: HttpRegistryClient[];
let clock: Date;

beforeEach(async () => {
  fake = await FakeRegistry.start();
  api = new MemoryApi();
  clients = [];
  clock = T0;
});

afterEach(async () => {
  for (const c of clients) c.close();
  await fake.close();
});

/** A reconciler as a fresh process has it: empty attempt log, empty registry caches. */
function startedReconciler(): ImportReconciler {
  const client = new HttpRegistryClient({ requestTimeoutMs: 2000 });
  clients.push(client);
  return memoryReconciler(api, client, {
    planner: { scheduledIntervalSeconds: INTERVAL_S },
    now: () => clock,
  });
}

function newStream(tags: string[], annotations?: Record<string, string>): ImageStream {
  const stream = makeStream({
    tags: tags.map((t) => {
      const { generation: _none, ...tag } = dockerTag(t, `${fake.host}/app:${t}`, {
        importPolicy: { insecure: true, scheduled: true },
      });
      return tag;
    }),
    ...(annotations ? { annotations } : {}),
  });
  const { annotations: _a, ...metadata } = stream.metadata;
  return { ...stream, metadata: annotations ? stream.metadata : metadata };
}

const content = () => fake.requests.filter((r) => r.path !== "/v2/");

/**
 * A just-started reconciler's first scheduled round: its first pass only
 * notes the tags (they wait for their stream's slot, ADR 0014) and asks
 * nothing; within one interval the slot comes and the check runs.
 */
async function firstRoundAfterStart(reconciler: ImportReconciler): Promise<void> {
  clock = new Date(clock.getTime() + 1000);
  const requests = content().length;
  await reconciler.reconcile("team/app", log);
  expect(content().length).toBe(requests);
  clock = new Date(clock.getTime() + INTERVAL_S * 1000 + 1);
  await reconciler.reconcile("team/app", log);
}

describe("import economy", () => {
  it("cold import of 3 single-platform tags: 2 requests per tag; 1 spec, 1 status, 3 Image writes", async () => {
    // distinct configs: a shared one would be fetched once (content-addressed cache)
    const arches = ["amd64", "arm64", "s390x"] as const;
    for (const [i, t] of ["v1", "v2", "v3"].entries()) {
      fake.addImage("app", t, { os: "linux", architecture: arches[i] });
    }
    api.put(newStream(["v1", "v2", "v3"]));
    await startedReconciler().reconcile("team/app", log);
    expect(content().map((r) => r.method)).toEqual(["GET", "GET", "GET", "GET", "GET", "GET"]);
    expect(api.writes.map((w) => w.kind).sort()).toEqual([
      "image",
      "image",
      "image",
      "spec",
      "status",
    ]);
    const stored = api.cached("team", "app");
    expect(stored?.status?.tags?.map((t) => t.items?.length)).toEqual([1, 1, 1]);
    expect(stored?.metadata.annotations?.["openshift.io/image.dockerRepositoryCheck"]).toBe(
      "2026-01-01T12:00:00Z",
    );
  });

  it("after a restart, an unchanged scheduled round is one HEAD per tag and no write", async () => {
    for (const t of ["v1", "v2", "v3"]) fake.addImage("app", t);
    api.put(newStream(["v1", "v2", "v3"]));
    await startedReconciler().reconcile("team/app", log);
    const requestsBefore = content().length;
    const writesBefore = api.writes.length;
    await firstRoundAfterStart(startedReconciler());
    expect(
      content()
        .slice(requestsBefore)
        .map((r) => r.method),
    ).toEqual(["HEAD", "HEAD", "HEAD"]);
    expect(api.writes.slice(writesBefore)).toEqual([]);
  });

  it("a moved tag is re-imported by digest after its HEAD, on top of its history", async () => {
    fake.addImage("app", "v1");
    api.put(newStream(["v1"]));
    await startedReconciler().reconcile("team/app", log);
    const moved = fake.addImage("app", "v1", { os: "linux", architecture: "arm64" });
    const requestsBefore = content().length;
    await firstRoundAfterStart(startedReconciler());
    const calls = content().slice(requestsBefore);
    expect(calls.map((r) => r.method)).toEqual(["HEAD", "GET", "GET"]);
    const items = api.cached("team", "app")?.status?.tags?.[0]?.items;
    expect(items?.map((i) => i.image)[0]).toBe(moved.digest);
    expect(items).toHaveLength(2);
  });

  it("a Legacy child of a list records its list; after a restart the unchanged list is one HEAD", async () => {
    const children = (["amd64", "arm64"] as const).map((architecture) => {
      const child = fake.addImage("app", undefined, { os: "linux", architecture });
      return {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        digest: child.digest,
        size: 300,
        platform: { os: "linux", architecture },
      };
    });
    const list = fake.addManifest(
      "app",
      { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children },
      OCI_INDEX,
      "multi",
    );
    api.put(newStream(["multi"]));
    await startedReconciler().reconcile("team/app", log);
    const stored = api.cached("team", "app");
    expect(stored?.status?.tags?.[0]?.items?.[0]?.image).toBe(children[0]?.digest);
    expect(JSON.parse(stored?.metadata.annotations?.[ANN_LIST_DIGESTS] ?? "{}")).toEqual({
      multi: list,
    });
    const requestsBefore = content().length;
    const writesBefore = api.writes.length;
    await firstRoundAfterStart(startedReconciler());
    expect(
      content()
        .slice(requestsBefore)
        .map((r) => r.method),
    ).toEqual(["HEAD"]);
    expect(api.writes.slice(writesBefore)).toEqual([]);
  });

  it("an Image object gone since is re-created from a full import, not assumed", async () => {
    fake.addImage("app", "v1");
    api.put(newStream(["v1"]));
    await startedReconciler().reconcile("team/app", log);
    api.images.clear();
    const requestsBefore = content().length;
    await firstRoundAfterStart(startedReconciler());
    expect(
      content()
        .slice(requestsBefore)
        .map((r) => r.method),
    ).toEqual(["GET", "GET"]);
    expect(api.images.size).toBe(1);
  });
});
