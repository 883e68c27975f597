// npm run bench:heap-summary -- FILE.heapsnapshot: where a heap snapshot's
// bytes are, by node type and constructor/name (self sizes, so the rows add
// up to the heap), largest first. Used on the operator's snapshot taken by
// bench/import.ts (ISO_BENCH_HEAPSNAPSHOT=dir) to break its memory down.
//
// npm run bench:heap-summary -- SMALL.heapsnapshot LARGE.heapsnapshot UNITS:
// the growth from the first snapshot to the second, by the same rows, and
// per unit of the difference (e.g. UNITS=1000 for snapshots at 1,000 and
// 2,000 streams: bytes per stream). The fixed cost of the process cancels.
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Row {
  bytes: number;
  count: number;
}

interface Summary {
  rows: Map<string, Row>;
  total: number;
  nodes: number;
}

function summarize(file: string): Summary {
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const rows = new Map<string, Row>();
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
  return { rows, total, nodes: snap.nodes.length / width };
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(1);

function printOne(summary: Summary): void {
  console.log(`heap total ${mib(summary.total)} MiB in ${summary.nodes} nodes`);
  console.log("| type / constructor | MiB | objects |\n|---|---|---|");
  const sorted = [...summary.rows].sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [key, row] of sorted.slice(0, 25)) {
    console.log(`| ${key} | ${mib(row.bytes)} | ${row.count} |`);
  }
}

function printGrowth(small: Summary, large: Summary, units: number): void {
  const growth = large.total - small.total;
  console.log(
    `heap ${mib(small.total)} -> ${mib(large.total)} MiB: +${mib(growth)} MiB, ` +
      `${Math.round(growth / units)} bytes per unit (${units} units)`,
  );
  console.log("| type / constructor | bytes per unit | objects per unit |\n|---|---|---|");
  const keys = new Set([...small.rows.keys(), ...large.rows.keys()]);
  const deltas = [...keys].map((key) => {
    const before = small.rows.get(key) ?? { bytes: 0, count: 0 };
    const after = large.rows.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: after.bytes - before.bytes, count: after.count - before.count };
  });
  deltas.sort((a, b) => Math.abs(b.bytes) - Math.abs(a.bytes));
  for (const d of deltas.slice(0, 25)) {
    console.log(`| ${d.key} | ${Math.round(d.bytes / units)} | ${(d.count / units).toFixed(2)} |`);
  }
}

const [first, second, unitsArg] = process.argv.slice(2);
if (!first) throw new Error("usage: heap-summary FILE.heapsnapshot [LARGER.heapsnapshot UNITS]");
if (second) {
  const units = Number(unitsArg);
  if (!Number.isFinite(units) || units <= 0) throw new Error("UNITS must be a positive number");
  printGrowth(summarize(first), summarize(second), units);
} else {
  printOne(summarize(first));
}
