// Leader election on a real Lease, with the operator's own ServiceAccount
// (its RBAC allows get/create/update of Leases in its namespace only).
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { LeaderElector } from "../../src/controllers/leader.js";
import { kubeLeaseApi } from "../../src/controllers/lease-api.js";
import { createLogger } from "../../src/observability/logger.js";
import { adminKubeConfig, operatorKubeConfig } from "./support/env.js";

const NAMESPACE = "imagestream-operator-system";
const log = createLogger("silent");

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("leader election", () => {
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    for (const e of electors) await e.stop();
  });

  function elector(name: string, identity: string, events: string[]): LeaderElector {
    const e = new LeaderElector({
      api: kubeLeaseApi(operatorKubeConfig, NAMESPACE, name),
      name,
      identity,
      log,
      timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 300 },
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => events.push(`${identity} lost`),
    });
    electors.push(e);
    return e;
  }

  it("elects one leader, and hands over at once when it releases the lease", async () => {
    const name = `e2e-lease-${Date.now().toString(36)}`;
    const events: string[] = [];
    const a = elector(name, "a", events);
    a.start();
    await until("a to lead", () => a.isLeader);
    const b = elector(name, "b", events);
    b.start();
    await new Promise((r) => setTimeout(r, 1500)); // several of b's attempts
    expect(b.isLeader).toBe(false);

    const lease = await adminKubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: NAMESPACE, name });
    expect(lease.spec?.holderIdentity).toBe("a");

    const released = Date.now();
    await a.stop();
    await until("b to take over", () => b.isLeader);
    // released leases are taken on the next retry, not after the 15 s lease duration
    expect(Date.now() - released).toBeLessThan(5000);
    expect(events).toEqual(["a leads", "b leads"]);
  });
});
