// Image triggers end to end: the real operator (dist/main.js, as its
// ServiceAccount), the real API server and kube-controller-manager, images
// pushed to a real registry and imported by the import controller. Each test
// pushes, asks for a re-import as `oc tag` does (generation 0), and looks at
// what the workloads, their ReplicaSets and Events became.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  annotateStream,
  apps,
  createNamespace,
  createStream,
  createWorkload,
  deleteNamespace,
  eventsFor,
  eventually,
  type Kind,
  patchStream,
  pushToRegistry,
  readWorkload,
  replicaSetWithImage,
  requestReimport,
  sleep,
  strategicMerge,
  triggersJson,
  waitForEvent,
  waitForImportFailure,
  waitForTagImage,
  waitForWorkload,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS } from "../../src/api/types.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const RESYNC_SECONDS = 2;
/** long enough for every triggered workload to be reconciled again by the resync */
const AFTER_RESYNC_MS = RESYNC_SECONDS * 2000 + 500;
const RECORD = "imagestream-operator.io/last-applied-images";
const path = (name: string) => `spec.template.spec.containers[?(@.name=="${name}")].image`;
const initPath = (name: string) => `spec.template.spec.initContainers[?(@.name=="${name}")].image`;
const SIDECAR = "registry.example/proxy:1.0";
const writes = (resource: string) =>
  `imagestream_api_writes_total{resource="${resource}",verb="patch"}`;
const RECONCILED = 'controller_runtime_reconcile_total{controller="imagetrigger",result="success"}';

const LABEL_PREFIX = "last-applied.imagestream-operator.io/";
const sha256Hex40 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 40);
const recordOf = (w: { annotations: Record<string, string> }) =>
  (JSON.parse(w.annotations[RECORD] ?? "{}") as Record<string, string>)[path("web")];

let operator: RunningOperator;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("trig");
  operator = await startOperator(["--resync-seconds", String(RESYNC_SECONDS)]);
});

afterAll(async () => {
  const code = await operator?.stop();
  // kept for a look after a failure; the operator logs no credentials
  if (operator) writeFileSync(join(tmpdir(), "iso-e2e-triggers-operator.log"), operator.logs());
  if (ns) await deleteNamespace(ns);
  expect(code).toBe(0);
});

/** A stream `name` with tag latest imported from a first pushed image; its reference. */
async function streamWithImage(name: string): Promise<string> {
  const pushed = await pushToRegistry(`${ns}/${name}`, "latest");
  await createStream(ns, name, { latest: `${ns}/${name}:latest` });
  return waitForTagImage(ns, name, "latest", pushed.digest);
}

/** Pushes a new image for stream:latest, asks for a re-import, returns the new reference. */
async function publish(stream: string, namespace = ns): Promise<string> {
  const pushed = await pushToRegistry(`${namespace}/${stream}`, "latest");
  await requestReimport(namespace, stream, "latest");
  return waitForTagImage(namespace, stream, "latest", pushed.digest);
}

