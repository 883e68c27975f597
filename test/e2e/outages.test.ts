// Outages survived, with real processes: an operator restarted over streams
// of private registries (start-up waits for its caches), the kube-apiserver
// killed and started again in place while tags move, and the plain registry
// killed and started again. Every process stopped here is started again in a
// finally, so the files after this one find the environment whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkload, readWorkload, triggersJson } from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  core,
  createNamespace,
  createPullSecret,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  getStream,
  importCondition,
  patchStream,
  requestReimport,
  saveOperatorLog,
  sleep,
  statusTag,
  streamEvents,
  targets,
  uniqueRepository,
  waitForTag,
} from "./imports-support.js";
import { killProcess, startProcess } from "./support/cluster-control.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { startOperatorWithReceivers } from "./support/receivers.js";

const FAILURE_REASONS = new Set(["ImportFailed", "ImportRecovered"]);
const BALLAST_SECRETS = 200;
const namespaces: string[] = [];

async function namespace(prefix: string): Promise<string> {
  const name = await createNamespace(prefix);
  namespaces.push(name);
  return name;
}

afterAll(async () => {
  await Promise.all(namespaces.map(deleteNamespace));
});

/** Waits until ns/name:tag names digest as its current image. */
function waitForDigest(ns: string, name: string, tag: string, digest: string, timeoutMs = 30_000) {
  return waitForTag(
    ns,
    name,
    tag,
    (t) => t.items?.[0]?.image === digest,
    `points at ${digest}`,
    timeoutMs,
  );
}

/**
 * Pull Secrets a busy cluster has (one per team and registry, each with a few
 * hosts): their list takes longer than the ImageStreams' one, as it does in
 * clusters where Secrets outnumber streams.
 */
async function ballastPullSecrets(ns: string, count: number): Promise<void> {
  const auths = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [
      `registry-${i}.example.com`,
      { auth: Buffer.from(`robot:${"x".repeat(300)}`).toString("base64") },
    ]),
  );
  const data = { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths })).toString("base64") };
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        core.createNamespacedSecret({
          namespace: ns,
          body: {
            metadata: { name: `ballast-${i + j}` },
            type: "kubernetes.io/dockerconfigjson",
            data,
          },
        }),
      ),
    );
  }
}

describe("start-up", () => {
  it("a restarted operator imports private-registry tags without failing them first", async () => {
    await ballastPullSecrets(await namespace("out-start-ballast"), BALLAST_SECRETS);
    const streams: { ns: string; repository: string; target: typeof targets.basic }[] = [];
    for (const mode of ["basic", "token"] as const) {
      const ns = await namespace(`out-start-${mode}`);
      const target = targets[mode];
      await createPullSecret(
        ns,
        "pull",
        target.registry,
        testEnv.registryUser,
        testEnv.registryPassword,
      );
      const repository = uniqueRepository(`start-${mode}`);
      await pushImage(target, { repository, tag: "v1" });
      await createStream(ns, "private", {
        tags: [dockerTag("v1", `${target.registry}/${repository}:v1`)],
      });
      streams.push({ ns, repository, target });
    }
    const first = await startOperator();
    try {
      for (const { ns } of streams) {
        await waitForTag(ns, "private", "v1", (t) => (t.items?.length ?? 0) > 0, "imported");
      }
    } finally {
      await first.stop();
      saveOperatorLog(first, "outages-start-first");
    }
    // While no operator runs, each stream gets a new tag: work the next one
    // does in its first round.
    const v2: Record<string, string> = {};
    for (const { ns, repository, target } of streams) {
      v2[ns] = (await pushImage(target, { repository, tag: "v2" })).digest;
      await patchStream(ns, "private", [
        {
          op: "add",
          path: "/spec/tags/-",
          value: dockerTag("v2", `${target.registry}/${repository}:v2`),
        },
      ]);
    }
    const second = await startOperator();
    try {
      for (const { ns } of streams) await waitForDigest(ns, "private", "v2", v2[ns] ?? "");
      await sleep(3000); // past the first round, and a retry's first backoff would not be due yet
      let counted = 0;
      const failures: string[] = [];
      for (const { ns } of streams) {
        const events = await streamEvents(ns, "private");
        counted += events.length;
        for (const e of events.filter((x) => FAILURE_REASONS.has(x.reason))) {
          failures.push(`${ns}: ${e.reason}: ${e.note}`);
        }
      }
      console.log(
        `start-up: ${counted} Events on ${streams.length} private streams, ${failures.length} ImportFailed/ImportRecovered`,
      );
      expect(failures).toEqual([]);
    } finally {
      await second.stop();
      expect(saveOperatorLog(second, "outages-start-second")).toEqual([]);
    }
  });
});

const eventsUrl = testEnv.registryEventsUrl;
const IMAGE_PATH = 'spec.template.spec.containers[?(@.name=="app")].image';

