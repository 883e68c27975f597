import { describe, expect, it } from "vitest";
import { ImportError, type ImportResult } from "../registry/types.js";
import { failedOutcome, importedOutcome } from "./outcomes.js";
import { digest } from "./test-fixtures.js";
import { type DockerWork, REPOSITORY_KEY, type RepositoryWork } from "./types.js";

const item: DockerWork = {
  kind: "docker",
  tag: "t",
  generation: 4,
  specHash: "h",
  cause: "generation",
  request: {
    reference: "quay.io/a:1",
    insecure: false,
    importMode: "Legacy",
    preferredPlatforms: [],
  },
};

describe("failedOutcome", () => {
  it.each<[string, unknown, object]>([
    [
      "registry error keeps reason and message",
      new ImportError("NotFound", "manifest unknown"),
      { reason: "NotFound", message: "manifest unknown" },
    ],
    [
      "rate limit keeps retry-after",
      new ImportError("RateLimited", "too many requests", 120),
      { reason: "RateLimited", retryAfterSeconds: 120 },
    ],
    [
      "any other error gets a fixed message (it may carry secrets)",
      new Error("GET https://user:hunter2@quay.io failed"),
      {
        reason: "InternalError",
        message: "internal error while importing (see the operator logs)",
      },
    ],
    ["a thrown string", "boom", { reason: "InternalError" }],
  ])("%s", (_name, err, expected) => {
    const got = failedOutcome(item, err);
    expect(got).toMatchObject({
      kind: "failed",
      tag: "t",
      generation: 4,
      specHash: "h",
      ...expected,
    });
    expect(JSON.stringify(got)).not.toContain("hunter2");
  });

  it("works for the repository item (no spec hash)", () => {
    const repo: RepositoryWork = {
      kind: "repository",
      tag: REPOSITORY_KEY,
      cause: "new",
      request: { reference: "quay.io/a", insecure: false },
      importMode: "Legacy",
      preferredPlatforms: [],
      generation: 2,
    };
    const got = failedOutcome(repo, new ImportError("Unauthorized", "denied"));
    expect(got).toEqual({
      kind: "failed",
      tag: REPOSITORY_KEY,
      generation: 2,
      reason: "Unauthorized",
      message: "denied",
    });
  });
});

describe("importedOutcome", () => {
  it("carries the item's generation and fingerprint", () => {
    const image = {
      digest: digest("a"),
      mediaType: "m",
      manifestSize: 1,
      dockerImageReference: "r",
      size: 1,
      layers: [],
    };
    const result: ImportResult = { image, children: [] };
    expect(importedOutcome(item, result)).toEqual({
      kind: "imported",
      tag: "t",
      generation: 4,
      specHash: "h",
      result,
    });
  });
});
