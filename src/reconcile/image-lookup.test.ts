import { describe, expect, it } from "vitest";
import {
  ANN_RESOLVE_NAMES,
  type ImageLookupRequest,
  planImageLookup,
  resolveImage,
} from "./image-lookup.js";
import { digest, dockerTag, event, makeStream, statusTag } from "./test-fixtures.js";

const V1 = digest("1");
const V0 = digest("0");
const APP_V1 = `quay.io/org/app@${V1}`;
const APP_V0 = `quay.io/org/app@${V0}`;

function stream(name: string, local: boolean) {
  const s = makeStream({
    name,
    namespace: "team",
    tags: [dockerTag("v1", "quay.io/org/app:v1"), dockerTag("latest", "quay.io/org/app:latest")],
    status: [
      statusTag("v1", [event(V1, 2, APP_V1), event(V0, 1, APP_V0)]),
      statusTag("latest", [event(V1, 2, APP_V1)]),
      statusTag("pending", null),
    ],
  });
  s.spec = { ...s.spec, lookupPolicy: { local } };
  s.status = { ...s.status, dockerImageRepository: `registry.local:5000/team/${name}` };
  return s;
}

const streams = new Map([
  ["team/app", stream("app", true)],
  ["team/plain", stream("plain", false)],
]);
const getStream = (namespace: string, name: string) => streams.get(`${namespace}/${name}`);

describe("resolveImage: which images name a stream", () => {
  it.each([
    ["name:tag on a local stream", "app:v1", false, APP_V1],
    ["bare name means latest", "app", false, APP_V1],
    ["name@digest in the stream's history", `app@${V0}`, false, APP_V0],
    ["a registry host is not a local name", "docker.io/library/app:v1", false, undefined],
    ["a namespace/path is not a local name", "library/app:v1", false, undefined],
    ["a stream without local lookup", "plain:v1", false, undefined],
    ["no such stream", "nothing:v1", false, undefined],
    ["an unparsable image", "App:v1", false, undefined],
    ["resolve-names: a stream without local lookup", "plain:v1", true, APP_V1],
    ["resolve-names: registry and namespace dropped", "quay.io/org/app:v1", true, APP_V1],
    ["resolve-names: Docker Hub form", "docker.io/library/plain:latest", true, APP_V1],
    ["resolve-names: registry host only", "localhost:5000/app:v1", true, APP_V1],
    ["resolve-names: deeper paths name no stream", "quay.io/a/b/app:v1", true, undefined],
  ])("%s: %s", (_, image, resolveAll, expected) => {
    expect(resolveImage(image, "team", resolveAll, getStream).image).toBe(expected);
  });

  it("looks in the object's namespace only", () => {
    expect(resolveImage("app:v1", "other", false, getStream)).toEqual({});
  });

  it.each([
    [
      "a tag in spec only",
      "app:v2",
      'image stream tag app:v2 has no image yet; "app:v2" left unchanged',
    ],
    [
      "a tag with null items",
      "app:pending",
      'image stream tag app:pending has no image yet; "app:pending" left unchanged',
    ],
    [
      "an unknown digest",
      `app@${digest("9")}`,
      `image stream app has no image ${digest("9")}; "app@${digest("9")}" left unchanged`,
    ],
  ])("warns and leaves %s unchanged", (_, image, warning) => {
    expect(resolveImage(image, "team", false, getStream)).toEqual({ warning });
  });

  it("says nothing for a stream that does not resolve names (no lookup asked)", () => {
    expect(resolveImage("plain:v2", "team", false, getStream)).toEqual({});
  });

  it("Local reference policy with an integrated registry: the stream's repository", () => {
    const local = stream("app", true);
    for (const tag of local.spec?.tags ?? []) tag.referencePolicy = { type: "Local" };
    const get = () => local;
    const options = { localRegistryHostname: "registry.local:5000" };
    expect(resolveImage("app:v1", "team", false, get, options).image).toBe(
      `registry.local:5000/team/app@${V1}`,
    );
    expect(resolveImage(`app@${V0}`, "team", false, get, options).image).toBe(
      `registry.local:5000/team/app@${V0}`,
    );
    // without one, Local acts as Source (src/reconcile/triggers/tag-image.ts)
    expect(resolveImage("app:v1", "team", false, get).image).toBe(APP_V1);
  });
});

