import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import { ANN_ALLOWED_NAMESPACES } from "../../reconcile/index.js";
import { parseStreamTag } from "../names.js";
import { applyPatch } from "../testing/json-patch.js";
import { parseTagOptions } from "./options.js";
import {
  checkAlias,
  crossNamespaceRefusal,
  deleteMessage,
  desiredTag,
  planDeleteTag,
  planSetTag,
  resolveCopy,
  resolveDirect,
  type SetOptions,
  setMessage,
} from "./plan.js";
import type { StreamSource } from "./source.js";

const DIGEST = `sha256:${"b".repeat(64)}`;
const NS = "team";

function options(...args: string[]): SetOptions {
  const o = parseTagOptions(args);
  if (o.kind !== "set") throw new Error("not a set");
  return o;
}

function stream(tags: TagReference[], status?: ImageStream["status"]): ImageStream {
  return {
    metadata: { name: "app", namespace: NS, resourceVersion: "42", generation: 3 },
    spec: { tags },
    ...(status ? { status } : {}),
  };
}

const dest = (arg: string) => parseStreamTag(arg, NS);

/** What the stream looks like after `tag` wrote it, as the API server would apply the patch. */
function afterTag(current: ImageStream | undefined, args: string[], destination: string) {
  const o = options(...args);
  const target = dest(destination);
  const existing = current?.spec?.tags?.find((t) => t.name === target.tag);
  const tag = desiredTag(o, resolveDirect(o.source), target, NS, existing);
  const write = planSetTag(current, tag, target);
  if (write.kind === "create") return write.stream;
  if (write.kind !== "patch") throw new Error("nothing written");
  return applyPatch(current, write.ops);
}

describe("tag: the spec tag written", () => {
  it("a container image: generation 0 so the operator imports it, import flags as given", () => {
    const created = afterTag(
      undefined,
      ["quay.io/org/app:1", "app:1", "--scheduled", "--insecure"],
      "app:1",
    );
    expect(created).toEqual({
      apiVersion: "image.openshift.io/v1",
      kind: "ImageStream",
      metadata: { name: "app", namespace: NS },
      spec: {
        tags: [
          {
            name: "1",
            from: { kind: "DockerImage", name: "quay.io/org/app:1" },
            generation: 0,
            importPolicy: { insecure: true, scheduled: true },
            referencePolicy: { type: "Source" },
          },
        ],
      },
    });
  });

  it("replaces an existing tag in place, keeping annotations, import mode and reference policy", () => {
    const existing: TagReference = {
      name: "1",
      annotations: { "importer.image.openshift.io/prefer-arch": "arm64" },
      from: { kind: "DockerImage", name: "quay.io/org/app:old" },
      generation: 7,
      importPolicy: { scheduled: true, importMode: "PreserveOriginal" },
      referencePolicy: { type: "Local" },
    };
    const other: TagReference = { name: "2", from: { kind: "DockerImage", name: "x/y:2" } };
    const after = afterTag(stream([other, existing]), ["quay.io/org/app:1", "app:1"], "app:1");
    expect(after?.spec?.tags).toEqual([
      other,
      {
        name: "1",
        annotations: { "importer.image.openshift.io/prefer-arch": "arm64" },
        from: { kind: "DockerImage", name: "quay.io/org/app:1" },
        generation: 0,
        // re-running without --scheduled stops the schedule, as OpenShift documents
        importPolicy: { importMode: "PreserveOriginal" },
        referencePolicy: { type: "Local" },
      },
    ]);
  });

  it("flags given override what the tag had", () => {
    const existing: TagReference = {
      name: "1",
      from: { kind: "DockerImage", name: "quay.io/org/app:1" },
      importPolicy: { importMode: "PreserveOriginal" },
      referencePolicy: { type: "Local" },
    };
    const after = afterTag(
      stream([existing]),
      [
        "quay.io/org/app:1",
        "app:1",
        "--import-mode=Legacy",
        "--reference-policy=source",
        "--reference",
      ],
      "app:1",
    );
    expect(after?.spec?.tags?.[0]).toMatchObject({
      importPolicy: { importMode: "Legacy" },
      referencePolicy: { type: "Source" },
      reference: true,
    });
  });

  it("appends a new tag to a stream with others", () => {
    const other: TagReference = { name: "2", from: { kind: "DockerImage", name: "x/y:2" } };
    const after = afterTag(stream([other]), ["quay.io/org/app:1", "app:1"], "app:1");
    expect(after?.spec?.tags?.map((t) => t.name)).toEqual(["2", "1"]);
  });

  it("adds spec.tags to a stream without spec", () => {
    const bare: ImageStream = { metadata: { name: "app", namespace: NS, resourceVersion: "1" } };
    const after = afterTag(bare, ["quay.io/org/app:1", "app:1"], "app:1");
    expect(after?.spec?.tags?.map((t) => t.name)).toEqual(["1"]);
  });

  it("is guarded by the resourceVersion it read", () => {
    const current = stream([]);
    const write = planSetTag(current, { name: "1" }, dest("app:1"));
    expect(write.kind === "patch" && write.ops[0]).toEqual({
      op: "test",
      path: "/metadata/resourceVersion",
      value: "42",
    });
    const moved = { ...current, metadata: { ...current.metadata, resourceVersion: "43" } };
    expect(() => applyPatch(moved, write.kind === "patch" ? write.ops : [])).toThrow(/test failed/);
  });

  it("an alias tracks the source tag within the stream", () => {
    const o = options("app:v1", "app:latest", "--alias");
    const tag = desiredTag(o, resolveDirect(o.source), dest("app:latest"), NS, undefined);
    expect(tag.from).toEqual({ kind: "ImageStreamTag", name: "app:v1" });
  });

  it("a stream source named without namespace, written to another namespace, keeps the current one", () => {
    const o = options(`app@${DIGEST}`, "prod/app:v1");
    const tag = desiredTag(o, resolveDirect(o.source), dest("prod/app:v1"), NS, undefined);
    expect(tag.from).toEqual({ kind: "ImageStreamImage", name: `app@${DIGEST}`, namespace: NS });
  });
});

