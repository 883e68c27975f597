import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageLookupEndpoint } from "./endpoint.js";
import { DIGEST, localStream, podReview } from "./testing.js";

describe("image lookup endpoint on node:http", () => {
  let server: Server;
  let url: string;
  const stream = localStream("team", "app");

  beforeAll(async () => {
    const endpoint = imageLookupEndpoint(
      { get: (ns, name) => (ns === "team" && name === "app" ? stream : undefined) },
      {},
      4096,
    );
    server = createServer((req, res) => void endpoint(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  });
  afterAll(() => server.close());

  const post = (body: string) =>
    fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });

  it("answers an AdmissionReview with one", async () => {
    const res = await post(JSON.stringify(podReview("team", ["app:v1"], "r1")));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const review = (await res.json()) as {
      response: { uid: string; allowed: boolean; patch: string };
    };
    expect(review.response).toMatchObject({ uid: "r1", allowed: true, patchType: "JSONPatch" });
    expect(Buffer.from(review.response.patch, "base64").toString()).toContain(
      `quay.io/org/app@${DIGEST}`,
    );
  });

  it.each([
    ["not JSON", "{", "request body is not JSON"],
    [
      "JSON that is no AdmissionReview",
      '{"kind":"Pod"}',
      "expected an AdmissionReview of admission.k8s.io/v1",
    ],
  ])("answers 400 for %s, without echoing the body", async (_, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(`${message}\n`);
  });

  it("answers 413 past the size limit", async () => {
    const res = await post(JSON.stringify(podReview("team", ["x".repeat(5000)])));
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("request body larger than 4096 bytes\n");
  });

  it("answers 405 to anything but POST", async () => {
    const res = await fetch(url);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
