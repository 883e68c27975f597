// The rollback story of ADR 0006 played through parse -> plan -> patch, one
// reconcile after another, with people and GitOps changing the workload in
// between. The patches are applied by `mergeByName`, a stand-in for the API
// server's strategic merge limited to what these patches use (maps, null
// deleting a key, container lists merged by name). It does not prove the
// API server merges the same way: that is for the controller's e2e tests.

import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS } from "../../api/types.js";
import { ANN_LAST_APPLIED_IMAGES } from "./last-applied.js";
import { parseTriggers } from "./parse-triggers.js";
import { buildTriggerPatch } from "./patch.js";
import { planTriggerUpdates } from "./plan.js";
import type { TriggerLookups } from "./tag-image.js";
import { mergeByName, trigger, WEB_PATH, withTriggers, workload } from "./testdata.js";
import type { Workload } from "./types.js";

class Cluster {
  tag = "quay.io/shop/web@sha256:aaaa";
  writes = 0;
  constructor(public object: Workload) {}

  private readonly lookups: TriggerLookups = {
    tagImage: () => this.tag,
    crossNamespaceAllowed: () => false,
  };

  /** One reconcile of the trigger controller; returns the plan's outcome per trigger. */
  reconcile(): string[] {
    const parsed = parseTriggers(this.object.metadata?.annotations?.[ANN_TRIGGERS], this.object);
    const plan = planTriggerUpdates(this.object, parsed, this.lookups);
    const patch = buildTriggerPatch(this.object, plan);
    if (patch !== undefined) {
      this.object = mergeByName(this.object, patch) as Workload;
      this.writes++;
    }
    return [...plan.changes.map((c) => c.cause), ...plan.skipped.map((s) => s.reason)];
  }

  /** `kubectl set image`, or `rollout undo` restoring an older template */
  setImage(image: string): void {
    const spec = this.object.spec as {
      template: { spec: { containers: { name: string; image: string }[] } };
    };
    const web = spec.template.spec.containers.find((c) => c.name === "web");
    if (web !== undefined) web.image = image;
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
}

describe("a triggered Deployment over time", () => {
  it("follows tag moves and respects rollbacks in between", () => {
    const base = workload("Deployment", {
      web: "quay.io/shop/web:placeholder",
      sidecar: "envoy:1",
    });
    const cluster = new Cluster(withTriggers(base, [trigger("web:latest", WEB_PATH)]));

    // newly annotated: brought to the tag's image, and the record written with it
    expect(cluster.reconcile()).toEqual(["NewTrigger"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:aaaa");
    expect(
      JSON.parse(cluster.object.metadata?.annotations?.[ANN_LAST_APPLIED_IMAGES] ?? ""),
    ).toEqual({
      [WEB_PATH]: "quay.io/shop/web@sha256:aaaa",
    });

    // nothing changed: level-triggered reconciles write nothing
    expect(cluster.reconcile()).toEqual(["UpToDate"]);
    expect(cluster.writes).toBe(1);

    // the tag moves: rolled
    cluster.tag = "quay.io/shop/web@sha256:bbbb";
    expect(cluster.reconcile()).toEqual(["TagMoved"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:bbbb");

    // kubectl rollout undo: left alone, however often we reconcile
    cluster.setImage("quay.io/shop/web@sha256:aaaa");
    expect(cluster.reconcile()).toEqual(["ManualOverride"]);
    expect(cluster.reconcile()).toEqual(["ManualOverride"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:aaaa");
    expect(cluster.writes).toBe(2);

    // the tag moves again (the fix is pushed): rolled forward
    cluster.tag = "quay.io/shop/web@sha256:cccc";
    expect(cluster.reconcile()).toEqual(["TagMoved"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:cccc");

    // paused: held even across tag moves
    cluster.setPaused(true);
    cluster.tag = "quay.io/shop/web@sha256:dddd";
    expect(cluster.reconcile()).toEqual(["Paused"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:cccc");

    // unpaused: the move that happened meanwhile is applied
    cluster.setPaused(false);
    expect(cluster.reconcile()).toEqual(["TagMoved"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:dddd");

    // the sibling container was never touched
    const spec = cluster.object.spec as { template: { spec: { containers: unknown[] } } };
    expect(spec.template.spec.containers).toEqual([
      { name: "web", image: "quay.io/shop/web@sha256:dddd" },
      { name: "sidecar", image: "envoy:1" },
    ]);
  });

  it("respects `kubectl rollout undo`, which also restores the Deployment's annotations", () => {
    const base = workload("Deployment", { web: "quay.io/shop/web:placeholder" });
    const cluster = new Cluster(withTriggers(base, [trigger("web:latest", WEB_PATH)]));
    cluster.reconcile();
    // the ReplicaSet of this revision keeps a copy of the Deployment's annotations
    const replicaSetAnnotations = { ...cluster.object.metadata?.annotations };
    cluster.tag = "quay.io/shop/web@sha256:bbbb";
    expect(cluster.reconcile()).toEqual(["TagMoved"]);

    // undo: the old template and the old ReplicaSet's annotations come back
    cluster.setImage("quay.io/shop/web@sha256:aaaa");
    cluster.object = {
      ...cluster.object,
      metadata: { ...cluster.object.metadata, annotations: replicaSetAnnotations },
    };
    expect(cluster.reconcile()).toEqual(["ManualOverride"]);
    expect(cluster.reconcile()).toEqual(["ManualOverride"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:aaaa");
    // one metadata write put the record right again; no image was written
    expect(cluster.writes).toBe(3);
    expect(
      JSON.parse(cluster.object.metadata?.annotations?.[ANN_LAST_APPLIED_IMAGES] ?? ""),
    ).toEqual({ [WEB_PATH]: "quay.io/shop/web@sha256:bbbb" });

    cluster.tag = "quay.io/shop/web@sha256:cccc";
    expect(cluster.reconcile()).toEqual(["TagMoved"]);
    expect(cluster.image()).toBe("quay.io/shop/web@sha256:cccc");
  });

  it("does not fight a GitOps tool that re-applies the image from Git", () => {
    const base = workload("Deployment", { web: "quay.io/shop/web:1.0" });
    const cluster = new Cluster(withTriggers(base, [trigger("web:latest", WEB_PATH)]));
    expect(cluster.reconcile()).toEqual(["NewTrigger"]);
    cluster.setImage("quay.io/shop/web:1.0"); // self-heal back to Git
    expect(cluster.reconcile()).toEqual(["ManualOverride"]);
    expect(cluster.image()).toBe("quay.io/shop/web:1.0");
  });

  it("removes its record once the triggers annotation is removed", () => {
    const base = workload("Deployment", { web: "quay.io/shop/web:1.0" });
    const cluster = new Cluster(withTriggers(base, [trigger("web:latest", WEB_PATH)]));
    cluster.reconcile();
    const annotations = { ...cluster.object.metadata?.annotations };
    delete annotations[ANN_TRIGGERS];
    cluster.object = { ...cluster.object, metadata: { ...cluster.object.metadata, annotations } };
    expect(cluster.reconcile()).toEqual([]);
    expect(cluster.object.metadata?.annotations).toEqual({});
    expect(cluster.reconcile()).toEqual([]);
    expect(cluster.writes).toBe(2);
  });
});
