// Safe rollouts end to end (ADR 0030, issue 12): the real operator
// (dist/main.js, as its ServiceAccount), the real API server and
// kube-controller-manager (its Deployment controller marks a rollout that
// makes no progress), images pushed to the real registries.
//
// What a cluster without a kubelet can show: the checks before a write
// (platforms against Node objects we register, pull secrets against the
// authenticated registry, a digest deleted from the registry), soak,
// debounce and windows, and the rollback of a rollout the Deployment
// controller marks ProgressDeadlineExceeded (pods that can be scheduled
// nowhere). Rollouts of pods that really run and crash, on the node, are in
// safe-rollouts-pods.test.ts.
import { PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  core,
  createNamespace,
  createStream,
  deleteNamespace,
  eventsFor,
  eventually,
  pushToRegistry,
  readWorkload,
  requestReimport,
  sleep,
  waitForEvent,
  waitForTagImage,
  waitForWorkload,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import { pushImage, pushIndex, RegistryPusher } from "../support/registry-push.js";
import {
  createPullSecret,
  createStream as createStreamWithSpec,
  getStream,
  patchStream,
  saveOperatorLog,
  targets,
} from "./imports-support.js";
import { cli } from "./support/cli.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const POLICY = "imagestream-operator.io/rollout";
const STATUS = "imagestream-operator.io/rollout-status";
const WEB = 'spec.template.spec.containers[?(@.name=="web")].image';
/** the pull check asks the registry once an import is older than this */
const FRESH_SECONDS = 3;
const POOL_LABEL = "e2e.imagestream-operator.io/pool";
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

let operator: RunningOperator;
let ns: string;
const nodes: string[] = [];

beforeAll(async () => {
  ns = await createNamespace("safe");
  operator = await startOperator([
    "--resync-seconds",
    "2",
    "--pull-check-fresh-seconds",
    String(FRESH_SECONDS),
  ]);
});

afterAll(async () => {
  const code = await operator?.stop();
  if (operator) saveOperatorLog(operator, "safe-rollouts");
  for (const name of nodes) await core.deleteNode({ name }).catch(() => undefined);
  if (ns) await deleteNamespace(ns);
  expect(code).toBe(0);
});

const triggers = JSON.stringify([
  { from: { kind: "ImageStreamTag", name: "app:latest" }, fieldPath: WEB },
]);

interface DeploymentOptions {
  policy?: object;
  replicas?: number;
  progressDeadlineSeconds?: number;
  podSpec?: Record<string, unknown>;
}

/** A Deployment whose container "web" follows `stream`:latest. */
async function deployment(name: string, stream: string, options: DeploymentOptions = {}) {
  const annotations: Record<string, string> = {
    [ANN_TRIGGERS]: triggers.replace("app:latest", `${stream}:latest`),
  };
  if (options.policy) annotations[POLICY] = JSON.stringify(options.policy);
  const body: V1Deployment = {
    metadata: { name, annotations },
    spec: {
      replicas: options.replicas ?? 0,
      ...(options.progressDeadlineSeconds
        ? { progressDeadlineSeconds: options.progressDeadlineSeconds }
        : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "placeholder" }], ...options.podSpec },
      },
    },
  };
  return apps.createNamespacedDeployment({ namespace: ns, body });
}

const webImage = async (name: string) =>
  (await readWorkload("Deployment", ns, name)).containers.web;
const waitForImage = (name: string, image: string, timeoutMs = 30_000) =>
  waitForWorkload(
    "Deployment",
    ns,
    name,
    `runs ${image}`,
    (w) => w.containers.web === image,
    timeoutMs,
  );
const statusEntry = async (name: string) =>
  (
    JSON.parse((await readWorkload("Deployment", ns, name)).annotations[STATUS] ?? "{}") as Record<
      string,
      { phase: string; image: string; previous?: string; reason?: string; rolledBack?: boolean }
    >
  )[WEB];

