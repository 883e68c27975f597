// The safe-rollout story of ADR 0030 played through parse -> plan -> patch,
// one reconcile after another, with the workload's controller (its status),
// the tag and people changing things in between. Patches are applied with
// mergeByName (testdata.ts); the e2e tests run the same against the API
// server and the real Deployment controller.

import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS, type TagEvent } from "../../api/types.js";
import { APPLIED_LABEL_PREFIX, appliedImageHash, readLastApplied } from "./last-applied.js";
import { parseTriggers } from "./parse-triggers.js";
import { buildTriggerPatch } from "./patch.js";
import { ANN_ROLLOUT_POLICY } from "./rollout-policy.js";
import { ANN_ROLLOUT_STATUS, type RolloutEntry, readRolloutStatus } from "./rollout-state.js";
import {
  HEALTHY_SETTLE_MS,
  planSafeRollout,
  type Refusal,
  type RolloutNotice,
} from "./safe-rollout.js";
import { isItemOf, type TriggerLookups } from "./tag-image.js";
import { mergeByName, trigger, WEB_PATH, withTriggers, workload } from "./testdata.js";
import type { Workload } from "./types.js";

const T0 = Date.parse("2026-12-02T10:00:00Z"); // a Wednesday
const MIN = 60_000;
const D = (n: number) => `quay.io/shop/web@sha256:${String(n).padStart(64, "0")}`;

interface Pass {
  outcomes: string[];
  notices: RolloutNotice[];
  wrote: boolean;
  requeueAt?: number;
  problems: string[];
}

class Cluster {
  now = T0;
  /** newest first */
  items: TagEvent[] = [];
  refusals = new Map<string, Refusal>();
  writes = 0;
  generation = 1;
  object: Workload;

  /** createdAt: the container's image when the workload is created (a placeholder, by default) */
  constructor(policy: object | string | undefined, first = D(1), createdAt = "placeholder") {
    const annotations: Record<string, string> = {};
    if (policy !== undefined) {
      annotations[ANN_ROLLOUT_POLICY] =
        typeof policy === "string" ? policy : JSON.stringify(policy);
    }
    this.object = withTriggers(workload("Deployment", { web: createdAt }, { annotations }), [
      trigger("web:latest", WEB_PATH),
    ]);
    this.move(first);
  }

  private readonly lookups: TriggerLookups = {
    tagImage: () => this.items[0]?.dockerImageReference,
    crossNamespaceAllowed: () => false,
    heldBefore: (_namespace, _stream, _tag, image) =>
      this.items.slice(1).some((item) => isItemOf(item, image)),
  };

  move(image: string, afterMinutes = 0): void {
    this.now += afterMinutes * MIN;
    const item = {
      created: new Date(this.now).toISOString(),
      dockerImageReference: image,
      image: image.split("@")[1] ?? "",
      generation: 1,
    };
    this.items = [item, ...this.items];
  }

  wait(minutes: number): void {
    this.now += minutes * MIN;
  }

  reconcile(): Pass {
    const parsed = parseTriggers(this.object.metadata?.annotations?.[ANN_TRIGGERS], this.object);
    const safe = planSafeRollout(this.object, parsed, this.lookups, {
      now: this.now,
      tagItems: () => this.items,
      refusals: this.refusals,
    });
    const patch = buildTriggerPatch(this.object, safe.plan, safe);
    if (patch !== undefined) {
      const before = JSON.stringify(this.object.metadata?.annotations ?? {});
      this.object = mergeByName(this.object, patch) as Workload;
      this.writes++;
      // the API server moves a Deployment's generation with its spec and
      // with its annotations alike (they are copied to ReplicaSets)
      const annotationsChanged = JSON.stringify(this.object.metadata?.annotations ?? {}) !== before;
      if (patch.spec !== undefined || annotationsChanged) this.generation++;
      this.object = {
        ...this.object,
        metadata: { ...this.object.metadata, generation: this.generation },
      };
    }
    return {
      outcomes: [
        ...safe.plan.changes.map((c) => c.cause),
        ...safe.plan.skipped.map((s) => `${s.reason}: ${s.message}`),
      ],
      notices: safe.notices,
      wrote: patch !== undefined,
      ...(safe.requeueAt === undefined ? {} : { requeueAt: safe.requeueAt }),
      problems: safe.plan.problems.map((p) => `${p.reason}: ${p.message}`),
    };
  }

