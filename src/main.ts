#!/usr/bin/env node
// The operator process: flags, cluster credentials, observability endpoints,
// leader election, then the controllers; graceful shutdown on SIGTERM.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { KubernetesObject } from "@kubernetes/client-node";
import { IMAGE_LOOKUP_PATH, imageLookupEndpoint } from "./admission/endpoint.js";
import type { ImageStream } from "./api/types.js";
import { ConfigError, helpText, parseConfig } from "./config.js";
import { ScopedInformer } from "./controllers/informer.js";
import { loadKubeConfig } from "./controllers/kube.js";
import { LeaderElector } from "./controllers/leader.js";
import { kubeLeaseApi } from "./controllers/lease-api.js";
import { HOOKS_PREFIX, LEGACY_DISTRIBUTION_PATH } from "./controllers/receivers.js";
import { imageStreamSource } from "./controllers/resources.js";
import { Manager } from "./manager.js";
import { createLogger, errorSummary } from "./observability/logger.js";
import { createMetrics } from "./observability/metrics.js";
import { startObservabilityServer } from "./observability/server.js";
import { Serving } from "./serving/index.js";

const SHUTDOWN_DRAIN_MS = 25_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`imagestream-operator: ${err.message}\n`);
    process.exit(2);
  }
  if (config === "help") {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const log = createLogger(config.logLevel);
  process.on("unhandledRejection", (err) => {
    log.fatal({ err: errorSummary(err) }, "unhandled rejection");
    process.exit(1);
  });
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  const metrics = createMetrics();
  const identity = `${hostname()}_${randomUUID().slice(0, 8)}`;
  let shuttingDown = false;
  let leading = !config.leaderElect;
  // Every replica serves the image views from its own stream cache; the
  // leader's controllers read the same cache rather than a second one.
  const streams = config.serving
    ? new ScopedInformer<ImageStream & KubernetesObject>({
        name: "imagestreams",
        kubeConfig,
        log,
        listPageSize: config.listPageSize,
        ...imageStreamSource(kubeConfig, config.namespaces),
      })
    : undefined;
  const manager = new Manager({
    config,
    kubeConfig,
    log,
    metrics,
    identity,
    ...(streams ? { streams } : {}),
  });
  // every replica serves the receivers; only the leader acts on a push (ADR 0027)
  const receivers = manager.receivers(() => leading && manager.synced && !shuttingDown);
  const serving =
    config.serving && streams
      ? new Serving({
          config: {
            ...config.serving,
            namespace: config.leaderElectionNamespace,
            // the receiver Service's names, so in-cluster senders can verify the certificate
            ...(config.webhook?.serviceName
              ? { otherServiceNames: [config.webhook.serviceName] }
              : {}),
          },
          kubeConfig,
          log,
          isLeader: () => leading,
          streams: {
            get: (ns, name) => streams.get(ns, name),
            list: (ns) => streams.list(ns),
            get synced() {
              return streams.synced;
            },
          },
          // the API server calls the admission webhook directly, not through its front proxy
          routes: [
            {
              prefix: IMAGE_LOOKUP_PATH,
              frontProxy: false,
              handler: imageLookupEndpoint(streams, {
                ...(config.registryHostname
                  ? { localRegistryHostname: config.registryHostname }
                  : {}),
              }),
            },
            ...(receivers
              ? [HOOKS_PREFIX, LEGACY_DISTRIBUTION_PATH].map((prefix) => ({
                  prefix,
                  frontProxy: false,
                  handler: receivers,
                }))
              : []),
          ],
        })
      : undefined;
  const server: Server = await startObservabilityServer(config.metricsAddr, metrics.registry, {
    // A leader is ready once its caches synced; a standby is ready too (it
    // waits, and serves the views and admission). Pushes reach the leader
    // through the receiver Service's EndpointSlice, not through readiness.
    // With the HTTPS server on, a replica is ready once it serves.
    ready: () => !shuttingDown && (serving?.ready ?? true) && (leading ? manager.synced : true),
  });
  if (streams && serving) {
    void streams.start();
    serving.start().catch((err) => {
      log.fatal({ err: errorSummary(err) }, "could not start HTTPS serving");
      process.exit(1);
    });
  }
  const startManager = () => {
    leading = true;
    metrics.leaderStatus.set({ name: config.leaderElectionId }, 1);
    manager.start().catch((err) => {
      log.fatal({ err: errorSummary(err) }, "could not start controllers");
      process.exit(1);
    });
  };
  const elector = config.leaderElect
    ? new LeaderElector({
        api: kubeLeaseApi(kubeConfig, config.leaderElectionNamespace, config.leaderElectionId),
        name: config.leaderElectionId,
        identity,
        timings: config.leaderElection,
        log,
        onStartedLeading: startManager,
        // a leader that could not renew in time exits before a candidate can
        // acquire: never two writers (what client-go users do in OnStoppedLeading)
        onStoppedLeading: () => process.exit(1),
      })
    : undefined;
  if (elector) {
    metrics.leaderStatus.set({ name: config.leaderElectionId }, 0);
    elector.start();
  } else {
    startManager();
  }
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    await manager.stop(SHUTDOWN_DRAIN_MS);
    await elector?.stop();
    await serving?.stop();
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(
    `imagestream-operator: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
