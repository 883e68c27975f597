// `kubectl imagestream import-image`: write the import request, then wait for
// the operator's answer in status and report each tag. Synchronous, as oc's.
import type { ImageStream } from "../../api/types.js";
import { CliError } from "../errors.js";
import { IMPORT_HELP } from "../help.js";
import type { Io } from "../io.js";
import { openSession, type Session } from "../kube.js";
import { withConflictRetry } from "../streams.js";
import { executeWrite } from "../writes.js";
import { formatImportReport, type TagResult } from "./format.js";
import { readManifests } from "./manifests.js";
import { type ImportOptions, parseImportOptions } from "./options.js";
import { type ImportPlan, planImport } from "./plan.js";
import { isSettled, repositoryImported, statusTagProgress, tagProgress } from "./progress.js";

const POLL_MS = 500;

export async function runImport(args: readonly string[], io: Io): Promise<number> {
  const options = parseImportOptions(args);
  if (options.kind === "help") {
    io.out(IMPORT_HELP);
    return 0;
  }
  const session = openSession(options.global);
  const plan = await requestImport(session, options);
  for (const notice of plan.notices) io.out(notice);
  const deadline = Date.now() + options.timeoutMs;
  const results =
    plan.wait.kind === "tags"
      ? await withManifests(
          session,
          options,
          await waitForTags(session, options, plan.wait.tags, deadline),
        )
      : await waitForRepository(session, options, deadline);
  const report = formatImportReport(options.stream, results, options.timeoutMs);
  for (const line of report.stdout) io.out(line);
  for (const line of report.stderr) io.err(line);
  return report.ok ? 0 : 1;
}

async function requestImport(session: Session, o: ImportOptions): Promise<ImportPlan> {
  return withConflictRetry(async () => {
    const current = await session.streams.get(session.namespace, o.stream);
    const plan = planImport(current, o, session.namespace);
    await executeWrite(session.streams, session.namespace, o.stream, plan.write);
    return plan;
  });
}

async function readStream(session: Session, name: string): Promise<ImageStream> {
  const stream = await session.streams.get(session.namespace, name);
  if (!stream)
    throw new CliError(`image stream "${session.namespace}/${name}" was deleted while waiting`);
  return stream;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_MS));
}

async function waitForTags(
  session: Session,
  o: ImportOptions,
  tags: string[],
  deadline: number,
): Promise<TagResult[]> {
  for (;;) {
    const stream = await readStream(session, o.stream);
    const results = tags.map((tag) => ({ tag, progress: tagProgress(stream, tag) }));
    if (results.every((r) => isSettled(r.progress)) || Date.now() >= deadline) return results;
    await pause();
  }
}

/** The platforms of each tag that kept a manifest list whole (PreserveOriginal), for the seed's block. */
async function withManifests(
  session: Session,
  o: ImportOptions,
  results: TagResult[],
): Promise<TagResult[]> {
  if (results.length === 0) return results;
  const stream = await readStream(session, o.stream);
  return Promise.all(
    results.map(async (r) => {
      const mode = stream.spec?.tags?.find((t) => t.name === r.tag)?.importPolicy?.importMode;
      const digest = r.progress.state === "imported" ? r.progress.event.image : "";
      // Legacy never records a list; a tag without a mode follows the operator's default
      if (mode === "Legacy" || !digest) return r;
      const at = { namespace: session.namespace, stream: o.stream, tag: r.tag, digest };
      const manifests = await readManifests(session.config, at);
      // an unreadable image is worth a line only where a list was asked for
      if ("error" in manifests && mode !== "PreserveOriginal") return r;
      return { ...r, manifests };
    }),
  );
}

async function waitForRepository(
  session: Session,
  o: ImportOptions,
  deadline: number,
): Promise<TagResult[]> {
  for (;;) {
    const stream = await readStream(session, o.stream);
    if (repositoryImported(stream)) return statusTagProgress(stream);
    if (Date.now() >= deadline) {
      throw new CliError(
        `timed out after ${Math.round(o.timeoutMs / 1000)}s waiting for the import of repository ${stream.spec?.dockerImageRepository ?? ""} (see the stream's Events: kubectl get events --field-selector involvedObject.name=${o.stream})`,
      );
    }
    await pause();
  }
}
