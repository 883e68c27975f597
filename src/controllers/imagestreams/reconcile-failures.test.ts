// What a real registry will not do, driven through the whole import path:
// ImportReconciler.reconcile -> executePlan -> the real HttpRegistryClient ->
// a misbehaving FakeRegistry, then applyOutcomes and the status write
// decision. Each failure must end in one ImportSuccess=False condition with a
// short message (no response body, no credential), keep the tag's history,
// and leave a later pass that finds the same failure with nothing to write.
// The API server is the in-memory MemoryApi: these tests are about the
// registry; the real API server's writes are covered by the e2e tests.

import type { V1Secret } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream, type TagEvent } from "../../api/types.js";
import { createLogger } from "../../observability/logger.js";
import { specFingerprint } from "../../reconcile/spec-tags.js";
import { digest, dockerTag, makeStream, statusTag } from "../../reconcile/test-fixtures.js";
import type { FailureReason } from "../../reconcile/types.js";
import { HttpRegistryClient } from "../../registry/client.js";
import { FakeRegistry, type Route, sha256 } from "../../registry/testing/fake-registry.js";
import type { ImportReconciler } from "./controller.js";
import { credentialExplanation, credentialLookup } from "./execute.js";
import { NamespaceKeyrings } from "./keyrings.js";
import { MemoryApi, memoryReconciler } from "./testing.js";

const TIMEOUT_MS = 300;
const MANIFEST_LIMIT = 4096;
const CONFIG_LIMIT = 2048;
const ROBOT = { username: "robot", password: "pw-s3cr3t-robot" };
/** in every body the fake sends on a failure path: it must never reach a message */
const LEAK = "BODY-ONLY-THE-REGISTRY-SAW";
const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const T0 = new Date("2026-01-01T12:00:00Z");
/** past every backoff and Retry-After below: the failed tag is due again */
const LATER = new Date(T0.getTime() + 2 * 60 * 60_000);
const OLD_DIGEST = digest("0");
const log = createLogger("silent");

type Pushed = ReturnType<FakeRegistry["addImage"]>;

interface Scenario {
  name: string;
  reason: FailureReason;
  message: (host: string, reference: string, pushed: Pushed) => string;
  /** requeue after the first failure: the first backoff step, or the registry's Retry-After */
  requeueAfterMs: number;
  misbehave: (fake: FakeRegistry, pushed: Pushed) => void;
}

function onPath(fake: FakeRegistry, prefix: string, answer: Route): void {
  fake.use((req, res, url) => (url.pathname.startsWith(prefix) ? answer(req, res, url) : false));
}

/** Writes a chunk every few ms until the client hangs up. */
function trickle(res: Parameters<Route>[1], chunk: string, everyMs: number): true {
  const timer = setInterval(() => res.write(chunk), everyMs);
  res.on("close", () => clearInterval(timer));
  return true;
}

