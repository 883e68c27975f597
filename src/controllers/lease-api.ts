// The elector's LeaseApi on coordination.k8s.io/v1, with each request's
// AbortSignal passed to fetch so a timed-out request is really cancelled.
import {
  CoordinationV1Api,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  type V1Lease,
  V1MicroTime,
} from "@kubernetes/client-node";
import type { LeaseApi, LeaseRecord } from "./leader.js";

/** Per-request options that make fetch honour `signal`. */
function withSignal(signal: AbortSignal) {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  };
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity || undefined,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ? new Date(spec.acquireTime) : undefined,
    renewTime: spec.renewTime ? new Date(spec.renewTime) : undefined,
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion,
  };
}

function toLease(namespace: string, name: string, r: LeaseRecord): V1Lease {
  const micro = (d: Date | undefined) => (d ? new V1MicroTime(d.getTime()) : undefined);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name,
      namespace,
      ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}),
    },
    spec: {
      ...(r.holderIdentity ? { holderIdentity: r.holderIdentity } : {}),
      leaseDurationSeconds: r.leaseDurationSeconds,
      ...(r.acquireTime ? { acquireTime: micro(r.acquireTime) } : {}),
      ...(r.renewTime ? { renewTime: micro(r.renewTime) } : {}),
      leaseTransitions: r.leaseTransitions,
    },
  };
}

/** One Lease by namespace and name; replace carries resourceVersion, so a stale write gets 409. */
export function kubeLeaseApi(kc: KubeConfig, namespace: string, name: string): LeaseApi {
  const api = kc.makeApiClient(CoordinationV1Api);
  return {
    async get(signal) {
      try {
        return toRecord(await api.readNamespacedLease({ namespace, name }, withSignal(signal)));
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      const body = toLease(namespace, name, record);
      return toRecord(await api.createNamespacedLease({ namespace, body }, withSignal(signal)));
    },
    async update(record, signal) {
      const body = toLease(namespace, name, record);
      return toRecord(
        await api.replaceNamespacedLease({ namespace, name, body }, withSignal(signal)),
      );
    },
  };
}
