# shellcheck shell=bash
# Where `make image` and `make chart` push to: the registry a variable names,
# else $REGISTRY, else the running local test environment's plain-HTTP
# registry (hack/cluster.sh env, ISO_CLUSTER_DIR honoured). Sourced.

# publish_registry VALUE: VALUE, else the default above (empty when none).
publish_registry() {
  local lines
  if [[ -n ${1:-} ]]; then
    echo "$1"
  elif [[ -n ${REGISTRY:-} ]]; then
    echo "$REGISTRY"
  elif lines=$("$(dirname "${BASH_SOURCE[0]}")/../cluster.sh" env 2>/dev/null); then
    (eval "$lines" && echo "${REGISTRY:-}")
  fi
}

# Only the local test registries speak plain HTTP; anything else gets TLS.
is_loopback_registry() { [[ $1 == 127.0.0.1[:/]* || $1 == 127.0.0.1 || $1 == localhost[:/]* || $1 == localhost ]]; }