/** Every write the operator made to workloads of any kind, from its metrics. */
async function workloadWrites(): Promise<number> {
  const counts = await Promise.all(
    ["deployments", "statefulsets", "daemonsets", "cronjobs"].map((r) =>
      operator.metric(writes(r)),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Waits until the resync has reconciled everything again; returns the writes made meanwhile. */
async function writesDuringResync(): Promise<number> {
  const before = await workloadWrites();
  const reconciled = await operator.metric(RECONCILED);
  await sleep(AFTER_RESYNC_MS);
  expect(await operator.metric(RECONCILED)).toBeGreaterThan(reconciled);
  return (await workloadWrites()) - before;
}

function kubectl(args: string[]): string {
  const run = spawnSync("kubectl", args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: testEnv.kubeconfig },
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/**
 * A Deployment without the triggered image and what others own: our record
 * (annotation and label), the API server's bookkeeping, the controller
 * manager's status and revision annotation.
 */
function withoutOwnedFields(d: V1Deployment): unknown {
  const copy = structuredClone(d);
  const meta = copy.metadata ?? {};
  for (const key of ["resourceVersion", "generation", "managedFields"] as const) delete meta[key];
  delete meta.annotations?.[RECORD];
  delete meta.annotations?.["deployment.kubernetes.io/revision"];
  delete meta.labels?.[`${LABEL_PREFIX}web`];
  delete copy.status;
  for (const c of copy.spec?.template.spec?.containers ?? []) if (c.name === "web") c.image = "";
  return copy;
}

describe("a Deployment following stream:tag", () => {
  it("rolls to the new digest on a push and re-import, through a new ReplicaSet, touching nothing else", async () => {
    const first = await streamWithImage("web");
    const created = await createWorkload("Deployment", ns, {
      name: "web",
      triggers: triggersJson([{ name: "web:latest", fieldPath: path("web") }]),
      containers: { web: "web", sidecar: SIDECAR },
    });
    // a new trigger brings the container to the tag's image at once
    const adopted = await waitForWorkload(
      "Deployment",
      ns,
      "web",
      "at the first image",
      (w) => w.containers.web === first,
    );
    expect(adopted.generation).toBe(2);
    const beforeRoll = await apps.readNamespacedDeployment({ name: "web", namespace: ns });

    const second = await publish("web");
    expect(second).toMatch(new RegExp(`^${testEnv.registry}/${ns}/web@sha256:[0-9a-f]{64}$`));
    expect(second).not.toBe(first);
    const rolled = await waitForWorkload(
      "Deployment",
      ns,
      "web",
      "at the pushed image",
      (w) => w.containers.web === second,
    );
    expect(rolled.containers.sidecar).toBe(SIDECAR);
    expect(rolled.generation).toBe(3);
    expect(JSON.parse(rolled.annotations[RECORD] ?? "{}")).toEqual({ [path("web")]: second });
    expect(rolled.labels[`${LABEL_PREFIX}web`]).toBe(sha256Hex40(second));
    expect(rolled.annotations[ANN_TRIGGERS]).toBe(created.metadata?.annotations?.[ANN_TRIGGERS]);
    // the whole object is as before, but for the image and what the servers own
    const afterRoll = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
    expect(withoutOwnedFields(afterRoll)).toEqual(withoutOwnedFields(beforeRoll));

    const replicaSet = await eventually("a ReplicaSet with the new image", () =>
      replicaSetWithImage(ns, rolled.uid, second),
    );
    expect(replicaSet.spec?.template?.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      ["web", second],
      ["sidecar", SIDECAR],
    ]);

    const rollout = await eventually("the rollout Event of the move", async () =>
      (await eventsFor(ns, "web")).find(
        (e) => e.reason === "ImageTriggered" && e.note?.includes(second),
      ),
    );
    expect(rollout.type).toBe("Normal");
    expect(rollout.regarding?.kind).toBe("Deployment");
    expect(rollout.note).toBe(
      `image stream tag ${ns}/web:latest moved: set container "web" image to ${second} (was ${first})`,
    );

    // resyncs reconcile it again and write nothing
    expect(await writesDuringResync()).toBe(0);
    const after = await readWorkload("Deployment", ns, "web");
    expect([after.generation, after.annotations[RECORD]]).toEqual([3, rolled.annotations[RECORD]]);
  });
});

describe("the other workload kinds", () => {
  it("rolls a StatefulSet, a DaemonSet's init container by name and a CronJob's jobTemplate by index", async () => {
    const first = await streamWithImage("base");
    const cronPath = "spec.jobTemplate.spec.template.spec.containers[0].image";
    const specs: [
      Kind,
      Parameters<typeof createWorkload>[2],
      (w: Awaited<ReturnType<typeof readWorkload>>) => string | undefined,
    ][] = [
      [
        "StatefulSet",
        {
          name: "db",
          triggers: triggersJson([{ name: "base:latest", fieldPath: path("db") }]),
          containers: { db: "db", exporter: SIDECAR },
        },
        (w) => w.containers.db,
      ],
      [
        "DaemonSet",
        {
          name: "agent",
          triggers: triggersJson([{ name: "base:latest", fieldPath: initPath("setup") }]),
          containers: { agent: SIDECAR },
          initContainers: { setup: "setup" },
        },
        (w) => w.initContainers.setup,
      ],
      [
        "CronJob",
        {
          name: "report",
          triggers: triggersJson([{ name: "base:latest", fieldPath: cronPath }]),
          containers: { report: "report", helper: SIDECAR },
        },
        (w) => w.containers.report,
      ],
    ];
    await Promise.all(specs.map(([kind, spec]) => createWorkload(kind, ns, spec)));
    const adopted = await Promise.all(
      specs.map(([kind, spec, image]) =>
        waitForWorkload(kind, ns, spec.name, "at the first image", (w) => image(w) === first),
      ),
    );
    // the API server answers the write before the operator counts it: wait
    // for the count of each first write, so none is taken for the second's
    const before = await eventually("the first writes to be counted", async () => {
      const counts = await Promise.all(
        ["statefulsets", "daemonsets", "cronjobs"].map((r) => operator.metric(writes(r))),
      );
      return counts.every((n) => n >= 1) ? counts : undefined;
    });

    const second = await publish("base");
    const rolled = await Promise.all(
      specs.map(([kind, spec, image]) =>
        waitForWorkload(kind, ns, spec.name, "at the pushed image", (w) => image(w) === second),
      ),
    );
    // one write each, and only the triggered container changed
    const after = await Promise.all(
      ["statefulsets", "daemonsets", "cronjobs"].map((r) => operator.metric(writes(r))),
    );
    expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual([1, 1, 1]);
    expect(rolled.map((w, i) => w.generation - (adopted[i]?.generation ?? 0))).toEqual([1, 1, 1]);
    const [db, agent, report] = rolled;
    expect(db?.containers).toEqual({ db: second, exporter: SIDECAR });
    expect([agent?.containers, agent?.initContainers]).toEqual([
      { agent: SIDECAR },
      { setup: second },
    ]);
    expect(report?.containers).toEqual({ report: second, helper: SIDECAR });
    // the real controller manager acts on the new templates: a ControllerRevision
    // with the pushed image for the StatefulSet and for the DaemonSet
    const revised = [
      ["StatefulSet", "db"],
      ["DaemonSet", "agent"],
    ] as const;
    for (const [kind, name] of revised) {
      await eventually(
        `a ${kind} revision with the pushed image`,
        async () =>
          (await revisionsOf(kind, name)).some((r) => r.includes(second)) ? true : undefined,
        30_000,
      );
    }
    expect(await writesDuringResync()).toBe(0);
  });
});

/** The pod templates (as JSON) of an object's ControllerRevisions. */
async function revisionsOf(kind: string, name: string): Promise<string[]> {
  const list = await apps.listNamespacedControllerRevision({ namespace: ns });
  return list.items
    .filter((r) => r.metadata?.ownerReferences?.some((o) => o.kind === kind && o.name === name))
    .map((r) => JSON.stringify(r.data));
}

describe("what does not roll", () => {
  it("holds a paused trigger while another follower rolls, and applies the tag when unpaused", async () => {
    const first = await streamWithImage("hold");
    const trigger = { name: "hold:latest", fieldPath: path("app") };
    await createWorkload("Deployment", ns, {
      name: "held",
      triggers: triggersJson([{ ...trigger, paused: true }]),
      containers: { app: "pinned:1" },
    });
    await createWorkload("Deployment", ns, {
      name: "follower",
      triggers: triggersJson([trigger]),
      containers: { app: "app" },
    });
    await waitForWorkload(
      "Deployment",
      ns,
      "follower",
      "at the first image",
      (w) => w.containers.app === first,
    );

    const second = await publish("hold");
    await waitForWorkload(
      "Deployment",
      ns,
      "follower",
      "at the pushed image",
      (w) => w.containers.app === second,
    );
    expect(await writesDuringResync()).toBe(0);
    const held = await readWorkload("Deployment", ns, "held");
    expect([held.containers.app, held.generation, held.annotations[RECORD]]).toEqual([
      "pinned:1",
      1,
      undefined,
    ]);

    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "held",
        body: { metadata: { annotations: { [ANN_TRIGGERS]: triggersJson([trigger]) } } },
      },
      strategicMerge,
    );
    await waitForWorkload(
      "Deployment",
      ns,
      "held",
      "at the tag's image once unpaused",
      (w) => w.containers.app === second,
    );
  });

  it("rolls nothing when an import fails, nor for a tag that never had an image", async () => {
    const first = await streamWithImage("flaky");
    const repo = `${testEnv.registry}/${ns}/flaky`;
    await patchStream(ns, "flaky", [
      {
        op: "add",
        path: "/spec/tags/-",
        value: {
          name: "never",
          from: { kind: "DockerImage", name: `${repo}:absent` },
          importPolicy: { insecure: true },
        },
      },
    ]);
    await createWorkload("Deployment", ns, {
      name: "flaky",
      triggers: triggersJson([{ name: "flaky:latest", fieldPath: path("app") }]),
      containers: { app: "app" },
    });
    await createWorkload("Deployment", ns, {
      name: "never",
      triggers: triggersJson([{ name: "flaky:never", fieldPath: path("app") }]),
      containers: { app: "waiting:1" },
    });
    const adopted = await waitForWorkload(
      "Deployment",
      ns,
      "flaky",
      "at the first image",
      (w) => w.containers.app === first,
    );
    await waitForImportFailure(ns, "flaky", "never");

    // the tag now points at an image that is not there: the import fails
    await patchStream(ns, "flaky", [
      { op: "test", path: "/spec/tags/0/name", value: "latest" },
      { op: "replace", path: "/spec/tags/0/from/name", value: `${repo}:missing` },
    ]);
    const failed = await waitForImportFailure(ns, "flaky", "latest");
    expect(failed.message ?? "").not.toBe("");
    expect(await writesDuringResync()).toBe(0);
    const flaky = await readWorkload("Deployment", ns, "flaky");
    expect([flaky.containers.app, flaky.generation]).toEqual([first, adopted.generation]);
    const never = await readWorkload("Deployment", ns, "never");
    expect([never.containers.app, never.generation, never.annotations[RECORD]]).toEqual([
      "waiting:1",
      1,
      undefined,
    ]);
    // a tag without an image is not a problem of the workload: no Warning
    expect((await eventsFor(ns, "never")).map((e) => e.reason)).toEqual([]);
  });
});

describe("bad triggers", () => {
  const web = path("web");
  const tagged = (extra: Record<string, unknown> = {}, from: Record<string, unknown> = {}) => ({
    from: { kind: "ImageStreamTag", name: "src:latest", ...from },
    fieldPath: web,
    ...extra,
  });
  const badCases = (): { name: string; annotation: string; reason: string; says: string }[] => [
    {
      name: "bad-json",
      annotation: `[${JSON.stringify(tagged())},]`,
      reason: "InvalidJSON",
      says: "is not valid JSON: at position",
    },
    {
      name: "paused-string",
      annotation: JSON.stringify([tagged({ paused: "true" })]),
      reason: "InvalidTrigger",
      says: 'paused must be a JSON boolean, not a string: use "paused": true',
    },
    {
      name: "unknown-kind",
      annotation: JSON.stringify([tagged({}, { kind: "DockerImage" })]),
      reason: "InvalidTrigger",
      says: 'unknown kind "DockerImage": only ImageStreamTag is supported',
    },
    {
      name: "no-tag",
      annotation: JSON.stringify([tagged({}, { name: "src" })]),
      reason: "InvalidTrigger",
      says: 'from.name "src" has no tag: write "src:TAG"',
    },
    {
      name: "bad-path",
      annotation: JSON.stringify([
        tagged({ fieldPath: 'spec.template.spec.containers[?(@.name="web")].image' }),
      ]),
      reason: "InvalidFieldPath",
      says: "field path is not valid",
    },
    {
      name: "no-container",
      annotation: JSON.stringify([tagged({ fieldPath: path("wbe") })]),
      reason: "NoSuchContainer",
      says: 'no such container: "wbe"; containers are: [0] web',
    },
    {
      name: "duplicate",
      annotation: JSON.stringify([
        tagged(),
        tagged({ fieldPath: "spec.template.spec.containers[0].image" }),
      ]),
      reason: "DuplicateTrigger",
      says: "duplicate triggers are not allowed: triggers [0], [1]",
    },
    {
      name: "no-stream",
      annotation: JSON.stringify([tagged({}, { name: "nosuch:latest" })]),
      reason: "NoSuchStream",
      says: `image stream ${ns}/nosuch does not exist`,
    },
  ];

  it("reports each with a Warning Event that says how to fix it, and leaves the workload unchanged", async () => {
    await streamWithImage("src");
    const cases = badCases();
    await Promise.all(
      cases.map((c) =>
        createWorkload("Deployment", ns, {
          name: c.name,
          triggers: c.annotation,
          containers: { web: "mine:1" },
        }),
      ),
    );
    for (const c of cases) {
      const warning = await waitForEvent(ns, c.name, c.reason);
      expect(warning.type, c.name).toBe("Warning");
      expect(warning.note, c.name).toContain(c.says);
      expect(warning.reportingController).toBe("image.openshift.io/imagestream-operator");
    }
    expect(await writesDuringResync()).toBe(0);
    for (const c of cases) {
      const w = await readWorkload("Deployment", ns, c.name);
      expect([c.name, w.containers.web, w.generation, w.annotations[RECORD]]).toEqual([
        c.name,
        "mine:1",
        1,
        undefined,
      ]);
      // reported once, not on every resync
      const warnings = (await eventsFor(ns, c.name)).filter((e) => e.reason === c.reason);
      expect([c.name, warnings.length]).toEqual([c.name, 1]);
    }
  });

  it("still acts on the valid triggers of a workload that also has a bad one", async () => {
    const image = await streamWithImage("half");
    const annotation = JSON.stringify([
      { from: { kind: "ImageStreamTag", name: "half:latest" }, fieldPath: path("web") },
      { from: { kind: "ImageStreamTag", name: "half" }, fieldPath: path("sidecar") },
    ]);
    await createWorkload("Deployment", ns, {
      name: "half",
      triggers: annotation,
      containers: { web: "web", sidecar: SIDECAR },
    });
    const warning = await waitForEvent(ns, "half", "InvalidTrigger");
    expect(warning.note).toContain('image.openshift.io/triggers[1]: from.name "half" has no tag');
    const rolled = await waitForWorkload(
      "Deployment",
      ns,
      "half",
      "with web at the tag's image",
      (w) => w.containers.web === image,
    );
    expect(rolled.containers.sidecar).toBe(SIDECAR);
  });

  it("refuses a cross-namespace trigger until the source stream shares itself, then rolls without a workload edit", async () => {
    const source = await createNamespace("trig-src");
    try {
      const pushed = await pushToRegistry(`${source}/shared`, "latest");
      await createStream(source, "shared", { latest: `${source}/shared:latest` });
      const image = await waitForTagImage(source, "shared", "latest", pushed.digest);
      await createWorkload("Deployment", ns, {
        name: "cross",
        triggers: triggersJson([
          { name: "shared:latest", namespace: source, fieldPath: path("web") },
        ]),
        containers: { web: "mine:1" },
      });
      const warning = await waitForEvent(ns, "cross", "CrossNamespaceNotAllowed");
      expect(warning.note).toContain(
        `cross-namespace trigger not allowed: imagestream ${source}/shared does not exist or is not shared with namespace "${ns}"`,
      );
      expect(await writesDuringResync()).toBe(0);
      expect((await readWorkload("Deployment", ns, "cross")).containers.web).toBe("mine:1");

      await annotateStream(source, "shared", { "imagestream-operator.io/allowed-namespaces": ns });
      const rolled = await waitForWorkload(
        "Deployment",
        ns,
        "cross",
        "at the shared tag's image",
        (w) => w.containers.web === image,
      );
      expect(rolled.generation).toBe(2);
    } finally {
      await deleteNamespace(source);
    }
  });
});

describe("rollbacks (ADR 0006)", () => {
  it("keeps `kubectl rollout undo` and `kubectl set image` until the tag moves again", async () => {
    const first = await streamWithImage("rb");
    await createWorkload("Deployment", ns, {
      name: "rb",
      triggers: triggersJson([{ name: "rb:latest", fieldPath: path("web") }]),
      containers: { web: "web" },
    });
    await waitForWorkload(
      "Deployment",
      ns,
      "rb",
      "at the first image",
      (w) => w.containers.web === first,
    );
    const second = await publish("rb");
    const rolled = await waitForWorkload(
      "Deployment",
      ns,
      "rb",
      "at the pushed image",
      (w) => w.containers.web === second,
    );
    await eventually("the ReplicaSet of the pushed image", () =>
      replicaSetWithImage(ns, rolled.uid, second),
    );

    // the old ReplicaSet kept a copy of the Deployment's annotations, our record of `first`
    // included: `rollout undo` puts that copy back (the label tells the operator otherwise)
    const previous = await replicaSetWithImage(ns, rolled.uid, first);
    expect(JSON.parse(previous?.metadata?.annotations?.[RECORD] ?? "{}")).toEqual({
      [path("web")]: first,
    });
    const writesBeforeUndo = await workloadWrites();
    kubectl(["rollout", "undo", "deployment/rb", "-n", ns]);
    await waitForWorkload("Deployment", ns, "rb", "rolled back", (w) => w.containers.web === first);
    const corrected = await waitForWorkload(
      "Deployment",
      ns,
      "rb",
      "with its record put right",
      (w) => recordOf(w) === second,
    );
    expect(corrected.containers.web).toBe(first);
    // one write, of the record alone: the image stays `first` (a Deployment's
    // generation counts annotation changes too, so it is no measure here)
    await eventually("the record write to be counted", async () =>
      (await workloadWrites()) === writesBeforeUndo + 1 ? true : undefined,
    );
    expect(await writesDuringResync()).toBe(0);
    expect((await readWorkload("Deployment", ns, "rb")).containers.web).toBe(first);

    // the next move of the tag rolls it again
    const third = await publish("rb");
    await waitForWorkload(
      "Deployment",
      ns,
      "rb",
      "at the next pushed image",
      (w) => w.containers.web === third,
    );

    kubectl(["set", "image", "deployment/rb", "-n", ns, "web=registry.example/hotfix:1"]);
    await waitForWorkload(
      "Deployment",
      ns,
      "rb",
      "at the hotfix",
      (w) => w.containers.web === "registry.example/hotfix:1",
    );
    expect(await writesDuringResync()).toBe(0);
    const kept = await readWorkload("Deployment", ns, "rb");
    expect(kept.containers.web).toBe("registry.example/hotfix:1");
    // the record still names what the operator wrote last
    expect(JSON.parse(kept.annotations[RECORD] ?? "{}")).toEqual({ [path("web")]: third });

    const rollouts = (await eventsFor(ns, "rb")).filter((e) => e.reason === "ImageTriggered");
    expect(rollouts.map((e) => e.note?.split(": set ")[0]).sort()).toEqual([
      `image stream tag ${ns}/rb:latest moved`,
      `image stream tag ${ns}/rb:latest moved`,
      `new trigger on image stream tag ${ns}/rb:latest`,
    ]);
  });

  it("brings a workload back to the tag when the record annotation is removed", async () => {
    const first = await streamWithImage("reset");
    await createWorkload("Deployment", ns, {
      name: "reset",
      triggers: triggersJson([{ name: "reset:latest", fieldPath: path("web") }]),
      containers: { web: "web" },
    });
    await waitForWorkload(
      "Deployment",
      ns,
      "reset",
      "at the first image",
      (w) => w.containers.web === first,
    );
    kubectl(["set", "image", "deployment/reset", "-n", ns, "web=registry.example/hotfix:2"]);
    await waitForWorkload(
      "Deployment",
      ns,
      "reset",
      "at the hotfix",
      (w) => w.containers.web === "registry.example/hotfix:2",
    );
    kubectl(["annotate", "deployment/reset", "-n", ns, `${RECORD}-`]);
    await waitForWorkload(
      "Deployment",
      ns,
      "reset",
      "back at the tag's image",
      (w) => w.containers.web === first,
    );
  });
});
