// Wires informers, queues and reconcilers into one running operator. Only the
// leader runs this; everything here is torn down on shutdown.
import type { RequestListener } from "node:http";
import type { KubeConfig, KubernetesObject, V1Secret } from "@kubernetes/client-node";
import type { Image, ImageStream } from "./api/types.js";
import type { Config } from "./config.js";
import { KubeEventRecorder, type Recorder } from "./controllers/events.js";
import { ImageGarbageCollector } from "./controllers/images-gc.js";
import { ImagesInUse } from "./controllers/images-in-use.js";
import { KubeImageStreamWriter } from "./controllers/imagestream-writer.js";
import { ImportReconciler } from "./controllers/imagestreams/controller.js";
import { credentialExplanation, credentialLookup } from "./controllers/imagestreams/execute.js";
import { NamespaceKeyrings } from "./controllers/imagestreams/keyrings.js";
import { type Behind, ScheduledImportCap } from "./controllers/imagestreams/scheduled-cap.js";
import { every, objectKey, ScopedInformer, waitForCacheSync } from "./controllers/informer.js";
import { instrumentedQueue } from "./controllers/instrumented-queue.js";
import { LeaderEndpoints } from "./controllers/leader-endpoints.js";
import { PushDispatcher, PushIndex } from "./controllers/push-dispatch.js";
import { receiverRoutes, receiversListener } from "./controllers/receivers.js";
import {
  imageSource,
  imageStreamSource,
  pullSecretSource,
  type ResourceSource,
  receiverSecretSource,
} from "./controllers/resources.js";
import { TriggerControllers } from "./controllers/triggers/controller.js";
import type { WorkQueue } from "./controllers/workqueue.js";
import type { Logger } from "./observability/logger.js";
import type { Metrics } from "./observability/metrics.js";
import { registryObservers } from "./observability/registry-metrics.js";
import { createRegistryClient } from "./registry/client.js";
import { PULL_SECRET_TYPES } from "./registry/keyring.js";

const PUSH_RECHECK_DELAYS_MS = [1000, 5000];

export interface ManagerDeps {
  config: Config;
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: Metrics;
  identity: string;
  /**
   * The ImageStream informer, when the process runs it for every replica
   * (the image views): the manager reads it but does not start or stop it.
   */
  streams?: ScopedInformer<ImageStream & KubernetesObject>;
}

/** The cap on scheduled imports; counts due and deferred checks even when there is no cap. */
function scheduledCap(config: Config, metrics: Metrics, log: Logger): ScheduledImportCap {
  return new ScheduledImportCap({
    perMinute: config.maxScheduledImportsPerMinute,
    intervalMs: config.scheduledImportSeconds * 1000,
    onDue: () => metrics.scheduledChecksDue.inc(),
    onDeferred: () => metrics.scheduledChecksDeferred.inc(),
    onBehind: (b: Behind) =>
      log.warn(
        {
          waitSeconds: Math.round(b.waitMs / 1000),
          intervalSeconds: b.intervalMs / 1000,
          deferredStreams: b.reserved,
          maxScheduledImageImportsPerMinute: b.perMinute,
        },
        "scheduled checks fall behind: a check due now waits longer than the scheduled interval; " +
          "raise --max-scheduled-image-imports-per-minute (ISO_MAX_SCHEDULED_IMAGE_IMPORTS_PER_MINUTE) " +
          "or --scheduled-import-seconds",
      ),
  });
}

