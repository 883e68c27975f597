import { describe, expect, it } from "vitest";
import { executeTemplate, parseTemplate } from "./jsonpath.js";

const tag = {
  kind: "ImageStreamTag",
  metadata: { name: "busybox:latest", labels: { app: "web", tier: "front" } },
  image: {
    dockerImageManifests: [
      { os: "linux", architecture: "amd64", digest: "sha256:1" },
      { os: "linux", architecture: "arm", variant: "v7", digest: "sha256:2" },
      { os: "windows", architecture: "amd64", digest: "sha256:3" },
    ],
    dockerImageLayers: [{ size: 10 }, { size: 0 }, { size: 30 }],
  },
  conditions: [{ type: "ImportSuccess", status: "False", generation: 2 }],
};
const list = { kind: "List", items: [tag, { ...tag, metadata: { name: "app:v1" } }] };

describe("kubectl's jsonpath templates", () => {
  it.each([
    // the seed's command (6.6.1): a quoted '\n' is a newline
    [
      "{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}",
      tag,
      "linux/amd64\nlinux/arm\nwindows/amd64\n",
    ],
    ["{.metadata.name}", tag, "busybox:latest"],
    ["name={.metadata.name} kind={.kind}", tag, "name=busybox:latest kind=ImageStreamTag"],
    ["{.items[*].metadata.name}", list, "busybox:latest app:v1"],
    ["{.image.dockerImageManifests[0].digest}", tag, "sha256:1"],
    ["{.image.dockerImageManifests[-1].os}", tag, "windows"],
    ["{.image.dockerImageManifests[0:2].architecture}", tag, "amd64 arm"],
    ['{.image.dockerImageManifests[?(@.os=="windows")].digest}', tag, "sha256:3"],
    ["{.image.dockerImageManifests[?(@.variant)].digest}", tag, "sha256:2"],
    ["{.image.dockerImageLayers[?(@.size > 5)].size}", tag, "10 30"],
    ["{.conditions[?(@.generation==2)].status}", tag, "False"],
    ["{.metadata.labels}", tag, '{"app":"web","tier":"front"}'],
    ["{.metadata.labels['tier','app']}", tag, "front web"],
    ["{..digest}", tag, "sha256:1 sha256:2 sha256:3"],
    ["{$.kind}", tag, "ImageStreamTag"],
    [
      "{range .items[*]}[{.metadata.name}|{$.kind}]{end}",
      list,
      "[busybox:latest|List][app:v1|List]",
    ],
    ['{range .items[*]}{.metadata.name}{"\\t"}{end}', list, "busybox:latest\tapp:v1\t"],
    // missing keys print nothing (kubectl's --allow-missing-template-keys=true)
    ["{.nothing.here}", tag, ""],
    ["a{.metadata.missing}b", tag, "ab"],
    ["{.metadata.name}{'}'}", tag, "busybox:latest}"],
  ])("%s", (template, object, expected) => {
    expect(executeTemplate(template, object)).toBe(expected);
  });

  it.each([
    ["{.a", "unclosed action"],
    ["{range .items[*]}{.x}", "unclosed range"],
    ["{end}", "not in range"],
    ["{.items[}", "unclosed ["],
    ["{.items[foo]}", "unsupported subscript"],
  ])("%s is refused: %s", (template, message) => {
    expect(() => parseTemplate(template)).toThrow(message);
  });
});
