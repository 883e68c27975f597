// The informer wrapper against a fake API server: client-node's informer stops
// for good when a list fails; ours must restart it, then report synced.
import { createServer, type Server } from "node:http";
import {
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../observability/logger.js";
import { objectKey, ScopedInformer, splitKey, waitForCacheSync } from "./informer.js";

const PATH = "/apis/example.com/v1/things";

function fakeApiServer(
  failLists: number,
): Promise<{ server: Server; url: string; lists: () => number }> {
  let lists = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.searchParams.get("watch") === "true") {
      // an open watch that sends nothing; closed by the test's stop()
      res.writeHead(200, { "content-type": "application/json" });
      return;
    }
    lists++;
    if (lists <= failLists) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", code: 500, message: "boom" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: "ThingList",
        metadata: { resourceVersion: "7" },
        items: [{ metadata: { name: "a", namespace: "ns", resourceVersion: "5" } }],
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, lists: () => lists });
    }),
  );
}

/**
 * An API server that goes away and comes back: its first three watches are
 * refused (503), the fourth ends at once with 410 Gone (its watch cache
 * restarted without our resource version), later ones stay open. Object b
 * was created meanwhile: only a fresh list shows it.
 */
function outageApiServer(): Promise<{
  server: Server;
  url: string;
  lists: () => number;
  watches: () => number;
}> {
  let lists = 0;
  let watches = 0;
  const item = (name: string, rv: string) => ({
    metadata: { name, namespace: "ns", resourceVersion: rv },
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    res.setHeader("content-type", "application/json");
    if (url.searchParams.get("watch") === "true") {
      watches++;
      if (watches <= 3) {
        res.writeHead(503).end(JSON.stringify({ kind: "Status", code: 503 }));
      } else if (watches === 4) {
        const gone = {
          kind: "Status",
          code: 410,
          reason: "Expired",
          message: "too old resource version",
        };
        res.writeHead(200).end(`${JSON.stringify({ type: "ERROR", object: gone })}\n`);
      } else {
        res.writeHead(200); // open, quiet; closed by the test's stop()
      }
      return;
    }
    lists++;
    const items = lists === 1 ? [item("a", "5")] : [item("a", "5"), item("b", "9")];
    res.writeHead(200).end(
      JSON.stringify({
        kind: "ThingList",
        metadata: { resourceVersion: String(lists * 10) },
        items,
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      resolve({
        server,
        url: `http://127.0.0.1:${port}`,
        lists: () => lists,
        watches: () => watches,
      });
    }),
  );
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("ScopedInformer", () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup) await c();
    cleanup = [];
  });

  it("restarts after failed lists and then syncs, calling handlers with the objects", async () => {
    const fake = await fakeApiServer(2);
    const seen: string[] = [];
    const informer = new ScopedInformer<KubernetesObject>({
      name: "things",
      kubeConfig: kubeConfigFor(fake.url),
      paths: [PATH],
      list: async () => {
        const res = await fetch(`${fake.url}${PATH}`);
        if (!res.ok) throw Object.assign(new Error("list failed"), { code: res.status });
        return (await res.json()) as KubernetesListObject<KubernetesObject>;
      },
      log: createLogger("silent"),
      restartBaseMs: 20,
    });
    informer.onChange((obj, verb) => seen.push(`${verb} ${objectKey(obj)}`));
    cleanup.push(
      () => informer.stop(),
      async () => void fake.server.close(),
    );
    await informer.start();
    expect(informer.synced).toBe(false);
    const log = createLogger("silent");
    expect(
      await waitForCacheSync("test", [informer], { log, signal: AbortSignal.timeout(5000) }),
    ).toBe(true);
    expect(fake.lists()).toBe(3);
    expect(seen).toEqual(["add ns/a"]);
    expect(informer.get("ns", "a")?.metadata?.resourceVersion).toBe("5");
    expect(informer.list().map(objectKey)).toEqual(["ns/a"]);
  });

  it("a wait for an informer that never lists ends when its signal aborts, unsynced", async () => {
    const fake = await fakeApiServer(1000);
    const informer = new ScopedInformer<KubernetesObject>({
      name: "things",
      kubeConfig: kubeConfigFor(fake.url),
      paths: [PATH],
      list: async () => {
        throw new Error("down");
      },
      log: createLogger("silent"),
      restartBaseMs: 10,
    });
    cleanup.push(
      () => informer.stop(),
      async () => void fake.server.close(),
    );
    await informer.start();
    const log = createLogger("silent");
    const signal = AbortSignal.timeout(200);
    expect(await waitForCacheSync("test", [informer], { log, signal })).toBe(false);
    expect(informer.synced).toBe(false);
  });

  it("a watch refused while the API server is away is retried; a 410 Gone then lists afresh", async () => {
    const fake = await outageApiServer();
    const seen: string[] = [];
    const informer = new ScopedInformer<KubernetesObject>({
      name: "things",
      kubeConfig: kubeConfigFor(fake.url),
      paths: [PATH],
      list: async () =>
        (await (
          await fetch(`${fake.url}${PATH}`)
        ).json()) as KubernetesListObject<KubernetesObject>,
      log: createLogger("silent"),
      restartBaseMs: 10,
    });
    informer.onChange((obj, verb) => seen.push(`${verb} ${objectKey(obj)}`));
    let resumed = 0;
    informer.onResumed(() => resumed++);
    cleanup.push(
      () => informer.stop(),
      async () => void fake.server.close(),
    );
    await informer.start();
    expect(await waitForCacheSync("test", [informer], { log: createLogger("silent") })).toBe(true);
    // watches refused (503) three times, then one ends with 410 Gone: the
    // informer lists again and sees what was created during the outage
    await vi.waitFor(() => expect(seen).toEqual(["add ns/a", "add ns/b"]), { timeout: 5000 });
    expect(fake.lists()).toBe(2);
    // and watches on from the fresh list
    await vi.waitFor(() => expect(fake.watches()).toBe(5), { timeout: 5000 });
    expect(resumed).toBe(1); // once, when the fourth watch was accepted after three refusals
  });
});

describe("keys", () => {
  it.each([
    ["ns/name", { namespace: "ns", name: "name" }],
    ["cluster-scoped", { namespace: "", name: "cluster-scoped" }],
  ])("splitKey(%s)", (key, expected) => {
    expect(splitKey(key)).toEqual(expected);
  });
});
