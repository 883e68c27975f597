// The reconciler's decisions around the API: one write per tag move, none on
// a second pass, conflict handling, and Events on transitions. The API is a
// small in-memory stand-in because a 409 at a chosen moment cannot be
// produced on demand by a real API server; the real merge, the real
// controller manager and RBAC are exercised by test/e2e/triggers.test.ts.
import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import { createMetrics } from "../../observability/metrics.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  ANN_ROLLOUT_POLICY,
  ANN_ROLLOUT_STATUS,
  APPLIED_LABEL_PREFIX,
  appliedImageHash,
  type ImagePatch,
  type TriggerLookups,
} from "../../reconcile/triggers/index.js";
import { ImportError } from "../../registry/types.js";
import type { EventRecord, Recorder } from "../events.js";
import { FollowerIndex } from "./follower-index.js";
import { type WorkloadRef, workloadKey } from "./keys.js";
import { PreWriteChecks } from "./pre-write-checks.js";
import { ProblemMemory } from "./problem-memory.js";
import {
  REASON_REJECTED,
  REASON_ROLLOUT,
  TriggerReconciler,
  type TriggerReconcilerDeps,
} from "./reconciler.js";
import type { WorkloadClient, WorkloadObject } from "./workload-client.js";

const V1 = "127.0.0.1:5000/shop/web@sha256:1111";
const V2 = "127.0.0.1:5000/shop/web@sha256:2222";
const WEB_PATH = 'spec.template.spec.containers[?(@.name=="web")].image';
const KEY = workloadKey("Deployment", "shop", "web");

class ApiError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

interface Container {
  name: string;
  image?: string;
}

/** One Deployment, patched the way the API server merges these patches. */
class FakeApi implements WorkloadClient {
  patches: ImagePatch[] = [];
  /** called before each patch is checked: lets a test change the object "concurrently" */
  beforePatch: (() => void) | undefined;
  constructor(public object: WorkloadObject | undefined) {}

  async get(_ref: WorkloadRef) {
    return this.object;
  }

  async patch(_ref: WorkloadRef, patch: ImagePatch) {
    this.beforePatch?.();
    this.patches.push(patch);
    if (this.object === undefined) throw new ApiError(404);
    const meta = this.object.metadata ?? {};
    if (patch.metadata?.resourceVersion !== meta.resourceVersion) throw new ApiError(409);
    const podSpec = (patch.spec?.template as { spec?: { containers?: Container[] } })?.spec;
    this.object = bump(this.object, patch.metadata ?? {}, podSpec?.containers ?? []);
    return this.object;
  }
}

type MapPatch = Record<string, string | null> | undefined;

function merged(map: Record<string, string> | undefined, patch: MapPatch) {
  const out = { ...map };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The object after a write: maps merged (null deletes), containers set by name, new resourceVersion. */
function bump(
  object: WorkloadObject,
  metadata: { annotations?: MapPatch; labels?: MapPatch },
  set: Container[],
): WorkloadObject {
  const spec = object.spec as { template: { spec: { containers: Container[] } } };
  const containers = spec.template.spec.containers.map((c) => {
    const patched = set.find((p) => p.name === c.name);
    return patched ? { ...c, image: patched.image } : c;
  });
  const meta = object.metadata ?? {};
  return {
    ...object,
    metadata: {
      ...meta,
      annotations: merged(meta.annotations, metadata.annotations),
      labels: merged(meta.labels, metadata.labels),
      resourceVersion: String(Number(meta.resourceVersion ?? "0") + 1),
    },
    spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers } } },
  };
}

function deployment(annotations: Record<string, string>, web = V1): WorkloadObject {
  return {
    metadata: { name: "web", namespace: "shop", uid: "u1", resourceVersion: "10", annotations },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "web", image: web },
            { name: "sidecar", image: "proxy:1" },
          ],
        },
      },
    },
  };
}

const TRIGGERS = JSON.stringify([
  { from: { kind: "ImageStreamTag", name: "web:latest" }, fieldPath: WEB_PATH },
]);

function setup(
  object: WorkloadObject | undefined,
  tag: { image?: string } = { image: V2 },
  extra: Partial<TriggerReconcilerDeps> = {},
) {
  const api = new FakeApi(object);
  const events: EventRecord[] = [];
  const recorder: Recorder = { record: async (e) => events.push(e) > 0 };
  const metrics = createMetrics(false);
  const index = new FollowerIndex();
  index.set(KEY, ["shop/web:latest"]);
  const lookups: TriggerLookups = {
    tagImage: () => tag.image,
    crossNamespaceAllowed: () => false,
    streamExists: () => true,
  };
  let synced = true;
  const reconciler = new TriggerReconciler({
    cached: (_ref) => api.object, // the cache caught up with every write
    synced: () => synced,
    client: api,
    lookups,
    recorder,
    metrics,
    index,
    problems: new ProblemMemory(),
    ...extra,
  });
  const log = createLogger("silent");
  const run = () => reconciler.reconcile(KEY, log);
  const setSynced = (value: boolean) => {
    synced = value;
  };
  return { api, events, metrics, index, run, setSynced, tag };
}