const SCENARIOS: Scenario[] = [
  {
    name: "wrong digest",
    reason: "ContentIntegrity",
    message: (_h, _r, pushed) =>
      `content integrity error: the manifest does not match its digest ${pushed.digest}`,
    requeueAfterMs: 10_000,
    misbehave: (fake, pushed) =>
      onPath(fake, "/v2/app/manifests/", (req, res) => {
        res.writeHead(200, { "docker-content-digest": pushed.digest, "content-type": DOCKER_V2 });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify({ schemaVersion: 2, LEAK }));
        return true;
      }),
  },
  {
    name: "oversized manifest",
    reason: "TooLarge",
    message: (host) => `response from ${host} exceeds the limit of ${MANIFEST_LIMIT} bytes`,
    requeueAfterMs: 10_000,
    misbehave: (fake) =>
      onPath(fake, "/v2/app/manifests/", (req, res) => {
        const body = `${LEAK}${"x".repeat(64 * 1024)}`;
        res.writeHead(200, { "content-type": DOCKER_V2, "content-length": body.length });
        res.end(req.method === "HEAD" ? undefined : body);
        return true;
      }),
  },
  {
    name: "endless body",
    reason: "Timeout",
    message: (host) => `timed out after ${TIMEOUT_MS} ms talking to ${host}`,
    requeueAfterMs: 10_000,
    misbehave: (fake) =>
      onPath(fake, "/v2/app/manifests/", (req, res) => {
        res.writeHead(200, { "content-type": DOCKER_V2 });
        if (req.method === "HEAD") return Boolean(res.end());
        res.write(`{"${LEAK}":`);
        return trickle(res, " ", 20);
      }),
  },
  {
    name: "401 loop (the token service issues tokens the registry rejects)",
    reason: "Unauthorized",
    // names the pull secret tried, never its contents (expectSanitised)
    message: (host, reference) =>
      `you may not have access to the container image "${reference}"; ` +
      `pull secrets: team/robot: its credentials for ${host} were refused`,
    requeueAfterMs: 10_000,
    misbehave: (fake) => {
      fake.auth = { kind: "bearer", ...ROBOT, tokenField: "token" };
      onPath(fake, "/v2/app/", (_req, res) => {
        const challenge = `Bearer realm="http://${fake.host}/token",service="fake-registry"`;
        res.writeHead(401, { "www-authenticate": challenge });
        res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: LEAK }] }));
        return true;
      });
    },
  },
  {
    name: "429 with Retry-After",
    reason: "RateLimited",
    message: (host) => `registry ${host} rate limit reached (retry after 120s)`,
    requeueAfterMs: 120_000,
    misbehave: (fake) =>
      onPath(fake, "/v2/app/manifests/", (_req, res) => {
        res.writeHead(429, { "retry-after": "120" });
        res.end(JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: LEAK }] }));
        return true;
      }),
  },
  {
    name: "5xx",
    reason: "InternalError",
    // no Image object for the recorded digest, so a full import: the manifest
    // GET by tag gets the 503 (and pauses the host, ADR 0013)
    message: (host, ref) => `registry ${host} answered 503 for "${ref}"`,
    requeueAfterMs: 10_000,
    misbehave: (fake) =>
      onPath(fake, "/v2/app/manifests/", (_req, res) => {
        res.writeHead(503, { "retry-after": "5" }).end(`stack trace ${LEAK} password=hunter2`);
        return true;
      }),
  },
  {
    name: "malformed JSON manifest",
    reason: "InternalError",
    message: (host) => `registry ${host} returned a malformed manifest`,
    requeueAfterMs: 10_000,
    misbehave: (fake) =>
      onPath(fake, "/v2/app/manifests/", (req, res) => {
        const body = `{not json ${LEAK}`;
        res.writeHead(200, { "content-type": DOCKER_V2, "docker-content-digest": sha256(body) });
        res.end(req.method === "HEAD" ? undefined : body);
        return true;
      }),
  },
  {
    name: "redirect loop",
    reason: "InternalError",
    message: (host) => `registry ${host} sent a redirect loop`,
    requeueAfterMs: 10_000,
    misbehave: (fake) =>
      fake.use((_req, res, url) => {
        const path = url.pathname;
        if (!path.startsWith("/v2/app/blobs/") && !path.startsWith("/loop/")) return false;
        res.writeHead(307, { location: path === "/loop/a" ? "/loop/b" : "/loop/a" }).end(LEAK);
        return true;
      }),
  },
  {
    name: "oversized config blob",
    reason: "TooLarge",
    message: (host) => `response from ${host} exceeds the limit of ${CONFIG_LIMIT} bytes`,
    requeueAfterMs: 10_000,
    misbehave: (fake, pushed) =>
      onPath(fake, `/v2/app/blobs/${pushed.configDigest}`, (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        return trickle(res, `${LEAK}${"z".repeat(1024)}`, 2);
      }),
  },
];

function pullSecret(host: string): V1Secret {
  const auths = {
    [host]: { auth: Buffer.from(`${ROBOT.username}:${ROBOT.password}`).toString("base64") },
  };
  return {
    metadata: { name: "robot", namespace: "team" },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths })).toString("base64") },
  };
}

/** What must never appear in a condition or Event: bodies, credentials, tokens. */
function expectSanitised(text: string | undefined): void {
  expect(text?.length ?? 0).toBeLessThanOrEqual(200);
  const basic = Buffer.from(`${ROBOT.username}:${ROBOT.password}`).toString("base64");
  for (const secret of [LEAK, "hunter2", ROBOT.password, basic, "issued-", "Bearer", "Basic"]) {
    expect(text).not.toContain(secret);
  }
}

function previousHistory(host: string): TagEvent[] {
  const dockerImageReference = `${host}/app@${OLD_DIGEST}`;
  return [
    { created: "2025-12-01T00:00:00Z", dockerImageReference, image: OLD_DIGEST, generation: 1 },
  ];
}

