// What `import-image` prints (pure): one line per tag on stdout for what was
// imported (then the platforms of a manifest list kept whole), one `error:`
// line per tag on stderr for what was not.
import { type ManifestsRead, manifestsBlock } from "./manifests.js";
import type { TagProgress } from "./progress.js";

export interface TagResult {
  tag: string;
  progress: TagProgress;
  /** the imported image's platforms, when it was read (PreserveOriginal) */
  manifests?: ManifestsRead;
}

export interface ImportReport {
  stdout: string[];
  stderr: string[];
  ok: boolean;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

function resultLine(
  stream: string,
  r: TagResult,
  timeoutMs: number,
): { out?: string[]; err?: string } {
  const name = `${stream}:${r.tag}`;
  const p = r.progress;
  switch (p.state) {
    case "imported": {
      const image = p.event.image && !p.event.dockerImageReference.endsWith(p.event.image);
      const line = `Tag ${name} imported: ${p.event.dockerImageReference}${image ? ` (${p.event.image})` : ""}`;
      return { out: [line, ...(r.manifests ? manifestsBlock(r.manifests) : [])] };
    }
    case "failed":
      return { err: `error: tag ${name} failed: Import failed (${p.reason}): ${p.message}` };
    case "removed":
      return { err: `error: tag ${name} was removed from the image stream while waiting` };
    case "requested":
      return {
        err: `error: tag ${name}: timed out after ${seconds(timeoutMs)}: the operator did not pick up the request (is the imagestream operator running?)`,
      };
    case "importing":
      return {
        err: `error: tag ${name}: timed out after ${seconds(timeoutMs)} waiting for the import to finish`,
      };
  }
}

export function formatImportReport(
  stream: string,
  results: TagResult[],
  timeoutMs: number,
): ImportReport {
  const report: ImportReport = { stdout: [], stderr: [], ok: true };
  for (const r of results) {
    const line = resultLine(stream, r, timeoutMs);
    if (line.out) report.stdout.push(...line.out);
    if (line.err) {
      report.stderr.push(line.err);
      report.ok = false;
    }
  }
  return report;
}