/** Pushes a new image, re-imports stream:latest, returns the tag's new reference. */
async function publish(stream: string): Promise<string> {
  const pushed = await pushToRegistry(`${ns}/${stream}`, "latest");
  await requestReimport(ns, stream, "latest");
  return waitForTagImage(ns, stream, "latest", pushed.digest);
}

async function streamWithImage(stream: string): Promise<string> {
  const pushed = await pushToRegistry(`${ns}/${stream}`, "latest");
  await createStream(ns, stream, { latest: `${ns}/${stream}:latest` });
  return waitForTagImage(ns, stream, "latest", pushed.digest);
}

/** The time the tag's current image was recorded (the move), epoch ms. */
async function movedAt(stream: string): Promise<number> {
  const item = (await getStream(ns, stream)).status?.tags?.find((t) => t.tag === "latest")
    ?.items?.[0];
  return Date.parse(item?.created ?? "");
}

async function registerNode(arch: string): Promise<string> {
  const name = `iso-e2e-${arch}-${ns}`;
  await core.createNode({
    body: {
      metadata: {
        name,
        labels: { "kubernetes.io/os": "linux", "kubernetes.io/arch": arch, [POOL_LABEL]: ns },
      },
      // never a place for another test's pods, on a cluster with a scheduler
      spec: {
        taints: [{ key: "imagestream-operator.io/e2e", value: "fake", effect: "NoSchedule" }],
      },
    },
  });
  nodes.push(name);
  return name;
}

async function removeNode(name: string): Promise<void> {
  await core.deleteNode({ name });
  nodes.splice(nodes.indexOf(name), 1);
}

/** The platform refusal steps, with an arm64 Node registered for this namespace's pool. */
async function platformStory(armNode: string): Promise<void> {
  const amd64Only = await streamWithImage("plat");
  await deployment("plat", "plat", { podSpec: { nodeSelector: { [POOL_LABEL]: ns } } });

  const event = await waitForEvent(ns, "plat", "PlatformMismatch");
  expect(event.type).toBe("Warning");
  expect(event.note).toContain(`${amd64Only} is not written into container "web"`);
  expect(event.note).toContain(
    `the image is for linux/amd64, but the pods can be scheduled on linux/arm64 (1 node, e.g. ${armNode})`,
  );
  expect(await statusEntry("plat")).toMatchObject({
    phase: "Refused",
    image: amd64Only,
    reason: "PlatformMismatch",
  });
  expect(await webImage("plat")).toBe("placeholder");

  // a manifest list with both, imported Legacy: the amd64 child is chosen, the same refusal, with the fix
  const index = await pushIndex(
    { registry: testEnv.registry, scheme: "http" },
    {
      repository: `${ns}/plat`,
      tag: "latest",
      format: "oci",
      platforms: [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm64" },
      ],
    },
  );
  await requestReimport(ns, "plat", "latest");
  const legacyChild = await waitForTagImage(ns, "plat", "latest", index.children[0]?.digest ?? "");
  await eventually(
    "the Legacy refusal",
    async () =>
      (await eventsFor(ns, "plat")).find(
        (e) =>
          e.reason === "PlatformMismatch" &&
          e.note?.includes(legacyChild) &&
          e.note.includes("Legacy import chose linux/amd64"),
      ),
    // the child's first refusal may come before the import records the list it was chosen
    // from (the annotation is written after the status); its re-check 30 s later names it
    60_000,
  );
  expect(await webImage("plat")).toBe("placeholder");

  // PreserveOriginal keeps every platform: the list is written
  await patchStream(ns, "plat", [
    { op: "add", path: "/spec/tags/0/importPolicy/importMode", value: "PreserveOriginal" },
  ]);
  await requestReimport(ns, "plat", "latest");
  const list = await waitForTagImage(ns, "plat", "latest", index.digest, 30_000);
  await waitForImage("plat", list);
  expect(await statusEntry("plat")).toBeUndefined();
}

