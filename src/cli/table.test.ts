import { describe, expect, it } from "vitest";
import { formatRows, formatTable, OC_GAP } from "./table.js";

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

describe("formatRows with oc's gap", () => {
  it("pads every column but the last to its widest cell plus two", () => {
    expect(
      formatRows(
        [
          ["NAME", "TYPE", "VALUE", "AUTO"],
          ["deployments/web", "config", "", "true"],
          ["deployments/web", "image", "app:v1 (web)", "false"],
        ],
        OC_GAP,
      ),
    ).toBe(
      [
        "NAME             TYPE    VALUE         AUTO",
        "deployments/web  config                true",
        "deployments/web  image   app:v1 (web)  false",
      ].join("\n"),
    );
  });

  it("trims what an empty last cell would leave", () => {
    expect(
      formatRows(
        [
          ["a", ""],
          ["bb", "x"],
        ],
        OC_GAP,
      ),
    ).toBe("a\nbb  x");
  });
});
