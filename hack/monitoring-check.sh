#!/usr/bin/env bash
# Checks the chart's alerts and dashboard with Prometheus' own promtool
# (Debian's, hack/debian-promtool.sh, cached): the rules file's syntax and
# PromQL (`check rules`), the alerts firing, and not firing, on the series of
# hack/monitoring/alerts.test.yaml (`test rules`), and every dashboard query
# parsed as PromQL (hack/dashboard-queries.ts). The metric names both use are
# checked against what src/ exports by hack/monitoring.test.ts (unit tests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
promtool=$(hack/debian-promtool.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$promtool" check rules helm/imagestream-operator/files/alerts.yaml
"$promtool" test rules hack/monitoring/alerts.test.yaml
hack/node hack/dashboard-queries.ts >"$work/dashboard-queries.yaml"
"$promtool" check rules "$work/dashboard-queries.yaml"
echo "monitoring: alerts and dashboard queries pass promtool" >&2
