// The push receivers' Service has no selector: the leader writes its
// EndpointSlice, pointing at itself ($POD_IP and the HTTPS port), as
// kube-apiserver keeps the `kubernetes` Service's endpoints. Every replica
// serves the HTTPS port and is ready (image views, admission), but a push
// must reach the replica that runs the import controller (ADR 0027). A new
// leader overwrites the slice (server-side apply, forced); it is written
// again every minute, so a deleted or edited slice comes back.
import {
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1EndpointSlice,
} from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import { every } from "./informer.js";

export const ENDPOINTS_FIELD_MANAGER = "imagestream-operator-leader";
/** kube-proxy and Ingress controllers match a slice to its Service by these */
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
/** the Service's port name: a slice's port is matched to the Service's by name */
export const RECEIVER_PORT_NAME = "https";

const REASSERT_MS = 60_000;
const RETRY_MS = 2_000;

export interface LeaderEndpointsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  serviceName: string;
  podIp: string;
  port: number;
  log: Logger;
}

/** The slice the leader writes: one ready endpoint, itself. Pure. */
export function leaderSlice(o: Omit<LeaderEndpointsOptions, "kubeConfig" | "log">) {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${o.serviceName}-leader`,
      namespace: o.namespace,
      labels: {
        [SERVICE_NAME_LABEL]: o.serviceName,
        [MANAGED_BY_LABEL]: "imagestream-operator.io",
        "app.kubernetes.io/name": "imagestream-operator",
      },
    },
    addressType: o.podIp.includes(":") ? "IPv6" : "IPv4",
    ports: [{ name: RECEIVER_PORT_NAME, port: o.port, protocol: "TCP" }],
    endpoints: [{ addresses: [o.podIp], conditions: { ready: true } }],
  } satisfies V1EndpointSlice;
}

const apply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);

export class LeaderEndpoints {
  private readonly api: DiscoveryV1Api;

  constructor(private readonly o: LeaderEndpointsOptions) {
    this.api = o.kubeConfig.makeApiClient(DiscoveryV1Api);
  }

  /** Writes the slice now (retried until it is written), then every minute; returns the stop. */
  start(): () => void {
    let retry: NodeJS.Timeout | undefined;
    const write = async () => {
      clearTimeout(retry);
      if (!(await this.write())) retry = setTimeout(() => void write(), RETRY_MS).unref();
    };
    void write();
    const stop = every(REASSERT_MS, () => void write());
    return () => {
      clearTimeout(retry);
      stop();
    };
  }

  private async write(): Promise<boolean> {
    const body = leaderSlice(this.o);
    try {
      await this.api.patchNamespacedEndpointSlice(
        {
          name: body.metadata.name,
          namespace: this.o.namespace,
          body,
          fieldManager: ENDPOINTS_FIELD_MANAGER,
          force: true,
        },
        apply,
      );
      this.o.log.debug(
        { endpointSlice: `${this.o.namespace}/${body.metadata.name}`, address: this.o.podIp },
        "receiver Service points at this leader",
      );
      return true;
    } catch (err) {
      // the API server's reason for a refused slice (a loopback $POD_IP is one)
      const refusal = (err as { body?: unknown }).body;
      this.o.log.warn(
        {
          endpointSlice: `${this.o.namespace}/${body.metadata.name}`,
          address: `${this.o.podIp}:${this.o.port}`,
          err: errorSummary(err),
          ...(typeof refusal === "string" ? { refusal: refusal.slice(0, 500) } : {}),
        },
        "cannot point the receiver Service at this leader: pushes may reach a standby (503) until it is written",
      );
      return false;
    }
  }
}
