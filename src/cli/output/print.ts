// `-o` as kubectl reads it, for the objects of the image views: the table
// (the server's columns, from src/reconcile/view-tables.ts; `wide` adds the
// priority-1 ones), json, yaml, name and jsonpath=TEMPLATE. Pure: objects in,
// text out.
import { dumpYaml } from "@kubernetes/client-node";
import type { Table } from "../../reconcile/view-tables.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../table.js";
import { executeTemplate, JsonPathError } from "./jsonpath.js";

export type OutputFormat =
  | { kind: "table"; wide: boolean }
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "name" }
  | { kind: "jsonpath"; template: string };

export function parseOutput(given: string | undefined, command: string): OutputFormat {
  // `-o=json`: parseArgs keeps the `=` of a short option's inline value
  const value = given?.startsWith("=") ? given.slice(1) : given;
  if (value === undefined || value === "") return { kind: "table", wide: false };
  if (value === "wide") return { kind: "table", wide: true };
  if (value === "json" || value === "yaml" || value === "name") return { kind: value };
  const jsonpath = /^jsonpath=(.*)$/s.exec(value);
  if (jsonpath) return { kind: "jsonpath", template: jsonpath[1] ?? "" };
  throw new UsageError(
    `unable to match a printer suitable for the output format "${value}", allowed formats are: json, jsonpath, name, wide, yaml`,
    command,
  );
}

export interface Printable {
  /** the objects, as the API serves them */
  objects: readonly object[];
  /** one object was asked for by name (not a list) */
  single: boolean;
  /** the table the server would send for them */
  table: Table;
  /** `imagestreamtag.image.imagestream-operator.io` for -o name */
  resource: string;
}

function asList(objects: readonly object[]): object {
  return { apiVersion: "v1", kind: "List", items: objects, metadata: { resourceVersion: "" } };
}

function tableText(table: Table, wide: boolean): string {
  const shown = table.columnDefinitions
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => wide || c.priority === 0);
  return formatTable(
    shown.map(({ c }) => c.name),
    table.rows.map((r) => shown.map(({ i }) => String(r.cells[i] ?? ""))),
  );
}

/** What `kubectl get` prints; "" for an empty table (the caller says "No resources found"). */
export function formatObjects(p: Printable, format: OutputFormat): string {
  const subject = p.single && p.objects.length === 1 ? (p.objects[0] as object) : asList(p.objects);
  switch (format.kind) {
    case "table":
      return p.table.rows.length === 0 ? "" : tableText(p.table, format.wide);
    case "json":
      return JSON.stringify(subject, null, 4);
    case "yaml":
      return dumpYaml(subject).trimEnd();
    case "name":
      return p.objects
        .map((o) => `${p.resource}/${(o as { metadata?: { name?: string } }).metadata?.name ?? ""}`)
        .join("\n");
    case "jsonpath":
      try {
        return executeTemplate(format.template, subject);
      } catch (error) {
        if (error instanceof JsonPathError)
          throw new UsageError(`error parsing jsonpath ${format.template}, ${error.message}`);
        throw error;
      }
  }
}
