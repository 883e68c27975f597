// The trigger controller (issue "Triggers"): one informer per workload kind,
// one queue of "Kind/namespace/name" keys, and the index from image stream
// tags to the workloads that follow them. Image stream events wake only the
// followers of tags whose image actually changed (StreamChangeTracker);
// workload events wake the workload itself; a periodic resync re-plans every
// triggered workload (a no-op pass writes nothing).
import type { KubeConfig, KubernetesObject, V1Secret } from "@kubernetes/client-node";
import { ANN_TRIGGERS, type ImageStream } from "../../api/types.js";
import type { Config } from "../../config.js";
import type { Logger } from "../../observability/logger.js";
import type { Metrics } from "../../observability/metrics.js";
import { isCrossNamespaceAllowed } from "../../reconcile/tenancy.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  ANN_ROLLOUT_STATUS,
  APPLIED_LABEL_PREFIX,
  imagesFollowing,
  lookupsFromStreams,
  type NodeLabels,
  parseTriggers,
  tagIndexKey,
  tagItemsFromStreams,
  triggerIndexKeys,
  WORKLOAD_KINDS,
  type WorkloadKind,
} from "../../reconcile/triggers/index.js";
import type { RegistryClient } from "../../registry/types.js";
import type { Recorder } from "../events.js";
import { type ChangeVerb, every, ScopedInformer, waitForCacheSync } from "../informer.js";
import { instrumentedQueue } from "../instrumented-queue.js";
import { nodeSource, workloadSource } from "../resources.js";
import type { WorkQueue } from "../workqueue.js";
import { CheckBackoff } from "./check-backoff.js";
import { KubeClusterReads } from "./cluster-reads.js";
import { FollowerIndex } from "./follower-index.js";
import { parseWorkloadKey, workloadKey } from "./keys.js";
import { PreWriteChecks } from "./pre-write-checks.js";
import { ProblemMemory } from "./problem-memory.js";
import { TriggerReconciler, toWorkload } from "./reconciler.js";
import { StreamChangeTracker } from "./stream-changes.js";
import { KubeWorkloadClient, type WorkloadObject } from "./workload-client.js";

export const CONTROLLER_NAME = "imagetrigger";

export interface TriggerControllersDeps {
  config: Config;
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: Metrics;
  identity: string;
  recorder: Recorder;
  /** the manager's ImageStream informer (started by the manager) */
  streams: ScopedInformer<ImageStream & KubernetesObject>;
  /** aborted when the manager stops: start() stops waiting for caches */
  stopping?: AbortSignal;
  /**
   * The checks before a write (ADR 0030): the import's registry client (so
   * that a fresh import answers the pull check) and the pull-secret caches.
   * Left out: digests are written unchecked.
   */
  checks?: {
    registry: Pick<RegistryClient, "checkPullable">;
    pullSecret: (namespace: string, name: string) => V1Secret | undefined;
  };
}

type NodeObject = KubernetesObject;

export class TriggerControllers {
  private readonly informers = new Map<WorkloadKind, ScopedInformer<WorkloadObject>>();
  private readonly index = new FollowerIndex();
  private readonly problems = new ProblemMemory();
  private readonly queue: WorkQueue;
  private readonly nodes: ScopedInformer<NodeObject> | undefined;
  /** node name -> its labels as text, to requeue only on a label change */
  private readonly nodeLabels = new Map<string, string>();
  private readonly backoff = new CheckBackoff();
  /** workloads with a refused digest in their rollout status: judged again when nodes change */
  private readonly refused = new Set<string>();
  private readonly notes = new Set<string>();
  private stopResync: (() => void) | undefined;

  constructor(private readonly deps: TriggerControllersDeps) {
    const { config, kubeConfig, log, streams } = deps;
    this.nodes = deps.checks
      ? new ScopedInformer<NodeObject>({
          name: "nodes",
          kubeConfig,
          log,
          listPageSize: config.listPageSize,
          ...nodeSource(kubeConfig),
        })
      : undefined;
    this.nodes?.onChange((node, verb) => this.onNode(node, verb));
    for (const kind of WORKLOAD_KINDS) {
      const informer = new ScopedInformer<WorkloadObject>({
        name: `${kind.toLowerCase()}s`,
        kubeConfig,
        log,
        listPageSize: config.listPageSize,
        ...workloadSource<WorkloadObject>(kubeConfig, config.namespaces, kind),
      });
      informer.onChange((object, verb) => this.onWorkload(kind, object, verb));
      this.informers.set(kind, informer);
    }
    const options = config.registryHostname
      ? { localRegistryHostname: config.registryHostname }
      : {};
    const reconciler = new TriggerReconciler({
      cached: (ref) => this.informers.get(ref.kind)?.get(ref.namespace, ref.name),
      synced: () => this.synced && streams.synced,
      client: new KubeWorkloadClient(kubeConfig),
      lookups: lookupsFromStreams(
        (namespace, name) => streams.get(namespace, name),
        isCrossNamespaceAllowed,
        options,
      ),
      recorder: deps.recorder,
      metrics: deps.metrics,
      index: this.index,
      problems: this.problems,
      tagItems: tagItemsFromStreams((namespace, name) => streams.get(namespace, name)),
      stream: (namespace, name) => streams.get(namespace, name),
      ...(deps.checks ? { checks: this.preWriteChecks(deps.checks), backoff: this.backoff } : {}),
    });
    this.queue = this.makeQueue(reconciler);
    const tracker = new StreamChangeTracker(options);
    streams.onChange((stream, verb) => {
      const change = tracker.observe(stream, verb);
      const followers = this.index.followersOf(change.tagKeys);
      if (change.appearedOrVanished) {
        for (const w of this.index.followersOfStream(change.namespace, change.name))
          followers.add(w);
      }
      for (const key of followers) this.queue.add(key);
    });
  }

