import { describe, expect, it } from "vitest";
import { refreshTokenForm, refreshTokenRefusal } from "./refresh-token.js";
import type { HttpResponse } from "./transport.js";
import type { RefreshTokenCredential } from "./types.js";

const credential: RefreshTokenCredential = {
  kind: "refresh-token",
  identityToken: "refresh-S3CRET",
  source: "team/pull",
  entry: "r.example.com",
};

function answer(status: number, body: unknown): HttpResponse {
  return {
    url: new URL("https://auth.example.com/token"),
    status,
    headers: {},
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  };
}

const NOT_ACCEPTED =
  'registry auth.example.com does not accept identity tokens: pull secret team/pull entry "r.example.com" has only an identitytoken (use a username and password there)';
const REFUSED =
  'the token service auth.example.com refused the identitytoken of pull secret team/pull entry "r.example.com": it is wrong, expired or revoked';

describe("refreshTokenRefusal", () => {
  it.each([
    ["400 unsupported_grant_type", answer(400, { error: "unsupported_grant_type" }), NOT_ACCEPTED],
    ["401 unauthorized_client", answer(401, { error: "unauthorized_client" }), NOT_ACCEPTED],
    ["404: no OAuth2 endpoint", answer(404, ""), NOT_ACCEPTED],
    ["405: GET only", answer(405, ""), NOT_ACCEPTED],
    [
      "400 distribution UNSUPPORTED",
      answer(400, { errors: [{ code: "UNSUPPORTED" }] }),
      NOT_ACCEPTED,
    ],
    ["400 invalid_grant", answer(400, { error: "invalid_grant" }), REFUSED],
    [
      "401 without a reason",
      answer(401, "denied"),
      `${REFUSED}, or the registry does not accept identity tokens`,
    ],
    [
      "403 without a reason",
      answer(403, {}),
      `${REFUSED}, or the registry does not accept identity tokens`,
    ],
  ])("%s", (_name, response, message) => {
    const error = refreshTokenRefusal(response, credential);
    expect(error?.reason).toBe("Unauthorized");
    expect(error?.message).toBe(message);
  });

  it.each([200, 307, 429, 500])("leaves %i to the caller", (status) => {
    expect(refreshTokenRefusal(answer(status, {}), credential)).toBeUndefined();
  });

  it("names the secret even without an entry, and never the token", () => {
    const { entry: _entry, ...bare } = credential;
    const error = refreshTokenRefusal(answer(404, ""), bare);
    expect(error?.message).toContain("pull secret team/pull has only an identitytoken");
    expect(error?.message).not.toContain("refresh-S3CRET");
  });
});

describe("refreshTokenForm", () => {
  it("is the refresh-token grant with scope, service and client_id", () => {
    const form = refreshTokenForm(
      { scheme: "bearer", params: { realm: "https://a/token", service: "reg" } },
      "repository:x/y:pull",
      credential,
    );
    expect(Object.fromEntries(new URLSearchParams(form))).toEqual({
      grant_type: "refresh_token",
      refresh_token: "refresh-S3CRET",
      client_id: "imagestream-operator",
      scope: "repository:x/y:pull",
      service: "reg",
    });
  });

  it("leaves service out when the challenge names none", () => {
    const form = refreshTokenForm(
      { scheme: "bearer", params: { realm: "https://a/token" } },
      "repository:x:pull",
      credential,
    );
    expect(new URLSearchParams(form).has("service")).toBe(false);
  });
});
