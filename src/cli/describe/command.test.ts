import { describe, expect, it } from "vitest";
import { streamNames } from "./command.js";

describe("describe arguments", () => {
  it.each([
    [["app"], ["app"]],
    [["is/app"], ["app"]],
    [
      ["imagestream/app", "imagestreams.image.openshift.io/web"],
      ["app", "web"],
    ],
    [
      ["is", "app", "web"],
      ["app", "web"],
    ],
  ])("%j -> %j", (args, names) => {
    expect(streamNames(args)).toEqual(names);
  });

  it.each([
    [
      ["deployment/app"],
      'describe shows image streams (is), image stream tags (istag) and images (isimage), not "deployment"',
    ],
    [["is"], "you must specify an image stream"],
    [[], "you must specify an image stream"],
    [["is/App"], 'invalid image stream name "App"'],
  ])("%j is refused", (args, message) => {
    expect(() => streamNames(args)).toThrow(message);
  });
});