  /** What the Deployment controller reports for the current generation. */
  deploymentStatus(state: "progressing" | "deadline" | "healthy"): void {
    const status: Record<string, unknown> = {
      observedGeneration: this.generation,
      replicas: 1,
      updatedReplicas: 1,
    };
    if (state === "healthy") status.availableReplicas = 1;
    if (state === "deadline") {
      status.conditions = [
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: 'ReplicaSet "web-2" has timed out progressing.',
          lastUpdateTime: new Date(this.now).toISOString(),
        },
      ];
    }
    this.object = { ...this.object, status };
  }

  setImage(image: string): void {
    const spec = this.object.spec as {
      template: { spec: { containers: { name: string; image: string }[] } };
    };
    const web = spec.template.spec.containers.find((c) => c.name === "web");
    if (web !== undefined) web.image = image;
    this.generation++;
    this.object = {
      ...this.object,
      metadata: { ...this.object.metadata, generation: this.generation },
    };
  }

  setPaused(paused: boolean): void {
    this.object = withTriggers(this.object, [trigger("web:latest", WEB_PATH, { paused })]);
  }

  image(): string | undefined {
    const spec = this.object.spec as {
      template: { spec: { containers: { name: string; image: string }[] } };
    };
    return spec.template.spec.containers.find((c) => c.name === "web")?.image;
  }

  entry(): RolloutEntry | undefined {
    return readRolloutStatus(this.object).status[WEB_PATH];
  }
}

