import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseTagOptions } from "./options.js";

describe("parseTagOptions", () => {
  it("reads a source, destinations and the flags", () => {
    const o = parseTagOptions([
      "quay.io/org/app:1",
      "app:1",
      "other/app:stable",
      "--scheduled",
      "--insecure=true",
      "--reference-policy=local",
      "--import-mode=PreserveOriginal",
      "-n",
      "team",
    ]);
    expect(o).toEqual({
      kind: "set",
      global: { namespace: "team", help: false },
      source: { kind: "DockerImage", reference: "quay.io/org/app:1" },
      destinations: ["app:1", "other/app:stable"],
      alias: false,
      reference: false,
      scheduled: true,
      insecure: true,
      referencePolicy: "Local",
      importMode: "PreserveOriginal",
    });
  });

  it("leaves reference policy and import mode unset when not given (kept from the tag)", () => {
    const o = parseTagOptions(["quay.io/app:1", "app:1"]);
    expect(o).not.toHaveProperty("referencePolicy");
    expect(o).not.toHaveProperty("importMode");
  });

  it("reads -d with only destinations", () => {
    expect(parseTagOptions(["-d", "app:1", "app:2"])).toEqual({
      kind: "delete",
      global: { help: false },
      destinations: ["app:1", "app:2"],
    });
  });

  it("returns help without validating anything else", () => {
    expect(parseTagOptions(["--help", "--source=bogus"]).kind).toBe("help");
  });

  it.each([
    [["app:v1", "app:copy", "--scheduled"], "only container images can have importing flags set"],
    [
      ["app@sha256:abc", "app:copy", "--insecure"],
      "only container images can have importing flags set",
    ],
    [
      ["app:v1", "app:latest", "--alias", "--scheduled"],
      "only container images can have importing flags set",
    ],
    [
      ["quay.io/app:1", "app:latest", "--alias", "--insecure"],
      "cannot set a container image tag as an alias and also set import flags",
    ],
    [
      ["quay.io/app:1", "app:1", "--import-mode=Newest"],
      "valid ImportMode values are Legacy or PreserveOriginal",
    ],
    [
      ["quay.io/app:1", "app:1", "--reference-policy=remote"],
      "reference policy must be set to 'source' or 'local'",
    ],
    [["-d", "app:1", "--alias"], "--alias and --delete may not be both specified"],
    [["-d", "app:1", "--source=docker"], "cannot specify a source kind when deleting"],
    [["-d", "app:1", "--scheduled"], "cannot set flags for importing images when deleting a tag"],
    [["app:1", "--source=git", "app:2"], 'invalid source "git"'],
  ])("%j: %s", (args, message) => {
    expect(() => parseTagOptions(args)).toThrow(message);
  });

  it.each([[["quay.io/app:1"]], [[]], [["-d"]]])("%j is a usage error", (args) => {
    expect(() => parseTagOptions(args)).toThrow(UsageError);
  });
});
