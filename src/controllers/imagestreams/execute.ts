// Performs a plan's work items: registry calls for DockerImage tags and bulk
// repository imports, cache lookups for ImageStreamTag/ImageStreamImage
// sources. Every failure becomes an Outcome (a condition on the tag), never an
// exception: one bad tag must not stop the others.
import PQueue from "p-queue";
import type { ImageStream } from "../../api/types.js";
import { imageObjectName } from "../../api/types.js";
import type { Logger } from "../../observability/logger.js";
import { errorSummary } from "../../observability/logger.js";
import { planRepositoryImports } from "../../reconcile/bulk.js";
import { failedOutcome, importedOutcome, unchangedOutcome } from "../../reconcile/outcomes.js";
import { resolveLocally, type StreamLookup } from "../../reconcile/sources.js";
import type { DockerWork, Outcome, RepositoryWork, WorkItem } from "../../reconcile/types.js";
import { parseImageReference } from "../../registry/reference.js";
import {
  answeredDigest,
  type DockerCredential,
  type RegistryClient,
} from "../../registry/types.js";

export interface ExecuteDeps {
  registry: RegistryClient;
  /** whether the Image object exists (informer cache); an unchanged re-check relies on it */
  imageExists: (name: string) => boolean;
  credentialsFor: (namespace: string, reference: string) => DockerCredential[];
  /** which pull secrets were tried and why each was unusable, for an Unauthorized failure */
  explainCredentials?: (namespace: string, reference: string) => string | undefined;
  lookup: StreamLookup;
  log: Logger;
  bulkImportLimit: number;
  /** registry calls in flight per stream (bulk imports have many tags) */
  perStreamConcurrency?: number;
  onImport?: (result: "success" | "failure", reason: string) => void;
}

/** What a push-caused check (cause "recheck") found: the registry's digest, and whether the tag moved. */
export interface PushCheck {
  tag: string;
  /** the digest the registry answered for the tag (a list's own, for a list) */
  digest: string;
  /** the check imported a digest the status did not record */
  moved: boolean;
}

export interface Execution {
  outcomes: Outcome[];
  /** one per recheck item that reached the registry and got an answer */
  pushChecks: PushCheck[];
  /** set when a bulk import listed the repository */
  additionalTags?: string[];
  registryCalls: number;
}

export async function executePlan(
  stream: ImageStream,
  items: readonly WorkItem[],
  deps: ExecuteDeps,
): Promise<Execution> {
  const outcomes: Outcome[] = [];
  const docker: DockerWork[] = [];
  let additionalTags: string[] | undefined;
  let registryCalls = 0;
  for (const item of items) {
    if (item.kind === "docker") docker.push(item);
    else if (item.kind === "repository") {
      registryCalls++;
      const listed = await listRepository(stream, item, deps);
      if ("failed" in listed) outcomes.push(listed.failed);
      else {
        docker.push(...listed.items);
        additionalTags = listed.additionalTags;
      }
    } else {
      const outcome = resolveLocally(stream, item, deps.lookup);
      if (outcome) outcomes.push(outcome);
    }
  }
  const pool = new PQueue({ concurrency: deps.perStreamConcurrency ?? 4 });
  const imported = await Promise.all(
    docker.map((item) => pool.add(() => importOne(stream, item, deps))),
  );
  registryCalls += docker.length;
  const pushChecks: PushCheck[] = [];
  for (const done of imported) {
    if (!done) continue;
    outcomes.push(done.outcome);
    if (done.check) pushChecks.push(done.check);
  }
  return { outcomes, pushChecks, additionalTags, registryCalls };
}

async function importOne(
  stream: ImageStream,
  item: DockerWork,
  deps: ExecuteDeps,
): Promise<{ outcome: Outcome; check?: PushCheck }> {
  const namespace = stream.metadata.namespace ?? "";
  const pushed = item.cause === "recheck";
  try {
    const credentials = deps.credentialsFor(namespace, item.request.reference);
    const request = { ...item.request, credentials };
    const recorded = item.recorded;
    // An Image object gone (collected, deleted by hand) is re-created from a full import.
    if (recorded && deps.imageExists(imageObjectName(recorded.image))) {
      const result = await deps.registry.recheck({
        ...request,
        recorded: recorded.digests,
        // a push says the tag moved: one GET answers the check and starts the import
        ...(pushed ? { expectChange: true } : {}),
      });
      deps.onImport?.("success", "");
      const moved = !("unchanged" in result);
      return {
        outcome: moved ? importedOutcome(item, result) : unchangedOutcome(item, recorded),
        ...(pushed ? { check: { tag: item.tag, digest: answeredDigest(result), moved } } : {}),
      };
    }
    const result = await deps.registry.importImage(request);
    deps.onImport?.("success", "");
    const check = { tag: item.tag, digest: answeredDigest(result), moved: true };
    return { outcome: importedOutcome(item, result), ...(pushed ? { check } : {}) };
  } catch (err) {
    const outcome = withCredentialReport(failedOutcome(item, err), namespace, item, deps);
    deps.onImport?.("failure", outcome.reason);
    if (outcome.reason === "InternalError") {
      deps.log.warn({ tag: item.tag, err: errorSummary(err) }, "import failed");
    }
    return { outcome };
  }
}

async function listRepository(
  stream: ImageStream,
  item: RepositoryWork,
  deps: ExecuteDeps,
): Promise<ReturnType<typeof planRepositoryImports> | { failed: Outcome }> {
  const namespace = stream.metadata.namespace ?? "";
  try {
    const credentials = deps.credentialsFor(namespace, item.request.reference);
    const tags = await deps.registry.listTags({ ...item.request, credentials });
    return planRepositoryImports(item, stream, tags, deps.bulkImportLimit);
  } catch (err) {
    return { failed: withCredentialReport(failedOutcome(item, err), namespace, item, deps) };
  }
}

/** An Unauthorized failure says which pull secrets were tried and why each did not help. */
function withCredentialReport<T extends { reason: string; message: string }>(
  outcome: T,
  namespace: string,
  item: DockerWork | RepositoryWork,
  deps: Pick<ExecuteDeps, "explainCredentials">,
): T {
  if (outcome.reason !== "Unauthorized" || !deps.explainCredentials) return outcome;
  const report = deps.explainCredentials(namespace, item.request.reference);
  return report ? { ...outcome, message: `${outcome.message}; pull secrets: ${report}` } : outcome;
}

/** Credentials for a reference from a namespace's keyring; none for unparsable references (the import reports them). */
export function credentialLookup(
  keyringFor: (namespace: string) => {
    lookup: (r: { registry: string; repository: string }) => DockerCredential[];
  },
): (namespace: string, reference: string) => DockerCredential[] {
  return (namespace, reference) => {
    try {
      return keyringFor(namespace).lookup(parseImageReference(reference));
    } catch {
      return [];
    }
  };
}

/** The keyring's account of the secrets it holds for a reference (names and reasons only). */
export function credentialExplanation(
  keyringFor: (namespace: string) => {
    explain: (r: { registry: string; repository: string }) => string;
  },
): (namespace: string, reference: string) => string | undefined {
  return (namespace, reference) => {
    try {
      return keyringFor(namespace).explain(parseImageReference(reference));
    } catch {
      return undefined;
    }
  };
}