/** Imported once (another digest); the user then asked for a re-import (generation 0). */
function reimportRequested(host: string): ImageStream {
  const imported = dockerTag("v1", `${host}/app:v1`, { importPolicy: { insecure: true } });
  const stream = makeStream({
    tags: [{ ...imported, generation: 0 }],
    generation: 2,
    annotations: { [ANN_DOCKER_REPOSITORY_CHECK]: "2025-12-01T00:00:00Z" },
  });
  const specHash = specFingerprint(stream, imported);
  return { ...stream, status: { tags: [statusTag("v1", previousHistory(host), { specHash })] } };
}

let fake: FakeRegistry;
let client: HttpRegistryClient;
let api: MemoryApi;
let clock: Date;
let pushed: Pushed;

beforeEach(async () => {
  fake = await FakeRegistry.start();
  client = new HttpRegistryClient({
    requestTimeoutMs: TIMEOUT_MS,
    maxManifestBytes: MANIFEST_LIMIT,
    maxConfigBytes: CONFIG_LIMIT,
    // the registry's Retry-After pauses run on the test's clock too
    now: () => clock.getTime(),
  });
  api = new MemoryApi();
  clock = T0;
  pushed = fake.addImage("app", "v1");
  api.put(reimportRequested(fake.host));
});

afterEach(async () => {
  client.close();
  await fake.close();
});

function importReconciler(): ImportReconciler {
  const keyrings = new NamespaceKeyrings(() => [pullSecret(fake.host)], log);
  return memoryReconciler(api, client, {
    credentialsFor: credentialLookup((namespace) => keyrings.get(namespace)),
    explainCredentials: credentialExplanation((namespace) => keyrings.get(namespace)),
    now: () => clock,
  });
}

const v1Of = (stream: { tags?: { tag: string }[] } | undefined) =>
  stream?.tags?.find((t) => t.tag === "v1") as ReturnType<typeof statusTag> | undefined;

describe("a re-import against a misbehaving registry", () => {
  it("control: a well-behaved registry imports the new digest on top of the history", async () => {
    await importReconciler().reconcile("team/app", log);
    const tag = v1Of(api.statusWrites()[0]);
    expect(tag?.items?.map((i) => i.image)).toEqual([pushed.digest, OLD_DIGEST]);
    expect(tag?.conditions ?? []).toEqual([]);
    expect(api.images.size).toBe(1);
  });

  it.each(SCENARIOS)(
    "$name: ImportSuccess=False ($reason), history kept, then quiet",
    async (s) => {
      s.misbehave(fake, pushed);
      const history = previousHistory(fake.host);
      const imports = importReconciler();

      await expect(imports.reconcile("team/app", log)).resolves.toEqual({
        requeueAfterMs: s.requeueAfterMs,
      });
      expect(api.writes.map((w) => w.kind)).toEqual(["spec", "status", "annotation"]);
      const tag = v1Of(api.statusWrites()[0]);
      expect(tag?.conditions).toEqual([
        {
          type: "ImportSuccess",
          status: "False",
          reason: s.reason,
          message: s.message(fake.host, `${fake.host}/app:v1`, pushed),
          generation: 2,
          lastTransitionTime: "2026-01-01T12:00:00Z",
        },
      ]);
      expectSanitised(tag?.conditions?.[0]?.message);
      expect(tag?.items).toEqual(history);
      expect(v1Of(api.cached("team", "app")?.status)?.items).toEqual(history);
      // the re-import request is answered with the generation the failure records
      expect(api.cached("team", "app")?.spec?.tags?.[0]?.generation).toBe(2);
      expect(api.images.size).toBe(0);
      expect(api.events.map((e) => `${e.type}/${e.reason}`)).toEqual(["Warning/ImportFailed"]);
      expectSanitised(api.events[0]?.note);
      expect(fake.requests.length).toBeLessThanOrEqual(12); // bounded: no loop

      // Retry due, registry unchanged: the same failure again writes nothing.
      const requestsBefore = fake.requests.length;
      const writesBefore = api.writes.length;
      clock = LATER;
      await expect(imports.reconcile("team/app", log)).resolves.toBeDefined();
      expect(fake.requests.length).toBeGreaterThan(requestsBefore);
      expect(api.writes.slice(writesBefore)).toEqual([]);
      expect(api.events).toHaveLength(1);
    },
  );
});
