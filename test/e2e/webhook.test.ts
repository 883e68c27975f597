// Push notifications over TLS. The plain test registry posts every push to
// the operator's distribution receiver (REGISTRY_EVENTS_URL, https, with the
// configured bearer secret), verifying the operator's certificate (a Secret
// the user gives, signed by the registry CA); the Docker Hub and GitHub
// receivers get their vendors' sample payloads (test/fixtures/push), sent by
// the test with the pushed repository filled in. Scheduled checks are an
// hour apart and most tags are not scheduled at all, so only a notification
// can explain a quick update. The registry's side counts the requests: a
// pushed new image costs 2 (manifest GET, config GET), nothing after.
//
// The vendor payloads are matched against "localhost:<port>" (the
// --webhook-registry-hosts mirror setting), a name of the plain registry its
// own notifications never use (they say 127.0.0.1): a stream imported from
// localhost moves on the vendor payload alone.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/controllers/push-auth.js";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  getStream,
  saveOperatorLog,
  targets,
  uniqueRepository,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import type { RunningOperator } from "./support/operator.js";
import { deleteReceiverTls, startOperatorWithReceivers, toReceivers } from "./support/receivers.js";
import { type ProxiedRequest, startRegistryProxy } from "./support/registry-proxy.js";

const eventsUrl = testEnv.registryEventsUrl && testEnv.registryEventsTls;
const HUB_SECRET = "e2e-dockerhub-path-secret-0123";
const GITHUB_SECRET = "e2e-github-hmac-secret-0123";
/** longer than the plain registry takes to deliver its own notification (seen within 3 s) */
const QUIET_MS = 4000;
/** past the last follow-up check a notification used to cost (5 s) */
const PAST_FOLLOW_UPS_MS = 6500;

