import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseImportOptions, parseTarget } from "./options.js";

describe("parseTarget", () => {
  it.each([
    ["app", false, { stream: "app", tag: "latest" }],
    ["app:v1", false, { stream: "app", tag: "v1" }],
    ["app", true, { stream: "app" }],
    // a pull spec names the stream after its last path segment
    ["quay.io/org/app:1.2", false, { stream: "app", tag: "1.2", pullSpec: "quay.io/org/app:1.2" }],
    ["127.0.0.1:5000/app", false, { stream: "app", tag: "latest", pullSpec: "127.0.0.1:5000/app" }],
    ["quay.io/org/app", true, { stream: "app", pullSpec: "quay.io/org/app" }],
  ])("%s (all=%s)", (input, all, expected) => {
    expect(parseTarget(input, all)).toEqual(expected);
  });

  it.each([
    ["app@sha256:abc", false, "to import images by ID, use the 'tag' command"],
    ["app:v1", true, 'cannot specify a tag "app:v1" as well as --all'],
    ["App", false, 'invalid image stream name "App"'],
    ["app:-x", false, 'invalid tag name "-x"'],
  ])("%s (all=%s) is refused", (input, all, message) => {
    expect(() => parseTarget(input, all)).toThrow(message);
  });
});

describe("parseImportOptions", () => {
  it("leaves every tag setting unset unless its flag is given", () => {
    expect(parseImportOptions(["app:v1"])).toEqual({
      kind: "import",
      global: { help: false },
      stream: "app",
      tag: "v1",
      confirm: false,
      all: false,
      timeoutMs: 60_000,
    });
  });

  it("reads every flag", () => {
    expect(
      parseImportOptions([
        "app",
        "--from=quay.io/org/app:2",
        "--confirm",
        "--scheduled=false",
        "--insecure",
        "--reference-policy=local",
        "--import-mode=PreserveOriginal",
        "--timeout=2m",
        "-n",
        "team",
      ]),
    ).toEqual({
      kind: "import",
      global: { namespace: "team", help: false },
      stream: "app",
      tag: "latest",
      from: "quay.io/org/app:2",
      confirm: true,
      all: false,
      scheduled: false,
      insecure: true,
      referencePolicy: "Local",
      importMode: "PreserveOriginal",
      timeoutMs: 120_000,
    });
  });

  it.each([
    [["app", "--import-mode=legacy"], "valid ImportMode values are Legacy or PreserveOriginal"],
    [["app", "--timeout=soon"], 'invalid --timeout "soon"'],
    [["app", "--from=Not A Reference"], "invalid image reference"],
  ])("%j: %s", (args, message) => {
    expect(() => parseImportOptions(args)).toThrow(message);
  });

  it.each([[[]], [["a", "b"]]])("%j is a usage error", (args) => {
    expect(() => parseImportOptions(args)).toThrow(UsageError);
  });
});
