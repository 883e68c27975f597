// Errors a command reports to the user: one line on stderr, exit code 1.
// API failures are translated into what the user can act on (which stream is
// missing, whether they are logged in) instead of client-node's HTTP dump.
// Reading the API server's Status is src/controllers/kube-errors.ts's job,
// shared with the controllers (one conflict rule).
import { apiStatus, httpCode } from "../controllers/kube-errors.js";

export { httpCode, isConflict, isNotFound } from "../controllers/kube-errors.js";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A mistake in the command line: the message is followed by a pointer to --help. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** The API server's own message for a failed request, when it sent one. */
export function serverMessage(error: unknown): string | undefined {
  const message = apiStatus(error)?.message;
  return message?.trim() ? message.trim() : undefined;
}

/**
 * A 404 without a Status naming the object means the resource type itself is
 * unknown: the CRDs are not installed.
 */
export function isMissingApi(error: unknown): boolean {
  return httpCode(error) === 404 && apiStatus(error)?.kind !== "Status";
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"]);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Any failure of an API call, as one line the user can act on. */
export function describeApiError(error: unknown, server: string): CliError {
  if (error instanceof CliError) return error;
  const code = httpCode(error);
  if (code === 401) {
    return new CliError("You must be logged in to the server (Unauthorized)");
  }
  if (code === 403) {
    return new CliError(`forbidden: ${serverMessage(error) ?? "the server refused the request"}`);
  }
  if (isMissingApi(error)) {
    return new CliError(
      `the server ${server} does not serve image.openshift.io/v1 ImageStreams: install the CRDs (kubectl apply -f config/crd/)`,
    );
  }
  if (code !== undefined) {
    return new CliError(serverMessage(error) ?? `the server answered HTTP ${code}`);
  }
  const network = networkCode(error);
  if (network) {
    return new CliError(
      `cannot reach the Kubernetes API server at ${server} (${network}): check KUBECONFIG or --kubeconfig`,
    );
  }
  const cause = (error as { cause?: unknown })?.cause;
  if (error instanceof Error && error.message === "fetch failed" && cause instanceof Error) {
    // TLS and other transport failures: fetch hides them in `cause`
    return new CliError(`cannot talk to the Kubernetes API server at ${server}: ${cause.message}`);
  }
  return new CliError(error instanceof Error ? error.message : String(error));
}
