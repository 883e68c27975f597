import { describe, expect, it } from "vitest";
import {
  credentialIdentity,
  parseChallenges,
  parseTokenAnswer,
  pickChallenge,
  TokenCache,
  tokenRequestUrl,
} from "./auth.js";
import { ImportError } from "./types.js";

describe("parseChallenges", () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
      [
        {
          scheme: "bearer",
          params: { realm: "https://auth.docker.io/token", service: "registry.docker.io" },
        },
      ],
    ],
    [
      'Bearer realm="https://r/token",service="s",scope="repository:a/b:pull,push"',
      [
        {
          scheme: "bearer",
          params: { realm: "https://r/token", service: "s", scope: "repository:a/b:pull,push" },
        },
      ],
    ],
    ['Basic realm="test"', [{ scheme: "basic", params: { realm: "test" } }]],
    [
      'Basic realm="a, b", Bearer realm="https://t",error=invalid_token',
      [
        { scheme: "basic", params: { realm: "a, b" } },
        { scheme: "bearer", params: { realm: "https://t", error: "invalid_token" } },
      ],
    ],
    ['Bearer realm="with \\"quote\\""', [{ scheme: "bearer", params: { realm: 'with "quote"' } }]],
    ["", []],
    ["garbage=", []],
  ])("%s", (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it("prefers Bearer with a realm over Basic", () => {
    const picked = pickChallenge(parseChallenges('Basic realm="x", Bearer realm="https://t"'));
    expect(picked?.scheme).toBe("bearer");
  });
});

describe("parseTokenAnswer", () => {
  it("believes a token lifetime of a day at most", () => {
    const answer = parseTokenAnswer(Buffer.from('{"token":"a","expires_in":1e308}'), "h");
    expect(answer.lifetimeSeconds).toBe(86_400);
  });
  it("reads token or access_token and expires_in, defaulting to 60 s", () => {
    expect(parseTokenAnswer(Buffer.from('{"token":"a","expires_in":300}'), "h")).toEqual({
      token: "a",
      lifetimeSeconds: 300,
    });
    expect(parseTokenAnswer(Buffer.from('{"access_token":"b"}'), "h")).toEqual({
      token: "b",
      lifetimeSeconds: 60,
    });
  });

  it.each(["{", "[]", '{"token":""}', '{"token":5}', "null"])("rejects %s", (body) => {
    expect(() => parseTokenAnswer(Buffer.from(body), "h")).toThrow(ImportError);
  });
});

describe("TokenCache", () => {
  it("expires tokens and keys them by credential identity, not the secret", () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    const credential = { username: "u", password: "hunter2" };
    const key = TokenCache.key("r.io", "repository:a:pull", credential);
    expect(key).not.toContain("hunter2");
    expect(key).toContain(credentialIdentity(credential));
    expect(TokenCache.key("r.io", "repository:a:pull", undefined)).toContain("anonymous");
    cache.set(key, "tok", 60);
    now += 50_000;
    expect(cache.get(key)).toBe("tok");
    now += 10_000;
    expect(cache.get(key)).toBeUndefined();
  });
});

describe("tokenRequestUrl", () => {
  const credential = { username: "u", password: "p" };
  it("adds service and scope to the realm", () => {
    const url = tokenRequestUrl(
      { scheme: "bearer", params: { realm: "https://auth.example.com/token?x=1", service: "reg" } },
      "repository:a/b:pull",
      credential,
      false,
      "ref",
    );
    expect(url.href).toBe(
      "https://auth.example.com/token?x=1&service=reg&scope=repository%3Aa%2Fb%3Apull",
    );
  });

  it("refuses to send credentials to a plain-HTTP realm off loopback without insecure", () => {
    const challenge = { scheme: "bearer", params: { realm: "http://auth.example.com/token" } };
    expect(() => tokenRequestUrl(challenge, "s", credential, false, "ref")).toThrow(/plain HTTP/);
    expect(tokenRequestUrl(challenge, "s", undefined, false, "ref").host).toBe("auth.example.com");
    expect(tokenRequestUrl(challenge, "s", credential, true, "ref").host).toBe("auth.example.com");
  });

  it("rejects realms that are not http(s)", () => {
    const challenge = { scheme: "bearer", params: { realm: "file:///etc/passwd" } };
    expect(() => tokenRequestUrl(challenge, "s", undefined, false, "ref")).toThrow(
      /invalid token realm/,
    );
  });
});
