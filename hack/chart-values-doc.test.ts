// The chart README's values table is what hack/chart-values-doc.ts makes of
// values.yaml today, and the generator reads comments and keys as documented.
import { describe, expect, it } from "vitest";
import { currentReadme, valueDocs, valuesTable } from "./chart-values-doc.ts";

describe("chart values table", () => {
  it("is current (run hack/node hack/chart-values-doc.ts after changing values.yaml)", () => {
    const { text, wanted } = currentReadme();
    expect(text).toBe(wanted);
  });

  it("takes the comment lines above a key and its trailing comment; a blank line ends a comment", () => {
    const docs = valueDocs(
      [
        "# dropped: a blank line follows",
        "",
        "# the image",
        "image:",
        "  # where from",
        '  repository: "x#y" # not a comment inside quotes; this is',
        "  tag: ''",
        "list:",
        "  - { a: 1 }",
      ].join("\n"),
    );
    expect(docs).toEqual([
      { path: ["image"], description: "the image", leaf: false },
      {
        path: ["image", "repository"],
        description: "where from not a comment inside quotes; this is",
        leaf: true,
      },
      { path: ["image", "tag"], description: "", leaf: true },
      { path: ["list"], description: "", leaf: true },
    ]);
  });

  it("refuses a key the schema lacks and a schema property values.yaml lacks", () => {
    const schema = {
      properties: { a: { type: "integer" }, b: { type: "string" } },
    };
    expect(() => valuesTable("a: 1\nc: 2\n", schema)).toThrow(
      /values.schema.json has no c\nvalues.yaml has no b/,
    );
    expect(valuesTable("a: 1 # one\nb: x\n", schema)).toBe(
      [
        "| Key | Type | Default | Description |",
        "| --- | --- | --- | --- |",
        "| `a` | integer | `1` | one |",
        '| `b` | string | `"x"` |  |',
      ].join("\n"),
    );
  });
});