describe("checks before a write", () => {
  it("an amd64-only digest is not written to a workload pinned to arm64 nodes; a list covering arm64 is", async () => {
    const armNode = await registerNode("arm64");
    try {
      await platformStory(armNode);
    } finally {
      // every other workload of the suite may be scheduled on it too: gone before the next test
      await removeNode(armNode);
    }
  });

  it("a digest deleted from the registry is not written", async () => {
    const first = await streamWithImage("gone");
    await deployment("gone", "gone", { policy: { soak: `${FRESH_SECONDS + 3}s` } });
    await waitForImage("gone", first);
    const moved = await publish("gone");
    // deleted during the soak, after the import read it
    const digest = moved.slice(moved.indexOf("@") + 1);
    const pusher = new RegistryPusher({ registry: testEnv.registry, scheme: "http" });
    const reply = await pusher.send("DELETE", `/v2/${ns}/gone/manifests/${digest}`, `${ns}/gone`);
    expect(reply.status).toBe(202);

    const event = await waitForEvent(ns, "gone", "ImageNotPullable", 30_000);
    expect(event.note).toContain(
      `${moved} is not written into container "web": the registry does not have it (deleted?)`,
    );
    expect(await webImage("gone")).toBe(first);
    expect(await statusEntry("gone")).toMatchObject({
      phase: "Refused",
      image: moved,
      reason: "ImageNotPullable",
    });
  });

  it("a digest the workload's pull secrets cannot read is not written; with the right secret it is", async () => {
    const repository = `${ns}/private`;
    const pushed = await pushToBasic(repository);
    await createPullSecret(
      ns,
      "import-cred",
      testEnv.registryBasic,
      testEnv.registryUser,
      testEnv.registryPassword,
    );
    await createPullSecret(
      ns,
      "stale-cred",
      `${testEnv.registryBasic}/${repository}`,
      testEnv.registryUser,
      "not-the-password",
    );
    await createStreamWithSpec(ns, "private", {
      tags: [
        {
          name: "latest",
          from: { kind: "DockerImage", name: `${testEnv.registryBasic}/${repository}:latest` },
        },
      ],
    });
    const image = await waitForTagImage(ns, "private", "latest", pushed);
    await deployment("private", "private", {
      podSpec: { imagePullSecrets: [{ name: "stale-cred" }] },
    });

    const event = await waitForEvent(ns, "private", "ImageNotPullable");
    expect(event.note).toContain(
      `not readable with the workload's pull secrets (${ns}/stale-cred)`,
    );
    expect(await webImage("private")).toBe("placeholder");

    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "private",
        body: [
          {
            op: "replace",
            path: "/spec/template/spec/imagePullSecrets/0/name",
            value: "import-cred",
          },
        ],
      },
      jsonPatch,
    );
    await waitForImage("private", image);
  });
});

