// The informer wrapper against a fake API server: client-node's informer stops
// for good when a list fails; ours must restart it, then report synced.
import { createServer, type Server } from "node:http";
import {
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.js";
import { objectKey, ScopedInformer, splitKey } from "./informer.js";

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
    await informer.waitForSync(5000);
    expect(fake.lists()).toBe(3);
    expect(seen).toEqual(["add ns/a"]);
    expect(informer.get("ns", "a")?.metadata?.resourceVersion).toBe("5");
    expect(informer.list().map(objectKey)).toEqual(["ns/a"]);
  });

  it("reports a sync timeout instead of waiting forever", async () => {
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
    await expect(informer.waitForSync(200)).rejects.toThrow("informer things did not sync");
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
