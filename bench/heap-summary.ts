// npm run bench:heap-summary -- FILE.heapsnapshot: where a heap snapshot's
// bytes are, by node type and constructor/name (self sizes, so the rows add
// up to the heap), largest first. Used on the operator's snapshot taken by
// bench/import.ts (ISO_BENCH_HEAPSNAPSHOT=dir) to break its memory down.
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const file = process.argv[2];
if (!file) throw new Error("usage: heap-summary FILE.heapsnapshot");
const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const width = fields.length;
const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
const rows = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + (typeAt ?? 0)] ?? 0] ?? "?";
  const raw = snap.strings[snap.nodes[i + (nameAt ?? 1)] ?? 0] ?? "";
  // strings and code are grouped by type: their names are their contents
  const name = type === "object" || type === "closure" ? raw.slice(0, 60) : "";
  const key = `${type} ${name}`.trim();
  const size = snap.nodes[i + (sizeAt ?? 3)] ?? 0;
  const row = rows.get(key) ?? { bytes: 0, count: 0 };
  row.bytes += size;
  row.count++;
  rows.set(key, row);
  total += size;
}
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`heap total ${mib(total)} MiB in ${snap.nodes.length / width} nodes`);
console.log("| type / constructor | MiB | objects |\n|---|---|---|");
for (const [key, row] of [...rows].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25)) {
  console.log(`| ${key} | ${mib(row.bytes)} | ${row.count} |`);
}