/** What the operator asked the registry for: manifests (GET or HEAD) and blob GETs; pushes are PUT/POST/PATCH, blob HEADs. */
const isRead = (r: ProxiedRequest) =>
  (r.method === "GET" || r.method === "HEAD") &&
  (/\/manifests\//.test(r.path) || (r.method === "GET" && /\/blobs\//.test(r.path)));

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/push/${name}`, import.meta.url), "utf8"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(eventsUrl)("registry push notifications", () => {
  let operator: RunningOperator;
  let ns: string;
  const mirror = testEnv.registry.replace(/^127\.0\.0\.1:/, "localhost:");

  beforeAll(async () => {
    operator = await startOperatorWithReceivers(
      [
        "--scheduled-import-seconds",
        "3600",
        "--webhook-registry-hosts",
        `dockerhub=${mirror},github=${mirror}`,
      ],
      { dockerhub: HUB_SECRET, github: GITHUB_SECRET },
    );
    ns = await createNamespace("e2e-webhook");
    await backlogDelivered(operator);
  }, 240_000);

  afterAll(async () => {
    await deleteNamespace(ns);
    await operator.stop();
    deleteReceiverTls();
    expect(saveOperatorLog(operator, "webhook")).toEqual([]);
  });

  /**
   * The plain registry queues a notification for every push of the earlier
   * test files, while no receiver listened, and delivers that backlog in
   * order, one POST each, once this operator listens: wait until it has
   * stopped arriving, or this file's pushes wait behind it.
   */
  async function backlogDelivered(op: RunningOperator): Promise<void> {
    const received = async () =>
      (await (await fetch(op.metricsUrl)).text())
        .split("\n")
        .filter((l) => l.startsWith("imagestream_push_notifications_total{"))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    let last = -1;
    let quietPolls = 0;
    const deadline = Date.now() + 200_000;
    while (quietPolls < 3 && Date.now() < deadline) {
      const now = await received();
      quietPolls = now === last ? quietPolls + 1 : 0;
      last = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (quietPolls < 3) throw new Error(`the registry's backlog still arriving: ${last} received`);
  }

  /** A stream "name" with tag "app" (not scheduled) on `host`/repository:v1, imported; the first digest. */
  async function followed(name: string, repository: string, host: string): Promise<string> {
    const first = await pushImage(targets.plain, { repository, tag: "v1" });
    await createStream(ns, name, {
      tags: [dockerTag("app", `${host}/${repository}:v1`, { importPolicy: { insecure: true } })],
    });
    await waitForTag(ns, name, "app", (t) => t.items?.[0]?.image === first.digest, "first import");
    return first.digest;
  }

  async function latest(name: string): Promise<string | undefined> {
    const stream = await getStream(ns, name);
    return stream.status?.tags?.find((t) => t.tag === "app")?.items?.[0]?.image;
  }

  it("re-imports a non-scheduled tag and a scheduled one within seconds of the registry's notification", async () => {
    const repository = uniqueRepository("webhook");
    const first = await pushImage(targets.plain, { repository, tag: "v1" });
    const from = `${testEnv.registry}/${repository}:v1`;
    await createStream(ns, "app", {
      tags: [
        dockerTag("live", from, { importPolicy: { insecure: true, scheduled: true } }),
        dockerTag("pinned", from, { importPolicy: { insecure: true } }),
      ],
    });
    for (const tag of ["live", "pinned"]) {
      await waitForTag(ns, "app", tag, (t) => t.items?.[0]?.image === first.digest, "first import");
    }
    const pushedAt = Date.now();
    const second = await pushImage(targets.plain, { repository, tag: "v1" });
    for (const tag of ["live", "pinned"]) {
      const stream = await waitForTag(
        ns,
        "app",
        tag,
        (t) => t.items?.[0]?.image === second.digest,
        `re-import of ${tag} after the push notification`,
        20_000,
      );
      const items = stream.status?.tags?.find((t) => t.tag === tag)?.items;
      expect(items?.map((i) => i.image)).toEqual([second.digest, first.digest]);
    }
    console.log(`push -> both tags updated in ${Date.now() - pushedAt} ms`);
    const accepted = await operator.metric(
      'imagestream_push_notifications_total{receiver="distribution",result="accepted"}',
    );
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(
      await operator.metric("imagestream_push_to_import_seconds_count"),
    ).toBeGreaterThanOrEqual(1);
  });

  it("costs a pushed new image 2 registry requests, counted at the registry: manifest GET, config GET", async () => {
    // pushed through the proxy, which keeps the Host: the registry's
    // notification names the proxy, and the stream imports through it
    const proxy = await startRegistryProxy(testEnv.registry, { preserveHost: true });
    try {
      const target = { registry: proxy.host, scheme: "http" as const };
      const repository = uniqueRepository("economy");
      const first = await pushImage(target, { repository, tag: "v1" });
      await createStream(ns, "economy", {
        tags: [
          dockerTag("app", `${proxy.host}/${repository}:v1`, { importPolicy: { insecure: true } }),
        ],
      });
      await waitForTag(ns, "economy", "app", (t) => t.items?.[0]?.image === first.digest, "import");
      await sleep(QUIET_MS); // the first push's own notification, and its check
      const since = proxy.requests.length;
      const second = await pushImage(target, { repository, tag: "v1" });
      await waitForTag(
        ns,
        "economy",
        "app",
        (t) => t.items?.[0]?.image === second.digest,
        "re-import after the push notification",
        20_000,
      );
      await sleep(PAST_FOLLOW_UPS_MS);
      const reads = proxy.requests.slice(since).filter(isRead);
      // a registry may notify before it moves the tag (ADR 0008): such a
      // first check is one GET answered with the old digest, and a follow-up
      // comes; once a check sees the new digest, nothing more is asked
      const seen = reads.findIndex((r) => r.digest === second.digest);
      const early = reads.slice(0, seen);
      expect(early.every((r) => r.method === "GET" && r.digest === first.digest)).toBe(true);
      expect(early.length).toBeLessThanOrEqual(2);
      expect(reads.slice(seen).map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /v2/${repository}/manifests/v1`,
        `GET /v2/${repository}/blobs/${second.configDigest}`,
      ]);
      console.log(
        `push -> registry reads: ${reads.length} (${early.length} before the registry moved the tag)`,
      );
    } finally {
      await proxy.close();
    }
  });

  it("re-imports the tag a Docker Hub payload names", async () => {
    const repository = uniqueRepository("hub");
    const first = await followed("hub", repository, mirror);
    const second = await pushImage(targets.plain, { repository, tag: "v1" });
    await sleep(QUIET_MS);
    expect(await latest("hub")).toBe(first); // the registry's own notification names 127.0.0.1
    const payload = fixture("dockerhub.json");
    payload.repository.repo_name = repository;
    payload.push_data.tag = "v1";
    const res = await toReceivers(`/hooks/dockerhub/${HUB_SECRET}`, {
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(202);
    await waitForTag(
      ns,
      "hub",
      "app",
      (t) => t.items?.[0]?.image === second.digest,
      "re-import",
      10_000,
    );
  });

  it("changes nothing on a GitHub payload with a wrong signature, re-imports on the right one", async () => {
    const repository = uniqueRepository("ghcr");
    const first = await followed("ghcr", repository, mirror);
    const second = await pushImage(targets.plain, { repository, tag: "v1" });
    const payload = fixture("github-registry-package.json");
    payload.registry_package.package_version.package_url = `ghcr.io/${repository}:`;
    payload.registry_package.package_version.container_metadata.tag.name = "v1";
    const body = JSON.stringify(payload);
    const send = (key: string) =>
      toReceivers("/hooks/github", {
        body,
        headers: {
          "content-type": "application/json",
          "x-github-event": "registry_package",
          "x-hub-signature-256": `sha256=${hmacSha256Hex(key, body)}`,
        },
      });
    expect((await send("not-the-secret")).status).toBe(403);
    await sleep(QUIET_MS);
    expect(await latest("ghcr")).toBe(first);
    expect(
      await operator.metric(
        'imagestream_push_notifications_total{receiver="github",result="unauthenticated"}',
      ),
    ).toBe(1);
    expect((await send(GITHUB_SECRET)).status).toBe(202);
    await waitForTag(
      ns,
      "ghcr",
      "app",
      (t) => t.items?.[0]?.image === second.digest,
      "re-import",
      10_000,
    );
  });
});