describe("tag: copying a stream tag", () => {
  const source: StreamSource = { kind: "ImageStreamTag", stream: "app", tag: "v1" };
  const withHead = (image: string, ref: string) =>
    stream([], {
      tags: [
        { tag: "v1", items: [{ created: "", dockerImageReference: ref, image, generation: 2 }] },
      ],
    });

  it("copies the current image as stream@digest", () => {
    expect(resolveCopy(source, withHead(DIGEST, `quay.io/app@${DIGEST}`))).toEqual({
      kind: "ImageStreamImage",
      name: `app@${DIGEST}`,
      display: `app@${DIGEST}`,
    });
    expect(resolveCopy({ ...source, namespace: "lib" }, withHead(DIGEST, "x"))).toEqual({
      kind: "ImageStreamImage",
      name: `app@${DIGEST}`,
      namespace: "lib",
      display: `lib/app@${DIGEST}`,
    });
  });

  it("copies the pull spec of a reference tag (no image)", () => {
    expect(resolveCopy(source, withHead("", "quay.io/app:v1"))).toEqual({
      kind: "DockerImage",
      name: "quay.io/app:v1",
      display: "quay.io/app:v1",
    });
  });

  it("refuses a tag without image", () => {
    expect(() => resolveCopy(source, stream([]))).toThrow(
      '"app:v1" is not currently pointing to an image, cannot use it as the source of a tag',
    );
  });
});

describe("tag: --alias", () => {
  it.each([
    [["app:v1", "other:latest", "--alias"], "app:latest", undefined],
    [
      ["app:v1", "other:latest", "--alias"],
      "other:latest",
      "cannot set alias across different Image Streams",
    ],
    [
      ["app:v1", "prod/app:latest", "--alias"],
      "prod/app:latest",
      "cannot set alias across different Image Streams",
    ],
    [
      ["quay.io/app:1", "app:latest", "--alias"],
      "app:latest",
      "cannot set alias across different Image Streams",
    ],
    [["app:v1", "app:v1", "--alias"], "app:v1", "tag v1 cannot track itself"],
  ])("%j to %s", (args, destination, message) => {
    const check = () => checkAlias(options(...args), [dest(destination)], NS);
    if (message) expect(check).toThrow(message);
    else expect(check).not.toThrow();
  });
});

