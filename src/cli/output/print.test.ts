import { describe, expect, it } from "vitest";
import { imageStreamTag } from "../../reconcile/image-views.js";
import {
  digest,
  dockerTag,
  event,
  makeStream,
  NOW,
  statusTag,
} from "../../reconcile/test-fixtures.js";
import { tagTable } from "../../reconcile/view-tables.js";
import { formatObjects, type Printable, parseOutput } from "./print.js";

const A = digest("a");
const stream = makeStream({
  tags: [dockerTag("v1", "quay.io/org/app:v1"), dockerTag("v2", "quay.io/org/app:v2")],
  status: [statusTag("v1", [{ ...event(A), created: "2026-01-01T11:55:00Z" }])],
});
const image = {
  metadata: { name: A.replace(":", ".") },
  digest: A,
  dockerImageReference: `quay.io/org/app@${A}`,
  dockerImageManifests: [
    { digest: digest("1"), mediaType: "m", manifestSize: 1, os: "linux", architecture: "amd64" },
    { digest: digest("2"), mediaType: "m", manifestSize: 1, os: "linux", architecture: "arm64" },
  ],
};
const v1 = imageStreamTag(stream, "v1", image);
const v2 = imageStreamTag(stream, "v2", undefined);
const views = [v1, v2].filter((v) => v !== undefined);
const printable = (single: boolean, objects = single ? [v1 as object] : views): Printable => ({
  objects,
  single,
  table: tagTable(objects as typeof views, NOW),
  resource: "imagestreamtag.image.imagestream-operator.io",
});

describe("-o", () => {
  it.each([
    [undefined, { kind: "table", wide: false }],
    ["wide", { kind: "table", wide: true }],
    ["json", { kind: "json" }],
    ["yaml", { kind: "yaml" }],
    ["name", { kind: "name" }],
    ["jsonpath={.a}", { kind: "jsonpath", template: "{.a}" }],
    // -o=json reaches the command as "=json"
    ["=json", { kind: "json" }],
    ["=jsonpath={.a}", { kind: "jsonpath", template: "{.a}" }],
  ])("%s", (value, format) => {
    expect(parseOutput(value, "get")).toEqual(format);
  });

  it("refuses other formats as kubectl does", () => {
    expect(() => parseOutput("custom-columns=A:.a", "get")).toThrow(
      'unable to match a printer suitable for the output format "custom-columns=A:.a"',
    );
  });

  it("prints the server's columns; wide adds the platforms", () => {
    const lines = formatObjects(printable(false), { kind: "table", wide: false }).split("\n");
    expect(lines.map((l) => l.split(/\s{3,}/))).toEqual([
      ["NAME", "IMAGE REFERENCE", "UPDATED"],
      ["app:v1", `quay.io/org/app@${A}`, "5m"],
      ["app:v2"],
    ]);
    expect(lines[1]?.indexOf("quay.io")).toBe(lines[0]?.indexOf("IMAGE REFERENCE"));
    const wide = formatObjects(printable(true), { kind: "table", wide: true }).split("\n");
    expect(wide[0]?.split(/\s{3,}/)).toEqual(["NAME", "IMAGE REFERENCE", "UPDATED", "PLATFORMS"]);
    expect(wide[1]).toMatch(/5m {3,}linux\/amd64,linux\/arm64$/);
  });

  it("json is the object itself for one name, a List otherwise", () => {
    expect(JSON.parse(formatObjects(printable(true), { kind: "json" }))).toEqual(v1);
    const asList = JSON.parse(formatObjects(printable(false), { kind: "json" }));
    expect(asList).toMatchObject({ apiVersion: "v1", kind: "List", items: [v1, v2] });
  });

  it("yaml, name and jsonpath", () => {
    expect(formatObjects(printable(true), { kind: "yaml" })).toContain("kind: ImageStreamTag\n");
    expect(formatObjects(printable(false), { kind: "name" })).toBe(
      "imagestreamtag.image.imagestream-operator.io/app:v1\nimagestreamtag.image.imagestream-operator.io/app:v2",
    );
    const template = "{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}";
    expect(formatObjects(printable(true), { kind: "jsonpath", template })).toBe(
      "linux/amd64\nlinux/arm64\n",
    );
    expect(() => formatObjects(printable(true), { kind: "jsonpath", template: "{.a" })).toThrow(
      "error parsing jsonpath {.a",
    );
  });

  it("an empty list prints nothing (the command says No resources found)", () => {
    expect(formatObjects(printable(false, []), { kind: "table", wide: false })).toBe("");
  });
});
