import { describe, expect, it } from "vitest";
import { EVENT_NOTE_LIMIT, problemEventMessage, rolloutEventMessage } from "./events.js";
import { parseTriggers } from "./parse-triggers.js";
import type { ContainerImageChange } from "./plan.js";
import { trigger, WEB_PATH, workload } from "./testdata.js";

const object = workload(
  "Deployment",
  { web: "quay.io/shop/web:1" },
  { initContainers: { migrate: "m:1" } },
);
const [webTrigger] = parseTriggers(
  JSON.stringify([
    {
      from: { kind: "ImageStreamTag", name: "web:latest", namespace: "images" },
      fieldPath: WEB_PATH,
    },
  ]),
  object,
).triggers;

function change(overrides: Partial<ContainerImageChange>): ContainerImageChange {
  if (webTrigger === undefined) throw new Error("fixture trigger did not parse");
  return {
    containerList: "containers",
    containerName: "web",
    oldImage: "quay.io/shop/web@sha256:1111",
    newImage: "quay.io/shop/web@sha256:2222",
    trigger: webTrigger,
    cause: "TagMoved",
    ...overrides,
  };
}

describe("rolloutEventMessage", () => {
  it.each([
    [
      {},
      'image stream tag images/web:latest moved: set container "web" image to quay.io/shop/web@sha256:2222 (was quay.io/shop/web@sha256:1111)',
    ],
    [
      { cause: "NewTrigger", oldImage: " " },
      'new trigger on image stream tag images/web:latest: set container "web" image to quay.io/shop/web@sha256:2222 (was no image)',
    ],
    [
      { containerList: "initContainers", containerName: "migrate", oldImage: undefined },
      'image stream tag images/web:latest moved: set init container "migrate" image to quay.io/shop/web@sha256:2222 (was no image)',
    ],
  ] as [Partial<ContainerImageChange>, string][])("%j", (overrides, message) => {
    expect(rolloutEventMessage(change(overrides))).toBe(message);
  });

  it("stays within the API server's 1024-byte limit, counting UTF-8 bytes", () => {
    const long = `registry.example/${"é".repeat(700)}@sha256:2222`;
    const message = rolloutEventMessage(change({ oldImage: long, newImage: long }));
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(EVENT_NOTE_LIMIT);
    expect(Buffer.byteLength(message)).toBeGreaterThan(EVENT_NOTE_LIMIT - 4);
    expect(message.endsWith("…")).toBe(true);
  });
});

describe("problemEventMessage", () => {
  it("says which trigger a problem belongs to", () => {
    const { problems } = parseTriggers(
      JSON.stringify([trigger("web:latest", WEB_PATH), trigger("web", WEB_PATH)]),
      object,
    );
    expect(problems.map(problemEventMessage)).toEqual([
      'image.openshift.io/triggers[1]: from.name "web" has no tag: write "web:TAG", e.g. "web:latest"',
    ]);
  });

  it("leaves whole-annotation problems as they are", () => {
    const { problems } = parseTriggers("{}", object);
    expect(problems.map(problemEventMessage)).toEqual([
      "annotation image.openshift.io/triggers must be a JSON array of triggers, not an object: write [ ] around a list of triggers",
    ]);
  });
});