export class Manager {
  private readonly stops: (() => void)[] = [];
  private readonly informers: ScopedInformer<KubernetesObject>[] = [];
  private readonly queues: WorkQueue[] = [];
  readonly streams: ScopedInformer<ImageStream & KubernetesObject>;
  private readonly gc: ImageGarbageCollector | undefined;
  /** undefined while the receivers are off: no push can arrive, so no index is kept */
  private readonly pushes: PushDispatcher | undefined;
  private readonly receiverSecrets: (() => ReadonlyMap<string, string>) | undefined;
  private readonly triggers: TriggerControllers;
  /** aborted by stop(): a start still waiting for its caches gives up */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: ManagerDeps) {
    const { config, kubeConfig: kc, log, metrics } = deps;
    const recorder: Recorder = new KubeEventRecorder(kc, deps.identity, log);
    this.streams =
      deps.streams ?? this.informer("imagestreams", imageStreamSource(kc, config.namespaces));
    const images = this.informer<Image & KubernetesObject>("images", imageSource(kc));
    // one informer per pull-secret type: a field selector cannot OR two types
    const secrets = PULL_SECRET_TYPES.map((type) =>
      this.informer<V1Secret & KubernetesObject>(
        `secrets-${type.split("/")[1]}`,
        pullSecretSource(kc, config.namespaces, type),
      ),
    );
    const keyrings = new NamespaceKeyrings(
      (ns) => secrets.flatMap((s) => s.list(ns)) as V1Secret[],
      log,
    );
    const writer = new KubeImageStreamWriter(kc, metrics);
    const imagesInUse = new ImagesInUse(config.imageGcGraceMinutes * 60_000);
    // one client for imports and the triggers' pull checks: a fresh import answers them (ADR 0030)
    const registry = createRegistryClient({
      allowedRegistries: config.allowedRegistries,
      blockedRegistries: config.blockedRegistries,
      caBundles: config.registryCAs,
      ...(config.caBundle ? { extraCa: config.caBundle } : {}),
      requestTimeoutMs: config.registryTimeoutMs,
      rateLimits: config.registryRateLimits,
      concurrency: config.registryConcurrency,
      ...registryObservers(metrics),
    });
    const reconciler = new ImportReconciler({
      registry,
      credentialsFor: credentialLookup((ns) => keyrings.get(ns)),
      explainCredentials: credentialExplanation((ns) => keyrings.get(ns)),
      bulkImportLimit: config.bulkImportLimit,
      getStream: (ns, name) => this.streams.get(ns, name),
      imageExists: (name) => images.get(undefined, name) !== undefined,
      imagesInUse,
      writer,
      recorder,
      planner: {
        defaultImportMode: config.defaultImportMode,
        defaultPlatform: config.defaultPlatform,
        scheduledIntervalSeconds: config.scheduledImportSeconds,
      },
      ...(config.registryHostname ? { registryHostname: config.registryHostname } : {}),
      retention: {
        maxTagHistory: config.maxTagHistory,
        runningImages: (ns, stream, tag) => this.triggers.runningImages(ns, stream, tag),
      },
      scheduledCap: scheduledCap(config, metrics, log),
      onImport: (result, reason) => metrics.imports.inc({ result, reason }),
      onPushChecks: (key, checks) => this.pushes?.checked(key, checks),
    });
    const imports = this.queue("imagestream", (key, l) => reconciler.reconcile(key, l));
    this.streams.onChange((s) => imports.add(objectKey(s)));
    // The API server is back: passes that failed to write during the outage
    // run now, not at their next backoff step (by then up to 30 s away).
    this.streams.onResumed(() => {
      for (const s of this.streams.list()) imports.add(objectKey(s));
    });
    for (const s of secrets) {
      s.onChange((secret) => {
        const ns = secret.metadata?.namespace ?? "";
        keyrings.invalidate(ns);
        for (const key of reconciler.resetFailures(ns)) imports.add(key);
      });
    }
    this.pushes = config.webhook ? this.pushDispatcher(reconciler, imports) : undefined;
    this.receiverSecrets = config.webhook ? this.receiverSecret(config.webhook) : undefined;
    this.triggers = new TriggerControllers({
      ...deps,
      recorder,
      streams: this.streams,
      stopping: this.stopping.signal,
      checks: {
        registry,
        pullSecret: (ns, name) =>
          secrets.map((s) => s.get(ns, name)).find((found) => found !== undefined) as
            | V1Secret
            | undefined,
      },
    });
    this.gc =
      config.namespaces.length === 0 && config.imageGcIntervalSeconds > 0
        ? new ImageGarbageCollector(
            this.streams,
            images,
            writer,
            config,
            log,
            imagesInUse,
            config.imageGcIntervalSeconds * 1000,
          )
        : undefined;
  }

  get synced(): boolean {
    return this.informers.every((i) => i.synced) && this.streams.synced && this.triggers.synced;
  }

  async start(): Promise<void> {
    const { config, log } = this.deps;
    const imports = Promise.all(this.informers.map((i) => i.start())).then(() =>
      // streams, Images and pull Secrets: an import made from an empty cache
      // fails Unauthorized (no Secret yet) and "recovers" on the next pass
      waitForCacheSync("imagestream", [...this.informers, this.streams], {
        log,
        signal: this.stopping.signal,
      }),
    );
    const [synced] = await Promise.all([imports, this.triggers.start()]);
    if (!synced) return; // stopped while waiting
    for (const queue of this.queues) queue.start();
    this.stops.push(
      every(config.resyncSeconds * 1000, () => {
        for (const s of this.streams.list()) this.queues[0]?.add(objectKey(s));
      }),
    );
    if (this.gc) this.stops.push(this.gc.start());
    const { serviceName, podIp } = config.webhook ?? {};
    if (serviceName && podIp && config.serving) {
      const slice = new LeaderEndpoints({
        kubeConfig: this.deps.kubeConfig,
        namespace: config.leaderElectionNamespace,
        serviceName,
        podIp,
        port: config.serving.addr.port,
        log,
      });
      this.stops.push(slice.start());
    }
    log.info({ namespaces: config.namespaces.length ? config.namespaces : "all" }, "started");
  }

  /**
   * Stops taking work and waits (up to timeoutMs) for the reconciles in flight,
   * so that a leader releases its lease only once it has stopped writing.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    const { log } = this.deps;
    const started = Date.now();
    const inFlight = this.queues.reduce((n, q) => n + q.inFlight, 0) + this.triggers.inFlight;
    log.info({ inFlight }, "draining: no new reconciles; waiting for those in flight");
    for (const stop of this.stops) stop();
    this.pushes?.stop();
    const triggers = this.triggers.stop(timeoutMs); // drains beside the other queues
    await Promise.all(this.informers.map((i) => i.stop()));
    const drained = await Promise.all([...this.queues.map((q) => q.shutdown(timeoutMs)), triggers]);
    const fields = { inFlight, ms: Date.now() - started };
    if (drained.every(Boolean)) log.info(fields, "drained: every in-flight reconcile finished");
    else log.warn({ ...fields, timeoutMs }, "drain timed out: reconciles still running");
  }

  /**
   * The push receivers as one listener, for the HTTPS server of every
   * replica; they act only while `acting` (this replica leads and its caches
   * synced), else answer 503. Undefined when the receivers are off.
   */
  receivers(acting: () => boolean): RequestListener | undefined {
    const { config, log, metrics } = this.deps;
    const pushes = this.pushes;
    if (!config.webhook || !this.receiverSecrets || !pushes) return undefined;
    const routes = receiverRoutes({
      secrets: this.receiverSecrets,
      receivers: config.webhook.receivers,
      registryHosts: config.webhook.registryHosts,
      log,
      onPush: (pushed) => pushes.notify(pushed),
      onResult: (receiver, result) => metrics.pushNotifications.inc({ receiver, result }),
    });
    log.info({ paths: [...routes.keys()] }, "registry push receivers served over HTTPS");
    return receiversListener(routes, acting);
  }

  /**
   * Pushed tags -> re-checks. Its index (push key -> streams following it)
   * costs 1.35 KB of heap per stream of 3 tags, so it exists only with receivers.
   */
  private pushDispatcher(reconciler: ImportReconciler, imports: WorkQueue): PushDispatcher {
    const { log, metrics } = this.deps;
    const pushIndex = new PushIndex();
    const pushes = new PushDispatcher({
      index: pushIndex,
      recheck: (key, tags) => {
        log.debug({ key, tags }, "push re-check queued");
        reconciler.recheck(key, tags);
        imports.add(key);
      },
      followUpsMs: PUSH_RECHECK_DELAYS_MS,
      getStream: (key) => {
        const [ns, name] = key.split("/");
        return name === undefined ? undefined : this.streams.get(ns, name);
      },
      observeLatencySeconds: (s) => metrics.pushToImport.observe(s),
    });
    this.streams.onChange((s, verb) => {
      const key = objectKey(s);
      if (verb === "delete") pushIndex.remove(key);
      else pushIndex.set(key, s);
      pushes.observe(key, verb === "delete" ? undefined : s);
    });
    return pushes;
  }

  /** The receiver Secret's keys, decoded, as the informer last saw them (empty until it exists). */
  private receiverSecret(
    webhook: NonNullable<Config["webhook"]>,
  ): () => ReadonlyMap<string, string> {
    const informer = this.informer<V1Secret & KubernetesObject>(
      "receiver-secret",
      receiverSecretSource(this.deps.kubeConfig, webhook.secretNamespace, webhook.secretName),
    );
    return () => {
      const data = informer.get(webhook.secretNamespace, webhook.secretName)?.data ?? {};
      const keys = new Map<string, string>();
      for (const [k, v] of Object.entries(data)) {
        const secret = Buffer.from(v, "base64").toString("utf8").trim();
        if (secret) keys.set(k, secret);
      }
      return keys;
    };
  }

  private informer<T extends KubernetesObject>(name: string, source: ResourceSource<T>) {
    const informer = new ScopedInformer<T>({
      name,
      kubeConfig: this.deps.kubeConfig,
      log: this.deps.log,
      listPageSize: this.deps.config.listPageSize,
      ...source,
    });
    this.informers.push(informer as unknown as ScopedInformer<KubernetesObject>);
    return informer;
  }

  private queue(
    name: string,
    reconcile: (key: string, log: Logger) => Promise<{ requeueAfterMs?: number } | undefined>,
  ): WorkQueue {
    const { metrics, log, config } = this.deps;
    const queue = instrumentedQueue({
      controller: name,
      concurrency: config.workers,
      log,
      metrics,
      reconcile,
      paused: true, // until start() has seen the caches synced
    });
    this.queues.push(queue);
    return queue;
  }
}
