import { describe, expect, it } from "vitest";
import {
  ANN_ALLOWED_NAMESPACES,
  crossNamespaceDeniedMessage,
  isCrossNamespaceAllowed,
} from "./tenancy.js";
import { makeStream } from "./test-fixtures.js";

function source(annotation?: string) {
  return makeStream({
    name: "base",
    namespace: "shared",
    ...(annotation === undefined ? {} : { annotations: { [ANN_ALLOWED_NAMESPACES]: annotation } }),
  });
}

describe("isCrossNamespaceAllowed", () => {
  it.each<[string, string | undefined, string, boolean]>([
    ["same namespace needs no annotation", undefined, "shared", true],
    ["no annotation", undefined, "team", false],
    ["empty annotation", "", "team", false],
    ["listed", "team", "team", true],
    ["listed among others with spaces", "dev, team ,prod", "team", true],
    ["not listed", "dev,prod", "team", false],
    ["prefix of a listed name does not match", "team-a", "team", false],
    ["listed name is not a prefix match either", "team", "team-a", false],
    ["wildcard", "*", "anyone", true],
    ["wildcard among names", "dev,*", "anyone", true],
    ["case matters (namespaces are lowercase)", "Team", "team", false],
    ["only commas", ",,", "team", false],
  ])("%s", (_name, annotation, target, expected) => {
    expect(isCrossNamespaceAllowed(source(annotation), target)).toBe(expected);
  });
});

describe("crossNamespaceDeniedMessage", () => {
  it("names the annotation, the value to add and the stream to add it on", () => {
    const msg = crossNamespaceDeniedMessage({ namespace: "shared", name: "base" }, "team");
    expect(msg).toContain(`${ANN_ALLOWED_NAMESPACES}: "team"`);
    expect(msg).toContain("to image stream shared/base");
    expect(msg).toContain('namespace "team"');
  });
});
