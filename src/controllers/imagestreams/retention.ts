// The import controller's side of bounded tag history (ADR 0012): which limit
// a stream asked for, which items triggered workloads run, and the Events.
// The rules themselves are pure (src/reconcile/retention.ts).
import type { ImageStream, ImageStreamStatus } from "../../api/types.js";
import {
  budgetTrimmedMessage,
  historyLimitOf,
  invalidLimitMessage,
  retainHistory,
  STATUS_BUDGET_BYTES,
} from "../../reconcile/retention.js";
import type { PlannedEvent } from "../../reconcile/types.js";

/**
 * Image references the workloads following namespace/stream:tag hold in
 * their containers; undefined while the workload caches have not listed yet
 * (history is then left as it is until a later write).
 */
export type RunningImagesLookup = (
  namespace: string,
  stream: string,
  tag: string,
) => readonly string[] | undefined;

export interface RetentionDeps {
  /** items per tag for streams without the annotation; 0 keeps every item */
  maxTagHistory: number;
  runningImages: RunningImagesLookup;
  statusBudgetBytes?: number;
}

export interface Retained {
  status: ImageStreamStatus;
  events: PlannedEvent[];
}

export class HistoryRetention {
  /** stream key -> the invalid annotation value already reported */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: RetentionDeps) {}

  /** A Warning once per invalid annotation value (again after a restart). */
  annotationProblem(key: string, stream: ImageStream): PlannedEvent | undefined {
    const limit = historyLimitOf(stream, this.deps.maxTagHistory);
    if (limit.invalid === undefined) {
      this.reported.delete(key);
      return undefined;
    }
    if (this.reported.get(key) === limit.invalid) return undefined;
    this.reported.set(key, limit.invalid);
    return {
      type: "Warning",
      reason: "InvalidMaxTagHistory",
      action: "TrimHistory",
      note: invalidLimitMessage(limit),
    };
  }

  forget(key: string): void {
    this.reported.delete(key);
  }

  /** The status about to be written, with its history trimmed. */
  trim(stream: ImageStream, status: ImageStreamStatus): Retained {
    const namespace = stream.metadata.namespace ?? "";
    const name = stream.metadata.name ?? "";
    const running = new Map<string, readonly string[]>();
    for (const t of status.tags ?? []) {
      const images = this.deps.runningImages(namespace, name, t.tag);
      if (images === undefined) return { status, events: [] };
      running.set(t.tag, images);
    }
    const budgetBytes = this.deps.statusBudgetBytes ?? STATUS_BUDGET_BYTES;
    const retention = retainHistory(status, {
      maxItems: historyLimitOf(stream, this.deps.maxTagHistory).maxItems,
      budgetBytes,
      runningImages: (tag) => running.get(tag) ?? [],
    });
    const events: PlannedEvent[] =
      retention.droppedByBudget > 0
        ? [
            {
              type: "Warning",
              reason: "HistoryTrimmed",
              action: "TrimHistory",
              note: budgetTrimmedMessage(retention, budgetBytes),
            },
          ]
        : [];
    return { status: retention.status, events };
  }
}
