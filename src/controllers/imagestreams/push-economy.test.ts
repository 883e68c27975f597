// What a push notification costs, counted at the (fake) registry, through the
// dispatcher, the import controller and the real registry client (issue 14):
// a pushed new single-platform image is 2 requests (manifest GET, config
// GET: no HEAD before a GET that answers the digest anyway) and no follow-up
// once the first check saw the notified digest. Follow-ups remain for the
// case they exist for: a registry that notifies before its tag moves.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import type { PushedTag } from "../../reconcile/push-events.js";
import { dockerTag, makeStream } from "../../reconcile/test-fixtures.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry } from "../../registry/testing/fake-registry.js";
import { PushDispatcher, PushIndex } from "../push-dispatch.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const log = createLogger("silent");
const KEY = "team/app";
/** short follow-ups, so a test can wait past them */
const FOLLOW_UPS_MS = [150, 400];
const PAST_FOLLOW_UPS_MS = 600;

let fake: FakeRegistry;
let api: MemoryApi;
let client: HttpRegistryClient;
let dispatcher: PushDispatcher;
/** reconciles run one at a time per key, as the work queue runs them */
let queue: Promise<unknown>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const content = () =>
  fake.requests.filter((r) => r.path !== "/v2/").map((r) => `${r.method} ${r.path}`);

beforeEach(async () => {
  fake = await FakeRegistry.start();
  api = new MemoryApi();
  client = new HttpRegistryClient({ requestTimeoutMs: 2000 });
  queue = Promise.resolve();
  const index = new PushIndex();
  const reconciler = memoryReconciler(api, client, {
    onPushChecks: (key, checks) => dispatcher.checked(key, checks),
  });
  dispatcher = new PushDispatcher({
    index,
    recheck: (key, tags) => {
      reconciler.recheck(key, tags);
      queue = queue.then(() => reconciler.reconcile(key, log));
    },
    followUpsMs: FOLLOW_UPS_MS,
    getStream: () => api.cached("team", "app"),
    observeLatencySeconds: () => {},
  });
  // a tag no schedule looks at: only a push can move it
  const stream: ImageStream = makeStream({
    tags: [dockerTag("app", `${fake.host}/app:v1`, { importPolicy: { insecure: true } })],
  });
  fake.addImage("app", "v1");
  api.put(stream);
  await reconciler.reconcile(KEY, log);
  index.set(KEY, api.cached("team", "app") as ImageStream);
});

afterEach(async () => {
  dispatcher.stop();
  client.close();
  await fake.close();
});

const push = (digest?: string): PushedTag => ({
  registry: fake.host,
  repository: "app",
  tag: "v1",
  ...(digest ? { digest } : {}),
});

/** Notifies, then waits past every follow-up and for the checks they queued. */
async function notified(pushed: PushedTag): Promise<string[]> {
  const before = content().length;
  expect(dispatcher.notify([pushed])).toBe(1);
  await sleep(PAST_FOLLOW_UPS_MS);
  await queue;
  return content().slice(before);
}

const latest = () => api.cached("team", "app")?.status?.tags?.[0]?.items?.[0]?.image;

describe("push economy", () => {
  it("a pushed new single-platform image: manifest GET + config GET, no follow-up", async () => {
    const moved = fake.addImage("app", "v1", { architecture: "arm64" });
    expect(await notified(push(moved.digest))).toEqual([
      "GET /v2/app/manifests/v1",
      `GET /v2/app/blobs/${moved.configDigest}`,
    ]);
    expect(latest()).toBe(moved.digest);
  });

  it("a sender that names no digest (Docker Hub): the tag seen moving ends it, 2 requests", async () => {
    const moved = fake.addImage("app", "v1", { architecture: "arm64" });
    expect(await notified(push())).toEqual([
      "GET /v2/app/manifests/v1",
      `GET /v2/app/blobs/${moved.configDigest}`,
    ]);
    expect(latest()).toBe(moved.digest);
  });

  it("a notification for what the tag already holds: one GET, no follow-up", async () => {
    const current = latest();
    expect(await notified(push(current))).toEqual(["GET /v2/app/manifests/v1"]);
  });

  it("notified before the tag moves: a follow-up catches it, then no more checks", async () => {
    const probe = await FakeRegistry.start();
    const next = probe.addImage("app", "v1", { architecture: "arm64" });
    await probe.close();
    const before = content().length;
    expect(dispatcher.notify([push(next.digest)])).toBe(1);
    await queue; // the first check: the tag still names the old image
    expect(content().slice(before)).toEqual(["GET /v2/app/manifests/v1"]);
    fake.addImage("app", "v1", { architecture: "arm64" });
    await sleep(PAST_FOLLOW_UPS_MS);
    await queue;
    expect(content().slice(before)).toEqual([
      "GET /v2/app/manifests/v1",
      "GET /v2/app/manifests/v1",
      `GET /v2/app/blobs/${next.configDigest}`,
    ]);
    expect(latest()).toBe(next.digest);
  });
});
