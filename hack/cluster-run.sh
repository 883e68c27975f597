#!/usr/bin/env bash
# Runs a command (a test suite) against a test environment: the caller's own
# when KUBECONFIG and REGISTRY are both set (any cluster: kind, a remote one),
# otherwise the local one from `hack/cluster.sh up`, started if needed and
# left running for the next run (`make down` stops it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n "${KUBECONFIG:-}" && -n "${REGISTRY:-}" ]]; then
  echo "[cluster] using the caller's cluster: KUBECONFIG=$KUBECONFIG REGISTRY=$REGISTRY" >&2
else
  env_lines=$("$here/cluster.sh" up)
  eval "$env_lines"
fi
exec "$@"
