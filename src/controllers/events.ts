// Kubernetes Events (events.k8s.io/v1) on the objects users look at. Callers
// emit on transitions only (a tag moved, an import started failing or
// recovered, a rollout we caused, a bad trigger), never once per resync; the
// recorder additionally suppresses an identical event repeated within a window,
// so a retry loop cannot flood the namespace.
import { randomBytes } from "node:crypto";
import { EventsV1Api, type KubeConfig, V1MicroTime } from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventRecord {
  target: EventTarget;
  type: "Normal" | "Warning";
  reason: string;
  action: string;
  note: string;
  /** an event for a write we made: never suppressed as a repeat (a tag may
   * move A to B, back to A and to B again within the window) */
  forEachWrite?: boolean;
}

export interface Recorder {
  /** true when the event is on the server: written now, or an identical one within the window */
  record(event: EventRecord): Promise<boolean>;
}

export const REPORTING_CONTROLLER = "image.openshift.io/imagestream-operator";
const NOTE_LIMIT = 1024; // the API rejects notes over 1 kB

/** Remembers recent events to drop an identical one repeated within a window. */
export class RepeatFilter {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  isRepeat(e: EventRecord): boolean {
    if (e.forEachWrite === true) return false;
    const key = repeatKey(e);
    const now = this.now();
    const last = this.recent.get(key);
    if (this.recent.size > 10_000) this.recent.clear();
    if (last !== undefined && now - last < this.windowMs) return true;
    this.recent.set(key, now);
    return false;
  }

  /** The event could not be written: an identical one may be tried again at once. */
  forget(e: EventRecord): void {
    this.recent.delete(repeatKey(e));
  }
}

function repeatKey(e: EventRecord): string {
  return `${e.target.namespace}/${e.target.kind}/${e.target.name}/${e.reason}/${e.note}`;
}

/** The API server's default --event-ttl: a report older than this has expired. */
export const PROBLEM_RESEND_MS = 3_600_000;

/**
 * Warning Events for a failure that persists (a refused write retried with
 * backoff): at most one per object and reason per hour, and sent again when
 * the last one could not be written or has expired, instead of once per
 * process lifetime or once per retry.
 */
export class ProblemReports {
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly recorder: Recorder,
    private readonly resendAfterMs = PROBLEM_RESEND_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async report(e: EventRecord): Promise<void> {
    const key = `${e.target.namespace}/${e.target.kind}/${e.target.name}/${e.reason}`;
    const last = this.sentAt.get(key);
    if (last !== undefined && this.now() - last < this.resendAfterMs) return;
    if (!(await this.recorder.record(e))) return;
    if (this.sentAt.size > 10_000) this.sentAt.clear();
    this.sentAt.set(key, this.now());
  }
}

export class KubeEventRecorder implements Recorder {
  private readonly api: EventsV1Api;
  private readonly repeats: RepeatFilter;

  constructor(
    kc: KubeConfig,
    private readonly instance: string,
    private readonly log: Logger,
    dedupWindowMs = 60_000,
    private readonly now = Date.now,
  ) {
    this.api = kc.makeApiClient(EventsV1Api);
    this.repeats = new RepeatFilter(dedupWindowMs, now);
  }

  async record(e: EventRecord): Promise<boolean> {
    if (this.repeats.isRepeat(e)) return true;
    const t = e.target;
    try {
      await this.api.createNamespacedEvent({
        namespace: t.namespace,
        body: {
          metadata: { name: `${t.name}.${randomBytes(8).toString("hex")}`, namespace: t.namespace },
          eventTime: new V1MicroTime(this.now()),
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: this.instance,
          action: e.action,
          reason: e.reason,
          type: e.type,
          note: e.note.length > NOTE_LIMIT ? `${e.note.slice(0, NOTE_LIMIT - 3)}...` : e.note,
          regarding: {
            apiVersion: t.apiVersion,
            kind: t.kind,
            name: t.name,
            namespace: t.namespace,
            uid: t.uid,
            resourceVersion: t.resourceVersion,
          },
        },
      });
      return true;
    } catch (err) {
      // Events are best effort: never fail a reconcile because of one. Not
      // remembered as sent, so the next attempt of a report writes it.
      this.repeats.forget(e);
      this.log.warn({ err: errorSummary(err), reason: e.reason }, "could not record event");
      return false;
    }
  }
}
