// What a real registry will not do, each ending in the right ImportError.

import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpRegistryClient } from "./client.js";
import { FakeRegistry, sha256 } from "./testing/fake-registry.js";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** A loopback port nothing listens on: bound once for a number, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function manifestRoute(repo: string, answer: Parameters<FakeRegistry["use"]>[0]): void {
  h.fake.use((req, res, url) =>
    url.pathname.startsWith(`/v2/${repo}/manifests/`) ? answer(req, res, url) : false,
  );
}

describe("content integrity", () => {
  it("rejects a manifest whose bytes do not match the digest the registry announced", async () => {
    const real = h.fake.addImage("app", "v1");
    manifestRoute("app", (req, res) => {
      res.writeHead(200, { "docker-content-digest": real.digest, "content-type": DOCKER_V2 });
      res.end(
        req.method === "HEAD" ? undefined : JSON.stringify({ schemaVersion: 2, tampered: true }),
      );
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("ContentIntegrity");
    expect(error.message).toMatch(/^content integrity error/);
  });

  it("rejects content fetched by digest that hashes differently", async () => {
    const wanted = sha256("something else");
    manifestRoute("app", (_req, res) => {
      res.writeHead(200, { "content-type": DOCKER_V2 }).end('{"schemaVersion":2}');
      return true;
    });
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/app@${wanted}`)),
    );
    expect(error.reason).toBe("ContentIntegrity");
  });

  it("rejects a config blob that does not match its digest", async () => {
    const real = h.fake.addImage("app", "v1");
    h.fake.use((_req, res, url) => {
      if (url.pathname !== `/v2/app/blobs/${real.configDigest}`) return false;
      res.writeHead(200).end('{"architecture":"evil"}');
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("ContentIntegrity");
  });
});

describe("limits", () => {
  it("aborts an oversized manifest announced by Content-Length", async () => {
    const client = new HttpRegistryClient({ maxManifestBytes: 1024 });
    manifestRoute("big", (req, res) => {
      res.writeHead(200, { "content-type": DOCKER_V2, "content-length": 4096 });
      res.end(req.method === "HEAD" ? undefined : "x".repeat(4096));
      return true;
    });
    const error = await importErrorOf(client.importImage(request(`${h.fake.host}/big:v1`)));
    client.close();
    expect(error.reason).toBe("TooLarge");
  });

  it("aborts an oversized streamed manifest once over the limit", async () => {
    const client = new HttpRegistryClient({ maxManifestBytes: 1024 });
    let written = 0;
    manifestRoute("stream", (req, res) => {
      res.writeHead(200, { "content-type": DOCKER_V2 });
      if (req.method === "HEAD") return Boolean(res.end());
      const timer = setInterval(() => {
        written += 512;
        res.write("y".repeat(512));
      }, 5);
      res.on("close", () => clearInterval(timer));
      return true;
    });
    const error = await importErrorOf(client.importImage(request(`${h.fake.host}/stream:v1`)));
    client.close();
    expect(error.reason).toBe("TooLarge");
    expect(written).toBeLessThan(64 * 1024);
  });

  it("times out on a body that never ends", async () => {
    const client = new HttpRegistryClient({ requestTimeoutMs: 300 });
    manifestRoute("endless", (req, res) => {
      res.writeHead(200, { "content-type": DOCKER_V2 });
      if (req.method === "HEAD") return Boolean(res.end());
      const timer = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(timer));
      return true;
    });
    const started = Date.now();
    const error = await importErrorOf(client.importImage(request(`${h.fake.host}/endless:v1`)));
    client.close();
    expect(error.reason).toBe("Timeout");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("registry answers", () => {
  it("is Unauthorized, without looping, when the registry refuses every credential", async () => {
    h.fake.auth = { kind: "basic", username: "u", password: "right" };
    const error = await importErrorOf(
      h.client.importImage(
        request(`${h.fake.host}/app:v1`, { credentials: [{ username: "u", password: "wrong" }] }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toBe(
      `you may not have access to the container image "${h.fake.host}/app:v1"`,
    );
    expect(error.message).not.toContain("wrong");
    expect(error.message).not.toContain("secret-body");
    // per candidate (the credential, then anonymous): at most the request and one retry
    expect(
      h.fake.requests.filter((r) => r.path.includes("/manifests/")).length,
    ).toBeLessThanOrEqual(4);
  });

  it.each([
    ["seconds", "30", 30],
    ["an HTTP date", new Date(Date.now() + 120_000).toUTCString(), 120],
  ])("reports 429 as RateLimited with Retry-After in %s", async (_name, retryAfter, expected) => {
    manifestRoute("busy", (_req, res) => {
      res
        .writeHead(429, { "retry-after": retryAfter })
        .end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/busy:v1`)));
    expect(error.reason).toBe("RateLimited");
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(expected - 2);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(expected);
  });

  it("reports a connection dropped mid-import as InternalError", async () => {
    manifestRoute("reset", (req) => Boolean(req.socket.destroy()));
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/reset:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toBe(
      `registry ${h.fake.host} closed the connection before answering (ECONNRESET)`,
    );
  });

  it("says plainly that a registry refused the connection (nothing listening)", async () => {
    const port = await closedPort();
    const error = await importErrorOf(h.client.importImage(request(`127.0.0.1:${port}/app:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toBe(
      `registry 127.0.0.1:${port} refused the connection: nothing is listening there (ECONNREFUSED)`,
    );
  });

  it("reports 5xx as InternalError without the body", async () => {
    manifestRoute("broken", (_req, res) => {
      res.writeHead(503, { "retry-after": "5" }).end("stack trace with password=hunter2");
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/broken:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.message).not.toContain("hunter2");
  });

  it("reports malformed JSON as a short InternalError", async () => {
    const body = "{not json at all";
    manifestRoute("garbled", (_req, res) => {
      res.writeHead(200, { "content-type": DOCKER_V2, "docker-content-digest": sha256(body) });
      res.end(body);
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/garbled:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toBe(`registry ${h.fake.host} returned a malformed manifest`);
  });

  it("reports schema1 manifests as Unsupported", async () => {
    const body = JSON.stringify({ schemaVersion: 1, name: "old", tag: "v1", fsLayers: [] });
    manifestRoute("old", (_req, res) => {
      res.writeHead(200, {
        "content-type": "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "docker-content-digest": sha256(body),
      });
      res.end(body);
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/old:v1`)));
    expect(error.reason).toBe("Unsupported");
    expect(error.message).toContain("schema 1");
  });

  it("requires the insecure flag for a plain-HTTP registry", async () => {
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/app:v1`, { insecure: false })),
    );
    expect(error.reason).toBe("InsecureRequired");
    expect(error.message).toBe(
      `the repository ${h.fake.host}/app is HTTP only and requires the insecure flag to import`,
    );
  });
});

describe("redirects", () => {
  it("reports a redirect loop as InternalError", async () => {
    const pushed = h.fake.addImage("app", "v1");
    h.fake.use((_req, res, url) => {
      if (!url.pathname.startsWith("/v2/app/blobs/") && !url.pathname.startsWith("/loop"))
        return false;
      const next = url.pathname === "/loop/a" ? "/loop/b" : "/loop/a";
      res.writeHead(307, { location: next }).end();
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toContain("redirect loop");
    expect(pushed.digest).toMatch(/^sha256:/);
  });

  it("stops after the redirect bound", async () => {
    h.fake.addImage("app", "v1");
    h.fake.use((_req, res, url) => {
      if (!url.pathname.startsWith("/v2/app/blobs/") && !url.pathname.startsWith("/hop"))
        return false;
      const hop = Number(url.pathname.split("/")[2] ?? "0") + 1;
      res.writeHead(302, { location: `/hop/${Number.isNaN(hop) ? 1 : hop}` }).end();
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toContain("too many");
    expect(h.fake.requests.filter((r) => r.path.startsWith("/hop")).length).toBe(5);
  });

  it("follows a blob redirect to another host without the Authorization header", async () => {
    const storage = await FakeRegistry.start();
    try {
      h.fake.auth = { kind: "basic", username: "u", password: "p" };
      const pushed = h.fake.addImage("app", "v1");
      const config = storage.addBlob(
        JSON.stringify({ architecture: "arm64", os: "linux", config: {} }),
      );
      h.fake.use((_req, res, url) => {
        if (url.pathname !== `/v2/app/blobs/${pushed.configDigest}`) return false;
        res.writeHead(307, {
          location: `http://localhost:${storage.host.split(":")[1]}/blob/${config}`,
        });
        res.end();
        return true;
      });
      storage.use((_req, res, url) => {
        if (!url.pathname.startsWith("/blob/")) return false;
        res.writeHead(200).end(JSON.stringify({ architecture: "amd64", os: "linux", config: {} }));
        return true;
      });
      const error = await importErrorOf(
        h.client.importImage(
          request(`${h.fake.host}/app:v1`, { credentials: [{ username: "u", password: "p" }] }),
        ),
      );
      // the storage served other bytes than the config digest: caught, after following
      expect(error.reason).toBe("ContentIntegrity");
      const atStorage = storage.requests.filter((r) => r.path.startsWith("/blob/"));
      expect(atStorage).toHaveLength(1);
      expect(atStorage[0]?.authorization).toBeUndefined();
    } finally {
      await storage.close();
    }
  });

  it("refuses redirects to link-local metadata addresses", async () => {
    h.fake.addImage("app", "v1");
    h.fake.use((_req, res, url) => {
      if (!url.pathname.startsWith("/v2/app/blobs/")) return false;
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("Forbidden");
  });
});

