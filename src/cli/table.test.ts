import { describe, expect, it } from "vitest";
import { formatTable } from "./table.js";

describe("formatTable", () => {
  it("pads every column but the last to its widest cell plus two", () => {
    expect(
      formatTable([
        ["NAME", "TYPE", "VALUE", "AUTO"],
        ["deployments/web", "config", "", "true"],
        ["deployments/web", "image", "app:v1 (web)", "false"],
      ]),
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
      formatTable([
        ["a", ""],
        ["bb", "x"],
      ]),
    ).toBe("a\nbb  x");
  });
});
