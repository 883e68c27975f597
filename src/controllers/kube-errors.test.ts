import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  classifyWriteFailure,
  isConflict,
  isRefusedRequest,
  refusalSummary,
  type WriteFailure,
} from "./kube-errors.js";

// Bodies exactly as kube-apiserver v1.37.2 sent them in the test environment
// (kubectl -v=8). test/e2e/failures-visible.test.ts sends a failing `test` op
// and a denied write to the real server, so a change of either shape fails
// there too.
const TEST_OP_FAILED = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "the server rejected our request due to an error in our request",
  reason: "Invalid",
  details: {},
  code: 422,
};
const FIELD_INVALID = {
  kind: "Status",
  status: "Failure",
  message: 'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
  reason: "Invalid",
  details: {
    name: "d",
    group: "apps",
    kind: "Deployment",
    causes: [{ reason: "FieldValueInvalid", message: "Invalid value", field: "spec.replicas" }],
  },
  code: 422,
};
const POLICY_DENIED = {
  kind: "Status",
  status: "Failure",
  message:
    "deployments.apps \"d\" is forbidden: ValidatingAdmissionPolicy 'deny' with binding 'deny' denied request: no",
  reason: "Invalid",
  details: {
    name: "d",
    group: "apps",
    kind: "deployments",
    causes: [
      { message: "ValidatingAdmissionPolicy 'deny' with binding 'deny' denied request: no" },
    ],
  },
  code: 422,
};
const QUOTA = {
  kind: "Status",
  status: "Failure",
  message: 'deployments.apps "e" is forbidden: exceeded quota: q',
  reason: "Forbidden",
  details: { name: "e", group: "apps", kind: "deployments" },
  code: 403,
};
const CONFLICT = {
  kind: "Status",
  message: "the object has been modified",
  reason: "Conflict",
  code: 409,
};

function apiError(code: number, body: unknown, asText = false) {
  return new ApiException(
    code,
    "Unknown API Status Code!",
    asText ? JSON.stringify(body) : body,
    {},
  );
}

describe("classifyWriteFailure: the one conflict rule", () => {
  it.each<[string, unknown, WriteFailure]>([
    ["409 Conflict", apiError(409, CONFLICT), "conflict"],
    [
      "our JSON-patch test guard failed (422, no causes)",
      apiError(422, TEST_OP_FAILED),
      "conflict",
    ],
    ["the same, body as text", apiError(422, TEST_OP_FAILED, true), "conflict"],
    ["validation (422 with field causes)", apiError(422, FIELD_INVALID), "invalid"],
    [
      "ValidatingAdmissionPolicy denial (422, causes, name)",
      apiError(422, POLICY_DENIED),
      "invalid",
    ],
    ["quota or webhook (403)", apiError(403, QUOTA), "rejected"],
    ["body too large (413)", apiError(413, { kind: "Status", code: 413 }), "rejected"],
    [
      "an object over etcd's limit (500, as kube-apiserver sends it)",
      apiError(500, { kind: "Status", message: "etcdserver: request is too large", code: 500 }),
      "rejected",
    ],
    ["404", apiError(404, { kind: "Status", code: 404 }), "notFound"],
    ["429 throttled", apiError(429, { kind: "Status", code: 429 }), "transient"],
    ["500", apiError(500, { kind: "Status", code: 500 }), "transient"],
    [
      "network",
      Object.assign(new Error("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      "transient",
    ],
  ])("%s", (_name, error, expected) => {
    expect(classifyWriteFailure(error)).toBe(expected);
    expect(isConflict(error)).toBe(expected === "conflict");
    expect(isRefusedRequest(error)).toBe(expected === "invalid" || expected === "rejected");
  });
});

describe("refusalSummary", () => {
  it("carries the API server's reason, code and message", () => {
    expect(refusalSummary(apiError(422, POLICY_DENIED))).toBe(
      `Invalid (HTTP 422): ${POLICY_DENIED.message}`,
    );
    expect(refusalSummary(apiError(403, QUOTA))).toBe(`Forbidden (HTTP 403): ${QUOTA.message}`);
  });

  it("says something useful when the body is empty", () => {
    expect(refusalSummary(apiError(413, undefined))).toBe(
      "Refused (HTTP 413): the API server refused the request",
    );
  });
});
