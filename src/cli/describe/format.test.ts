import { describe, expect, it } from "vitest";
import type { ImageStream, TagReference } from "../../api/types.js";
import { specFingerprint } from "../../reconcile/index.js";
import { describeStream, uniqueImages } from "./format.js";
import { formatTagBlock, tagNames, trackingTargets } from "./tags.js";

const NOW = new Date("2024-05-01T12:00:00Z");
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

function base(tags: TagReference[], status: ImageStream["status"] = { tags: [] }): ImageStream {
  return {
    metadata: {
      name: "app",
      namespace: "team",
      creationTimestamp: "2024-05-01T11:00:00Z",
      generation: 4,
    },
    spec: { tags },
    status,
  };
}

/** A status tag whose last outcome was recorded for the spec tag as it is (nothing pending). */
function observed(stream: ImageStream, name: string, extra: object) {
  const spec = stream.spec?.tags?.find((t) => t.name === name) as TagReference;
  stream.status?.tags?.push({
    tag: name,
    specHash: specFingerprint(stream, spec),
    items: [],
    ...extra,
  });
  return stream;
}

const docker = (name: string, ref: string, extra: Partial<TagReference> = {}): TagReference => ({
  name,
  from: { kind: "DockerImage", name: ref },
  generation: 2,
  ...extra,
});

describe("describeStream", () => {
  it("prints oc's header and a block per tag, history newest first", () => {
    const stream = base([docker("v1", "quay.io/org/app:1", { importPolicy: { insecure: true } })]);
    stream.metadata.labels = { team: "web", app: "demo" };
    stream.metadata.annotations = {
      "openshift.io/image.dockerRepositoryCheck": "2024-05-01T11:58:00Z",
    };
    stream.status = { dockerImageRepository: "", tags: [] };
    observed(stream, "v1", {
      items: [
        {
          created: "2024-05-01T11:58:00Z",
          dockerImageReference: `quay.io/org/app@${D2}`,
          image: D2,
          generation: 2,
        },
        {
          created: "2024-04-28T12:00:00Z",
          dockerImageReference: `quay.io/org/app@${D1}`,
          image: D1,
          generation: 1,
        },
      ],
    });
    expect(describeStream(stream, NOW)).toBe(
      [
        "Name:             app",
        "Namespace:        team",
        "Created:          About an hour ago",
        "Labels:           app=demo",
        "                  team=web",
        "Annotations:      openshift.io/image.dockerRepositoryCheck=2024-05-01T11:58:00Z",
        "Image Repository: <none>",
        "Image Lookup:     local=false",
        "Unique Images:    2",
        "Tags:             1",
        "",
        "v1",
        "  tagged from quay.io/org/app:1",
        "    will use insecure HTTPS or HTTP connections",
        "",
        `  * quay.io/org/app@${D2}`,
        `      2 minutes ago   ${D2}`,
        `    quay.io/org/app@${D1}`,
        `      3 days ago   ${D1}`,
      ].join("\n"),
    );
  });

  it("says <none> for a stream without tags", () => {
    const stream = base([]);
    stream.spec = { lookupPolicy: { local: true } };
    const text = describeStream(stream, NOW);
    expect(text).toContain("Image Lookup:     local=true");
    expect(text.endsWith("Tags:             <none>")).toBe(true);
  });

  it("shows a whole-repository import", () => {
    const stream = base([]);
    stream.spec = { dockerImageRepository: "quay.io/org/app" };
    expect(describeStream(stream, NOW)).toContain(
      "Repository:       imports all tags of quay.io/org/app",
    );
  });
});

