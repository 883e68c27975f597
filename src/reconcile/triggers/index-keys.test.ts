import { describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import { changedTagKeys, tagIndexKey, triggerIndexKeys } from "./index-keys.js";
import { parseTriggers } from "./parse-triggers.js";
import { ANN_ALLOWED_NAMESPACES } from "./plan.js";
import { SIDECAR_PATH, trigger, WEB_PATH, workload } from "./testdata.js";

describe("triggerIndexKeys", () => {
  it("gives namespace/stream:tag for every valid trigger, paused and cross-namespace ones too", () => {
    const object = workload("Deployment", { web: "a", sidecar: "b" }, { namespace: "shop" });
    const annotation = JSON.stringify([
      trigger("web:latest", WEB_PATH, { paused: true }),
      {
        from: { kind: "ImageStreamTag", name: "proxy:1", namespace: "images" },
        fieldPath: SIDECAR_PATH,
      },
      trigger("broken", WEB_PATH),
    ]);
    const { triggers } = parseTriggers(annotation, object);
    expect(triggerIndexKeys(triggers)).toEqual(new Set(["shop/web:latest", "images/proxy:1"]));
  });

  it("gives one key for two containers following the same tag", () => {
    const object = workload("Deployment", { web: "a", sidecar: "b" });
    const annotation = JSON.stringify([
      trigger("web:latest", WEB_PATH),
      trigger("web:latest", SIDECAR_PATH),
    ]);
    const { triggers } = parseTriggers(annotation, object);
    expect(triggers).toHaveLength(2);
    expect([...triggerIndexKeys(triggers)]).toEqual([tagIndexKey("shop", "web", "latest")]);
  });
});

function stream(
  tags: Record<string, string | null>,
  annotations: Record<string, string> = {},
): ImageStream {
  return {
    metadata: { name: "web", namespace: "images", annotations },
    status: {
      dockerImageRepository: "",
      tags: Object.entries(tags).map(([tag, reference]) => ({
        tag,
        items:
          reference === null
            ? null
            : [
                {
                  created: "2025-01-01T00:00:00Z",
                  dockerImageReference: reference,
                  image: "sha256:x",
                  generation: 1,
                },
              ],
      })),
    },
  };
}

describe("changedTagKeys", () => {
  it.each([
    [
      "a moved tag only",
      stream({ latest: "r@1", stable: "r@0" }),
      stream({ latest: "r@2", stable: "r@0" }),
      ["latest"],
    ],
    ["nothing when no tag moved", stream({ latest: "r@1" }), stream({ latest: "r@1" }), []],
    [
      "a tag that got its first image",
      stream({ latest: null }),
      stream({ latest: "r@1" }),
      ["latest"],
    ],
    [
      "a tag that was removed",
      stream({ latest: "r@1", old: "r@0" }),
      stream({ latest: "r@1" }),
      ["old"],
    ],
    [
      "every tag of a created stream",
      undefined,
      stream({ latest: "r@1", v1: "r@0" }),
      ["latest", "v1"],
    ],
    ["every tag of a deleted stream", stream({ latest: "r@1" }), undefined, ["latest"]],
    [
      "every tag when the allowed namespaces change",
      stream({ latest: "r@1", empty: null }),
      stream({ latest: "r@1", empty: null }, { [ANN_ALLOWED_NAMESPACES]: "shop" }),
      ["latest", "empty"],
    ],
    [
      "nothing when another annotation changes",
      stream({ latest: "r@1" }),
      stream(
        { latest: "r@1" },
        { "openshift.io/image.dockerRepositoryCheck": "2025-01-02T00:00:00Z" },
      ),
      [],
    ],
  ] as [string, ImageStream | undefined, ImageStream | undefined, string[]][])(
    "%s",
    (_, previous, current, tags) => {
      const expected = new Set(tags.map((tag) => tagIndexKey("images", "web", tag)));
      expect(changedTagKeys(previous, current)).toEqual(expected);
    },
  );

  it("is empty when neither version exists", () => {
    expect(changedTagKeys(undefined, undefined)).toEqual(new Set());
  });
});
