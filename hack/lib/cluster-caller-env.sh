# shellcheck shell=bash
# Checks an environment the caller provides (a cluster of their own) before a
# suite runs against it, naming every missing variable and how to get it.
# Shared by hack/cluster-run.sh and hack/cluster-test.sh; sourced after
# cluster-common.sh.

# The file whose REQUIRED list a suite reads its environment with: the
# variables checked here are always exactly the ones the suite demands.
suite_env_file() {
  case $1 in
  e2e) echo "$ISO_REPO/test/e2e/support/env.ts" ;;
  integration) echo "$ISO_REPO/test/integration/registry-env.ts" ;;
  *) return 1 ;;
  esac
}

# required_variables SUITE: the names in `const REQUIRED = [ ... ] as const`.
required_variables() {
  local file names
  file=$(suite_env_file "$1") || die "unknown suite '$1' (e2e or integration)"
  names=$(awk '/^const REQUIRED = \[/ {on = 1; next} on && /^\]/ {exit}
    on {gsub(/[",[:space:]]/, ""); if ($0 != "") print}' "$file")
  if [[ -z "$names" ]] || grep -qv '^[A-Z_][A-Z0-9_]*$' <<<"$names"; then
    die "could not read the REQUIRED variable list of $file"
  fi
  echo "$names"
}

# caller_env_given SUITE: whether the caller chose their own environment:
# REGISTRY set (and KUBECONFIG for e2e). A KUBECONFIG alone is common in a
# shell and never enough to run the suite against that cluster.
caller_env_given() {
  [[ -n "${REGISTRY:-}" ]] && { [[ $1 == integration ]] || [[ -n "${KUBECONFIG:-}" ]]; }
}

# How to obtain each variable (or command) on a cluster of one's own
# (docs/testing.md).
variable_hint() {
  case $1 in
  KUBECONFIG) echo "a kubeconfig with admin rights on your cluster (tests create namespaces, CRD objects, RBAC checks)" ;;
  OPERATOR_KUBECONFIG) echo "apply config/crd and config/rbac to your cluster, then eval \"\$(hack/cluster.sh registries)\" writes it (a 48 h token of ServiceAccount imagestream-operator-system/imagestream-operator)" ;;
  REGISTRY*) echo "eval \"\$(hack/cluster.sh registries)\" starts the four test registries and their token service on loopback and exports these" ;;
  kubectl) echo "any recent kubectl on PATH" ;;
  helm) echo "export PATH=\"\$(dirname \"\$(hack/build-helm.sh)\"):\$PATH\" (builds the pinned helm once)" ;;
  *) echo "see docs/testing.md" ;;
  esac
}

# check_caller_env SUITE: dies listing what is missing, one line per remedy, or returns.
check_caller_env() {
  local suite=$1 name missing=()
  for name in $(required_variables "$suite"); do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  if [[ $suite == e2e ]]; then
    # The suite runs both itself (test/e2e/support/kubectl.ts, helm.test.ts).
    for name in kubectl helm; do command -v "$name" >/dev/null || missing+=("$name"); done
    [[ -n "${REGISTRY_EVENTS_URL:-}" ]] ||
      log "REGISTRY_EVENTS_URL not set: the push-notification tests will not run"
    [[ -n "${ISO_NODE:-}" || "${ISO_NO_NODE:-}" == 1 ]] ||
      log "neither ISO_NODE (a node whose pods pull from these registries) nor ISO_NO_NODE=1 is set: the tests that run pods will fail (docs/testing.md)"
  fi
  ((${#missing[@]} == 0)) && return 0
  local hint hints=()
  local -A names_of=()
  for name in "${missing[@]}"; do
    hint=$(variable_hint "$name")
    [[ -v "names_of[$hint]" ]] || hints+=("$hint")
    names_of[$hint]+="${names_of[$hint]:+, }$name"
  done
  log "your environment (REGISTRY is set) lacks what the $suite suite needs:"
  for hint in "${hints[@]}"; do log "  ${names_of[$hint]}: $hint"; done
  die "unset REGISTRY to use the local environment instead (hack/cluster.sh up), or see docs/testing.md"
}
