import { describe, expect, it } from "vitest";
import { parseImageName, parseTagName, parseViewTarget, viewResource } from "./resources.js";

describe("view resources and names", () => {
  it.each([
    ["istag", "istag"],
    ["imagestreamtags", "istag"],
    ["ImageStreamTag", "istag"],
    ["imagestreamtags.image.imagestream-operator.io", "istag"],
    ["imagestreamtag.image.openshift.io", "istag"],
    ["isimage", "isimage"],
    ["imagestreamimages.image.imagestream-operator.io", "isimage"],
    ["is", undefined],
    ["deployment", undefined],
  ])("%s -> %s", (word, resource) => {
    expect(viewResource(word)).toBe(resource);
  });

  it.each([
    [["istag", "app:v1", "web:latest"], { resource: "istag", names: ["app:v1", "web:latest"] }],
    [["istag/app:v1", "istag/web:latest"], { resource: "istag", names: ["app:v1", "web:latest"] }],
    [["isimage/app@sha256:abc"], { resource: "isimage", names: ["app@sha256:abc"] }],
    [["istag"], { resource: "istag", names: [] }],
    [["is/app"], undefined],
    [["app"], undefined],
    [[], undefined],
  ])("%j", (args, target) => {
    expect(parseViewTarget(args)).toEqual(target);
  });

  it("one kind per command", () => {
    expect(() => parseViewTarget(["istag/app:v1", "isimage/app@sha256:abc"])).toThrow(
      "name one kind of object per command",
    );
  });

  it("tag names: stream:tag, a bare stream means latest", () => {
    expect(parseTagName("python:3.5")).toEqual({ stream: "python", tag: "3.5" });
    expect(parseTagName("python")).toEqual({ stream: "python", tag: "latest" });
    expect(() => parseTagName("python:")).toThrow("is not a valid image stream tag name");
    expect(() => parseTagName("Python:1")).toThrow('invalid image stream name "Python"');
  });

  it("image names: stream@digest or a prefix", () => {
    expect(parseImageName("app@sha256:3f1b")).toEqual({ stream: "app", digest: "sha256:3f1b" });
    expect(() => parseImageName("app:v1")).toThrow("is not a valid image stream image name");
  });
});
