// Informers list in pages (src/controllers/list-pages.ts) against the real
// API server, under the operator's own RBAC: custom objects (raw JSON, a
// `continue` token) and a typed list (Deployments, `_continue`), joined
// whole, and a watch that goes on from the paged list's resourceVersion.
import { AppsV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScopedInformer, waitForCacheSync } from "../../src/controllers/informer.js";
import type { ListPage } from "../../src/controllers/list-pages.js";
import {
  imageStreamSource,
  type ResourceSource,
  workloadSource,
} from "../../src/controllers/resources.js";
import { createLogger } from "../../src/observability/logger.js";
import { createNamespace, createStream, deleteNamespace, eventually } from "./imports-support.js";
import { adminKubeConfig, operatorKubeConfig } from "./support/env.js";

const log = createLogger("silent");
const apps = adminKubeConfig.makeApiClient(AppsV1Api);

/** An informer over `source` by pages of 3, recording every page it asks for. */
function pagedInformer<T extends KubernetesObject>(source: ResourceSource<T>) {
  const pages: ListPage[] = [];
  const informer = new ScopedInformer<T>({
    name: "paged",
    kubeConfig: operatorKubeConfig,
    log,
    ...source,
    list: (path, page) => {
      pages.push(page);
      return source.list(path, page);
    },
    listPageSize: 3,
  });
  return { informer, pages };
}

async function synced(informer: ScopedInformer<KubernetesObject>) {
  const signal = AbortSignal.timeout(30_000);
  expect(await waitForCacheSync("e2e", [informer], { log, signal })).toBe(true);
}

describe("informer lists in pages", () => {
  let ns: string;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    ns = await createNamespace("e2e-pages");
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await deleteNamespace(ns);
  });

  it("ImageStreams: 7 streams by pages of 3, then a watch from that list", async () => {
    for (let i = 0; i < 7; i++) await createStream(ns, `s${i}`, { tags: [] });
    const { informer, pages } = pagedInformer(imageStreamSource(operatorKubeConfig, [ns]));
    stops.push(() => informer.stop());
    await informer.start();
    await synced(informer);
    expect(pages.map((p) => p.limit)).toEqual([3, 3, 3]);
    expect(pages[0]?.continueToken).toBeUndefined();
    expect(pages[1]?.continueToken).toMatch(/./);
    const cached = informer.list(ns).map((s) => s.metadata?.name);
    expect(cached.sort()).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6"]);
    const added: string[] = [];
    informer.onChange((s, verb) => added.push(`${verb} ${s.metadata?.name}`));
    await createStream(ns, "s7", { tags: [] });
    await eventually("the watch to see s7", async () => added.includes("add s7"));
    expect(added).toEqual(["add s7"]); // nothing listed before is delivered again
  });

  it("Deployments (a typed list): 4 by pages of 3", async () => {
    for (let i = 0; i < 4; i++) {
      const labels = { app: `d${i}` };
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: `d${i}` },
          spec: {
            replicas: 0,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
            },
          },
        },
      });
    }
    const { informer, pages } = pagedInformer(
      workloadSource<KubernetesObject>(operatorKubeConfig, [ns], "Deployment"),
    );
    stops.push(() => informer.stop());
    await informer.start();
    await synced(informer);
    expect(pages.map((p) => p.limit)).toEqual([3, 3]);
    const cached = informer.list(ns).map((d) => d.metadata?.name);
    expect(cached.sort()).toEqual(["d0", "d1", "d2", "d3"]);
  });
});