  get synced(): boolean {
    return [...this.informers.values()].every((i) => i.synced) && (this.nodes?.synced ?? true);
  }

  private preWriteChecks(checks: NonNullable<TriggerControllersDeps["checks"]>): PreWriteChecks {
    const reads = new KubeClusterReads(this.deps.kubeConfig);
    return new PreWriteChecks({
      registry: checks.registry,
      pullSecret: checks.pullSecret,
      serviceAccountSecrets: (namespace, name) => reads.serviceAccountSecrets(namespace, name),
      imagePlatforms: (digest) => reads.imagePlatforms(digest),
      nodes: () => this.nodeList(),
      freshMs: this.deps.config.pullCheckFreshSeconds * 1000,
      onNote: (note) => this.note(note),
    });
  }

  // Said once per process and text (info): a cluster without nodes would say it on every write.
  private note(text: string): void {
    if (this.notes.has(text)) return;
    if (this.notes.size > 1000) this.notes.clear();
    this.notes.add(text);
    this.deps.log.info({ check: "platforms" }, text);
  }

  private nodeList(): NodeLabels[] {
    return (this.nodes?.list() ?? []).map((n) => ({
      name: n.metadata?.name ?? "",
      labels: n.metadata?.labels ?? {},
    }));
  }

  // A node's labels changed (or it came or went): digests refused for the
  // nodes are judged again. Node heartbeats change nothing here.
  private onNode(node: NodeObject, verb: ChangeVerb): void {
    const name = node.metadata?.name ?? "";
    const labels = verb === "delete" ? undefined : JSON.stringify(node.metadata?.labels ?? {});
    if (this.nodeLabels.get(name) === labels) return;
    if (labels === undefined) this.nodeLabels.delete(name);
    else this.nodeLabels.set(name, labels);
    this.backoff.clear();
    for (const key of this.refused) this.queue.add(key);
  }

  /**
   * The images the workloads following namespace/stream:tag hold for it
   * (paused triggers too), for the import controller's history retention;
   * undefined until every workload cache has listed.
   */
  runningImages(namespace: string, stream: string, tag: string): string[] | undefined {
    if (!this.synced) return undefined;
    const images = new Set<string>();
    for (const key of this.index.followersOf([tagIndexKey(namespace, stream, tag)])) {
      const ref = parseWorkloadKey(key);
      const object = ref && this.informers.get(ref.kind)?.get(ref.namespace, ref.name);
      if (!ref || !object) continue;
      const workload = toWorkload(ref.kind, object);
      for (const image of imagesFollowing(workload, namespace, stream, tag)) images.add(image);
    }
    return [...images];
  }

  /** Starts the informers, and the workers once they and the streams' cache have synced. */
  async start(): Promise<void> {
    const informers: ScopedInformer<KubernetesObject>[] = [...this.informers.values()];
    if (this.nodes) informers.push(this.nodes);
    await Promise.all(informers.map((i) => i.start()));
    const synced = await waitForCacheSync(CONTROLLER_NAME, [...informers, this.deps.streams], {
      log: this.deps.log,
      ...(this.deps.stopping ? { signal: this.deps.stopping } : {}),
    });
    if (!synced) return;
    this.queue.start();
    this.stopResync = every(this.deps.config.resyncSeconds * 1000, () => this.resync());
  }

  /** reconciles running now */
  get inFlight(): number {
    return this.queue.inFlight;
  }

  /** Resolves true once the reconciles in flight finished, false after timeoutMs. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopResync?.();
    await Promise.all(
      [...this.informers.values(), ...(this.nodes ? [this.nodes] : [])].map((i) => i.stop()),
    );
    return this.queue.shutdown(timeoutMs);
  }

  /** Re-plans every workload that has triggers or our record. */
  private resync(): void {
    for (const [kind, informer] of this.informers) {
      for (const object of informer.list()) {
        if (isTriggered(object)) this.queue.add(keyOf(kind, object));
      }
    }
  }

  // Runs inside the informer: only index and enqueue (exceptions are lost).
  private onWorkload(kind: WorkloadKind, object: WorkloadObject, verb: ChangeVerb): void {
    const key = keyOf(kind, object);
    if (verb === "delete" || !isTriggered(object)) {
      this.index.remove(key);
      this.problems.forget(key);
      this.refused.delete(key);
      return;
    }
    if (object.metadata?.annotations?.[ANN_ROLLOUT_STATUS]?.includes('"Refused"'))
      this.refused.add(key);
    else this.refused.delete(key);
    const workload = toWorkload(kind, object);
    const parsed = parseTriggers(object.metadata?.annotations?.[ANN_TRIGGERS], workload);
    this.index.set(key, triggerIndexKeys(parsed.triggers));
    this.queue.add(key);
  }

  private makeQueue(reconciler: TriggerReconciler): WorkQueue {
    const { metrics, log, config } = this.deps;
    return instrumentedQueue({
      controller: CONTROLLER_NAME,
      concurrency: config.workers,
      log,
      metrics,
      reconcile: (key, l) => reconciler.reconcile(key, l),
      paused: true, // until start() has seen the caches synced
    });
  }
}

// Anything of ours counts too: a workload whose triggers annotation and record
// were both removed still needs one reconcile to drop our labels.
function isTriggered(object: WorkloadObject): boolean {
  const annotations = object.metadata?.annotations ?? {};
  if (ANN_TRIGGERS in annotations || ANN_LAST_APPLIED_IMAGES in annotations) return true;
  return Object.keys(object.metadata?.labels ?? {}).some((l) => l.startsWith(APPLIED_LABEL_PREFIX));
}

function keyOf(kind: WorkloadKind, object: WorkloadObject): string {
  return workloadKey(kind, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
}