async function counter(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).map((v) => [v.labels, v.value]);
}

describe("TriggerReconciler", () => {
  it("writes the new image once, with an Event and metrics, and nothing on the next pass", async () => {
    const { api, events, metrics, run } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    await run();
    await run();
    expect(api.patches).toHaveLength(1);
    const containers = containersOf(api.object);
    expect(containers).toEqual([
      { name: "web", image: V2 },
      { name: "sidecar", image: "proxy:1" },
    ]);
    expect(events.map((e) => [e.type, e.reason, e.target.kind, e.target.resourceVersion])).toEqual([
      ["Normal", REASON_ROLLOUT, "Deployment", "11"],
    ]);
    expect(events[0]?.note).toContain(`image to ${V2} (was ${V1})`);
    expect(await counter(metrics, "imagestream_api_writes_total")).toEqual([
      [{ resource: "deployments", verb: "patch" }, 1],
    ]);
    expect(await counter(metrics, "imagestream_trigger_rollouts_total")).toEqual([
      [{ kind: "Deployment" }, 1],
    ]);
  });

  it("plans again from a fresh read after a 409, and writes nothing if that read is up to date", async () => {
    const stale = deployment({ [ANN_TRIGGERS]: TRIGGERS });
    // an earlier pass wrote V2, and the cache has not shown that write yet
    const first = new FakeApi(stale);
    await reconcilerWithCache(first, stale, [])();
    const api = new FakeApi(first.object);
    const events: EventRecord[] = [];
    await reconcilerWithCache(api, stale, events)();
    expect(api.patches.map((p) => p.metadata?.resourceVersion)).toEqual(["10"]); // refused
    expect(containersOf(api.object)[0]?.image).toBe(V2);
    expect(events).toEqual([]);
  });

  it("retries a conflict with the fresh resourceVersion", async () => {
    const { api, run } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    let once = true;
    api.beforePatch = () => {
      if (!once || api.object === undefined) return;
      once = false;
      // a concurrent writer changes something unrelated
      api.object = bump(api.object, { annotations: { team: "a" } }, []);
    };
    await run();
    expect(api.patches.map((p) => p.metadata?.resourceVersion)).toEqual(["10", "11"]);
    expect(api.object?.metadata?.annotations?.team).toBe("a");
  });

  it("gives up after repeated conflicts so the queue backs off", async () => {
    const { api, run } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    api.beforePatch = () => {
      if (api.object) api.object = bump(api.object, {}, []);
    };
    await expect(run()).rejects.toMatchObject({ code: 409 });
    expect(api.patches).toHaveLength(4);
  });

  it("reports a write the API server refuses as one Warning with its reason, never retried as a conflict", async () => {
    const { api, events, run } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    // the body kube-apiserver sends when a ValidatingAdmissionPolicy denies
    const denied = {
      kind: "Status",
      message:
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'pin' denied request",
      reason: "Invalid",
      details: { name: "web", kind: "deployments", causes: [{ message: "denied request" }] },
      code: 422,
    };
    api.beforePatch = () => {
      throw new ApiException(422, "Unprocessable Entity", denied, {});
    };
    await expect(run()).rejects.toMatchObject({ code: 422 });
    await expect(run()).rejects.toMatchObject({ code: 422 });
    expect(api.patches).toHaveLength(0); // refused before any merge, once per pass
    expect(events.map((e) => [e.type, e.reason, e.target.name])).toEqual([
      ["Warning", REASON_REJECTED, "web"],
    ]);
    expect(events[0]?.note).toBe(
      `the API server refused the update (web to ${V2} from shop/web:latest): Invalid (HTTP 422): ${denied.message}`,
    );
  });

  it("drops a workload that is gone from the index", async () => {
    const { api, index, run } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    api.beforePatch = () => {
      api.object = undefined;
    };
    await run();
    expect(index.followersOf(["shop/web:latest"])).toEqual(new Set());
  });

  it("reports each problem once as a Warning, and the valid trigger still rolls", async () => {
    const triggers = JSON.stringify([
      { from: { kind: "ImageStreamTag", name: "web:latest" }, fieldPath: WEB_PATH },
      {
        from: { kind: "ImageStreamTag", name: "proxy" },
        fieldPath: WEB_PATH.replace("web", "sidecar"),
      },
    ]);
    const { api, events, metrics, run } = setup(deployment({ [ANN_TRIGGERS]: triggers }));
    await run();
    await run();
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ["Warning", "InvalidTrigger"],
      ["Normal", REASON_ROLLOUT],
    ]);
    expect(events[0]?.note).toContain(
      'image.openshift.io/triggers[1]: from.name "proxy" has no tag',
    );
    expect(api.patches).toHaveLength(1);
    expect(await counter(metrics, "imagestream_trigger_problems_total")).toEqual([
      [{ kind: "Deployment" }, 1],
    ]);
  });

  it("removes the record once the triggers annotation is gone", async () => {
    const record = JSON.stringify({ [WEB_PATH]: V1 });
    const { api, events, run } = setup(deployment({ [ANN_LAST_APPLIED_IMAGES]: record }));
    await run();
    expect(api.patches).toEqual([
      { metadata: { resourceVersion: "10", annotations: { [ANN_LAST_APPLIED_IMAGES]: null } } },
    ]);
    expect(api.object?.metadata?.annotations).toEqual({});
    expect(events).toEqual([]);
  });

  it("waits for the caches before planning", async () => {
    const { api, run, setSynced } = setup(deployment({ [ANN_TRIGGERS]: TRIGGERS }));
    setSynced(false);
    expect(await run()).toEqual({ requeueAfterMs: 500 });
    expect(api.patches).toEqual([]);
  });
});

