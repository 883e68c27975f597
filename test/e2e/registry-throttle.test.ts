// A registry that answers one tag's check with 429 and Retry-After is left
// alone for every tag on it (ADR 0013), counted from the registry's side: the
// counting proxy in front of the plain registry sees no request for the
// host's other tags until the Retry-After has passed, and they import after
// it. A tag on another registry (the TLS one, directly) imports meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  registryDigest,
  saveOperatorLog,
  targets,
  uniqueRepository,
  waitForImage,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { type RegistryProxy, startRegistryProxy } from "./support/registry-proxy.js";

const RETRY_AFTER_SECONDS = 20;
/** scheduled tags come due every few seconds, so they fall due during the pause */
const SCHEDULED_SECONDS = 3;
/** a request already on its way when the 429 arrived may still reach the proxy */
const IN_FLIGHT_SLACK_MS = 500;

describe("a 429 with Retry-After from one registry host", () => {
  let operator: RunningOperator;
  let proxy: RegistryProxy;
  let namespace: string;
  const busy = uniqueRepository("throttle-busy");
  const others = [uniqueRepository("throttle-a"), uniqueRepository("throttle-b")];
  const elsewhere = uniqueRepository("throttle-tls");
  const scheduled = { importPolicy: { insecure: true, scheduled: true } };
  const onProxy = (repository: string) => `${proxy.host}/${repository}:v1`;
  const manifestsOf = (repository: string) => `/v2/${repository}/manifests/`;

  beforeAll(async () => {
    proxy = await startRegistryProxy(testEnv.registry);
    operator = await startOperator(["--scheduled-import-seconds", String(SCHEDULED_SECONDS)]);
    namespace = await createNamespace("throttle");
    for (const repository of [busy, ...others]) {
      await pushImage(targets.plain, { repository, tag: "v1", layerCount: 1 });
    }
    await pushImage(targets.tls, { repository: elsewhere, tag: "v1", layerCount: 1 });
    await createStream(namespace, "proxied", {
      tags: [
        dockerTag("busy", onProxy(busy), scheduled),
        dockerTag("a", onProxy(others[0] ?? ""), scheduled),
        dockerTag("b", onProxy(others[1] ?? ""), scheduled),
      ],
    });
    await createStream(namespace, "direct", {
      tags: [
        dockerTag("tls", `${testEnv.registryTls}/${elsewhere}:v1`, {
          importPolicy: { scheduled: true },
        }),
      ],
    });
    for (const tag of ["busy", "a", "b"]) await waitForImage(namespace, "proxied", tag);
    await waitForImage(namespace, "direct", "tls");
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "registry-throttle")).toEqual([]);
    await proxy?.close();
    if (namespace) await deleteNamespace(namespace);
  });

  it("defers the host's other tags until Retry-After, while another registry imports", async () => {
    // the busy tag's next check is answered 429 once; everything else is forwarded
    let answered = false;
    proxy.setFault(({ path }) => {
      if (answered || !path.startsWith(manifestsOf(busy))) return undefined;
      answered = true;
      return { status: 429, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } };
    });
    const limited = await eventually("the proxy answered 429", async () =>
      proxy.requests.find((r) => r.status === 429),
    );
    const pauseEndsMs = limited.atMs + RETRY_AFTER_SECONDS * 1000;

    // new digests after the 429: the other tags may only see them after the pause
    const moved = new Map<string, string>();
    for (const repository of others) {
      await pushImage(targets.plain, { repository, tag: "v1", layerCount: 1 });
      moved.set(repository, await registryDigest(targets.plain, repository, "v1"));
    }
    await pushImage(targets.tls, { repository: elsewhere, tag: "v1", layerCount: 1 });
    const tlsDigest = await registryDigest(targets.tls, elsewhere, "v1");

    // the other registry is not held up: its tag moves during the pause
    await waitForTag(
      namespace,
      "direct",
      "tls",
      (t) => t.items?.[0]?.image === tlsDigest,
      "moved during the pause",
    );
    expect(Date.now()).toBeLessThan(pauseEndsMs);

    // the paused host's other tags: imported after the pause, each in turn
    for (const [index, tag] of ["a", "b"].entries()) {
      const digest = moved.get(others[index] ?? "");
      await waitForTag(
        namespace,
        "proxied",
        tag,
        (t) => t.items?.[0]?.image === digest,
        "moved after the pause",
        60_000,
      );
    }
    const otherRequests = proxy.requests.filter((r) =>
      others.some((repository) => r.path.startsWith(`/v2/${repository}/`)),
    );
    const duringPause = otherRequests.filter(
      (r) => r.atMs >= limited.atMs + IN_FLIGHT_SLACK_MS && r.atMs < pauseEndsMs,
    );
    expect(duringPause).toEqual([]);
    expect(otherRequests.filter((r) => r.atMs >= pauseEndsMs).length).toBeGreaterThanOrEqual(2);

    // the deferral is visible in the operator's metrics, by registry host
    const label = `registry="${proxy.host}"`;
    expect(
      await counterSum(
        operator,
        `imagestream_registry_throttled_seconds_total{${label},cause="paused"}`,
      ),
    ).toBe(RETRY_AFTER_SECONDS);
    expect(
      await counterSum(
        operator,
        `imagestream_registry_requests_total{method="HEAD",code="429",${label}}`,
      ),
    ).toBe(1);
    expect(
      await counterSum(
        operator,
        'imagestream_imports_total{result="failure",reason="RateLimited"}',
      ),
    ).toBeGreaterThanOrEqual(2);
  });
});
