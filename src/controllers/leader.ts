// Lease-based leader election in the style of client-go (client-node has
// none): lease 15 s, renew deadline 10 s, retry every 2 s; optimistic
// concurrency on resourceVersion; renewTime as MicroTime; a leader that cannot
// renew before the deadline stops leading (the process exits, as client-go's
// OnStoppedLeading does); the lease is released on graceful shutdown so a
// successor takes over at once.
import {
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  V1MicroTime,
} from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  now?: () => number;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    kc: KubeConfig,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.leading) await this.release();
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    const ok = await this.tryAcquireOrRenew().catch((err) => {
      this.opts.log.warn({ err: errorSummary(err) }, "leader election attempt failed");
      return false;
    });
    if (ok) {
      this.lastRenew = this.now();
      if (!this.leading) {
        this.leading = true;
        this.opts.log.info({ lease: this.opts.name }, "became leader");
        this.opts.onStartedLeading();
      }
    } else if (
      this.leading &&
      this.now() - this.lastRenew > (this.opts.renewDeadlineMs ?? 10_000)
    ) {
      this.leading = false;
      this.opts.log.error({ lease: this.opts.name }, "lost leadership: renew deadline exceeded");
      this.opts.onStoppedLeading();
      return;
    }
    this.timer = setTimeout(() => void this.loop(), this.opts.retryPeriodMs ?? 2000);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const duration = this.opts.leaseDurationSeconds ?? 15;
    const now = new V1MicroTime(this.now());
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: duration,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewedAt = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewedAt + (spec.leaseDurationSeconds ?? duration) * 1000 < this.now();
    if (holder && holder !== identity && !expired) return false;
    const takingOver = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: duration,
      renewTime: now,
      acquireTime: takingOver ? now : spec.acquireTime,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
    };
    // replace carries metadata.resourceVersion: a concurrent writer gets 409.
    await this.api.replaceNamespacedLease({ namespace, name, body: lease });
    return true;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    try {
      const lease = await this.api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 };
      await this.api.replaceNamespacedLease({ namespace, name, body: lease });
      this.leading = false;
    } catch (err) {
      this.opts.log.warn({ err: errorSummary(err) }, "could not release lease");
    }
  }
}
