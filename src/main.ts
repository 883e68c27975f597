#!/usr/bin/env node
// The operator process: flags, cluster credentials, observability endpoints,
// leader election, then the controllers; graceful shutdown on SIGTERM.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import { ConfigError, helpText, parseConfig } from "./config.js";
import { loadKubeConfig } from "./controllers/kube.js";
import { LeaderElector } from "./controllers/leader.js";
import { kubeLeaseApi } from "./controllers/lease-api.js";
import { Manager } from "./manager.js";
import { createLogger, errorSummary } from "./observability/logger.js";
import { createMetrics } from "./observability/metrics.js";
import { startObservabilityServer } from "./observability/server.js";

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
  const manager = new Manager({ config, kubeConfig, log, metrics, identity });
  let shuttingDown = false;
  let leading = !config.leaderElect;
  const server: Server = await startObservabilityServer(config.metricsAddr, metrics.registry, {
    // A leader is ready once its caches synced. A standby is ready too (it waits),
    // unless the push receiver is on: then only the leader may receive traffic.
    ready: () => !shuttingDown && (leading ? manager.synced : !config.webhook),
  });
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
