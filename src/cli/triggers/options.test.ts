import { describe, expect, it } from "vitest";
import { parseFromImage, triggerAction } from "./options.js";

describe("set triggers flags, combined as oc set triggers does", () => {
  it.each([
    [{}, { kind: "list" }],
    [{ "remove-all": true }, { kind: "remove-all" }],
    [{ auto: true }, { kind: "reset", auto: true }],
    [{ manual: true }, { kind: "reset", auto: false }],
    [
      { "from-image": "app:v1", containers: "web, side" },
      { kind: "set", from: { name: "app:v1" }, containers: ["web", "side"], auto: true },
    ],
    [
      { "from-image": "lib/base:1", manual: true },
      { kind: "set", from: { namespace: "lib", name: "base:1" }, containers: [], auto: false },
    ],
    [
      { "from-image": "app:v1", remove: true },
      { kind: "remove", from: { name: "app:v1" } },
    ],
  ])("%j -> %j", (values, action) => {
    expect(triggerAction(values)).toEqual(action);
  });

  it.each([
    [{ auto: true, manual: true }, "you must specify at most one of --auto or --manual"],
    [{ remove: true, "remove-all": true }, "you must specify either --remove or --remove-all"],
    [{ "remove-all": true, auto: true }, "--remove-all may not be used with any other flag"],
    [
      { "remove-all": true, "from-image": "a:b" },
      "--remove-all may not be used with any other flag",
    ],
    [{ remove: true }, "--remove requires a flag defining a trigger type to be specified"],
    [{ containers: "web" }, "--containers names the containers of --from-image"],
  ])("refuses %j", (values, message) => {
    expect(() => triggerAction(values)).toThrow(message);
  });

  it.each([
    ["quay.io/org/app:1", "must point to an image stream tag on this server"],
    ["localhost/app:1", "must point to an image stream tag on this server"],
    ["a/b/c:1", "must point to an image stream tag on this server"],
    [`app@sha256:${"a".repeat(64)}`, "must point to an image stream tag on this server"],
    ["app", "must include the tag you wish to pull from"],
    ["App:v1", 'invalid image stream name "App"'],
    ["/app:v1", 'invalid namespace "" in "/app:v1"'],
  ])("--from-image=%s: %s", (value, message) => {
    expect(() => parseFromImage(value)).toThrow(message);
  });
});
