import { describe, expect, it } from "vitest";
import { formatTable } from "./table.js";

describe("formatTable", () => {
  it("aligns columns as kubectl does: upper-case headers, 3 spaces apart, no trailing spaces", () => {
    expect(
      formatTable(
        ["Name", "local"],
        [
          ["app", "true"],
          ["a-longer-name", ""],
        ],
      ),
    ).toBe(["NAME            LOCAL", "app             true", "a-longer-name"].join("\n"));
  });
});
