// The image lookup admission webhook: AdmissionReview v1 in, AdmissionReview
// v1 out. Always allowed (lookup only rewrites, it never rejects); the
// rewrites go back as a JSONPatch, problems as warnings kubectl prints.
// Streams are read from the operator's ImageStream cache, so an answer costs
// no API call and every replica can serve it.
import type { ImageStream } from "../api/types.js";
import { type ImageLookupResult, planImageLookup } from "../reconcile/image-lookup.js";
import type { TagImageOptions } from "../reconcile/triggers/tag-image.js";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";

/** What the handler reads streams from (the ImageStream informer's cache satisfies it). */
export interface StreamCache {
  get(namespace: string, name: string): ImageStream | undefined;
}

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: "JSONPatch";
  /** base64 of the JSON patch */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: "AdmissionReview";
  response: AdmissionResponse;
}

/** The body is not an AdmissionReview v1 request: answered with 400. */
export class InvalidReviewError extends Error {}

/** The API server shows at most a few warnings well; more would only repeat the same cause. */
const MAX_WARNINGS = 10;

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function requestOf(review: unknown): Json {
  const body = record(review);
  if (body?.apiVersion !== ADMISSION_API_VERSION || body.kind !== "AdmissionReview") {
    throw new InvalidReviewError(`expected an AdmissionReview of ${ADMISSION_API_VERSION}`);
  }
  const request = record(body.request);
  if (request === undefined || text(request.uid) === "") {
    throw new InvalidReviewError("the AdmissionReview has no request with a uid");
  }
  return request;
}

export function handleImageLookup(
  review: unknown,
  lookup: StreamCache,
  options: TagImageOptions = {},
): AdmissionReviewResponse {
  const request = requestOf(review);
  const kind = record(request.kind);
  const planned = planImageLookup(
    {
      group: text(kind?.group),
      kind: text(kind?.kind),
      namespace: text(request.namespace),
      operation: text(request.operation),
      subResource: text(request.subResource),
      object: request.object,
      oldObject: request.oldObject ?? undefined,
    },
    (namespace, name) => lookup.get(namespace, name),
    options,
  );
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: "AdmissionReview",
    response: responseFor(text(request.uid), planned),
  };
}

function responseFor(uid: string, planned: ImageLookupResult): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: true };
  if (planned.patch.length > 0) {
    response.patchType = "JSONPatch";
    response.patch = Buffer.from(JSON.stringify(planned.patch)).toString("base64");
  }
  if (planned.warnings.length > 0) {
    const shown = planned.warnings.slice(0, MAX_WARNINGS);
    const hidden = planned.warnings.length - shown.length;
    if (hidden > 0) shown.push(`${hidden} more images left unchanged for the same reasons`);
    response.warnings = shown;
  }
  return response;
}
