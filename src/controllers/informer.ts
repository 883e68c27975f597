// Informers that survive: client-node's informer stops for good on any error
// other than 410 Gone / timeout (ECONNRESET, connection refused, 403, a failed
// list), so we restart it with exponential backoff (1 s doubling to 30 s, as
// client-go's reflector), reset once a watch is established again. A restart
// watches on from the last resource version; a 410 Gone (expired, or an API
// server restarted with a fresh watch cache) makes client-node list afresh.
// We also track "synced" ourselves (start() can resolve although the first
// list failed) and add the periodic resync that client-node lacks. Handlers
// only compute keys and enqueue: exceptions thrown inside informer callbacks
// are swallowed by client-node.
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import { DEFAULT_LIST_PAGE_SIZE, type ListPage, listInPages } from "./list-pages.js";

export type ChangeVerb = "add" | "update" | "delete";
export type ChangeHandler<T> = (obj: T, verb: ChangeVerb) => void;

export interface ScopedInformerOptions<T extends KubernetesObject> {
  name: string;
  kubeConfig: KubeConfig;
  /** one path per namespace, or a single cluster-wide path */
  paths: string[];
  /** one page of the list at `path` (src/controllers/list-pages.ts) */
  list: (path: string, page: ListPage) => Promise<KubernetesListObject<T>>;
  /** objects per list page; 0 lists everything in one request */
  listPageSize?: number;
  labelSelector?: string;
  /** e.g. type=kubernetes.io/dockerconfigjson; must match what list() asks for */
  fieldSelector?: string;
  /** what the cache keeps of each listed or watched object (src/controllers/cache-shape.ts) */
  shape?: (obj: T) => T;
  /** Accept header of the watch, e.g. metadata only; list() must ask for the same */
  watchAccept?: string;
  log: Logger;
  restartBaseMs?: number;
  restartMaxMs?: number;
}

type WatchCallback = Parameters<Watch["watch"]>[2];

/**
 * client-node's Watch with three additions: each watched object is shaped
 * before the ListWatch caches it, the request may carry its own Accept
 * header (metadata-only watches), set after authentication adds its headers,
 * and `onConnected` hears of every watch the API server accepted.
 */
class ShapingWatch<T extends KubernetesObject> extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    private readonly shape: ((obj: T) => T) | undefined,
    accept: string | undefined,
    private readonly onConnected: () => void,
  ) {
    super(accept ? withAccept(kubeConfig, accept) : kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: Parameters<Watch["watch"]>[1],
    callback: WatchCallback,
    done: Parameters<Watch["watch"]>[3],
  ): Promise<AbortController> {
    const shape = this.shape;
    const shaped: WatchCallback = shape
      ? (phase, obj, raw) => callback(phase, phase === "ERROR" ? obj : shape(obj as T), raw)
      : callback;
    // client-node reports a refused or failed request through done(err)
    // before watch() resolves; otherwise the server answered 200 and streams.
    let failed = false;
    const controller = await super.watch(path, queryParams, shaped, (err) => {
      if (err) failed = true;
      done(err);
    });
    if (!failed) this.onConnected();
    return controller;
  }
}

/** The same kube config, but requests it authenticates ask for `accept`. */
function withAccept(kubeConfig: KubeConfig, accept: string): KubeConfig {
  const wrapped = Object.create(kubeConfig) as KubeConfig;
  wrapped.applySecurityAuthentication = async (context) => {
    await kubeConfig.applySecurityAuthentication(context);
    context.setHeaderParam("Accept", accept);
  };
  return wrapped;
}

/** One client-node informer plus restart, backoff and sync tracking. */
class RestartingInformer<T extends KubernetesObject> {
  synced = false;
  private stopped = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  readonly inner: ListWatch<T>;

  constructor(
    private readonly path: string,
    private readonly opts: ScopedInformerOptions<T>,
    handlers: ChangeHandler<T>[],
    private readonly onResumed: () => void,
  ) {
    const shape = opts.shape;
    const pageSize = opts.listPageSize ?? DEFAULT_LIST_PAGE_SIZE;
    const listFn = async () => {
      const list = await listInPages((page) => opts.list(path, page), pageSize, shape);
      // The cache is filled synchronously right after this promise resolves.
      setImmediate(() => this.markSynced());
      return list;
    };
    const watch = new ShapingWatch(opts.kubeConfig, shape, opts.watchAccept, () =>
      this.recovered(),
    );
    this.inner = new ListWatch<T>(
      path,
      watch,
      listFn,
      false,
      opts.labelSelector,
      opts.fieldSelector,
    );
    for (const verb of ["add", "update", "delete"] as const) {
      this.inner.on(verb, (obj) => {
        for (const handle of handlers) handle(obj, verb);
      });
    }
    this.inner.on("error", (err) => this.scheduleRestart(err));
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.inner.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.inner.stop();
  }

