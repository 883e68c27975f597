// The operator's Warning Events about one object (events.k8s.io/v1), for
// `why`: what the API server refused, a trigger problem, a refused status.
// Read-only; a user who may not list Events gets a line saying so instead.
import { EventsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { REPORTING_CONTROLLER } from "../../controllers/events.js";
import { describeApiError } from "../errors.js";

export interface Warning {
  reason: string;
  note: string;
  /** when it was last seen, RFC 3339 */
  at?: string;
}

export interface WarningsRead {
  warnings: Warning[];
  /** why they could not be read */
  error?: string;
}

type ListedEvent = Awaited<ReturnType<EventsV1Api["listNamespacedEvent"]>>["items"][number];

function lastSeen(e: ListedEvent): string | undefined {
  const time = e.series?.lastObservedTime ?? e.eventTime ?? e.deprecatedLastTimestamp;
  if (time instanceof Date) return time.toISOString();
  if (time !== undefined && time !== null) return String(time);
  return e.metadata?.creationTimestamp?.toISOString();
}

export async function readWarnings(
  kc: KubeConfig,
  target: { namespace: string; kind: string; name: string },
): Promise<WarningsRead> {
  const fieldSelector = [
    `regarding.kind=${target.kind}`,
    `regarding.name=${target.name}`,
    "type=Warning",
    `reportingController=${REPORTING_CONTROLLER}`,
  ].join(",");
  try {
    const list = await kc
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace: target.namespace, fieldSelector });
    const warnings = list.items.map((e) => ({
      reason: e.reason ?? "",
      note: e.note ?? "",
      ...(lastSeen(e) ? { at: lastSeen(e) } : {}),
    }));
    return { warnings };
  } catch (error) {
    const server = kc.getCurrentCluster()?.server ?? "(unknown server)";
    return { warnings: [], error: describeApiError(error, server).message };
  }
}
