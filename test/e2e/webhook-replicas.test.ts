// Push receivers with two replicas (ADR 0027): both serve the receivers on
// their HTTPS server and both are ready (they serve the views and the
// admission webhook too); only the leader acts on a push, and it points the
// receiver Service's EndpointSlice at itself ($POD_IP and its HTTPS port), so
// pushes reach the replica that imports. A standby reached directly answers
// 503 with Retry-After; after a handover the slice names the new leader.
// The processes share one address here, so the slice's port tells them apart.
import { readFileSync } from "node:fs";
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { saveOperatorLog } from "./imports-support.js";
import { adminKubeConfig, testEnv } from "./support/env.js";
import { httpsRequest } from "./support/https.js";
import { kubectl } from "./support/kubectl.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { applyReceiverSecret, RECEIVER_NAMESPACE } from "./support/receivers.js";

const suffix = Date.now().toString(36);
const LEASE = `e2e-push-lease-${suffix}`;
/** the default name: the operator's RBAC allows its slice only */
const SERVICE = "imagestream-operator-webhook";
const SERVING_SECRET = "imagestream-operator-serving-cert";
const discovery = adminKubeConfig.makeApiClient(DiscoveryV1Api);
const core = adminKubeConfig.makeApiClient(CoreV1Api);
const body = readFileSync(new URL("../fixtures/push/distribution.json", import.meta.url), "utf8");

/**
 * What the replicas write as their pod IP: an EndpointSlice refuses loopback
 * addresses, and nothing dials it here (the test reaches each process on its
 * own loopback port, and the slice's port tells them apart); a documentation
 * address (RFC 5737) passes validation.
 */
const POD_IP = "192.0.2.10";

const replica = () =>
  startOperator(["--leader-election-id", LEASE], { POD_IP }, { leaderElect: true });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const leads = async (o: RunningOperator) =>
  (await o.metric(`leader_election_master_status{name="${LEASE}"}`)) === 1 ? true : undefined;

async function slice(): Promise<V1EndpointSlice | undefined> {
  return discovery.readNamespacedEndpointSlice({
    name: `${SERVICE}-leader`,
    namespace: RECEIVER_NAMESPACE,
  });
}

/** The CA bundle the leader wrote beside the serving certificate. */
async function servingCa(): Promise<string | undefined> {
  const secret = await core.readNamespacedSecret({
    name: SERVING_SECRET,
    namespace: RECEIVER_NAMESPACE,
  });
  const data = secret.data?.["ca-bundle.crt"] ?? secret.data?.["ca.crt"];
  return data ? Buffer.from(data, "base64").toString() : undefined;
}

const pushTo = (o: RunningOperator, ca: string) =>
  httpsRequest(`https://127.0.0.1:${o.servingPort}/hooks/distribution`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${testEnv.registryEventsSecret}`,
    },
    ca,
  });

describe("push receivers on every replica, acted on by the leader", () => {
  const operators: RunningOperator[] = [];

  afterAll(async () => {
    for (const [i, o] of operators.entries()) {
      await o.stop();
      expect(saveOperatorLog(o, `webhook-replica-${i}`)).toEqual([]);
    }
    kubectl(["-n", RECEIVER_NAMESPACE, "delete", "endpointslice", `${SERVICE}-leader`]);
    kubectl(["-n", RECEIVER_NAMESPACE, "delete", "lease", LEASE]);
  });

  it("a standby is ready and answers 503; the slice follows the leader across a handover", async () => {
    applyReceiverSecret();
    const a = await replica();
    operators.push(a);
    await until("a to lead", () => leads(a));
    const b = await replica(); // resolves once /readyz answers 200: a standby is ready
    operators.push(b);
    expect(await leads(b)).toBeUndefined();

    const pointsAt = async (o: RunningOperator) => {
      const s = await slice();
      const at = `${s?.endpoints?.[0]?.addresses?.[0]}:${s?.ports?.[0]?.port}`;
      return at === `${POD_IP}:${o.servingPort}` ? s : undefined;
    };
    const written = await until("the slice to name a", () => pointsAt(a));
    expect(written.metadata?.labels?.["kubernetes.io/service-name"]).toBe(SERVICE);
    expect(written.ports?.[0]?.name).toBe("https");

    const ca = await until("the serving CA", servingCa);
    // b serves HTTPS once it has read the leader's certificate
    const standby = await until("b to answer over TLS", async () => {
      const res = await pushTo(b, ca);
      return res.status === 503 ? res : undefined;
    });
    expect(standby.headers["retry-after"]).toBe("5");
    expect((await pushTo(a, ca)).status).toBe(202);

    await a.stop(); // releases the lease: b takes it on its next attempt
    await until("b to lead", () => leads(b));
    await until("the slice to name b", () => pointsAt(b));
    await until("b to act on pushes", async () =>
      (await pushTo(b, ca)).status === 202 ? true : undefined,
    );
  });
});
