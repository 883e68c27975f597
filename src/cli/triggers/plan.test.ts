import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS } from "../../api/types.js";
import {
  SIDECAR_PATH,
  trigger,
  WEB_PATH,
  withTriggers,
  workload,
} from "../../reconcile/triggers/testdata.js";
import type { Workload } from "../../reconcile/triggers/types.js";
import type { TriggerAction } from "./options.js";
import {
  applyAction,
  formatTriggerTable,
  readTriggers,
  renderAnnotation,
  triggersPatch,
  triggerWarnings,
} from "./plan.js";

const web = () =>
  workload("Deployment", { web: "busybox", sidecar: "busybox" }, { initContainers: { init: "x" } });

function annotationAfter(w: Workload, action: TriggerAction): unknown {
  const after = applyAction(readTriggers(w), action, w);
  const text = renderAnnotation(after, w);
  return text === undefined ? undefined : JSON.parse(text);
}

const set = (
  name: string,
  containers: string[],
  extra: Partial<Extract<TriggerAction, { kind: "set" }>> = {},
) => ({ kind: "set", from: { name }, containers, auto: true, ...extra }) as TriggerAction;

describe("set triggers on a workload", () => {
  it("adds a trigger in OpenShift's format, one entry per container", () => {
    expect(annotationAfter(web(), set("app:v1", ["web", "init"]))).toEqual([
      { from: { kind: "ImageStreamTag", name: "app:v1" }, fieldPath: WEB_PATH },
      {
        from: { kind: "ImageStreamTag", name: "app:v1" },
        // oc writes containers[...] here, which no trigger controller resolves
        fieldPath: 'spec.template.spec.initContainers[?(@.name=="init")].image',
      },
    ]);
  });

  it("names another namespace, and writes paused for --manual", () => {
    const action = set("base:1", ["sidecar"], {
      from: { namespace: "lib", name: "base:1" },
      auto: false,
    });
    expect(annotationAfter(web(), action)).toEqual([
      {
        from: { kind: "ImageStreamTag", name: "base:1", namespace: "lib" },
        fieldPath: SIDECAR_PATH,
        paused: true,
      },
    ]);
  });

  it("uses the only container when -c is not given, and asks for it otherwise", () => {
    const one = workload("StatefulSet", { db: "postgres" });
    expect(annotationAfter(one, set("pg:16", []))).toEqual([
      {
        from: { kind: "ImageStreamTag", name: "pg:16" },
        fieldPath: 'spec.template.spec.containers[?(@.name=="db")].image',
      },
    ]);
    expect(() => annotationAfter(web(), set("app:v1", []))).toThrow(
      "you must specify --containers when setting --from-image (the containers are: web, sidecar, init)",
    );
  });

  it("refuses unknown containers and a container in two triggers, as oc does", () => {
    expect(() => annotationAfter(web(), set("app:v1", ["wbe"]))).toThrow(
      "not all container names exist: wbe (accepts: init, sidecar, web)",
    );
    const following = withTriggers(web(), [trigger("app:v1", WEB_PATH)]);
    expect(() => annotationAfter(following, set("app:v2", ["web"]))).toThrow(
      "only one trigger may reference each container: web",
    );
  });

  it("updates the trigger on the same tag (its containers and auto), keeping the others as written", () => {
    const other = {
      from: { kind: "ImageStreamTag", name: "db:1" },
      fieldPath: "spec.template.spec.containers[1].image",
    };
    const w = withTriggers(web(), [trigger("app:v1", WEB_PATH), other]);
    expect(annotationAfter(w, set("app:v1", ["web"], { auto: false }))).toEqual([
      { ...trigger("app:v1", WEB_PATH), paused: true },
      other,
    ]);
  });

  it("is idempotent for a trigger on several containers (one entry each)", () => {
    const w = web();
    const action = set("app:v1", ["web", "sidecar"]);
    const once = annotationAfter(w, action) as unknown[];
    const again = withTriggers(w, once);
    const before = readTriggers(again);
    expect(triggersPatch(again, before, applyAction(before, action, again))).toBeUndefined();
    expect(annotationAfter(again, set("app:v1", ["sidecar"]))).toEqual([
      trigger("app:v1", SIDECAR_PATH),
    ]);
  });

  it("--remove drops the trigger on that tag of that namespace only", () => {
    const w = withTriggers(web(), [
      trigger("app:v1", WEB_PATH),
      {
        from: { kind: "ImageStreamTag", name: "app:v1", namespace: "lib" },
        fieldPath: SIDECAR_PATH,
      },
    ]);
    expect(annotationAfter(w, { kind: "remove", from: { name: "app:v1" } })).toEqual([
      {
        from: { kind: "ImageStreamTag", name: "app:v1", namespace: "lib" },
        fieldPath: SIDECAR_PATH,
      },
    ]);
  });

  it("--remove-all removes the annotation and leaves a Deployment running", () => {
    const w = withTriggers(web(), [trigger("app:v1", WEB_PATH), { nonsense: true }]);
    const before = readTriggers(w);
    const after = applyAction(before, { kind: "remove-all" }, w);
    expect(triggersPatch(w, before, after)).toEqual({
      metadata: { resourceVersion: "41", annotations: { [ANN_TRIGGERS]: null } },
    });
  });

  it("--manual alone pauses every trigger and the Deployment; --auto resumes both", () => {
    const w = withTriggers(web(), [trigger("app:v1", WEB_PATH)]);
    const before = readTriggers(w);
    const manual = applyAction(before, { kind: "reset", auto: false }, w);
    expect(triggersPatch(w, before, manual)).toEqual({
      metadata: {
        resourceVersion: "41",
        annotations: {
          [ANN_TRIGGERS]: JSON.stringify([{ ...trigger("app:v1", WEB_PATH), paused: true }]),
        },
      },
      spec: { paused: true },
    });
    const paused: Workload = { ...w, spec: { ...(w.spec as object), paused: true } };
    const resumed = applyAction(readTriggers(paused), { kind: "reset", auto: true }, paused);
    expect(triggersPatch(paused, readTriggers(paused), resumed)).toEqual({
      metadata: { resourceVersion: "41" },
      spec: { paused: false },
    });
  });

  it("writes nothing when nothing changes, however the annotation was formatted", () => {
    const w = web();
    const annotations = {
      [ANN_TRIGGERS]: `[ ${JSON.stringify(trigger("app:v1", WEB_PATH), null, 2)} ]`,
    };
    const formatted: Workload = { ...w, metadata: { ...w.metadata, annotations } };
    const before = readTriggers(formatted);
    expect(
      triggersPatch(formatted, before, applyAction(before, set("app:v1", ["web"]), formatted)),
    ).toBeUndefined();
    expect(
      triggersPatch(
        formatted,
        before,
        applyAction(before, { kind: "reset", auto: true }, formatted),
      ),
    ).toBeUndefined();
  });

  it("keeps entries it cannot read, warns about them, and refuses to rewrite an annotation that does not parse", () => {
    const w = withTriggers(web(), [
      { from: { kind: "DockerImage", name: "x" }, fieldPath: WEB_PATH },
    ]);
    const read = readTriggers(w);
    expect(read.image).toEqual([]);
    expect(annotationAfter(w, set("app:v1", ["sidecar"]))).toEqual([
      trigger("app:v1", SIDECAR_PATH),
      { from: { kind: "DockerImage", name: "x" }, fieldPath: WEB_PATH },
    ]);
    expect(triggerWarnings(read, "deployment.apps/app")[0]).toMatch(
      /^warning: trigger \[0\] of deployment.apps\/app is not valid and is left as written: unknown kind "DockerImage"/,
    );
    const broken: Workload = {
      ...w,
      metadata: { ...w.metadata, annotations: { [ANN_TRIGGERS]: "[{" } },
    };
    expect(() => applyAction(readTriggers(broken), set("app:v1", ["web"]), broken)).toThrow(
      /annotation cannot be read \(annotation image.openshift.io\/triggers is not valid JSON: .*\): fix it, or remove every trigger with --remove-all$/,
    );
    expect(
      renderAnnotation(applyAction(readTriggers(broken), { kind: "remove-all" }, broken), broken),
    ).toBeUndefined();
  });
});

describe("the trigger table", () => {
  it("prints oc's NAME TYPE VALUE AUTO rows, the config row first", () => {
    const w = withTriggers(web(), [
      trigger("app:v1", WEB_PATH),
      {
        from: { kind: "ImageStreamTag", name: "base:1", namespace: "lib" },
        fieldPath: SIDECAR_PATH,
        paused: true,
      },
    ]);
    expect(formatTriggerTable("deployments", readTriggers(w), w)).toBe(
      [
        "NAME             TYPE    VALUE                 AUTO",
        "deployments/app  config                        true",
        "deployments/app  image   app:v1 (web)          true",
        "deployments/app  image   lib/base:1 (sidecar)  false",
      ].join("\n"),
    );
  });

  it("shows a paused Deployment's config trigger as false, any other kind's as true", () => {
    const paused: Workload = { ...web(), spec: { ...(web().spec as object), paused: true } };
    expect(readTriggers(paused).config).toBe(false);
    expect(
      readTriggers({ ...workload("CronJob", { job: "x" }), spec: { paused: true } }).config,
    ).toBe(true);
  });
});
