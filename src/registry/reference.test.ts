import { describe, expect, it } from "vitest";
import { apiHost, digestReference, parseImageReference } from "./reference.js";
import { ImportError } from "./types.js";

const D = `sha256:${"a".repeat(64)}`;

describe("parseImageReference", () => {
  it.each([
    ["nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    ["nginx:1.25", { registry: "docker.io", repository: "library/nginx", tag: "1.25" }],
    ["bitnami/redis", { registry: "docker.io", repository: "bitnami/redis", tag: "latest" }],
    ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    [
      "index.docker.io/nginx",
      { registry: "docker.io", repository: "library/nginx", tag: "latest" },
    ],
    ["quay.io/org/app:v1", { registry: "quay.io", repository: "org/app", tag: "v1" }],
    ["localhost/app", { registry: "localhost", repository: "app", tag: "latest" }],
    ["localhost:5000/a/b/c", { registry: "localhost:5000", repository: "a/b/c", tag: "latest" }],
    ["127.0.0.1:5000/app:t", { registry: "127.0.0.1:5000", repository: "app", tag: "t" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app", tag: "latest" }],
    [`nginx@${D}`, { registry: "docker.io", repository: "library/nginx", digest: D }],
    [`r.io/app:1.0@${D}`, { registry: "r.io", repository: "app", tag: "1.0", digest: D }],
    ["my_org/app-x.y__z", { registry: "docker.io", repository: "my_org/app-x.y__z" }],
  ])("%s", (input, expected) => {
    expect(parseImageReference(input)).toMatchObject(expected);
  });

  it("keeps no tag when only a digest is given", () => {
    expect(parseImageReference(`nginx@${D}`).tag).toBeUndefined();
  });

  it.each([
    ["", "empty reference"],
    ["  ", "empty reference"],
    ["Nginx", "must be lowercase"],
    ["quay.io/Org/app", "must be lowercase"],
    ["nginx@sha256:abc", "invalid digest"],
    [`nginx@md5:${"a".repeat(32)}`, "invalid digest"],
    [`nginx@sha256:${"A".repeat(64)}`, "invalid digest"],
    ["nginx:", "invalid tag"],
    ["nginx:-bad", "invalid tag"],
    ["quay.io/", "empty repository name"],
    ["a//b", "invalid repository name"],
    ["app-", "invalid repository name"],
    ["quay.io:port/app", "invalid registry host"],
    ["nginx latest", "whitespace"],
    [`${"a".repeat(256)}`, "longer than 255"],
  ])("rejects %j (%s)", (input, why) => {
    let caught: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportError);
    expect((caught as ImportError).reason).toBe("InvalidReference");
    expect((caught as ImportError).message).toContain(why);
  });
});

describe("digestReference keeps the user's spelling", () => {
  it.each([
    ["nginx:1.25", `nginx@${D}`],
    ["nginx", `nginx@${D}`],
    ["docker.io/library/nginx:1", `docker.io/library/nginx@${D}`],
    ["127.0.0.1:5000/app:t", `127.0.0.1:5000/app@${D}`],
    [`quay.io/o/a:v1@sha256:${"b".repeat(64)}`, `quay.io/o/a@${D}`],
  ])("%s", (input, expected) => {
    expect(digestReference(parseImageReference(input), D)).toBe(expected);
  });
});

describe("apiHost", () => {
  it("reaches Docker Hub at registry-1.docker.io", () => {
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("quay.io")).toBe("quay.io");
  });
});
