#!/usr/bin/env bash
# The Prometheus Operator's ServiceMonitor and PrometheusRule CRDs, for the
# chart's test (test/e2e/helm.test.ts): taken from the pinned
# prometheus-operator Go module (the Go module proxy), once, into the cache
# shared with the other binaries. Prints the directory holding the two files.
set -euo pipefail
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
VERSION=v0.79.2 # the newest root-module version the Go module proxy serves here (v0.80+ refused, 2026-12-02)
module=github.com/prometheus-operator/prometheus-operator
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
dir="$cache/crds/prometheus-operator-$VERSION"
crds=(monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_prometheusrules.yaml)
mkdir -p "$cache"
exec 9>"$cache/monitoring-crds.lock"
flock 9
if [[ ! -s "$dir/${crds[1]}" ]]; then
  echo "fetching $module@$VERSION from the Go module proxy for its CRDs" >&2
  src=$(cd / && go mod download -json "$module@$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [[ -d $src ]] || { echo "$0: go mod download $module@$VERSION gave no directory" >&2; exit 1; }
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  for crd in "${crds[@]}"; do cp "$src/example/prometheus-operator-crd/$crd" "$dir.tmp/"; done
  chmod 0644 "$dir.tmp"/*
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir"