function pod(images: Record<string, string[]>, annotations?: Record<string, string>) {
  const spec: Record<string, unknown> = {};
  for (const [list, names] of Object.entries(images)) {
    spec[list] = names.map((image, i) => ({ name: `${list}-${i}`, image }));
  }
  return { metadata: { name: "p", namespace: "team", annotations }, spec };
}

function templated(
  kind: string,
  images: Record<string, string[]>,
  templateAnnotations?: Record<string, string>,
) {
  const template = pod(images, templateAnnotations);
  const podTemplate = { metadata: template.metadata, spec: template.spec };
  const spec =
    kind === "CronJob"
      ? { jobTemplate: { spec: { template: podTemplate } } }
      : { template: podTemplate };
  return { metadata: { name: "w", namespace: "team" }, spec };
}

function create(
  kind: string,
  object: unknown,
  extra: Partial<ImageLookupRequest> = {},
): ImageLookupRequest {
  const groups: Record<string, string> = { Pod: "", Job: "batch", CronJob: "batch" };
  const group = groups[kind] ?? "apps";
  return { group, kind, namespace: "team", operation: "CREATE", object, ...extra };
}

describe("planImageLookup: where images are replaced", () => {
  it("a Pod: init containers, containers and ephemeral containers", () => {
    const object = pod({
      initContainers: ["app:v1"],
      containers: ["busybox", "app"],
      ephemeralContainers: ["app:v1"],
    });
    expect(planImageLookup(create("Pod", object), getStream)).toEqual({
      patch: [
        { op: "replace", path: "/spec/initContainers/0/image", value: APP_V1 },
        { op: "replace", path: "/spec/containers/1/image", value: APP_V1 },
        { op: "replace", path: "/spec/ephemeralContainers/0/image", value: APP_V1 },
      ],
      warnings: [],
    });
  });

  it.each([
    ["Deployment", "/spec/template/spec/containers/0/image"],
    ["StatefulSet", "/spec/template/spec/containers/0/image"],
    ["DaemonSet", "/spec/template/spec/containers/0/image"],
    ["ReplicaSet", "/spec/template/spec/containers/0/image"],
    ["Job", "/spec/template/spec/containers/0/image"],
    ["CronJob", "/spec/jobTemplate/spec/template/spec/containers/0/image"],
  ])("the pod template of a %s", (kind, path) => {
    const result = planImageLookup(
      create(kind, templated(kind, { containers: ["app:v1"] })),
      getStream,
    );
    expect(result.patch).toEqual([{ op: "replace", path, value: APP_V1 }]);
  });

  it("a kind of the same name in another group is left alone", () => {
    const request = {
      ...create("Deployment", templated("Deployment", { containers: ["app:v1"] })),
      group: "example.com",
    };
    expect(planImageLookup(request, getStream).patch).toEqual([]);
  });

  it("kinds without a pod spec are left alone", () => {
    expect(
      planImageLookup(create("ConfigMap", pod({ containers: ["app:v1"] })), getStream).patch,
    ).toEqual([]);
  });

  it("the resolve-names annotation, on the template or the object", () => {
    const onTemplate = templated(
      "Deployment",
      { containers: ["plain:v1"] },
      { [ANN_RESOLVE_NAMES]: "*" },
    );
    expect(planImageLookup(create("Deployment", onTemplate), getStream).patch).toHaveLength(1);
    const onObject = templated("Deployment", { containers: ["plain:v1"] });
    Object.assign(onObject.metadata, { annotations: { [ANN_RESOLVE_NAMES]: "*" } });
    expect(planImageLookup(create("Deployment", onObject), getStream).patch).toHaveLength(1);
    const onPod = pod({ containers: ["plain:v1"] }, { [ANN_RESOLVE_NAMES]: "*" });
    expect(planImageLookup(create("Pod", onPod), getStream).patch).toHaveLength(1);
    const otherValue = pod({ containers: ["plain:v1"] }, { [ANN_RESOLVE_NAMES]: "true" });
    expect(planImageLookup(create("Pod", otherValue), getStream).patch).toEqual([]);
  });

  it("warnings name the field, and nothing is patched for them", () => {
    const result = planImageLookup(
      create("Deployment", templated("Deployment", { containers: ["busybox", "app:v2"] })),
      getStream,
    );
    expect(result).toEqual({
      patch: [],
      warnings: [
        'spec.template.spec.containers[1].image: image stream tag app:v2 has no image yet; "app:v2" left unchanged',
      ],
    });
  });

  it("an already resolved image gives no patch (a second admission writes nothing)", () => {
    const first = planImageLookup(create("Pod", pod({ containers: ["app:v1"] })), getStream);
    expect(first.patch).toHaveLength(1);
    const again = planImageLookup(create("Pod", pod({ containers: [APP_V1] })), getStream);
    expect(again).toEqual({ patch: [], warnings: [] });
  });
});

