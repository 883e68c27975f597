// npm run bench:cpu-summary -- FILE.cpuprofile [TOP]: where a V8 CPU profile
// (node --cpu-prof, e.g. ISO_BENCH_NODE_OPTIONS=--cpu-prof for bench:import)
// spent its time: self time by function and by package, and inclusive time by
// function (each function counted once per sample, so recursion does not
// double it). The bundled operator keeps its names (hack/bundle.mjs), so the
// function rows read as in the sources; with the source map beside a file
// (dist/main.js.map), each frame is named by its original file and line.
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    const file = url.startsWith("file://") ? `${fileURLToPath(url)}.map` : "";
    sourceMaps.set(
      url,
      file && existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, "utf8"))) : undefined,
    );
  }
  return sourceMaps.get(url);
}

/** Where a frame's code was written: the source map's original file and line, if there is one. */
function origin(node: ProfileNode): { file: string; line: number } {
  const { url, lineNumber, columnNumber } = node.callFrame;
  const entry = sourceMapOf(url)?.findEntry(lineNumber, columnNumber);
  if (entry && "originalSource" in entry) {
    return { file: entry.originalSource, line: entry.originalLine + 1 };
  }
  return { file: url, line: lineNumber + 1 };
}

/** "name (file:line)", short enough to read in a table. */
function frameName(node: ProfileNode): string {
  const { file, line } = origin(node);
  const short = file.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "");
  return `${node.callFrame.functionName || "(anonymous)"} (${short.split("/").slice(-2).join("/")}:${line})`;
}

/** The package or area a frame belongs to: a node_modules package, node's own code, or the file. */
function areaOf(node: ProfileNode): string {
  const { functionName } = node.callFrame;
  const url = origin(node).file;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module?.[1]) return module[1];
  if (url.startsWith("node:")) return url;
  return url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/src\//, "src/")
    .replace(/\/[^/]+$/, "");
}

function parents(profile: Profile): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  return parentOf;
}

function add(into: Map<string, number>, key: string, microseconds: number): void {
  into.set(key, (into.get(key) ?? 0) + microseconds);
}

function printTop(title: string, rows: Map<string, number>, totalUs: number, top: number): void {
  console.log(`\n${title}`);
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of sorted) {
    console.log(
      `${(us / 1e6).toFixed(2).padStart(9)} s ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${key}`,
    );
  }
}

function summarise(profile: Profile, top: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = parents(profile);
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    totalUs += us;
    add(self, frameName(node), us);
    add(area, areaOf(node), us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = frameName(byId.get(at) as ProfileNode);
      if (!seen.has(name)) add(inclusive, name, us);
      seen.add(name);
    }
  });
  const idleUs = self.get("(idle) (:0)") ?? 0;
  console.log(
    `profile: ${(totalUs / 1e6).toFixed(1)} s, of which idle ${(idleUs / 1e6).toFixed(1)} s`,
  );
  printTop("self time by area", area, totalUs, top);
  printTop("self time by function", self, totalUs, top);
  printTop("inclusive time by function", inclusive, totalUs, top);
}

const [file, top = "25"] = process.argv.slice(2);
if (!file) {
  console.error("usage: bench:cpu-summary FILE.cpuprofile [TOP]");
  process.exit(2);
}
summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top));