describe("tag blocks", () => {
  it.each([
    ["a container image", docker("t", "quay.io/a:1"), "  tagged from quay.io/a:1"],
    [
      "scheduled",
      docker("t", "quay.io/a:1", { importPolicy: { scheduled: true } }),
      "  updates automatically from registry quay.io/a:1",
    ],
    [
      "a reference",
      docker("t", "quay.io/a:1", { reference: true }),
      "  reference to registry quay.io/a:1",
    ],
    [
      "another stream's tag",
      {
        name: "t",
        from: { kind: "ImageStreamTag", name: "base:1", namespace: "lib" },
        generation: 2,
      },
      "  tagged from lib/base:1",
    ],
    [
      "an image of a stream",
      { name: "t", from: { kind: "ImageStreamImage", name: `app@${D1}` }, generation: 2 },
      `  tagged from app@${D1}`,
    ],
    ["no source", { name: "t" }, "  tag without source image"],
  ])("%s", (_, tag, line) => {
    const stream = base([tag as TagReference]);
    observed(stream, "t", {});
    expect(formatTagBlock(stream, "t", [], NOW).split("\n")[1]).toBe(line);
  });

  it("shows reference policy, import mode and the catalog annotations", () => {
    const stream = base([
      docker("t", "quay.io/a:1", {
        importPolicy: { importMode: "PreserveOriginal" },
        referencePolicy: { type: "Local" },
        annotations: { description: "The app", tags: "web,demo" },
      }),
    ]);
    observed(stream, "t", {
      items: [
        {
          created: "2024-05-01T11:00:00Z",
          dockerImageReference: `quay.io/a@${D1}`,
          image: D1,
          generation: 2,
        },
      ],
    });
    expect(formatTagBlock(stream, "t", [], NOW)).toBe(
      [
        "t",
        "  tagged from quay.io/a:1",
        "    imports every platform of a manifest list (PreserveOriginal)",
        "    prefer registry pullthrough when referencing this tag",
        "",
        "  The app",
        "  Tags: web, demo",
        "",
        `  * quay.io/a@${D1}`,
        `      About an hour ago   ${D1}`,
      ].join("\n"),
    );
  });

  it("marks a pending import and a failed one", () => {
    const stream = base([docker("t", "quay.io/a:1", { generation: 5 })]);
    observed(stream, "t", {
      items: [
        {
          created: "2024-05-01T11:00:00Z",
          dockerImageReference: `quay.io/a@${D1}`,
          image: D1,
          generation: 2,
        },
      ],
      conditions: [
        {
          type: "ImportSuccess",
          status: "False",
          reason: "Unauthorized",
          message: "you may not have access to the container image",
          generation: 3,
          lastTransitionTime: "2024-05-01T11:55:00Z",
        },
      ],
    });
    expect(formatTagBlock(stream, "t", [], NOW).split("\n").slice(2)).toEqual([
      "",
      "  ~ importing latest image ...",
      "  ! error: Import failed (Unauthorized): you may not have access to the container image",
      "      5 minutes ago",
      `  * quay.io/a@${D1}`,
      `      About an hour ago   ${D1}`,
    ]);
  });

  it("a status tag without spec tag, and a reference entry without image", () => {
    const stream = base([]);
    stream.status?.tags?.push({
      tag: "old",
      items: [
        {
          created: "2024-05-01T11:59:00Z",
          dockerImageReference: "quay.io/a:old",
          image: "",
          generation: 1,
        },
      ],
    });
    expect(formatTagBlock(stream, "old", [], NOW)).toBe(
      ["old", "  no spec tag", "", "  * quay.io/a:old", "      About a minute ago"].join("\n"),
    );
  });

  it("folds tracking tags into the tag they follow", () => {
    const tags: TagReference[] = [
      docker("v1", "quay.io/a:1"),
      { name: "stable", from: { kind: "ImageStreamTag", name: "v1" } },
      { name: "latest", from: { kind: "ImageStreamTag", name: "app:stable" } },
      { name: "loop-a", from: { kind: "ImageStreamTag", name: "loop-b" } },
      { name: "loop-b", from: { kind: "ImageStreamTag", name: "loop-a" } },
    ];
    const stream = base(tags);
    expect(Object.fromEntries(trackingTargets(stream))).toEqual({ stable: "v1", latest: "v1" });
    const text = describeStream(stream, NOW);
    expect(text).toContain("\nv1 (latest, stable)\n");
    expect(text).not.toContain("\nstable\n");
    expect(text).toContain("\nloop-a\n");
  });

  it("orders tags latest first, then newest version", () => {
    const stream = base([
      docker("1.2", "a:1.2"),
      docker("beta", "a:b"),
      docker("latest", "a:l"),
      docker("1.10", "a:1.10"),
    ]);
    expect(tagNames(stream)).toEqual(["latest", "1.10", "1.2", "beta"]);
  });

  it("counts unique images across tags", () => {
    const item = (image: string, ref: string) => ({
      created: "",
      dockerImageReference: ref,
      image,
      generation: 1,
    });
    const stream = base([], {
      tags: [
        { tag: "a", items: [item(D1, "x@1"), item(D2, "x@2")] },
        { tag: "b", items: [item(D1, "y@1"), item("", "quay.io/ref:1")] },
      ],
    });
    expect(uniqueImages(stream)).toBe(3);
  });
});
