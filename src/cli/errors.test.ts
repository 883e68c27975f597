import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CliError, describeApiError, isConflict, isMissingApi, isNotFound } from "./errors.js";

// Bodies as kube-apiserver v1.37 sends them (seen in the e2e environment).
const TEST_FAILED = {
  kind: "Status",
  status: "Failure",
  message: "the server rejected our request due to an error in our request",
  reason: "Invalid",
  details: {},
  code: 422,
};
const INVALID = {
  kind: "Status",
  status: "Failure",
  message: 'ImageStream.image.openshift.io "app" is invalid: spec.tags[0].name: Invalid value',
  reason: "Invalid",
  details: { name: "app", kind: "ImageStream", causes: [{ field: "spec.tags[0].name" }] },
  code: 422,
};
const NOT_FOUND = {
  kind: "Status",
  message: 'imagestreams.image.openshift.io "app" not found',
  reason: "NotFound",
  details: { name: "app", kind: "imagestreams" },
  code: 404,
};

function apiError(code: number, body: unknown) {
  return new ApiException(code, "Unknown API Status Code!", body, {});
}

describe("API error classification", () => {
  it("a failed JSON patch test (422 without causes) and 409 are conflicts; validation errors are not", () => {
    expect(isConflict(apiError(422, TEST_FAILED))).toBe(true);
    expect(isConflict(apiError(409, { kind: "Status", reason: "Conflict" }))).toBe(true);
    expect(isConflict(apiError(422, INVALID))).toBe(false);
    expect(isConflict(new Error("boom"))).toBe(false);
  });

  it("tells a missing stream from a missing API", () => {
    expect(isNotFound(apiError(404, NOT_FOUND))).toBe(true);
    expect(isMissingApi(apiError(404, NOT_FOUND))).toBe(false);
    expect(isMissingApi(apiError(404, "404 page not found"))).toBe(true);
  });
});

describe("describeApiError", () => {
  const server = "https://127.0.0.1:6443";
  it.each([
    [apiError(401, undefined), "You must be logged in to the server (Unauthorized)"],
    [
      apiError(403, { kind: "Status", message: "user x cannot patch" }),
      "forbidden: user x cannot patch",
    ],
    [apiError(404, "404 page not found"), "does not serve image.openshift.io/v1 ImageStreams"],
    [apiError(422, INVALID), 'ImageStream.image.openshift.io "app" is invalid'],
    [
      Object.assign(new Error("request failed"), { cause: { code: "ECONNREFUSED" } }),
      `cannot reach the Kubernetes API server at ${server} (ECONNREFUSED)`,
    ],
    [
      new TypeError("fetch failed", {
        cause: new Error("self-signed certificate in certificate chain"),
      }),
      `cannot talk to the Kubernetes API server at ${server}: self-signed certificate in certificate chain`,
    ],
  ])("%#", (error, message) => {
    const translated = describeApiError(error, server);
    expect(translated).toBeInstanceOf(CliError);
    expect(translated.message).toContain(message);
  });
});
