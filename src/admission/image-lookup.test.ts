import { describe, expect, it } from "vitest";
import { handleImageLookup, InvalidReviewError, type StreamCache } from "./image-lookup.js";
import { DIGEST, localStream, podReview } from "./testing.js";

const streams = new Map([["team/app", localStream("team", "app")]]);
const cache: StreamCache = { get: (namespace, name) => streams.get(`${namespace}/${name}`) };

function decodedPatch(patch: string | undefined): unknown {
  return JSON.parse(Buffer.from(patch ?? "", "base64").toString("utf8"));
}

describe("handleImageLookup", () => {
  it("answers with the request's uid, allowed, and a base64 JSONPatch", () => {
    const answer = handleImageLookup(podReview("team", ["app:v1"], "abc"), cache);
    expect(answer.apiVersion).toBe("admission.k8s.io/v1");
    expect(answer.kind).toBe("AdmissionReview");
    expect(answer.response).toMatchObject({ uid: "abc", allowed: true, patchType: "JSONPatch" });
    expect(decodedPatch(answer.response.patch)).toEqual([
      { op: "replace", path: "/spec/containers/0/image", value: `quay.io/org/app@${DIGEST}` },
    ]);
    expect(answer.response.warnings).toBeUndefined();
  });

  it("allows without patch when nothing names a stream", () => {
    const answer = handleImageLookup(podReview("team", ["docker.io/library/app:v1"], "u"), cache);
    expect(answer.response).toEqual({ uid: "u", allowed: true });
  });

  it("passes warnings through, allowed and unpatched", () => {
    const answer = handleImageLookup(podReview("team", ["app:v2"], "u"), cache);
    expect(answer.response).toEqual({
      uid: "u",
      allowed: true,
      warnings: [
        'spec.containers[0].image: image stream tag app:v2 has no image yet; "app:v2" left unchanged',
      ],
    });
  });

  it("caps the number of warnings and says how many were left out", () => {
    const images = Array.from({ length: 13 }, (_, i) => `app:missing${i}`);
    const warnings = handleImageLookup(podReview("team", images), cache).response.warnings ?? [];
    expect(warnings).toHaveLength(11);
    expect(warnings.at(-1)).toBe("3 more images left unchanged for the same reasons");
  });

  it.each([
    ["not an object", 42],
    [
      "another apiVersion",
      { ...(podReview("team", []) as object), apiVersion: "admission.k8s.io/v1beta1" },
    ],
    ["no request", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }],
    [
      "a request without uid",
      { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { kind: {} } },
    ],
  ])("refuses %s", (_, review) => {
    expect(() => handleImageLookup(review, cache)).toThrow(InvalidReviewError);
  });
});
