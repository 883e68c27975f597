import { describe, expect, it } from "vitest";
import type { ImageStream, NamedTagEventList, TagReference } from "../../api/types.js";
import {
  isSettled,
  repositoryImported,
  statusTagProgress,
  type TagProgress,
  tagProgress,
} from "./progress.js";

const DIGEST = `sha256:${"c".repeat(64)}`;
const event = (generation: number, image = DIGEST) => ({
  created: "2024-05-01T10:00:00Z",
  dockerImageReference: `quay.io/app@${image}`,
  image,
  generation,
});
const failed = (generation: number) => ({
  type: "ImportSuccess",
  status: "False" as const,
  reason: "NotFound",
  message: "manifest unknown",
  generation,
});

function stream(spec: TagReference | undefined, status?: NamedTagEventList): ImageStream {
  return {
    metadata: { name: "app", namespace: "team", generation: 4 },
    spec: { tags: spec ? [spec] : [] },
    status: { tags: status ? [status] : [] },
  };
}
const tag = (generation: number | null | undefined): TagReference => ({
  name: "v1",
  from: { kind: "DockerImage", name: "quay.io/app:1" },
  ...(generation === undefined ? {} : { generation }),
});

describe("tagProgress", () => {
  const cases: [
    string,
    TagReference | undefined,
    NamedTagEventList | undefined,
    TagProgress["state"],
  ][] = [
    [
      "generation 0: the operator has not stamped it yet",
      tag(0),
      { tag: "v1", items: [event(3)] },
      "requested",
    ],
    ["generation null", tag(null), undefined, "requested"],
    ["stamped, status older", tag(5), { tag: "v1", items: [event(3)] }, "importing"],
    [
      "stamped, an older failure",
      tag(5),
      { tag: "v1", items: [event(2)], conditions: [failed(3)] },
      "importing",
    ],
    ["stamped, no status yet", tag(5), undefined, "importing"],
    ["imported at the stamp", tag(5), { tag: "v1", items: [event(5)] }, "imported"],
    ["imported later", tag(5), { tag: "v1", items: [event(6)] }, "imported"],
    [
      "failed at the stamp",
      tag(5),
      { tag: "v1", items: [event(2)], conditions: [failed(5)] },
      "failed",
    ],
    [
      "failed with no history",
      tag(5),
      { tag: "v1", items: null, conditions: [failed(5)] },
      "failed",
    ],
    ["the spec tag is gone", undefined, { tag: "v1", items: [event(5)] }, "removed"],
  ];
  it.each(cases)("%s -> %s", (_, spec, status, state) => {
    expect(tagProgress(stream(spec, status), "v1").state).toBe(state);
  });

  it("carries the recorded event or the failure", () => {
    expect(tagProgress(stream(tag(5), { tag: "v1", items: [event(5)] }), "v1")).toEqual({
      state: "imported",
      event: event(5),
    });
    expect(
      tagProgress(stream(tag(5), { tag: "v1", items: [], conditions: [failed(5)] }), "v1"),
    ).toEqual({
      state: "failed",
      reason: "NotFound",
      message: "manifest unknown",
    });
  });

  it("settled means the operator answered", () => {
    expect(isSettled({ state: "requested" })).toBe(false);
    expect(isSettled({ state: "importing" })).toBe(false);
    expect(isSettled({ state: "imported", event: event(1) })).toBe(true);
    expect(isSettled({ state: "failed", reason: "x", message: "y" })).toBe(true);
    expect(isSettled({ state: "removed" })).toBe(true);
  });
});

describe("repository imports", () => {
  const repo = (annotation: boolean): ImageStream => ({
    metadata: {
      name: "app",
      generation: 4,
      ...(annotation
        ? { annotations: { "openshift.io/image.dockerRepositoryCheck": "2024-05-01T10:00:00Z" } }
        : {}),
    },
    spec: { dockerImageRepository: "quay.io/app" },
    status: {
      tags: [
        { tag: "1", items: [event(4)] },
        { tag: "2", items: [], conditions: [failed(4)] },
      ],
    },
  });

  it("is done once the check annotation is back", () => {
    expect(repositoryImported(repo(false))).toBe(false);
    expect(repositoryImported(repo(true))).toBe(true);
  });

  it("reports every status tag", () => {
    expect(statusTagProgress(repo(true)).map((r) => [r.tag, r.progress.state])).toEqual([
      ["1", "imported"],
      ["2", "failed"],
    ]);
  });
});