describe("health-gated rollout with automatic rollback (Deployment)", () => {
  it("a failed rollout is written back, the digest held until the tag moves, a good one then rolls and stays", () => {
    const c = new Cluster({ progressDeadline: "5m" });
    expect(c.reconcile().outcomes).toEqual(["NewTrigger"]);
    expect(c.entry()).toBeUndefined(); // a new trigger replaces a placeholder: not followed

    c.move(D(2), 1);
    const moved = c.reconcile();
    expect(moved.outcomes).toEqual(["TagMoved"]);
    expect(c.image()).toBe(D(2));
    expect(c.entry()).toEqual({
      phase: "Progressing",
      image: D(2),
      previous: D(1),
      since: new Date(c.now).toISOString(),
    });
    expect(moved.requeueAt).toBe(c.now + 5 * MIN);

    c.deploymentStatus("progressing");
    c.wait(1);
    expect(c.reconcile().wrote).toBe(false);

    c.deploymentStatus("deadline");
    const failed = c.reconcile();
    expect(failed.outcomes[0]).toBe("Rollback");
    expect(c.image()).toBe(D(1));
    expect(c.entry()).toMatchObject({
      phase: "Failed",
      image: D(2),
      previous: D(1),
      reason: "ProgressDeadlineExceeded",
      rolledBack: true,
    });
    expect(failed.notices).toEqual([
      expect.objectContaining({ type: "Warning", reason: "RolloutFailed" }),
    ]);
    expect(failed.notices[0]?.note).toContain(`the rollout of ${D(2)} failed`);
    expect(failed.notices[0]?.note).toContain(`was set back to ${D(1)}`);
    // the record still names what we last applied: the tag has not "moved"
    expect(readLastApplied(c.object).record[WEB_PATH]).toBe(D(2));
    expect(c.object.metadata?.labels?.[`${APPLIED_LABEL_PREFIX}web`]).toBe(appliedImageHash(D(2)));

    c.wait(10);
    const held = c.reconcile();
    expect(held.wrote).toBe(false);
    expect(held.outcomes).toEqual([
      expect.stringMatching(
        /^RolloutFailed: the rollout of .* failed .* not rolled again until image stream tag shop\/web:latest moves/,
      ),
    ]);

    c.move(D(3), 1);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.image()).toBe(D(3));
    expect(c.entry()).toMatchObject({ phase: "Progressing", image: D(3), previous: D(1) });

    c.deploymentStatus("healthy");
    const settling = c.reconcile();
    expect(settling.notices).toEqual([]);
    expect(c.entry()).toMatchObject({
      phase: "Progressing",
      healthySince: new Date(c.now).toISOString(),
    });
    expect(settling.requeueAt).toBe(c.now + HEALTHY_SETTLE_MS);
    // that write moved the generation: until the controller observes it,
    // nothing is judged and nothing written (no healthySince on-off loop)
    expect(c.reconcile().wrote).toBe(false);
    expect(c.entry()).toMatchObject({
      phase: "Progressing",
      healthySince: new Date(c.now).toISOString(),
    });
    c.deploymentStatus("healthy");
    c.wait(HEALTHY_SETTLE_MS / MIN);
    const healthy = c.reconcile();
    expect(healthy.notices).toEqual([
      expect.objectContaining({ type: "Normal", reason: "RolloutSucceeded" }),
    ]);
    expect(c.entry()).toMatchObject({ phase: "Succeeded", image: D(3) });
    expect(c.entry()?.healthySince).toBeUndefined();
    // a second pass writes nothing, and a later hiccup is not a failed rollout
    const writes = c.writes;
    c.deploymentStatus("deadline");
    c.wait(60);
    expect(c.reconcile().wrote).toBe(false);
    expect(c.writes).toBe(writes);
    expect(c.image()).toBe(D(3));
  });

  it("a release healthy for a moment, then not (a crash loop at minReadySeconds 0), is not Succeeded: the settle starts over and the deadline rolls it back", () => {
    const c = new Cluster({ progressDeadline: "1m" });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.deploymentStatus("healthy"); // the container started: Ready, available
    expect(c.reconcile().notices).toEqual([]);
    c.wait(HEALTHY_SETTLE_MS / 2 / MIN);
    c.deploymentStatus("progressing"); // it exited: not available
    expect(c.reconcile().notices).toEqual([]);
    expect(c.entry()).toMatchObject({ phase: "Progressing", image: D(2) });
    expect(c.entry()?.healthySince).toBeUndefined();
    c.wait(HEALTHY_SETTLE_MS / 2 / MIN);
    c.deploymentStatus("healthy"); // restarted: available again, the settle from now
    c.reconcile();
    expect(c.entry()).toMatchObject({
      phase: "Progressing",
      healthySince: new Date(c.now).toISOString(),
    });
    c.wait(HEALTHY_SETTLE_MS / 2 / MIN);
    c.deploymentStatus("progressing");
    c.wait(1);
    const failed = c.reconcile();
    expect(failed.outcomes[0]).toBe("Rollback");
    expect(c.image()).toBe(D(1));
    expect(c.entry()).toMatchObject({ phase: "Failed", reason: "ProgressDeadline" });
    expect(c.entry()?.healthySince).toBeUndefined();
  });

  it("the policy's own deadline fails a rollout the controller still calls progressing", () => {
    const c = new Cluster({ progressDeadline: "5m" });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.deploymentStatus("progressing");
    c.wait(5);
    expect(c.reconcile().outcomes[0]).toBe("Rollback");
    expect(c.entry()).toMatchObject({ phase: "Failed", reason: "ProgressDeadline" });
  });

  it("rollback: false marks the digest failed and leaves the container on it", () => {
    const c = new Cluster({ progressDeadline: "5m", rollback: false });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.deploymentStatus("deadline");
    const failed = c.reconcile();
    expect(failed.outcomes).toEqual([
      expect.stringMatching(/^RolloutFailed: .*left at it \(rollback is off\)/),
    ]);
    expect(c.image()).toBe(D(2));
    expect(c.entry()).toMatchObject({ phase: "Failed", image: D(2) });
    expect(c.entry()?.rolledBack).toBeUndefined();
  });

  it("a manual rollout undo during the rollout is the user's: not followed, not undone", () => {
    const c = new Cluster({ progressDeadline: "5m" });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.setImage(D(1)); // kubectl rollout undo
    c.deploymentStatus("deadline");
    const pass = c.reconcile();
    expect(pass.outcomes).toEqual([expect.stringMatching(/^ManualOverride/)]);
    expect(c.image()).toBe(D(1));
    expect(c.entry()).toBeUndefined();
  });

  it("a paused trigger is not rolled back; unpaused, the failed rollout is", () => {
    const c = new Cluster({ progressDeadline: "5m" });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.setPaused(true);
    c.deploymentStatus("deadline");
    expect(c.reconcile().wrote).toBe(false);
    expect(c.image()).toBe(D(2));
    c.setPaused(false);
    expect(c.reconcile().outcomes[0]).toBe("Rollback");
    expect(c.image()).toBe(D(1));
  });

  it("a stale entry restored from a ReplicaSet (rollout undo) is dropped, not followed", () => {
    const c = new Cluster({ progressDeadline: "5m" });
    c.reconcile();
    c.move(D(2), 1);
    c.reconcile();
    c.deploymentStatus("healthy");
    c.reconcile();
    const restored = JSON.stringify({
      [WEB_PATH]: {
        phase: "Progressing",
        image: D(1),
        previous: "old",
        since: "2026-01-01T00:00:00Z",
      },
    });
    c.object = {
      ...c.object,
      metadata: {
        ...c.object.metadata,
        annotations: { ...c.object.metadata?.annotations, [ANN_ROLLOUT_STATUS]: restored },
      },
    };
    const pass = c.reconcile();
    expect(pass.outcomes).toEqual([expect.stringMatching(/^UpToDate/)]);
    expect(c.entry()).toBeUndefined();
    expect(c.image()).toBe(D(2));
  });
});