describe("policy", () => {
  it("refuses a blocked registry before any request", async () => {
    const client = new HttpRegistryClient({ blockedRegistries: ["127.0.0.1:*"] });
    const error = await importErrorOf(client.importImage(request(`${h.fake.host}/app:v1`)));
    client.close();
    expect(error.reason).toBe("Forbidden");
    expect(h.fake.requests).toEqual([]);
  });

  it("refuses a redirect or a token realm that leads to a blocked host", async () => {
    const storage = await FakeRegistry.start();
    const realm = await FakeRegistry.start();
    const client = new HttpRegistryClient({ blockedRegistries: [storage.host, realm.host] });
    try {
      const pushed = h.fake.addImage("app", "v1");
      h.fake.addImage("guarded", "v1");
      h.fake.use((req, res, url) => {
        if (url.pathname === `/v2/app/blobs/${pushed.configDigest}`) {
          res.writeHead(307, { location: `http://${storage.host}/blob/x` }).end();
          return true;
        }
        if (!url.pathname.startsWith("/v2/guarded/") || req.headers.authorization) return false;
        const challenge = `Bearer realm="http://${realm.host}/token",service="fake"`;
        res.writeHead(401, { "www-authenticate": challenge }).end();
        return true;
      });
      const viaRedirect = await importErrorOf(client.importImage(request(`${h.fake.host}/app:v1`)));
      const viaRealm = await importErrorOf(
        client.importImage(request(`${h.fake.host}/guarded:v1`)),
      );
      expect([viaRedirect.reason, viaRedirect.message]).toEqual([
        "Forbidden",
        `registry ${storage.host} is blocked`,
      ]);
      expect([viaRealm.reason, viaRealm.message]).toEqual([
        "Forbidden",
        `registry ${realm.host} is blocked`,
      ]);
      expect([storage.requests, realm.requests]).toEqual([[], []]);
    } finally {
      client.close();
      await Promise.all([storage.close(), realm.close()]);
    }
  });

  it("refuses a registry name that resolves to a metadata address", async () => {
    const client = new HttpRegistryClient({
      resolve: async () => [{ address: "169.254.169.254", family: 4 }],
    });
    const error = await importErrorOf(client.importImage(request("registry.evil.test/app:v1")));
    client.close();
    expect(error.reason).toBe("Forbidden");
  });

  it("connects to the addresses the policy resolved", async () => {
    h.fake.addImage("app", "v1");
    const port = h.fake.host.split(":")[1];
    const resolved: string[] = [];
    const client = new HttpRegistryClient({
      resolve: async (hostname) => {
        resolved.push(hostname);
        return [{ address: "127.0.0.1", family: 4 }];
      },
    });
    const result = await client.importImage(request(`registry.example.test:${port}/app:v1`));
    client.close();
    expect(result.image.dockerImageReference).toMatch(/^registry\.example\.test:\d+\/app@sha256:/);
    expect(resolved).toContain("registry.example.test");
  });
});

describe("cancellation", () => {
  it("ends in an ImportError when the caller aborts", async () => {
    manifestRoute("slow", () => true); // never answers
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/slow:v1`), controller.signal),
    );
    expect(error.reason).toBe("Timeout");
    expect(error.message).toContain("cancelled");
  });
});
