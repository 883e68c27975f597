// The chart's dashboard and alerts use only metrics the operator exports, and
// have the shape Grafana and the Prometheus Operator need. promtool checks
// their PromQL and the alerts' behaviour (hack/monitoring-check.sh).
import { readFileSync } from "node:fs";
import { loadYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../src/observability/metrics.ts";
import { DASHBOARD, dashboardQueries } from "./dashboard-queries.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax
const DATASOURCE_VARIABLE = "${datasource}";
const ALERTS = new URL("../helm/imagestream-operator/files/alerts.yaml", import.meta.url);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
}
interface Alert {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};
const alerts = loadYaml<{ groups: { name: string; rules: Alert[] }[] }>(
  readFileSync(ALERTS, "utf8"),
).groups.flatMap((g) => g.rules);

/** Every series name the operator's /metrics can show (histograms with their suffixes). */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = await createMetrics(true).registry.getMetricsAsJSON();
  return new Set(
    metrics.flatMap((m) =>
      String(m.type) === "histogram"
        ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
        : [m.name],
    ),
  );
}

/** The metric names a PromQL expression selects (a name followed by `{`). */
function selectedMetrics(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1] as string);
}

describe("Grafana dashboard", () => {
  const panels = dashboard.panels;
  const queries = dashboardQueries(dashboard);

  it("has a stable uid, a datasource variable, unique panel ids and a 24-column grid", () => {
    expect(dashboard.uid).toBe("imagestream-operator");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.map((v) => [v.name, v.type])).toContainEqual([
      "datasource",
      "datasource",
    ]);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it("queries through the datasource variable, each target with a unique refId", () => {
    for (const p of panels.filter((p) => p.type !== "row")) {
      expect(p.datasource, p.title).toEqual({ type: "prometheus", uid: DATASOURCE_VARIABLE });
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect(refs.length, p.title).toBeGreaterThan(0);
      expect(new Set(refs).size, p.title).toBe(refs.length);
    }
  });

  it("shows imports, failures by reason, registries, throttling, queues and rollouts", () => {
    const all = queries.map((q) => q.expr).join("\n");
    for (const metric of [
      "imagestream_imports_total",
      'result="failure"',
      "imagestream_registry_requests_total",
      "imagestream_registry_throttled_seconds_total",
      "workqueue_depth",
      "workqueue_queue_duration_seconds_bucket",
      "imagestream_trigger_rollouts_total",
    ]) {
      expect(all).toContain(metric);
    }
    expect(queries.find((q) => q.panel === "Failures by reason")?.expr).toContain("by (reason)");
  });

  it("selects only series the operator exports", async () => {
    const exported = await exportedSeries();
    for (const q of queries) {
      const names = selectedMetrics(q.expr);
      expect(names.length, `${q.panel} ${q.refId}`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${q.panel}: ${name}`).toContain(name);
    }
  });
});

describe("alerts", () => {
  it("cover failing imports, registry throttling, a backed-up queue and no leader", () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      "ImageStreamImportsFailing",
      "ImageStreamRegistryThrottling",
      "ImageStreamQueueBackingUp",
      "ImageStreamOperatorNoLeader",
      "ImageStreamOperatorAbsent",
    ]);
  });

  it("each wait before firing, carry a severity and say what to do", () => {
    for (const a of alerts) {
      expect(a.for, a.alert).toMatch(/^\d+m$/);
      expect(["warning", "critical"], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      expect(a.annotations?.description?.length, a.alert).toBeGreaterThan(40);
    }
  });

  it("select only series the operator exports (and Prometheus' up)", async () => {
    const exported = await exportedSeries();
    exported.add("up");
    for (const a of alerts) {
      const names = selectedMetrics(a.expr);
      expect(names.length, a.alert).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${a.alert}: ${name}`).toContain(name);
    }
  });
});
