// When each value was first seen, by watch: the benchmark times changes by
// the moment their watch events reach this process, so the delivery delay is
// (about) the same at both ends of a measured interval and polling adds no
// error of its own.
import { type KubeConfig, Watch } from "@kubernetes/client-node";

export class FirstSeen {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private abort: AbortController | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly path: string,
    /** the values an object carries (e.g. its container images) */
    private readonly valuesOf: (object: unknown) => string[],
  ) {}

  async start(): Promise<void> {
    const onEvent = (_phase: string, object: unknown) => {
      const at = performance.now();
      for (const value of this.valuesOf(object)) {
        if (this.seen.has(value)) continue;
        this.seen.set(value, at);
        this.waiters.get(value)?.(at);
        this.waiters.delete(value);
      }
    };
    const onDone = (err: unknown) => {
      if (this.abort === undefined) return; // stopped
      // restarted at once: a watch may end (timeout) in the middle of a run;
      // values already seen keep their first time
      process.stderr.write(`watch ${this.path} ended (${String(err)}); restarting\n`);
      void this.start();
    };
    this.abort = await new Watch(this.kubeConfig).watch(this.path, {}, onEvent, onDone);
  }

  stop(): void {
    const abort = this.abort;
    this.abort = undefined;
    abort?.abort();
  }

  /** When value was first seen; waits for it up to timeoutMs. */
  at(value: string, timeoutMs = 60_000): Promise<number> {
    const known = this.seen.get(value);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(value);
        reject(new Error(`not seen within ${timeoutMs} ms on ${this.path}: ${value}`));
      }, timeoutMs);
      this.waiters.set(value, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}