describe("soak, debounce and windows", () => {
  it("a soak delays the roll by its duration", async () => {
    const first = await streamWithImage("soak");
    await deployment("soak", "soak", { policy: { soak: "8s" } });
    await waitForImage("soak", first); // a new trigger is not held
    const moved = await publish("soak");
    const at = await movedAt("soak");
    await sleep(4000);
    expect(await webImage("soak")).toBe(first);
    await waitForImage("soak", moved, 20_000);
    const rolled = Date.now();
    expect(rolled - at).toBeGreaterThanOrEqual(8000);
    expect(rolled - at).toBeLessThan(8000 + 5000);
  });

  it("three moves inside the debounce window produce one rollout, to the last digest", async () => {
    const first = await streamWithImage("deb");
    const created = await deployment("deb", "deb", { policy: { debounce: "15s" } });
    await waitForImage("deb", first);
    const moves = [await publish("deb"), await publish("deb"), await publish("deb")];
    expect(await webImage("deb")).toBe(first);
    await waitForImage("deb", moves[2] as string, 30_000);
    // one write of the template after the first: no ReplicaSet of the middle digests
    await sleep(2000);
    const sets = await apps.listNamespacedReplicaSet({ namespace: ns });
    const owned = sets.items.filter((rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.uid === created.metadata?.uid),
    );
    const images = owned.map((rs) => rs.spec?.template?.spec?.containers[0]?.image).sort();
    // the placeholder's, the first write's and the last digest's: never the middle ones
    expect(images).toEqual(["placeholder", first, moves[2]].sort());
    const rolled = (await eventsFor(ns, "deb")).filter(
      (e) => e.reason === "ImageTriggered" && e.note?.includes("moved"),
    );
    expect(rolled).toHaveLength(1);
  });

  it("a move outside the maintenance window waits for it, and why says when", async () => {
    const first = await streamWithImage("win");
    // a window opening at the next whole minute at least 20 s away, for two minutes (UTC)
    const opens = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const window = `* ${hhmm(opens)}-${hhmm(opens + 120_000)}`;
    await deployment("win", "win", { policy: { windows: [window], timeZone: "UTC" } });
    await waitForImage("win", first);
    const moved = await publish("win");
    await sleep(2000);
    expect(await webImage("win")).toBe(first);
    const why = await cli("why", "deployment/win", "-n", ns);
    expect(why.stdout).toContain(`it rolls at ${new Date(opens).toISOString()}`);
    expect(why.stdout).toContain(`rollout policy: windows ${window} (UTC)`);
    await waitForImage("win", moved, opens - Date.now() + 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(opens);
  });
});

describe("health-gated rollout with automatic rollback", () => {
  it("a rollout the Deployment controller marks ProgressDeadlineExceeded is rolled back, its digest held, and a later move rolls forward", async () => {
    const good = await streamWithImage("roll");
    await deployment("roll", "roll", {
      replicas: 1,
      progressDeadlineSeconds: 10,
      policy: { progressDeadline: "3m" },
      // no node has this label: the pods stay Pending on any cluster, so no image ever becomes
      // available and the controller's own deadline (10 s, before ours) fails the rollout
      podSpec: { nodeSelector: { [POOL_LABEL]: `${ns}-nowhere` } },
    });
    await waitForImage("roll", good);

    const bad = await publish("roll");
    await waitForImage("roll", bad);
    expect(await statusEntry("roll")).toMatchObject({
      phase: "Progressing",
      image: bad,
      previous: good,
    });

    // the Deployment controller gives up after progressDeadlineSeconds; the operator writes the previous image back
    await waitForImage("roll", good, 60_000);
    const failed = await waitForEvent(ns, "roll", "RolloutFailed");
    expect(failed.type).toBe("Warning");
    expect(failed.note).toContain(`the rollout of ${bad} failed`);
    expect(failed.note).toContain("ProgressDeadlineExceeded");
    expect(failed.note).toContain(`container "web" was set back to ${good}`);
    expect(await statusEntry("roll")).toMatchObject({
      phase: "Failed",
      image: bad,
      previous: good,
      reason: "ProgressDeadlineExceeded",
      rolledBack: true,
    });
    const why = await cli("why", "deployment/roll", "-n", ns);
    expect(why.stdout).toContain(`RolloutFailed: the rollout of ${bad} failed`);

    // the failed digest is not rolled again: several resyncs later, still the good image
    await sleep(5000);
    expect(await webImage("roll")).toBe(good);

    // the tag moves on: rolls forward, followed again, with the good image to go back to
    const next = await publish("roll");
    await waitForImage("roll", next);
    expect(await statusEntry("roll")).toMatchObject({
      phase: "Progressing",
      image: next,
      previous: good,
    });
  });
});

/** A new image on the basic-auth registry; its digest. */
async function pushToBasic(repository: string): Promise<string> {
  const pushed = await pushImage(targets.basic, {
    repository,
    tag: "latest",
    layerCount: 1,
    layerBytes: 64,
  });
  return pushed.digest;
}
