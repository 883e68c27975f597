import { describe, expect, it } from "vitest";
import { resolveContainer } from "./resolve-container.js";
import { workload } from "./testdata.js";
import type { FieldPathTarget, Workload } from "./types.js";

const deployment = workload(
  "Deployment",
  { web: "quay.io/shop/web:1", sidecar: "quay.io/shop/proxy:2" },
  { initContainers: { migrate: "quay.io/shop/migrate:1" } },
);
const cronJob = workload("CronJob", { job: "quay.io/shop/report:1" });

describe("resolveContainer finds", () => {
  it.each([
    [
      "a container by name",
      deployment,
      { containerList: "containers", selector: { name: "sidecar" } },
      { index: 1, name: "sidecar", image: "quay.io/shop/proxy:2" },
    ],
    [
      "a container by index, with its name",
      deployment,
      { containerList: "containers", selector: { index: 0 } },
      { index: 0, name: "web", image: "quay.io/shop/web:1" },
    ],
    [
      "an init container",
      deployment,
      { containerList: "initContainers", selector: { index: 0 } },
      { index: 0, name: "migrate", image: "quay.io/shop/migrate:1" },
    ],
    [
      "a CronJob's container under jobTemplate",
      cronJob,
      { containerList: "containers", selector: { name: "job" } },
      { index: 0, name: "job", image: "quay.io/shop/report:1" },
    ],
  ] as [string, Workload, FieldPathTarget, object][])("%s", (_, object, target, expected) => {
    const result = resolveContainer(object, target);
    expect(result).toMatchObject({ ok: true, container: expected });
  });

  it("keys a container the same way whether selected by index or by name", () => {
    const byIndex = resolveContainer(deployment, {
      containerList: "containers",
      selector: { index: 1 },
    });
    const byName = resolveContainer(deployment, {
      containerList: "containers",
      selector: { name: "sidecar" },
    });
    expect(byIndex.ok && byName.ok).toBe(true);
    if (!byIndex.ok || !byName.ok) return;
    expect(byIndex.container.key).toBe(byName.container.key);
    expect(byName.container.key).toBe('spec.template.spec.containers[?(@.name=="sidecar")].image');
  });

  it("reports an image that is not set (allowed in templates) as undefined", () => {
    const object = workload("StatefulSet", { web: "x" });
    const spec = object.spec as { template: { spec: { containers: { image?: string }[] } } };
    const container = spec.template.spec.containers[0];
    if (container !== undefined) delete container.image;
    const result = resolveContainer(object, {
      containerList: "containers",
      selector: { index: 0 },
    });
    expect(result).toMatchObject({ ok: true, container: { name: "web", image: undefined } });
  });
});

describe("resolveContainer explains", () => {
  it.each([
    [
      "a misspelt name, listing the containers",
      deployment,
      { containerList: "containers", selector: { name: "wbe" } },
      'no such container: "wbe"; containers are: [0] web, [1] sidecar',
    ],
    [
      "an index past the end",
      deployment,
      { containerList: "containers", selector: { index: 2 } },
      "no such container: index 2 of containers; containers are: [0] web, [1] sidecar",
    ],
    [
      "an empty list",
      cronJob,
      { containerList: "initContainers", selector: { index: 0 } },
      "no such container: index 0 of initContainers; the CronJob has no initContainers",
    ],
    [
      "an init container named in containers",
      deployment,
      { containerList: "containers", selector: { name: "migrate" } },
      'no such container: "migrate"; containers are: [0] web, [1] sidecar ' +
        '("migrate" is in initContainers: write initContainers[?(@.name=="migrate")])',
    ],
    [
      "a workload without a pod template",
      { kind: "Deployment", metadata: { name: "x" } },
      { containerList: "containers", selector: { name: "web" } },
      'no such container: "web"; the Deployment has no containers',
    ],
  ] as [string, Workload, FieldPathTarget, string][])("%s", (_, object, target, message) => {
    expect(resolveContainer(object, target)).toEqual({ ok: false, message });
  });
});
