// Wires the HTTPS server of every replica: the serving certificate (kept by
// CertificateKeeper), front-proxy authentication fed from the API server's
// ConfigMap, and the routes (the image views; the admission webhook and push
// receivers join the same list).
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { every } from "../controllers/informer.js";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import { VIEWS_GROUP, VIEWS_VERSION } from "../reconcile/image-views.js";
import { subjectAccessReviewer } from "./authorizer.js";
import {
  AUTHENTICATION_CONFIGMAP,
  FrontProxyAuthenticator,
  requestHeaderConfig,
} from "./front-proxy.js";
import { imageReader } from "./image-reader.js";
import { type Route, ServingServer } from "./server.js";
import { CertificateKeeper, type ServingNames } from "./serving-secret.js";
import { type StreamLister, viewsRoute } from "./views-api.js";

export const APISERVICE_NAME = `${VIEWS_VERSION}.${VIEWS_GROUP}`;
export const WEBHOOK_CONFIGURATION_NAME = "imagestream-operator";

const CERT_RETRY_MS = 5_000;
const AUTH_CONFIG_SYNC_MS = 60_000;

export interface ServingConfig {
  addr: { host: string; port: number };
  secretName: string;
  managed: boolean;
  /** the Service in front of the replicas: its DNS names go in the certificate */
  serviceName: string;
  /** more Services in front of this server (the push receivers'): their names too */
  otherServiceNames?: string[];
  namespace: string;
  /** how often the Secret is read again (and renewed by the leader) */
  syncMs: number;
}

export interface ServingDeps {
  config: ServingConfig;
  kubeConfig: KubeConfig;
  log: Logger;
  isLeader: () => boolean;
  streams: StreamLister;
  /** more routes (admission, push receivers), tried after the views */
  routes?: Route[];
}

/** SANs: the Services' in-cluster names, and loopback (tests, port-forwards). */
export function servingNames(
  serviceName: string,
  namespace: string,
  otherServiceNames: readonly string[] = [],
): ServingNames {
  const namesOf = (service: string) => {
    const svc = `${service}.${namespace}.svc`;
    return [service, `${service}.${namespace}`, svc, `${svc}.cluster.local`];
  };
  return {
    commonName: `${serviceName}.${namespace}.svc`,
    dnsNames: [...[serviceName, ...otherServiceNames].flatMap(namesOf), "localhost"],
    ipAddresses: ["127.0.0.1"],
  };
}

export class Serving {
  private readonly server: ServingServer;
  private readonly keeper: CertificateKeeper;
  private readonly authenticator = new FrontProxyAuthenticator();
  private readonly stops: (() => void)[] = [];
  private readonly core: CoreV1Api;

  constructor(private readonly deps: ServingDeps) {
    const { config, kubeConfig: kc, log } = deps;
    this.core = kc.makeApiClient(CoreV1Api);
    const views = viewsRoute({
      streams: deps.streams,
      readImage: imageReader(kc),
      authorize: subjectAccessReviewer(kc),
    });
    this.server = new ServingServer({
      addr: config.addr,
      routes: [views, ...(deps.routes ?? [])],
      authenticator: this.authenticator,
      log: log.child({ component: "serving" }),
    });
    this.keeper = new CertificateKeeper({
      kubeConfig: kc,
      namespace: config.namespace,
      secretName: config.secretName,
      managed: config.managed,
      names: servingNames(config.serviceName, config.namespace, config.otherServiceNames),
      isLeader: deps.isLeader,
      apiService: APISERVICE_NAME,
      webhookConfiguration: WEBHOOK_CONFIGURATION_NAME,
      onKeyPair: async (pair) => {
        const starting = !this.server.listening;
        await this.server.serve(pair);
        if (starting) log.info({ port: this.server.address() }, "HTTPS serving started");
      },
      log,
    });
  }

  get ready(): boolean {
    return this.server.listening && this.deps.streams.synced;
  }

  async start(): Promise<void> {
    await this.syncAuthConfig();
    this.stops.push(every(AUTH_CONFIG_SYNC_MS, () => void this.syncAuthConfig()));
    await this.keeper.sync();
    // until a certificate is served, look again soon; then every syncMs
    const retry = every(CERT_RETRY_MS, () => {
      if (this.server.listening) return;
      void this.keeper.sync();
    });
    this.stops.push(
      retry,
      every(this.deps.config.syncMs, () => void this.keeper.sync()),
    );
  }

  async stop(): Promise<void> {
    for (const stop of this.stops) stop();
    await this.server.close();
  }

  private async syncAuthConfig(): Promise<void> {
    try {
      const cm = await this.core.readNamespacedConfigMap(AUTHENTICATION_CONFIGMAP);
      if (this.authenticator.update(requestHeaderConfig(cm.data))) this.server.refreshClientCa();
    } catch (err) {
      this.deps.log.warn(
        {
          configMap: `${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name}`,
          err: errorSummary(err),
        },
        "cannot read the front-proxy authentication config: view requests are refused until it is read",
      );
    }
  }
}
