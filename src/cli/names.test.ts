import { describe, expect, it } from "vitest";
import { displayTag, parseStreamName, parseStreamTag } from "./names.js";

describe("parseStreamTag", () => {
  it.each([
    ["app:v1", { namespace: "cur", name: "app", tag: "v1" }],
    ["other/app:latest", { namespace: "other", name: "app", tag: "latest" }],
    ["app:1.2_rc-3", { namespace: "cur", name: "app", tag: "1.2_rc-3" }],
  ])("%s", (input, expected) => {
    expect(parseStreamTag(input, "cur")).toEqual(expected);
  });

  it.each([
    ["app", '"app" must be of the form <stream_name>:<tag>'],
    ["a/b/c:v1", 'invalid image stream "a/b/c:v1"'],
    ["/app:v1", 'invalid namespace "" for image stream "/app:v1"'],
    ["ns/", 'invalid name "" for image stream "ns/"'],
    ["ns/:v1", 'invalid image stream name ""'],
    ["app:-v1", 'invalid tag name "-v1"'],
    ["app:", 'invalid tag name ""'],
    [`app:${"x".repeat(129)}`, "invalid tag name"],
    ["App:v1", 'invalid image stream name "App"'],
  ])("%s is refused: %s", (input, message) => {
    expect(() => parseStreamTag(input, "cur")).toThrow(message);
  });
});

describe("parseStreamName", () => {
  it("defaults the namespace", () => {
    expect(parseStreamName("app", "cur")).toEqual({ namespace: "cur", name: "app" });
    expect(parseStreamName("ns/app", "cur")).toEqual({ namespace: "ns", name: "app" });
  });
});

describe("displayTag", () => {
  it("adds the namespace only outside the current one", () => {
    expect(displayTag({ namespace: "cur", name: "app", tag: "v1" }, "cur")).toBe("app:v1");
    expect(displayTag({ namespace: "ns", name: "app", tag: "v1" }, "cur")).toBe("ns/app:v1");
  });
});
