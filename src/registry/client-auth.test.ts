import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpRegistryClient } from "./client.js";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";

let now = 1_700_000_000_000;
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ now: () => now });
});
afterEach(async () => {
  await h.close();
});

const user = { username: "alice", password: "s3cret" };

describe("Bearer token flow", () => {
  it("reads access_token, caches it per scope and credential, and honours expires_in", async () => {
    h.fake.auth = { kind: "bearer", ...user, tokenField: "access_token", expiresIn: 120 };
    h.fake.addImage("private/app", "v1");
    const req = request(`${h.fake.host}/private/app:v1`, { credentials: [user] });

    await h.client.importImage(req);
    expect(h.fake.tokensIssued).toBe(1);
    const tokenRequest = h.fake.requests.find((r) => r.path.startsWith("/token"));
    expect(tokenRequest?.path).toContain("scope=repository%3Aprivate%2Fapp%3Apull");
    expect(tokenRequest?.path).toContain("service=fake-registry");

    now += 60_000;
    await h.client.importImage(req);
    expect(h.fake.tokensIssued).toBe(1);
    const bearerUses = h.fake.requests.filter((r) =>
      r.authorization?.startsWith("Bearer issued-1"),
    );
    expect(bearerUses.length).toBeGreaterThanOrEqual(2);

    now += 61_000;
    await h.client.importImage(req);
    expect(h.fake.tokensIssued).toBe(2);
  });

  it("defaults a token without expires_in to 60 seconds", async () => {
    h.fake.auth = { kind: "bearer", ...user, tokenField: "token" };
    h.fake.addImage("app", "v1");
    const req = request(`${h.fake.host}/app:v1`, { credentials: [user] });
    await h.client.importImage(req);
    now += 50_000;
    await h.client.importImage(req);
    expect(h.fake.tokensIssued).toBe(1);
    now += 20_000;
    await h.client.importImage(req);
    expect(h.fake.tokensIssued).toBe(2);
  });

  it("gets anonymous tokens for a public repository", async () => {
    h.fake.auth = { kind: "bearer", tokenField: "token" };
    const pushed = h.fake.addImage("public", "v1");
    const result = await h.client.importImage(request(`${h.fake.host}/public:v1`));
    expect(result.image.digest).toBe(pushed.digest);
    expect(h.fake.requests.find((r) => r.path.startsWith("/token"))?.authorization).toBeUndefined();
  });

  it("is Unauthorized when the token service refuses the credential", async () => {
    h.fake.auth = { kind: "bearer", ...user, tokenField: "token" };
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(
      h.client.importImage(
        request(`${h.fake.host}/app:v1`, {
          credentials: [{ username: "alice", password: "nope" }],
        }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).not.toContain("nope");
  });

  it("reports a malformed token answer as InternalError", async () => {
    h.fake.use((_req, res, url) => {
      if (url.pathname !== "/v2/") return false;
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="http://${h.fake.host}/broken-token"`,
      });
      res.end();
      return true;
    });
    h.fake.use((_req, res, url) => {
      if (url.pathname !== "/broken-token") return false;
      res.writeHead(200).end("{oops");
      return true;
    });
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toContain("malformed JSON");
  });

  it("bounds the token answer", async () => {
    const client = new HttpRegistryClient({ maxTokenBytes: 1024 });
    h.fake.use((_req, res, url) => {
      if (url.pathname === "/v2/") {
        res.writeHead(401, {
          "www-authenticate": `Bearer realm="http://${h.fake.host}/huge-token"`,
        });
        return Boolean(res.end());
      }
      if (url.pathname !== "/huge-token") return false;
      res.writeHead(200).end(JSON.stringify({ token: "t".repeat(4096) }));
      return true;
    });
    const error = await importErrorOf(client.importImage(request(`${h.fake.host}/app:v1`)));
    client.close();
    expect(error.reason).toBe("TooLarge");
  });
});

describe("Basic auth", () => {
  it("tries the credentials in order until one is accepted", async () => {
    h.fake.auth = { kind: "basic", ...user };
    const pushed = h.fake.addImage("app", "v1");
    const result = await h.client.importImage(
      request(`${h.fake.host}/app:v1`, {
        credentials: [{ username: "alice", password: "old-password" }, user],
      }),
    );
    expect(result.image.digest).toBe(pushed.digest);
  });

  it("is Unauthorized without credentials", async () => {
    h.fake.auth = { kind: "basic", ...user };
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:v1`)));
    expect(error.reason).toBe("Unauthorized");
  });
});

describe("credentials a pull secret's key limits to one scheme (ADR 0026)", () => {
  it("sends an HTTPS-only credential never over plain HTTP, and a plain-HTTP one there", async () => {
    // the fake registry speaks plain HTTP
    h.fake.auth = { kind: "basic", ...user };
    const pushed = h.fake.addImage("app", "v1");
    const httpsOnly = await importErrorOf(
      h.client.importImage(
        request(`${h.fake.host}/app:v1`, { credentials: [{ ...user, onlyOver: "https" }] }),
      ),
    );
    expect(httpsOnly.reason).toBe("Unauthorized");
    expect(h.fake.requests.some((r) => r.authorization?.startsWith("Basic "))).toBe(false);

    const result = await h.client.importImage(
      request(`${h.fake.host}/app:v1`, { credentials: [{ ...user, onlyOver: "http" }] }),
    );
    expect(result.image.digest).toBe(pushed.digest);
  });
});
