// The operator's own counters, read from its /metrics, for bench/import.ts:
// registry requests by method, API writes by resource and verb, tag imports
// (every registry check of a tag counts as one, changed or not), CPU and RSS.
// Events are not among the operator's write counters, so they are counted
// from the API (events.k8s.io, the bench namespace).

import { eventsApi } from "../test/e2e/imports-support.js";
import type { RunningOperator } from "../test/e2e/support/operator.js";

export interface Counters {
  /** registry requests by method (HEAD, GET) */
  requests: Record<string, number>;
  /** API writes by "resource verb" */
  writes: Record<string, number>;
  /** tag imports, successful or not */
  imports: number;
  failedImports: number;
  reconciles: number;
  cpuSeconds: number;
  rssMiB: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes) */
  heapMiB: number;
  /** V8 heap committed (nodejs_heap_size_total_bytes): what it has grown and kept */
  heapTotalMiB: number;
  /** memory V8 objects hold outside the heap: Buffers, sockets (nodejs_external_memory_bytes) */
  externalMiB: number;
  /** Events about the namespace's objects, repeats included */
  events: number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLine(line: string): Sample | undefined {
  const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!match) return undefined;
  const labels: Record<string, string> = {};
  for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
    labels[key ?? ""] = value ?? "";
  }
  return { name: match[1] ?? "", labels, value: Number(match[3]) };
}

async function samples(operator: RunningOperator): Promise<Sample[]> {
  const text = await (await fetch(operator.metricsUrl)).text();
  return text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .flatMap((line) => parseLine(line) ?? []);
}

function sumBy(all: Sample[], name: string, key: (s: Sample) => string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of all.filter((x) => x.name === name)) sums[key(s)] = (sums[key(s)] ?? 0) + s.value;
  return sums;
}

function sumOf(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  const matches = (s: Sample) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return all.filter((s) => s.name === name && matches(s)).reduce((n, s) => n + s.value, 0);
}

export async function eventCount(namespace: string): Promise<number> {
  const list = await eventsApi.listNamespacedEvent({ namespace });
  return list.items.reduce((n, e) => n + (e.series?.count ?? 1), 0);
}

export async function readCounters(
  operator: RunningOperator,
  namespace: string,
): Promise<Counters> {
  const all = await samples(operator);
  return {
    requests: sumBy(all, "imagestream_registry_requests_total", (s) => s.labels.method ?? "?"),
    writes: sumBy(
      all,
      "imagestream_api_writes_total",
      (s) => `${s.labels.resource} ${s.labels.verb}`,
    ),
    imports: sumOf(all, "imagestream_imports_total"),
    failedImports: sumOf(all, "imagestream_imports_total", { result: "failure" }),
    reconciles: sumOf(all, "controller_runtime_reconcile_total", { controller: "imagestream" }),
    cpuSeconds: sumOf(all, "process_cpu_seconds_total"),
    rssMiB: sumOf(all, "process_resident_memory_bytes") / 1024 / 1024,
    heapMiB: sumOf(all, "nodejs_heap_size_used_bytes") / 1024 / 1024,
    heapTotalMiB: sumOf(all, "nodejs_heap_size_total_bytes") / 1024 / 1024,
    externalMiB: sumOf(all, "nodejs_external_memory_bytes") / 1024 / 1024,
    events: await eventCount(namespace),
  };
}

/** The imports counter alone: cheap enough to poll while the operator works. */
export async function importsDone(operator: RunningOperator): Promise<number> {
  return sumOf(await samples(operator), "imagestream_imports_total");
}

function minus(b: Record<string, number>, a: Record<string, number>): Record<string, number> {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...keys].map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

/** What happened between two readings; rssMiB is the later reading's. */
export function delta(a: Counters, b: Counters): Counters {
  return {
    requests: minus(b.requests, a.requests),
    writes: minus(b.writes, a.writes),
    imports: b.imports - a.imports,
    failedImports: b.failedImports - a.failedImports,
    reconciles: b.reconciles - a.reconciles,
    cpuSeconds: b.cpuSeconds - a.cpuSeconds,
    rssMiB: b.rssMiB,
    heapMiB: b.heapMiB,
    heapTotalMiB: b.heapTotalMiB,
    externalMiB: b.externalMiB,
    events: b.events - a.events,
  };
}

export function total(byKey: Record<string, number>): number {
  return Object.values(byKey).reduce((n, v) => n + v, 0);
}

/** "2.00 (HEAD 1.00, GET 1.00)": the total and each non-zero part, divided by per. */
export function perUnit(byKey: Record<string, number>, per: number): string {
  const f = (v: number) => (per > 0 ? v / per : Number.NaN).toFixed(2);
  const parts = Object.entries(byKey)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${f(v)}`);
  return parts.length > 0 ? `${f(total(byKey))} (${parts.join(", ")})` : f(0);
}