/** A reconciler whose cache still holds `cached` while the API has moved on. */
function reconcilerWithCache(api: FakeApi, cached: WorkloadObject, events: EventRecord[]) {
  const reconciler = new TriggerReconciler({
    cached: () => cached,
    synced: () => true,
    client: api,
    lookups: { tagImage: () => V2, crossNamespaceAllowed: () => false, streamExists: () => true },
    recorder: { record: async (e) => events.push(e) > 0 },
    metrics: createMetrics(false),
    index: new FollowerIndex(),
    problems: new ProblemMemory(),
  });
  return () => reconciler.reconcile(KEY, createLogger("silent"));
}

function containersOf(object: WorkloadObject | undefined): Container[] {
  const spec = object?.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

describe("TriggerReconciler: safe rollouts (ADR 0030)", () => {
  const NOW = Date.parse("2026-12-02T10:00:00Z");

  function refusingChecks() {
    const asked: string[] = [];
    const checks = new PreWriteChecks({
      registry: {
        checkPullable: async (req) => {
          asked.push(req.reference);
          throw new ImportError("NotFound", "manifest unknown");
        },
      },
      pullSecret: () => undefined,
      serviceAccountSecrets: async () => [],
      nodes: () => [],
      imagePlatforms: async () => undefined,
      freshMs: 600_000,
    });
    return { checks, asked };
  }

  it("a refused digest is not written: a Warning, the refusal recorded, re-checked with backoff", async () => {
    const { checks, asked } = refusingChecks();
    const gone = `127.0.0.1:5000/shop/web@sha256:${"2".repeat(64)}`;
    let now = NOW;
    const { api, events, run } = setup(
      deployment({ [ANN_TRIGGERS]: TRIGGERS }),
      { image: gone },
      {
        checks,
        now: () => now,
      },
    );
    const result = await run();
    expect(asked).toEqual([gone]);
    expect(containersOf(api.object)[0]?.image).toBe(V1);
    expect(api.patches).toHaveLength(1);
    expect(api.patches[0]?.spec).toBeUndefined();
    const status = JSON.parse(api.object?.metadata?.annotations?.[ANN_ROLLOUT_STATUS] ?? "{}");
    expect(status[WEB_PATH]).toMatchObject({
      phase: "Refused",
      image: gone,
      reason: "ImageNotPullable",
    });
    expect(events.map((e) => [e.type, e.reason])).toEqual([["Warning", "ImageNotPullable"]]);
    expect(result).toEqual({ requeueAfterMs: 30_000 });

    now += 10_000; // before the re-check is due: no registry request, no write
    await run();
    expect(asked).toHaveLength(1);
    expect(api.patches).toHaveLength(1);
    now += 20_000;
    await run();
    expect(asked).toHaveLength(2);
    expect(api.patches).toHaveLength(1);
  });

  it("a move held by the policy writes nothing and asks to be planned again when it may roll", async () => {
    const policy = JSON.stringify({ soak: "1m" });
    const applied = deployment({
      [ANN_TRIGGERS]: TRIGGERS,
      [ANN_ROLLOUT_POLICY]: policy,
      [ANN_LAST_APPLIED_IMAGES]: JSON.stringify({ [WEB_PATH]: V1 }),
    });
    if (applied.metadata)
      applied.metadata.labels = { [`${APPLIED_LABEL_PREFIX}web`]: appliedImageHash(V1) };
    const items = [
      {
        created: new Date(NOW - 10_000).toISOString(),
        dockerImageReference: V2,
        image: "sha256:2222",
        generation: 2,
      },
      {
        created: new Date(NOW - 3_600_000).toISOString(),
        dockerImageReference: V1,
        image: "sha256:1111",
        generation: 1,
      },
    ];
    const { api, run } = setup(applied, { image: V2 }, { tagItems: () => items, now: () => NOW });
    expect(await run()).toEqual({ requeueAfterMs: 50_000 });
    expect(api.patches).toHaveLength(0);
  });
});
