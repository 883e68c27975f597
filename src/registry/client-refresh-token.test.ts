// Pull secret entries with only an identitytoken (ADR 0031): the refresh-token
// grant against the challenge's realm, and clear refusals that never hold the
// token.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";
import type { RefreshTokenCredential } from "./types.js";

const now = 1_700_000_000_000;
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ now: () => now });
});
afterEach(async () => {
  await h.close();
});

const IDENTITY_TOKEN = "refresh-S3CRET";
const user = { username: "alice", password: "pw" };

function identity(token = IDENTITY_TOKEN): RefreshTokenCredential {
  return { kind: "refresh-token", identityToken: token, source: "team/pull", entry: h.fake.host };
}

/** No request line, header or message may carry the token (it is a long-lived secret). */
function expectTokenNowhere(...texts: string[]): void {
  for (const r of h.fake.requests) {
    expect(r.path).not.toContain(IDENTITY_TOKEN);
    expect(r.authorization ?? "").not.toContain(Buffer.from(IDENTITY_TOKEN).toString("base64"));
    expect(r.authorization ?? "").not.toContain(IDENTITY_TOKEN);
  }
  for (const text of texts) expect(text).not.toContain(IDENTITY_TOKEN);
}

describe("an identitytoken at a token service with the refresh-token grant", () => {
  beforeEach(() => {
    h.fake.auth = {
      kind: "bearer",
      ...user,
      tokenField: "access_token",
      refreshToken: IDENTITY_TOKEN,
    };
  });

  it("is exchanged with a form POST to the realm, and the access token pulls", async () => {
    const pushed = h.fake.addImage("team/app", "v1");
    const result = await h.client.importImage(
      request(`${h.fake.host}/team/app:v1`, { credentials: [identity()] }),
    );
    expect(result.image.digest).toBe(pushed.digest);
    const posts = h.fake.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.path)).toEqual(["/token"]);
    expect(posts[0]?.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(posts[0]?.body))).toEqual({
      grant_type: "refresh_token",
      refresh_token: IDENTITY_TOKEN,
      client_id: "imagestream-operator",
      scope: "repository:team/app:pull",
      service: "fake-registry",
    });
    expect(h.fake.requests.some((r) => r.authorization?.startsWith("Bearer issued-1"))).toBe(true);
    expectTokenNowhere();
  });

  it("caches the access token like any other", async () => {
    h.fake.addImage("app", "v1");
    const req = request(`${h.fake.host}/app:v1`, { credentials: [identity()] });
    await h.client.importImage(req);
    await h.client.importImage(req);
    expect(h.fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("names the entry when the token is wrong, and the anonymous try after it does not hide that", async () => {
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(
      h.client.importImage(
        request(`${h.fake.host}/app:v1`, { credentials: [identity("wrong-S3CRET")] }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toBe(
      `the token service ${h.fake.host} refused the identitytoken of pull secret team/pull entry "${h.fake.host}": it is wrong, expired or revoked`,
    );
    // anonymous was still tried (a public image must not fail on a bad secret)
    expect(h.fake.requests.some((r) => r.method === "GET" && r.path.startsWith("/token"))).toBe(
      true,
    );
    expect(error.message).not.toContain("wrong-S3CRET");
  });
});

describe("an identitytoken where the registry does not accept identity tokens", () => {
  it("is not sent to a Basic-auth registry, and the failure says so", async () => {
    h.fake.auth = { kind: "basic", ...user };
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [identity()] })),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toBe(
      `registry ${h.fake.host} does not accept identity tokens: pull secret team/pull entry "${h.fake.host}" has only an identitytoken (use a username and password there)`,
    );
    expect(h.fake.requests.some((r) => r.authorization !== undefined)).toBe(false);
    expectTokenNowhere(error.message);
  });

  it("says so when the token service has no refresh-token grant", async () => {
    h.fake.auth = { kind: "bearer", ...user, tokenField: "token" };
    h.fake.addImage("app", "v1");
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [identity()] })),
    );
    expect(error.message).toContain(`registry ${h.fake.host} does not accept identity tokens`);
    expectTokenNowhere(error.message);
  });

  it("does not follow a redirect with the token in the form", async () => {
    h.fake.use((req, res, url) => {
      if (url.pathname === "/v2/") {
        res.writeHead(401, {
          "www-authenticate": `Bearer realm="http://${h.fake.host}/moved",service="s"`,
        });
        return Boolean(res.end());
      }
      if (url.pathname === "/moved" && req.method === "POST") {
        res.writeHead(307, { location: `http://${h.fake.host}/elsewhere` });
        return Boolean(res.end());
      }
      return false;
    });
    const error = await importErrorOf(
      h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [identity()] })),
    );
    expect(h.fake.requests.some((r) => r.path === "/elsewhere")).toBe(false);
    expect(error.message).toContain("unexpected status 307");
  });
});