describe.runIf(eventsUrl)("outages", () => {
  let operator: RunningOperator;

  beforeAll(async () => {
    // Pushes are noticed through the plain registry's notifications only: no
    // scheduled check would run within the test.
    operator = await startOperatorWithReceivers(["--scheduled-import-seconds", "3600"]);
  });

  afterAll(async () => {
    startProcess("kube-apiserver");
    startProcess("registry-plain");
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "outages")).toEqual([]);
  });

  /** A stream with a scheduled tag "live" on the plain registry, imported; its first digest. */
  async function liveStream(ns: string, name: string, repository: string): Promise<string> {
    const first = await pushImage(targets.plain, { repository, tag: "latest" });
    await createStream(ns, name, {
      tags: [
        dockerTag("live", `${testEnv.registry}/${repository}:latest`, {
          importPolicy: { insecure: true, scheduled: true },
        }),
      ],
    });
    await waitForDigest(ns, name, "live", first.digest);
    return first.digest;
  }

  /** A Deployment following ns/stream:live; waits until it runs digest. */
  async function followingDeployment(ns: string, stream: string, digest: string) {
    await createWorkload("Deployment", ns, {
      name: stream,
      triggers: triggersJson([{ name: `${stream}:live`, fieldPath: IMAGE_PATH }]),
      containers: { app: "placeholder:latest" },
    });
    return deploymentRuns(ns, stream, digest);
  }

  /** Waits until Deployment ns/name's container "app" runs digest. */
  function deploymentRuns(ns: string, name: string, digest: string) {
    return eventually(`Deployment ${ns}/${name} runs ${digest}`, async () => {
      const w = await readWorkload("Deployment", ns, name);
      return w.containers.app?.endsWith(`@${digest}`) ? w : undefined;
    });
  }

  it("kube-apiserver killed and started again while tags move: every move imported, each workload rolled once", async () => {
    const ns = await namespace("out-api");
    const names = ["a", "b", "c", "d"];
    const repositories = Object.fromEntries(names.map((n) => [n, uniqueRepository(`api-${n}`)]));
    const before: Record<string, string> = {};
    for (const n of names) before[n] = await liveStream(ns, n, repositories[n] ?? "");
    const generations: Record<string, number> = {};
    for (const n of names) {
      generations[n] = (await followingDeployment(ns, n, before[n] ?? "")).generation;
    }
    const moved = ["a", "b", "c"];
    const after: Record<string, string> = {};
    const outageStart = Date.now();
    killProcess("kube-apiserver");
    try {
      for (const n of moved) {
        after[n] = (
          await pushImage(targets.plain, { repository: repositories[n] ?? "", tag: "latest" })
        ).digest;
      }
      await sleep(8000); // the notifications arrive and their imports fail to write
    } finally {
      startProcess("kube-apiserver");
    }
    const outageMs = Date.now() - outageStart;
    for (const n of moved) await waitForDigest(ns, n, "live", after[n] ?? "", 60_000);
    const importedMs = Date.now() - outageStart;
    for (const n of moved) {
      await deploymentRuns(ns, n, after[n] ?? "");
    }
    // a stream created after the outage is seen: the watches resumed
    const late = await liveStream(ns, "late", uniqueRepository("api-late"));
    await sleep(3000); // a second rollout, if any, would show by now
    for (const n of names) {
      const w = await readWorkload("Deployment", ns, n);
      const stream = await getStream(ns, n);
      const history = statusTag(stream, "live")?.items?.map((i) => i.image);
      if (moved.includes(n)) {
        expect(history).toEqual([after[n], before[n]]);
        expect(w.generation).toBe((generations[n] ?? 0) + 1);
      } else {
        expect(history).toEqual([before[n]]);
        expect(w.generation).toBe(generations[n]);
      }
    }
    console.log(
      `kube-apiserver outage ${outageMs} ms; every moved tag imported ${importedMs} ms after the kill; late stream ${late}`,
    );
  });

  it("registry killed and started again: a plain failure while it is down, recovery without a human", async () => {
    const ns = await namespace("out-reg");
    const repository = uniqueRepository("reg-outage");
    const digest = await liveStream(ns, "app", repository);
    const deployment = await followingDeployment(ns, "app", digest);
    const killedAt = Date.now();
    killProcess("registry-plain");
    let reportedMs = 0;
    try {
      const requestedAt = Date.now();
      await requestReimport(ns, "app", "live");
      const failed = await waitForTag(
        ns,
        "app",
        "live",
        (t) =>
          t.conditions?.some((c) => c.type === "ImportSuccess" && c.status === "False") ?? false,
        "reports a failed import",
      );
      const condition = importCondition(failed, "live");
      console.log(`registry down: ${condition?.reason}: ${condition?.message}`);
      expect(condition?.message).toBe(
        `registry ${testEnv.registry} refused the connection: nothing is listening there (ECONNREFUSED)`,
      );
      expect(statusTag(failed, "live")?.items?.map((i) => i.image)).toEqual([digest]);
      reportedMs = Date.now() - requestedAt;
    } finally {
      startProcess("registry-plain");
    }
    const backAt = Date.now();
    const downMs = backAt - killedAt;
    const recovered = await eventually(
      "the failed import to be retried and succeed",
      async () => {
        const stream = await getStream(ns, "app");
        return importCondition(stream, "live") === undefined ? stream : undefined;
      },
      60_000,
    );
    console.log(
      `registry down ${downMs} ms; failure in the status ${reportedMs} ms after the re-import request; ` +
        `recovered ${Date.now() - backAt} ms after the registry was back`,
    );
    expect(statusTag(recovered, "live")?.items?.map((i) => i.image)).toEqual([digest]);
    const reasons = (await streamEvents(ns, "app")).map((e) => e.reason);
    expect(reasons.filter((r) => r === "ImportFailed")).toHaveLength(1);
    expect(reasons.filter((r) => r === "ImportRecovered")).toHaveLength(1);
    const w = await readWorkload("Deployment", ns, "app");
    expect(w.generation).toBe(deployment.generation);
    expect(w.annotations[ANN_TRIGGERS]).toBeDefined();
    // the restarted registry still notifies over TLS (it trusts the
    // receivers' certificate again): a push moves the tag within seconds
    const pushed = await pushImage(targets.plain, { repository, tag: "latest" });
    await waitForDigest(ns, "app", "live", pushed.digest, 20_000);
    const rolled = await deploymentRuns(ns, "app", pushed.digest);
    expect(rolled.generation).toBe(deployment.generation + 1);
  });
});
