// The one reading of a failed Kubernetes API call, shared by the controllers
// and the CLI (ADR 0017). A write fails in one of four ways that callers must
// tell apart:
// - conflict: the object changed since we read it. 409, or a 422 whose
//   Status has no field causes and no object name, which is how
//   kube-apiserver (v1.37, checked in kube-errors.test.ts and e2e) answers a
//   JSON patch whose `test` guard failed. Re-read and plan again.
// - invalid: a 422 naming its fields (validation, CEL rules, and a
//   ValidatingAdmissionPolicy denial). Retrying the same write cannot help.
// - rejected: any other 4xx the server chose (admission webhooks, quota,
//   RBAC, a body too large: 413, or the 500 "etcdserver: request is too
//   large" that kube-apiserver v1.37 passes through for an object over
//   etcd's limit). Reported; retried later with backoff, since a policy or a
//   quota can change.
// - transient: 429, 5xx, network. Retried with backoff, only logged.

export type WriteFailure = "conflict" | "notFound" | "invalid" | "rejected" | "transient";

export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** The parts of a metav1.Status a caller may show. */
export interface ApiStatus {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; causes?: StatusCause[] };
}

/** The HTTP status of a client-node ApiException (or undefined for other errors). */
export function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** The Status body of a failed call (client-node hands it over as text or parsed). */
export function apiStatus(error: unknown): ApiStatus | undefined {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === "object" && parsed !== null
        ? (parsed as ApiStatus)
        : { message: body };
    } catch {
      return { message: body };
    }
  }
  return typeof body === "object" && body !== null ? (body as ApiStatus) : undefined;
}

const TOO_LARGE = /request is too large/i;

function hasFieldCauses(status: ApiStatus | undefined): boolean {
  return (status?.details?.causes ?? []).length > 0;
}

export function classifyWriteFailure(error: unknown): WriteFailure {
  const code = httpCode(error);
  if (code === undefined) return "transient";
  if (code === 409) return "conflict";
  if (code === 404) return "notFound";
  if (code === 422) {
    const status = apiStatus(error);
    // a failed `test` op names neither fields nor the object
    if (!hasFieldCauses(status) && !status?.details?.name) return "conflict";
    return "invalid";
  }
  if (code === 500 && TOO_LARGE.test(apiStatus(error)?.message ?? "")) return "rejected";
  if (code === 429 || code >= 500) return "transient";
  return code >= 400 ? "rejected" : "transient";
}

/** A concurrent writer won: read again and re-plan. The only conflict rule. */
export function isConflict(error: unknown): boolean {
  return classifyWriteFailure(error) === "conflict";
}

export function isNotFound(error: unknown): boolean {
  return httpCode(error) === 404;
}

/** The server refused the request itself (validation, admission, quota): report it. */
export function isRefusedRequest(error: unknown): boolean {
  const failure = classifyWriteFailure(error);
  return failure === "invalid" || failure === "rejected";
}

/** "Forbidden (HTTP 403): <the API server's message>", for Events and `why`. */
export function refusalSummary(error: unknown): string {
  const status = apiStatus(error);
  const code = httpCode(error);
  const reason = status?.reason?.trim() || "Refused";
  const message = status?.message?.trim() || "the API server refused the request";
  return `${reason} (HTTP ${code ?? "?"}): ${message}`;
}
