import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS } from "../../api/types.js";
import { ANN_LAST_APPLIED_IMAGES, APPLIED_LABEL_PREFIX } from "./last-applied.js";
import { parseTriggers } from "./parse-triggers.js";
import { buildImagePatch, buildTriggerPatch } from "./patch.js";
import type { ContainerImageChange } from "./plan.js";
import { planTriggerUpdates } from "./plan.js";
import { trigger, WEB_PATH, withTriggers, workload } from "./testdata.js";
import type { ContainerList, ValidTrigger } from "./types.js";

const V2 = "quay.io/shop/web@sha256:2222";

function sha256Hex40(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

function change(
  containerList: ContainerList,
  containerName: string,
  newImage: string,
): ContainerImageChange {
  return {
    containerList,
    containerName,
    newImage,
    oldImage: "old",
    cause: "TagMoved",
    trigger: {} as ValidTrigger,
  };
}

/** Every leaf of a patch as "a.b[0].c": what the patch can change. */
function leaves(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      leaves(item, path === "" ? key : `${path}.${key}`),
    );
  }
  return [path];
}

describe("buildImagePatch", () => {
  it("names only the changed containers, by name, under the pod template", () => {
    const patch = buildImagePatch("Deployment", [
      change("containers", "web", V2),
      change("initContainers", "migrate", "quay.io/shop/migrate@sha256:33"),
    ]);
    expect(patch).toEqual({
      spec: {
        template: {
          spec: {
            containers: [{ name: "web", image: V2 }],
            initContainers: [{ name: "migrate", image: "quay.io/shop/migrate@sha256:33" }],
          },
        },
      },
    });
  });

  it.each(["Deployment", "StatefulSet", "DaemonSet"] as const)(
    "uses spec.template.spec for a %s",
    (kind) => {
      const patch = buildImagePatch(kind, [change("containers", "web", V2)]);
      expect(leaves(patch)).toEqual([
        "spec.template.spec.containers[0].name",
        "spec.template.spec.containers[0].image",
      ]);
    },
  );

  it("uses spec.jobTemplate.spec.template.spec for a CronJob", () => {
    const patch = buildImagePatch("CronJob", [change("containers", "job", V2)]);
    expect(patch).toEqual({
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: "job", image: V2 }] } } } },
      },
    });
  });

  it("touches nothing but the container images, the record and the resourceVersion", () => {
    const patch = buildImagePatch(
      "Deployment",
      [
        change("containers", "web", V2),
        change("containers", "sidecar", "quay.io/shop/proxy@sha256:44"),
      ],
      { lastApplied: { [WEB_PATH]: V2 }, resourceVersion: "41" },
    );
    expect(leaves(patch)).toEqual([
      "metadata.resourceVersion",
      `metadata.annotations.${ANN_LAST_APPLIED_IMAGES}`,
      "spec.template.spec.containers[0].name",
      "spec.template.spec.containers[0].image",
      "spec.template.spec.containers[1].name",
      "spec.template.spec.containers[1].image",
    ]);
    expect(patch.metadata?.annotations?.[ANN_LAST_APPLIED_IMAGES]).toBe(
      JSON.stringify({ [WEB_PATH]: V2 }),
    );
  });

  it("writes the record alone, and removes it with null when it is empty", () => {
    expect(buildImagePatch("DaemonSet", [], { lastApplied: { [WEB_PATH]: V2 } })).toEqual({
      metadata: { annotations: { [ANN_LAST_APPLIED_IMAGES]: JSON.stringify({ [WEB_PATH]: V2 }) } },
    });
    expect(buildImagePatch("DaemonSet", [], { lastApplied: {} })).toEqual({
      metadata: { annotations: { [ANN_LAST_APPLIED_IMAGES]: null } },
    });
  });

  it("sets applied-image labels by container name, and removes them with null", () => {
    const patch = buildImagePatch("CronJob", [], { appliedLabels: { job: "ab12", old: null } });
    expect(patch).toEqual({
      metadata: {
        labels: { [`${APPLIED_LABEL_PREFIX}job`]: "ab12", [`${APPLIED_LABEL_PREFIX}old`]: null },
      },
    });
  });

  it("is empty when there is nothing to write", () => {
    expect(buildImagePatch("Deployment", [])).toEqual({});
  });
});

describe("buildTriggerPatch", () => {
  const tags = {
    tagImage: () => V2,
    crossNamespaceAllowed: () => false,
  };

  it("carries out a plan: images, record and the resourceVersion it was read at", () => {
    const object = withTriggers(
      workload(
        "StatefulSet",
        { web: "quay.io/shop/web:1", db: "postgres:16" },
        { resourceVersion: "77" },
      ),
      [trigger("web:latest", "spec.template.spec.containers[0].image")],
    );
    const plan = planTriggerUpdates(
      object,
      parseTriggers(object.metadata?.annotations?.[ANN_TRIGGERS], object),
      tags,
    );
    expect(buildTriggerPatch(object, plan)).toEqual({
      metadata: {
        resourceVersion: "77",
        annotations: { [ANN_LAST_APPLIED_IMAGES]: JSON.stringify({ [WEB_PATH]: V2 }) },
        labels: { [`${APPLIED_LABEL_PREFIX}web`]: sha256Hex40(V2) },
      },
      spec: { template: { spec: { containers: [{ name: "web", image: V2 }] } } },
    });
  });

  it("is undefined when the plan writes nothing", () => {
    const object = withTriggers(workload("Deployment", { web: V2 }), [
      trigger("web:latest", WEB_PATH),
    ]);
    const first = planTriggerUpdates(
      object,
      parseTriggers(object.metadata?.annotations?.[ANN_TRIGGERS], object),
      tags,
    );
    const patch = buildTriggerPatch(object, first);
    expect(patch?.spec).toBeUndefined(); // already at the tag: the record alone
    const recorded: Record<string, string> = {
      ...object.metadata?.annotations,
      [ANN_LAST_APPLIED_IMAGES]: JSON.stringify(first.lastApplied),
    };
    const labels = patch?.metadata?.labels as Record<string, string>;
    const settled = { ...object, metadata: { ...object.metadata, annotations: recorded, labels } };
    const plan = planTriggerUpdates(settled, parseTriggers(recorded[ANN_TRIGGERS], settled), tags);
    expect(plan.needsWrite).toBe(false);
    expect(buildTriggerPatch(settled, plan)).toBeUndefined();
  });
});
