import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ANN_LAST_APPLIED_IMAGES,
  APPLIED_LABEL_PREFIX,
  appliedImageHash,
  readAppliedLabels,
  readLastApplied,
  serializeLastApplied,
} from "./last-applied.js";
import { WEB_PATH, workload } from "./testdata.js";

function withRecord(raw: string | undefined) {
  const annotations: Record<string, string> =
    raw === undefined ? {} : { [ANN_LAST_APPLIED_IMAGES]: raw };
  return workload("Deployment", { web: "quay.io/shop/web:1" }, { annotations });
}

describe("readLastApplied", () => {
  it("reads an absent annotation as an empty record", () => {
    expect(readLastApplied(withRecord(undefined))).toEqual({ record: {}, raw: undefined });
  });

  it("reads what serializeLastApplied wrote", () => {
    const record = { [WEB_PATH]: "quay.io/shop/web@sha256:aa" };
    const raw = serializeLastApplied(record);
    expect(readLastApplied(withRecord(raw))).toEqual({ record, raw });
  });

  it.each([
    ["{", "is not valid JSON"],
    ['["x"]', "is not a JSON object"],
    ["null", "is not a JSON object"],
    ['{"a": 1}', "has values that are not strings"],
  ])("treats %j as empty and says why", (raw, what) => {
    const result = readLastApplied(withRecord(raw));
    expect(result.record).toEqual({});
    expect(result.raw).toBe(raw);
    expect(result.problem?.reason).toBe("InvalidLastApplied");
    expect(result.problem?.message).toMatch(
      new RegExp(`^annotation imagestream-operator.io/last-applied-images ${what}; `),
    );
  });
});

describe("serializeLastApplied", () => {
  it("sorts keys so that equal records give equal text", () => {
    expect(serializeLastApplied({ b: "2", a: "1" })).toBe('{"a":"1","b":"2"}');
    expect(serializeLastApplied({ a: "1", b: "2" })).toBe(serializeLastApplied({ b: "2", a: "1" }));
  });
});

describe("applied-image labels", () => {
  const image = `127.0.0.1:5000/shop/web@sha256:${"ab".repeat(32)}`;

  it("hashes an image into a valid label value: 40 hex digits of its sha256", () => {
    const hash = appliedImageHash(image);
    expect(hash).toBe(createHash("sha256").update(image).digest("hex").slice(0, 40));
    expect(hash).toMatch(/^[a-f0-9]{40}$/); // label values: at most 63, alphanumeric ends
    expect(appliedImageHash(`${image} `)).not.toBe(hash);
  });

  it("reads the labels with our prefix, by container name", () => {
    const object = workload(
      "Deployment",
      { web: "x" },
      {
        labels: {
          app: "web",
          [`${APPLIED_LABEL_PREFIX}web`]: "aa",
          [`${APPLIED_LABEL_PREFIX}init`]: "bb",
        },
      },
    );
    expect(readAppliedLabels(object)).toEqual({ web: "aa", init: "bb" });
    expect(readAppliedLabels(workload("Deployment", { web: "x" }))).toEqual({});
  });
});