describe("tag: messages", () => {
  const source = resolveDirect(options("quay.io/app:1", "app:1").source);
  it.each([
    [["quay.io/app:1", "app:1"], "app:1", "Tag app:1 set to quay.io/app:1."],
    [
      ["quay.io/app:1", "app:1", "--scheduled"],
      "app:1",
      "Tag app:1 set to import quay.io/app:1 periodically.",
    ],
    [["quay.io/app:1", "prod/app:1"], "prod/app:1", "Tag prod/app:1 set to quay.io/app:1."],
  ])("%j", (args, destination, message) => {
    expect(setMessage(options(...args), source, dest(destination), NS)).toBe(message);
  });

  it("alias and delete", () => {
    const o = options("app:v1", "app:latest", "--alias");
    expect(setMessage(o, resolveDirect(o.source), dest("app:latest"), NS)).toBe(
      "Tag app:latest set up to track app:v1.",
    );
    expect(deleteMessage(dest("app:1"))).toBe(`Deleted tag ${NS}/app:1.`);
  });
});

describe("tag -d", () => {
  const tags: TagReference[] = [{ name: "1" }, { name: "2" }, { name: "3" }];

  it("removes exactly that spec tag, guarded by its index", () => {
    const current = stream(tags);
    const write = planDeleteTag(current, dest("app:2"));
    if (write.kind !== "patch") throw new Error("expected a patch");
    expect(applyPatch(current, write.ops).spec?.tags?.map((t) => t.name)).toEqual(["1", "3"]);
    const reordered = stream([{ name: "2" }, { name: "1" }, { name: "3" }]);
    expect(() => applyPatch(reordered, write.ops)).toThrow(/test failed/);
  });

  it("reports a missing stream or tag", () => {
    expect(() => planDeleteTag(undefined, dest("app:1"))).toThrow(
      `image stream "${NS}/app" not found`,
    );
    expect(() => planDeleteTag(stream(tags), dest("app:9"))).toThrow(
      `destination tag ${NS}/app:9 does not exist.`,
    );
  });
});

describe("tag into another namespace (ADR 0004)", () => {
  const head = {
    tags: [
      {
        tag: "v1",
        items: [{ created: "", dockerImageReference: "r", image: DIGEST, generation: 1 }],
      },
    ],
  };
  const shared = (value?: string): ImageStream => {
    const s = stream([], head);
    if (value !== undefined) s.metadata.annotations = { [ANN_ALLOWED_NAMESPACES]: value };
    return s;
  };
  const copy = (source: ImageStream) =>
    resolveCopy({ kind: "ImageStreamTag", stream: "app", tag: "v1" }, source);

  it("says before writing that the operator would refuse a source that does not share", () => {
    expect(crossNamespaceRefusal(copy(shared()), shared(), dest("prod/app:v1"), NS)).toBe(
      `the operator would refuse tag prod/app:v1: image stream ${NS}/app does not exist or is not shared with namespace "prod": ` +
        `its owner can share it by adding the annotation ${ANN_ALLOWED_NAMESPACES}: "prod" (a comma-separated list of namespaces, or "*") ` +
        `to image stream ${NS}/app; nothing was written`,
    );
  });

  it.each([
    ["the namespace is listed", shared("qa, prod"), "prod/app:v1"],
    ["every namespace is", shared("*"), "prod/app:v1"],
    ["the destination is in the source's namespace", shared(), "app:v2"],
  ])("lets it through when %s", (_, source, destination) => {
    expect(crossNamespaceRefusal(copy(source), source, dest(destination), NS)).toBeUndefined();
  });

  it("does not judge container images", () => {
    const o = options("quay.io/org/app:1", "prod/app:v1");
    expect(
      crossNamespaceRefusal(resolveDirect(o.source), undefined, dest("prod/app:v1"), NS),
    ).toBeUndefined();
  });
});