describe("a workload created at the tag's image (never written by us, no record)", () => {
  it("its first tag move is followed like any other, and rolled back when it fails", () => {
    const c = new Cluster({ progressDeadline: "5m" }, D(1), D(1));
    expect(c.reconcile().outcomes[0]).toMatch(/^UpToDate/);
    expect(c.writes).toBe(0); // no write of its own
    c.move(D(2), 1);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.entry()).toMatchObject({ phase: "Progressing", image: D(2), previous: D(1) });
    c.deploymentStatus("progressing");
    c.wait(5);
    expect(c.reconcile().outcomes[0]).toBe("Rollback");
    expect(c.image()).toBe(D(1));
  });

  it("its first tag move waits out the debounce window, counted from that move", () => {
    const c = new Cluster({ debounce: "5m" }, D(1), D(1));
    c.reconcile();
    c.move(D(2), 10);
    expect(c.reconcile()).toMatchObject({ wrote: false, requeueAt: T0 + 15 * MIN });
    c.wait(5);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.image()).toBe(D(2));
  });
});

describe("soak, debounce and maintenance windows", () => {
  it("soak: a move waits its duration; a move during the soak restarts it", () => {
    const c = new Cluster({ soak: "10m" });
    c.reconcile();
    c.move(D(2), 1);
    const waiting = c.reconcile();
    expect(waiting.wrote).toBe(false);
    expect(waiting.outcomes[0]).toMatch(
      /^Waiting: image stream tag shop\/web:latest moved to .* it rolls at 2026-12-02T10:11:00.000Z: soak/,
    );
    expect(waiting.requeueAt).toBe(T0 + 11 * MIN);
    c.move(D(3), 5);
    expect(c.reconcile().requeueAt).toBe(T0 + 16 * MIN);
    c.wait(10);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.image()).toBe(D(3));
  });

  it("debounce: three moves inside the window roll once, to the last digest", () => {
    const c = new Cluster({ debounce: "5m" });
    c.reconcile();
    c.move(D(2), 1);
    expect(c.reconcile().wrote).toBe(false);
    c.move(D(3), 1);
    expect(c.reconcile().wrote).toBe(false);
    c.move(D(4), 1);
    const last = c.reconcile();
    expect(last.requeueAt).toBe(T0 + 6 * MIN);
    const writes = c.writes;
    c.wait(3);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.writes).toBe(writes + 1);
    expect(c.image()).toBe(D(4));
  });

  it("windows: a move outside waits for the next window, and why says when", () => {
    const c = new Cluster({ windows: ["Wed 12:00-13:00"], timeZone: "Europe/Paris" });
    c.reconcile(); // a new trigger is not held
    c.move(D(2), 5); // 10:05 UTC = 11:05 Paris
    const waiting = c.reconcile();
    expect(waiting.outcomes[0]).toContain("the next opens Wed 2026-12-02 12:00 Europe/Paris");
    expect(waiting.requeueAt).toBe(Date.parse("2026-12-02T11:00:00Z"));
    c.now = waiting.requeueAt as number;
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
  });

  it("a policy that does not parse holds tag moves and says so", () => {
    const c = new Cluster('{"soak": "ten minutes"}');
    const first = c.reconcile();
    expect(first.outcomes).toEqual(["NewTrigger"]);
    expect(first.problems[0]).toMatch(
      /^InvalidRolloutPolicy: annotation imagestream-operator.io\/rollout soak must be a duration/,
    );
    c.move(D(2), 1);
    expect(c.reconcile().outcomes).toEqual([expect.stringMatching(/^PolicyInvalid: .* held/)]);
  });
});

describe("refusals of the checks before a write", () => {
  it("a refused digest is not written, is recorded for why, and rolls once the check passes", () => {
    const c = new Cluster(undefined);
    c.reconcile();
    c.move(D(2), 1);
    c.refusals.set(WEB_PATH, {
      reason: "ImageNotPullable",
      image: D(2),
      message: "the registry does not have it",
    });
    const refused = c.reconcile();
    expect(refused.outcomes).toEqual([
      `Refused: ${D(2)} is not written: the registry does not have it`,
    ]);
    expect(refused.problems).toEqual([
      `ImageNotPullable: ${D(2)} is not written into container "web": the registry does not have it`,
    ]);
    expect(c.image()).toBe(D(1));
    expect(c.entry()).toMatchObject({ phase: "Refused", image: D(2), reason: "ImageNotPullable" });
    c.wait(1);
    expect(c.reconcile().wrote).toBe(false); // the same refusal writes nothing again
    c.refusals.clear();
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.image()).toBe(D(2));
    expect(c.entry()).toBeUndefined();
  });

  it("a refusal of an older digest is dropped once the tag moves on", () => {
    const c = new Cluster(undefined);
    c.reconcile();
    c.move(D(2), 1);
    c.refusals.set(WEB_PATH, { reason: "PlatformMismatch", image: D(2), message: "amd64 only" });
    c.reconcile();
    c.move(D(3), 1);
    expect(c.reconcile().outcomes).toEqual(["TagMoved"]);
    expect(c.entry()).toBeUndefined();
  });
});
