#!/usr/bin/env bash
# `make chart`: packages helm/imagestream-operator (`helm package`) and pushes
# it as an OCI artifact (`helm push`) to CHART_REGISTRY under charts/
# (default: $REGISTRY, else the running local test environment's registry;
# plain HTTP for a registry on 127.0.0.1 or localhost). The package stays in
# dist/chart/. stdout: the chart's reference, for
#   helm install NAME "$(hack/chart-publish.sh)" --version VERSION
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=hack/lib/publish-target.sh
source "$here/lib/publish-target.sh"
helm=$(command -v helm || "$here/build-helm.sh")
registry=$(publish_registry "${CHART_REGISTRY:-}")
[[ -n $registry ]] || {
  echo "[chart] ERROR: nowhere to push: set CHART_REGISTRY or start the test environment (make cluster)" >&2
  exit 1
}
out=$repo/dist/chart
rm -rf "$out" && mkdir -p "$out"
"$helm" lint "$repo/helm/imagestream-operator" >&2
"$helm" package "$repo/helm/imagestream-operator" --destination "$out" >&2
plain=()
is_loopback_registry "$registry" && plain=(--plain-http)
"$helm" push "$out"/imagestream-operator-*.tgz "oci://$registry/charts" "${plain[@]}" >&2
echo "oci://$registry/charts/imagestream-operator"