  private markSynced(): void {
    this.synced = true;
    this.recovered();
  }

  /** A list or a watch succeeded: the next failure starts the backoff afresh. */
  private recovered(): void {
    if (this.failures === 0) return;
    this.opts.log.info(
      { informer: this.opts.name, path: this.path, failures: this.failures },
      "informer resumed",
    );
    this.failures = 0;
    this.onResumed();
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const base = this.opts.restartBaseMs ?? 1000;
    const max = this.opts.restartMaxMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.failures - 1, 16));
    const jittered = Math.round(delay * (1 + 0.2 * Math.random()));
    this.opts.log.warn(
      { informer: this.opts.name, path: this.path, retryInMs: jittered, err: errorSummary(err) },
      "informer stopped; restarting",
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) void this.start().catch((e) => this.scheduleRestart(e));
    }, jittered);
    this.restartTimer.unref();
  }
}

/** Informers over one resource in one or more namespaces, read as one cache. */
export class ScopedInformer<T extends KubernetesObject> {
  private readonly informers: RestartingInformer<T>[];
  private readonly handlers: ChangeHandler<T>[] = [];
  private readonly resumedHandlers: (() => void)[] = [];

  constructor(private readonly opts: ScopedInformerOptions<T>) {
    this.informers = opts.paths.map(
      (p) =>
        new RestartingInformer(p, opts, this.handlers, () => {
          for (const handle of this.resumedHandlers) handle();
        }),
    );
  }

  get name(): string {
    return this.opts.name;
  }

  /** Registers a handler; handlers must only compute keys and enqueue. */
  onChange(handler: ChangeHandler<T>): void {
    this.handlers.push(handler);
  }

  /**
   * Registers a handler for "listing or watching works again after failing"
   * (the API server is back): work that failed meanwhile can be retried now
   * rather than at its next backoff step.
   */
  onResumed(handler: () => void): void {
    this.resumedHandlers.push(handler);
  }

  async start(): Promise<void> {
    await Promise.all(
      this.informers.map((i) =>
        i.start().catch((err) => {
          // the error handler has already scheduled a restart
          this.opts.log.debug({ informer: this.opts.name, err: errorSummary(err) }, "start");
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  get synced(): boolean {
    return this.informers.every((i) => i.synced);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    for (const i of this.informers) {
      const obj = i.inner.get(name, namespace);
      if (obj) return obj;
    }
    return undefined;
  }

  list(namespace?: string): T[] {
    return this.informers.flatMap((i) => [...i.inner.list(namespace)]);
  }
}

/** What waitForCacheSync watches: a ScopedInformer, or anything that lists the same way. */
export interface Syncable {
  readonly name: string;
  readonly synced: boolean;
}

export interface CacheSyncOptions {
  log: Logger;
  /** aborted: stop waiting (shutdown, or a test's time limit) */
  signal?: AbortSignal;
  pollMs?: number;
  /** how often to name the informers still unsynced */
  reportEveryMs?: number;
}

/**
 * client-go's WaitForCacheSync: resolves true once every informer has listed
 * (its cache holds what the API server held), false when `signal` aborts
 * first. A controller runs no reconcile before this: a cache still empty
 * reads as "no pull Secret", "no Image", "no workload", and a pass made from
 * it writes failures that are not real. It waits as long as it takes (an
 * informer that cannot list is restarted with backoff, and the operator is
 * not ready meanwhile), naming the informers it still waits for.
 */
export async function waitForCacheSync(
  controller: string,
  informers: readonly Syncable[],
  opts: CacheSyncOptions,
): Promise<boolean> {
  const pollMs = opts.pollMs ?? 50;
  const reportEveryMs = opts.reportEveryMs ?? 10_000;
  const started = Date.now();
  let reported = started;
  for (;;) {
    if (opts.signal?.aborted) return false;
    const waiting = informers.filter((i) => !i.synced).map((i) => i.name);
    if (waiting.length === 0) {
      opts.log.info({ controller, waitedMs: Date.now() - started }, "caches synced");
      return true;
    }
    if (Date.now() - reported >= reportEveryMs) {
      reported = Date.now();
      opts.log.warn(
        { controller, waiting, waitedSeconds: Math.round((reported - started) / 1000) },
        "waiting for informer caches to sync",
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Calls fn every intervalMs (unref'd); returns a stop function. */
export function every(intervalMs: number, fn: () => void): () => void {
  const handle = setInterval(fn, intervalMs);
  handle.unref();
  return () => clearInterval(handle);
}

export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : `${obj.metadata?.name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
