import { describe, expect, it } from "vitest";
import { imagesFollowing } from "./running-images.js";
import {
  CRON_JOB_PATH,
  SIDECAR_PATH,
  trigger,
  WEB_PATH,
  withTriggers,
  workload,
} from "./testdata.js";

const OLD = "registry.example/shop/web@sha256:aaa";

describe("imagesFollowing", () => {
  it("gives the images of the containers following the tag, paused triggers included", () => {
    const w = withTriggers(workload("Deployment", { web: OLD, sidecar: "proxy:1" }), [
      trigger("web:latest", WEB_PATH, { paused: true }),
      trigger("proxy:stable", SIDECAR_PATH),
    ]);
    expect(imagesFollowing(w, "shop", "web", "latest")).toEqual([OLD]);
    expect(imagesFollowing(w, "shop", "proxy", "stable")).toEqual(["proxy:1"]);
    expect(imagesFollowing(w, "shop", "web", "other")).toEqual([]);
    expect(imagesFollowing(w, "elsewhere", "web", "latest")).toEqual([]);
  });

  it("names an image once when two containers follow the same tag, and skips empty images", () => {
    const w = withTriggers(workload("Deployment", { web: OLD, sidecar: OLD }), [
      trigger("web:latest", WEB_PATH),
      trigger("web:latest", SIDECAR_PATH),
    ]);
    expect(imagesFollowing(w, "shop", "web", "latest")).toEqual([OLD]);
    const empty = withTriggers(workload("Deployment", { web: "" }), [
      trigger("web:latest", WEB_PATH),
    ]);
    expect(imagesFollowing(empty, "shop", "web", "latest")).toEqual([]);
  });

  it("follows cross-namespace triggers by the stream's namespace, and CronJob templates", () => {
    const w = withTriggers(workload("CronJob", { job: OLD }), [
      {
        from: { kind: "ImageStreamTag", name: "web:latest", namespace: "images" },
        fieldPath: CRON_JOB_PATH,
      },
    ]);
    expect(imagesFollowing(w, "images", "web", "latest")).toEqual([OLD]);
    expect(imagesFollowing(w, "shop", "web", "latest")).toEqual([]);
  });

  it("gives nothing for a workload without a usable triggers annotation", () => {
    const broken = { ...workload("Deployment", { web: OLD }) };
    broken.metadata = { ...broken.metadata, annotations: { "image.openshift.io/triggers": "[" } };
    expect(imagesFollowing(broken, "shop", "web", "latest")).toEqual([]);
    expect(imagesFollowing(workload("Deployment", { web: OLD }), "shop", "web", "latest")).toEqual(
      [],
    );
  });
});
