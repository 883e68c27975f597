// The views API behind a real HTTPS server on loopback. The API server's
// parts (front-proxy authentication, SubjectAccessReview) are stand-ins here:
// test/e2e/image-views.test.ts runs the real ones through the aggregator.
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Image } from "../api/types.js";
import { createLogger } from "../observability/logger.js";
import {
  digest,
  dockerTag,
  event,
  makeStream,
  NOW,
  statusTag,
} from "../reconcile/test-fixtures.js";
import type { ResourceAttributes } from "./authorizer.js";
import { applyPlan, planCertificates } from "./certificates.js";
import { type Authenticator, ServingServer } from "./server.js";
import { parseViewPath, viewsRoute } from "./views-api.js";

const A = digest("a");
const A2 = `sha256:a${"2".repeat(63)}`;
const stream = makeStream({
  name: "app",
  namespace: "team",
  tags: [dockerTag("latest", "quay.io/org/app:latest")],
  status: [statusTag("latest", [event(A, 2), event(A2, 1)])],
});
const image = (d: string): Image => ({
  metadata: { name: d.replace(":", ".") },
  digest: d,
  dockerImageReference: `quay.io/org/app@${d}`,
  config: { os: "linux", architecture: "amd64" },
});

/** stand-in for the front proxy: the user named in a test header */
const byHeader: Authenticator = {
  clientCa: () => undefined,
  authenticate: (req) => {
    const user = req.headers["x-test-user"];
    return typeof user === "string" ? { username: user, groups: [], extra: {} } : { error: "none" };
  },
};

const asked: ResourceAttributes[] = [];
let server: ServingServer;
let port = 0;

beforeAll(async () => {
  const names = { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] };
  const material = applyPlan(planCertificates(undefined, [], NOW), undefined, names, new Date());
  server = new ServingServer({
    addr: { host: "127.0.0.1", port: 0 },
    authenticator: byHeader,
    log: createLogger("silent"),
    routes: [
      viewsRoute({
        streams: {
          get: (ns, name) => (ns === "team" && name === "app" ? stream : undefined),
          list: (ns) => (ns === undefined || ns === "team" ? [stream] : []),
          synced: true,
        },
        readImage: async (d) => image(d),
        // stand-in for the SubjectAccessReview: "alice" may read namespace team
        authorize: async (user, attrs) => {
          asked.push(attrs);
          return { allowed: user.username === "alice" && attrs.namespace === "team" };
        },
        now: () => NOW,
      }),
    ],
  });
  await server.serve(material.serving);
  port = server.address() ?? 0;
});
afterAll(() => server.close());

function get(
  path: string,
  headers: Record<string, string> = { "x-test-user": "alice" },
  method = "GET",
) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method, headers, rejectUnauthorized: false },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const BASE = "/apis/image.imagestream-operator.io/v1";

describe("views API", () => {
  it("parses paths", () => {
    expect(parseViewPath(`${BASE}/namespaces/team/imagestreamtags/app:latest`)).toEqual({
      namespace: "team",
      resource: "imagestreamtags",
      name: "app:latest",
    });
    expect(parseViewPath(`${BASE}/imagestreamimages`)).toEqual({ resource: "imagestreamimages" });
    expect(parseViewPath(BASE)).toBe("discovery");
    expect(parseViewPath(`${BASE}/namespaces/team/pods`)).toBeUndefined();
    expect(parseViewPath(`${BASE}/namespaces/team/imagestreamtags/a/b`)).toBeUndefined();
  });

  it("discovery names both resources with their short names, get and list only", async () => {
    const { status, body } = await get(BASE);
    expect(status).toBe(200);
    expect(body.resources).toEqual([
      expect.objectContaining({
        name: "imagestreamtags",
        shortNames: ["istag"],
        namespaced: true,
        verbs: ["get", "list"],
      }),
      expect.objectContaining({
        name: "imagestreamimages",
        shortNames: ["isimage"],
        kind: "ImageStreamImage",
      }),
    ]);
    expect((await get("/apis/image.imagestream-operator.io")).body.preferredVersion).toEqual({
      groupVersion: "image.imagestream-operator.io/v1",
      version: "v1",
    });
  });

  it("asks the authorizer for exactly the request's attributes", async () => {
    asked.length = 0;
    const { status, body } = await get(`${BASE}/namespaces/team/imagestreamtags/app:latest`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "ImageStreamTag", image: { metadata: { name: A } } });
    expect(asked).toEqual([
      {
        verb: "get",
        group: "image.imagestream-operator.io",
        version: "v1",
        resource: "imagestreamtags",
        namespace: "team",
        name: "app:latest",
      },
    ]);
  });

  it.each([
    ["no front-proxy identity", `${BASE}/namespaces/team/imagestreamtags`, {}, 401, "Unauthorized"],
    ["another namespace", `${BASE}/namespaces/other/imagestreamtags`, undefined, 403, "Forbidden"],
    [
      "another user",
      `${BASE}/namespaces/team/imagestreamtags`,
      { "x-test-user": "bob" },
      403,
      "Forbidden",
    ],
    [
      "a bad istag name",
      `${BASE}/namespaces/team/imagestreamtags/app`,
      undefined,
      400,
      "BadRequest",
    ],
    [
      "an unknown tag",
      `${BASE}/namespaces/team/imagestreamtags/app:nope`,
      undefined,
      404,
      "NotFound",
    ],
    [
      "an ambiguous prefix",
      `${BASE}/namespaces/team/imagestreamimages/app@a`,
      undefined,
      409,
      "Conflict",
    ],
    [
      "a watch",
      `${BASE}/namespaces/team/imagestreamtags?watch=true`,
      undefined,
      405,
      "MethodNotAllowed",
    ],
  ])("%s: %d %s", async (_what, path, headers, code, reason) => {
    const { status, body } = await get(path, headers);
    expect([status, body.kind, body.reason]).toEqual([code, "Status", reason]);
  });

  it("refuses writes", async () => {
    const { status, body } = await get(
      `${BASE}/namespaces/team/imagestreamtags/app:latest`,
      { "x-test-user": "alice" },
      "DELETE",
    );
    expect([status, body.reason]).toEqual([405, "MethodNotAllowed"]);
  });

  it("answers kubectl's Table request with columns", async () => {
    const { body } = await get(`${BASE}/namespaces/team/imagestreamtags`, {
      "x-test-user": "alice",
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    expect(body.kind).toBe("Table");
    expect((body.rows as { cells: unknown[] }[]).map((r) => r.cells[0])).toEqual(["app:latest"]);
  });

  it("lists every image of the history as isimage", async () => {
    const { body } = await get(`${BASE}/namespaces/team/imagestreamimages`);
    expect((body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual([
      `app@${A}`,
      `app@${A2}`,
    ]);
  });

  it("answers its health checks without credentials", async () => {
    expect(
      await new Promise<number>((resolve) => {
        request({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).end();
      }),
    ).toBe(200);
  });
});
