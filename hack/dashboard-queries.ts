// The PromQL queries of the Grafana dashboard (helm/imagestream-operator/
// files/dashboard.json), with Grafana's variables replaced by values
// Prometheus accepts, so a PromQL parser can check them. Run directly it
// prints them as a Prometheus rules file (JSON is YAML), one recording rule a
// query, for `promtool check rules` (hack/monitoring-check.sh).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface Panel {
  title?: string;
  type?: string;
  panels?: Panel[];
  targets?: { refId?: string; expr?: string }[];
}

export const DASHBOARD = new URL(
  "../helm/imagestream-operator/files/dashboard.json",
  import.meta.url,
);

export function dashboardQueries(dashboard: { panels?: Panel[] }): DashboardQuery[] {
  const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      panel: panel.title ?? "",
      refId: t.refId ?? "",
      expr: t.expr ?? "",
    })),
  );
}

/** Grafana's variables as a query sees them once Grafana has replaced them. */
export function withVariablesReplaced(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "5m")
    .replaceAll("$__interval", "1m")
    .replace(/\$\{?(\w+)\}?/g, ".*");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8"));
  const rules = dashboardQueries(dashboard).map((q, i) => ({
    record: `dashboard:query_${i}`,
    expr: withVariablesReplaced(q.expr),
    labels: { panel: q.panel, ref: q.refId },
  }));
  process.stdout.write(`${JSON.stringify({ groups: [{ name: "dashboard", rules }] }, null, 2)}\n`);
}
