// The image lookup webhook as a node:http request function, to be mounted on
// the operator's HTTPS server: POST an AdmissionReview, get one back. Bad
// input is a 400 (the API server then applies the webhook's failurePolicy);
// nothing from the body is echoed back.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBounded } from "../controllers/bounded-body.js";
import type { TagImageOptions } from "../reconcile/triggers/tag-image.js";
import { handleImageLookup, InvalidReviewError, type StreamCache } from "./image-lookup.js";

export const IMAGE_LOOKUP_PATH = "/admission/image-lookup";

/**
 * A review carries the object and, on UPDATE, the old object: each at most
 * etcd's 1.5 MiB request limit, and JSON-escaped again by the API server.
 */
export const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

export type RequestFunction = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function reply(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...(code >= 400 ? { connection: "close" } : {}),
  });
  res.end(body);
}

function fail(res: ServerResponse, code: number, message: string): void {
  reply(res, code, "text/plain; charset=utf-8", `${message}\n`);
}

export function imageLookupEndpoint(
  lookup: StreamCache,
  options: TagImageOptions = {},
  maxBytes = MAX_REVIEW_BYTES,
): RequestFunction {
  return async (req, res) => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return fail(res, 405, "method not allowed");
    }
    let body: string;
    try {
      body = await readBounded(req, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return fail(res, 413, error.message);
      return fail(res, 400, "request body could not be read");
    }
    let review: unknown;
    try {
      review = JSON.parse(body);
    } catch {
      return fail(res, 400, "request body is not JSON");
    }
    try {
      const answer = handleImageLookup(review, lookup, options);
      reply(res, 200, "application/json", JSON.stringify(answer));
    } catch (error) {
      if (error instanceof InvalidReviewError) return fail(res, 400, error.message);
      throw error;
    }
  };
}
