import { describe, expect, it } from "vitest";
import { BoundedLabel, OTHER } from "./bounded-label.js";

describe("BoundedLabel", () => {
  it("keeps the first values seen and folds later ones into other", () => {
    const label = new BoundedLabel(2);
    expect(["a", "b", "c", "a", "d", "b"].map((v) => label.of(v))).toEqual([
      "a",
      "b",
      OTHER,
      "a",
      OTHER,
      "b",
    ]);
  });
});
