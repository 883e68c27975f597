#!/usr/bin/env bash
# Runs a suite's command against a test environment:
#
#   hack/cluster-run.sh e2e|integration COMMAND...
#
# The caller's own environment when REGISTRY is set (and KUBECONFIG, for
# e2e): any cluster (kind, a remote one) plus the registries of
# `hack/cluster.sh registries`; every variable the suite requires is checked
# first, each missing one named with how to get it. Otherwise the local
# environment of `hack/cluster.sh up`, started if needed and left running
# for the next run (`make down` stops it).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/lib/cluster-common.sh
source "$here/lib/cluster-common.sh"
# shellcheck source=hack/lib/cluster-caller-env.sh
source "$here/lib/cluster-caller-env.sh"

(($# >= 2)) || die "usage: $0 e2e|integration COMMAND..."
suite=$1
shift
[[ $suite == e2e || $suite == integration ]] || die "usage: $0 e2e|integration COMMAND..."
# Here rather than only inside the check: a list that cannot be read stops the run.
required_variables "$suite" >/dev/null
if caller_env_given "$suite"; then
  check_caller_env "$suite"
  log "using the caller's environment: KUBECONFIG=${KUBECONFIG:-} REGISTRY=$REGISTRY"
else
  [[ -z "${KUBECONFIG:-}" ]] ||
    log "KUBECONFIG is set but REGISTRY is not: using the local environment (docs/testing.md: against another cluster)"
  env_lines=$("$here/cluster.sh" up)
  eval "$env_lines"
fi
exec "$@"
