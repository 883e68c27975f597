import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.js";
import type { PushedTag } from "../reconcile/push-events.js";
import type { ReceiverFormat } from "../reconcile/push-formats.js";
import { hmacSha256Hex, SIGNATURE_TOLERANCE_MS, signGeneric } from "./push-auth.js";
import { type NotificationResult, receiverRoutes, receiversListener } from "./receivers.js";
import { listenForTest } from "./receivers-testing.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/push/${name}`, import.meta.url), "utf8");

const SECRETS = new Map<string, string>([
  ["distribution", "dist-secret-0123456789"],
  ["gitlab", "gitlab-secret-0123456789"],
  ["harbor", "harbor-secret-0123456789"],
  ["dockerhub", "hub-secret-0123456789"],
  ["quay", "quay-secret-0123456789"],
  ["gar", "gar-secret-0123456789"],
  ["github", "github-secret-0123456789"],
  ["generic", "generic-secret-0123456789"],
]);
const secret = (k: string) => SECRETS.get(k) ?? "";

describe("push receivers over HTTP", () => {
  let server: Server;
  let base: string;
  let now = Date.parse("2026-12-02T00:00:00Z");
  const received: { receiver: ReceiverFormat; pushed: PushedTag[] }[] = [];
  const results: string[] = [];

  beforeAll(async () => {
    const routes = receiverRoutes({
      secrets: () => SECRETS,
      log: createLogger("silent"),
      onPush: (pushed, receiver) => {
        received.push({ receiver, pushed });
        return pushed.length;
      },
      onResult: (receiver: ReceiverFormat, result: NotificationResult) =>
        results.push(`${receiver} ${result}`),
      now: () => now,
    });
    server = await listenForTest(receiversListener(routes));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
    results.length = 0;
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: "POST", body, headers });

  it.each<[string, string, string, Record<string, string>, PushedTag[]]>([
    [
      "the real registry's notification (distribution)",
      "/hooks/distribution",
      "distribution.json",
      { authorization: `Bearer ${secret("distribution")}` },
      [{ registry: "127.0.0.1:32410", repository: "fixtures/app", tag: "v1" }],
    ],
    [
      "the same at the old path",
      "/registry-events",
      "distribution.json",
      { authorization: `Bearer ${secret("distribution")}` },
      [{ registry: "127.0.0.1:32410", repository: "fixtures/app", tag: "v1" }],
    ],
    [
      "GitLab's registry notification (token as configured)",
      "/hooks/gitlab",
      "distribution.json",
      { authorization: secret("gitlab") },
      [{ registry: "127.0.0.1:32410", repository: "fixtures/app", tag: "v1" }],
    ],
    [
      "Harbor with its auth header",
      "/hooks/harbor",
      "harbor.json",
      { authorization: secret("harbor") },
      [{ registry: "hub.harbor.com", repository: "test-webhook/debian", tag: "latest" }],
    ],
    [
      "Docker Hub with the secret path segment",
      `/hooks/dockerhub/${secret("dockerhub")}`,
      "dockerhub.json",
      {},
      [{ registry: "docker.io", repository: "svendowideit/testhook", tag: "latest" }],
    ],
    [
      "Quay with the secret path segment",
      `/hooks/quay/${secret("quay")}`,
      "quay.json",
      {},
      [{ registry: "quay.io", repository: "dgangaia/test", tag: "latest" }],
    ],
    [
      "Artifact Registry through Pub/Sub push",
      `/hooks/gar/${secret("gar")}`,
      "gar-pubsub.json",
      {},
      [
        {
          registry: "us-east1-docker.pkg.dev",
          repository: "my-project/my-repo/hello-world",
          tag: "1.1",
        },
      ],
    ],
  ])("accepts %s", async (_name, path, file, headers, expected) => {
    const res = await post(path, fixture(file), headers);
    expect(res.status).toBe(202);
    // the digests a format carries are push-formats.test.ts's concern
    expect(received.at(-1)?.pushed.map(({ digest: _d, ...tag }) => tag)).toEqual(expected);
  });

  describe("GitHub signatures", () => {
    const body = fixture("github-registry-package.json").replace(
      '"package_url": "ghcr.io/Codertocat/hello-world:"',
      '"package_url": "ghcr.io/Codertocat/hello-world:v2"',
    );
    const signed = (b: string, key = secret("github")) => ({
      "x-github-event": "registry_package",
      "x-hub-signature-256": `sha256=${hmacSha256Hex(key, b)}`,
    });

    it("accepts a body signed with the secret", async () => {
      expect((await post("/hooks/github", body, signed(body))).status).toBe(202);
      expect(received.at(-1)?.pushed).toEqual([
        {
          registry: "ghcr.io",
          repository: "codertocat/hello-world",
          tag: "v2",
          digest: "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498",
        },
      ]);
    });

    it.each([
      ["missing", {}, 401],
      ["made with another secret", signed(body, "another-secret"), 403],
      ["of another body", signed(`${body} `), 403],
    ])("refuses a signature %s, and re-checks nothing", async (_n, headers, code) => {
      expect((await post("/hooks/github", body, headers)).status).toBe(code);
      expect(received).toEqual([]);
      expect(results).toEqual(["github unauthenticated"]);
    });

    it("answers GitHub's ping without a re-check", async () => {
      const ping = '{"zen":"Keep it logically awesome."}';
      const res = await post("/hooks/github", ping, { ...signed(ping), "x-github-event": "ping" });
      expect(res.status).toBe(200);
      expect(received).toEqual([]);
    });
  });

  describe("the generic signed form", () => {
    const body = fixture("generic.json");
    const headers = (at: number, b = body) => {
      const s = signGeneric(b, secret("generic"), at);
      return { "x-signature-timestamp": s.timestamp, "x-signature-256": s.signature };
    };

    it("accepts a fresh signature once, and refuses the same request replayed", async () => {
      now += 1000;
      const h = headers(now);
      expect((await post("/hooks/generic", body, h)).status).toBe(202);
      expect(received.at(-1)?.pushed).toEqual([
        { registry: "registry.example.com", repository: "team/app", tag: "v2" },
      ]);
      expect((await post("/hooks/generic", body, h)).status).toBe(403);
      expect(received.length).toBe(1);
    });

    it("refuses an old signed request (a replay outside the tolerance)", async () => {
      now += 1000;
      const old = headers(now - SIGNATURE_TOLERANCE_MS - 1000);
      expect((await post("/hooks/generic", body, old)).status).toBe(403);
      expect(received).toEqual([]);
    });

    it("refuses a missing or tampered signature", async () => {
      now += 1000;
      expect((await post("/hooks/generic", body, {})).status).toBe(401);
      const tampered = body.replace("v2", "v3");
      expect((await post("/hooks/generic", tampered, headers(now))).status).toBe(403);
      expect(received).toEqual([]);
    });
  });

  it.each([
    ["no secret", "/hooks/harbor", {}, 401],
    ["a wrong auth header", "/hooks/harbor", { authorization: "nope" }, 403],
    ["a wrong bearer secret", "/registry-events", { authorization: "Bearer nope" }, 403],
    ["no path secret", "/hooks/dockerhub", {}, 401],
    ["a wrong path secret", "/hooks/dockerhub/nope", {}, 403],
  ])("refuses %s and re-checks nothing", async (_n, path, headers, code) => {
    const res = await post(path, fixture("harbor.json"), headers);
    expect(res.status).toBe(code);
    expect(received).toEqual([]);
  });

  it.each([
    ["a body that is not JSON", "{nope"],
    ["a Docker Hub payload at the Harbor receiver", fixture("dockerhub.json")],
    [
      "a Harbor event that is not a push",
      JSON.stringify({ type: "PULL_ARTIFACT", event_data: {} }),
    ],
    ["a body over 1 MiB", `{"type":"${"x".repeat(2 * 1024 * 1024)}"}`],
  ])("answers 400 to %s and re-checks nothing", async (_n, body) => {
    const res = await post("/hooks/harbor", body, { authorization: secret("harbor") });
    expect(res.status).toBe(400);
    expect(received).toEqual([]);
    expect(results).toEqual(["harbor malformed"]);
  });

  it("counts an authenticated push by digest as no matching tag", async () => {
    const res = await post("/hooks/harbor", fixture("harbor-by-digest.json"), {
      authorization: secret("harbor"),
    });
    expect(res.status).toBe(202);
    expect(received).toEqual([]);
    expect(results).toEqual(["harbor no_matching_tag"]);
  });

  it("answers 404 off the table and for a receiver without a secret, 405 to GET", async () => {
    expect((await post("/other", "{}")).status).toBe(404);
    expect((await fetch(`${base}/hooks/harbor`)).status).toBe(405);
    const off = receiverRoutes({
      secrets: () => new Map(),
      log: createLogger("silent"),
      onPush: () => 0,
    });
    const lone = await listenForTest(receiversListener(off));
    const address = lone.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const res = await fetch(`http://127.0.0.1:${port}/hooks/harbor`, {
      method: "POST",
      body: "{}",
    });
    expect(res.status).toBe(404);
    lone.close();
    const only = { secrets: () => SECRETS, log: createLogger("silent"), onPush: () => 0 };
    expect([...receiverRoutes({ ...only, receivers: ["github"] }).keys()]).toEqual([
      "/hooks/github",
    ]);
  });
});

describe("push receivers on a replica that does not lead", () => {
  it("answers 503 with Retry-After and reads nothing; acts once it leads", async () => {
    let leading = false;
    const pushed: PushedTag[][] = [];
    const routes = receiverRoutes({
      secrets: () => SECRETS,
      log: createLogger("silent"),
      onPush: (p) => pushed.push(p),
    });
    const server = await listenForTest(receiversListener(routes, () => leading));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const send = () =>
      fetch(`${url}/hooks/distribution`, {
        method: "POST",
        body: fixture("distribution.json"),
        headers: { authorization: `Bearer ${secret("distribution")}` },
      });
    try {
      const standby = await send();
      expect(standby.status).toBe(503);
      expect(standby.headers.get("retry-after")).toBe("5");
      expect(pushed).toEqual([]);
      expect((await fetch(`${url}/elsewhere`, { method: "POST" })).status).toBe(404);
      leading = true;
      expect((await send()).status).toBe(202);
      expect(pushed).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