describe("planImageLookup: what is left alone", () => {
  const owned = pod({ containers: ["app:v1"] });
  Object.assign(owned.metadata, {
    ownerReferences: [
      { kind: "ReplicaSet", name: "w-1", uid: "u", apiVersion: "apps/v1", controller: true },
    ],
  });
  const notController = pod({ containers: ["app:v1"] });
  Object.assign(notController.metadata, {
    ownerReferences: [{ kind: "ConfigMap", name: "c", uid: "u", apiVersion: "v1" }],
  });

  it.each([
    ["a Pod with a controller owner", create("Pod", owned), 0],
    ["a Pod with an owner that is not its controller", create("Pod", notController), 1],
    ["DELETE", create("Pod", pod({ containers: ["app:v1"] }), { operation: "DELETE" }), 0],
    [
      "a subresource other than ephemeralcontainers",
      create("Pod", pod({ containers: ["app:v1"] }), { subResource: "status" }),
      0,
    ],
    [
      "pods/ephemeralcontainers",
      create("Pod", pod({ ephemeralContainers: ["app:v1"] }), {
        operation: "UPDATE",
        subResource: "ephemeralcontainers",
        oldObject: pod({}),
      }),
      1,
    ],
    [
      "pods/ephemeralcontainers of a controller-owned pod (kubectl debug)",
      create(
        "Pod",
        { ...owned, spec: { ephemeralContainers: [{ name: "debug", image: "app:v1" }] } },
        {
          operation: "UPDATE",
          subResource: "ephemeralcontainers",
          oldObject: owned,
        },
      ),
      1,
    ],
    [
      "a Job update (its template is immutable)",
      create("Job", templated("Job", { containers: ["app:v1"] }), {
        operation: "UPDATE",
        oldObject: templated("Job", { containers: ["x"] }),
      }),
      0,
    ],
    [
      "a request without namespace",
      create("Pod", pod({ containers: ["app:v1"] }), { namespace: "" }),
      0,
    ],
  ])("%s", (_, request, patches) => {
    expect(planImageLookup(request, getStream).patch).toHaveLength(patches);
  });

  it("UPDATE resolves only containers whose image changed", () => {
    const old = templated("Deployment", { containers: ["app:v1", "app:latest"] });
    const updated = templated("Deployment", { containers: ["app:v1", "app:v1"] });
    const request = create("Deployment", updated, { operation: "UPDATE", oldObject: old });
    expect(planImageLookup(request, getStream).patch).toEqual([
      { op: "replace", path: "/spec/template/spec/containers/1/image", value: APP_V1 },
    ]);
  });

  it("UPDATE that adds or removes resolve-names resolves every container again", () => {
    const old = templated("Deployment", { containers: ["plain:v1"] });
    const annotated = templated(
      "Deployment",
      { containers: ["plain:v1"] },
      { [ANN_RESOLVE_NAMES]: "*" },
    );
    const request = create("Deployment", annotated, { operation: "UPDATE", oldObject: old });
    expect(planImageLookup(request, getStream).patch).toHaveLength(1);
    const removed = create("Deployment", old, { operation: "UPDATE", oldObject: annotated });
    // without the annotation, plain has no local lookup: nothing to rewrite
    expect(planImageLookup(removed, getStream).patch).toEqual([]);
  });

  it("malformed objects give nothing instead of throwing", () => {
    for (const object of [
      null,
      "x",
      { spec: { containers: "x" } },
      { spec: { containers: [null, { image: 3 }] } },
    ]) {
      expect(planImageLookup(create("Pod", object), getStream)).toEqual({
        patch: [],
        warnings: [],
      });
    }
  });
});
