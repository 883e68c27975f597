// A work queue whose reconciles are logged and measured the way
// controller-runtime does it: a child logger per reconcile (controller,
// reconcileID, key), controller_runtime_reconcile_{total,errors_total,
// time_seconds}, and the queue's own workqueue_* metrics.
import { randomUUID } from "node:crypto";
import { errorSummary, type Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { type ReconcileResult, WorkQueue } from "./workqueue.js";

export interface InstrumentedQueueOptions {
  controller: string;
  concurrency: number;
  log: Logger;
  metrics: Metrics;
  reconcile: (key: string, log: Logger) => Promise<ReconcileResult | undefined>;
  /** run nothing until start() (the controller waits for its caches) */
  paused?: boolean;
}

export function instrumentedQueue(o: InstrumentedQueueOptions): WorkQueue {
  const { controller, metrics } = o;
  return new WorkQueue(
    async (key) => {
      const log = o.log.child({ controller, reconcileID: randomUUID(), key });
      const end = metrics.reconcileTime.startTimer({ controller });
      try {
        const result = await o.reconcile(key, log);
        const outcome = result?.requeueAfterMs ? "requeue_after" : "success";
        metrics.reconcileTotal.inc({ controller, result: outcome });
        return result;
      } catch (err) {
        metrics.reconcileTotal.inc({ controller, result: "error" });
        metrics.reconcileErrors.inc({ controller });
        log.warn({ err: errorSummary(err) }, "reconcile failed; retrying with backoff");
        throw err;
      } finally {
        end();
      }
    },
    { name: controller, concurrency: o.concurrency, metrics, paused: o.paused === true },
  );
}
