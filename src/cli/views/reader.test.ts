import { describe, expect, it } from "vitest";
import { viewsUnavailable } from "./reader.js";

// client-node's ApiException carries the HTTP code and the body as text
const failure = (code: number, body: string) =>
  Object.assign(new Error(`HTTP ${code}`), { code, body });

describe("when the views API does not answer", () => {
  it.each([
    // no APIService: the API server knows no such path and answers plain text
    [
      failure(404, "404 page not found\n"),
      "the image views API (image.imagestream-operator.io/v1) is not installed",
    ],
    // an APIService whose backend is down
    [
      failure(503, "service unavailable\n"),
      "the image views API (APIService v1.image.imagestream-operator.io) is not available (service unavailable)",
    ],
  ])("%s", (error, why) => {
    expect(viewsUnavailable(error)).toBe(why);
  });

  it("answers of the API itself are not a reason to build the view locally", () => {
    const notFound = failure(
      404,
      JSON.stringify({
        kind: "Status",
        reason: "NotFound",
        message: 'imagestreamtags "a:b" not found',
      }),
    );
    expect(viewsUnavailable(notFound)).toBeUndefined();
    expect(
      viewsUnavailable(failure(403, JSON.stringify({ kind: "Status", reason: "Forbidden" }))),
    ).toBeUndefined();
  });
});
