#!/usr/bin/env bash
# The real test environment on loopback: etcd, kube-apiserver (TLS, RBAC,
# client certs, service-account tokens), kube-controller-manager, the
# project's CRDs and RBAC, four registries (plain, TLS, basic auth, token
# auth), and one real node (kube-scheduler, kubelet, containerd; not with
# ISO_NO_NODE=1). See docs/testing.md.
#
#   hack/cluster.sh up          start what is not running; stdout: export lines only
#   hack/cluster.sh registries  only the registries and token service, for a
#                               cluster of your own in KUBECONFIG (or none);
#                               stdout: export lines only
#   hack/cluster.sh env         print the export lines of the running environment
#   hack/cluster.sh status      one line per process; exit 1 unless all run
#   hack/cluster.sh down        stop every process and remove the state dir
#   hack/cluster.sh stop NAME [--kill]
#                               stop one process of a running environment, in
#                               place (an outage, for test/e2e/outages.test.ts);
#                               --kill: SIGKILL at once, as a crash
#   hack/cluster.sh start NAME  start it again with the same state, ports and
#                               certificates (clients keep their kubeconfigs)
#
# ISO_CLUSTER_DIR (default <repo>/.cluster) and ISO_PORT_BASE (default 26400)
# select an independent environment; ISO_KUBE_BIN_DIR skips the Go build;
# ISO_NO_NODE=1 makes `up` start no node (then `env` says so).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/lib/cluster-common.sh
source "$here/lib/cluster-common.sh"
# shellcheck source=hack/lib/cluster-pki.sh
source "$here/lib/cluster-pki.sh"
# shellcheck source=hack/lib/cluster-control-plane.sh
source "$here/lib/cluster-control-plane.sh"
# shellcheck source=hack/lib/cluster-registries.sh
source "$here/lib/cluster-registries.sh"
# shellcheck source=hack/lib/cluster-apply.sh
source "$here/lib/cluster-apply.sh"
# shellcheck source=hack/lib/cluster-env.sh
source "$here/lib/cluster-env.sh"
# shellcheck source=hack/lib/cluster-podnet.sh
source "$here/lib/cluster-podnet.sh"
# shellcheck source=hack/lib/cluster-node.sh
source "$here/lib/cluster-node.sh"

# Stopped in this order: clients before the servers they talk to.
PROCESSES=("${NODE_PROCESSES[@]}" kube-controller-manager kube-apiserver registry-token
  token-server registry-basic registry-tls registry-plain etcd)
# What `registries` runs: all that `status` expects of a state dir it made.
REGISTRY_PROCESSES=(registry-token token-server registry-basic registry-tls registry-plain)
MARKER=.imagestream-test-cluster

lock_state() {
  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  exec 8>"$STATE/.lock"
  flock 8
}

# Refuses to move a running environment to other ports under its feet.
check_port_base() {
  local recorded name
  recorded=$(cat "$STATE/port-base" 2>/dev/null || true)
  if [[ -n "$recorded" && "$recorded" != "$PORT_BASE" ]]; then
    for name in "${PROCESSES[@]}"; do
      is_running "$name" &&
        die "$STATE runs on ISO_PORT_BASE=$recorded, not $PORT_BASE: run 'hack/cluster.sh down' first"
    done
  fi
  echo "$PORT_BASE" >"$STATE/port-base"
}

find_kube_bins() {
  if [[ -n "${ISO_KUBE_BIN_DIR:-}" ]]; then
    KUBE_BIN=$ISO_KUBE_BIN_DIR
  else
    KUBE_BIN=$("$here/build-kube-bins.sh") || die "hack/build-kube-bins.sh failed (its output is above)"
  fi
  local bin wanted=(etcd kube-apiserver kube-controller-manager kubectl)
  node_wanted && wanted+=(kube-scheduler kubelet)
  for bin in "${wanted[@]}"; do
    [[ -x "$KUBE_BIN/$bin" ]] || die "$KUBE_BIN/$bin is missing (ISO_NO_NODE=1: an environment without the node's kube-scheduler and kubelet)"
  done
  if [[ -n "${ISO_HELM_BIN_DIR:-}" ]]; then
    HELM_BIN=$ISO_HELM_BIN_DIR
  else
    HELM_BIN=$(dirname "$("$here/build-helm.sh")") || die "hack/build-helm.sh failed (its output is above)"
  fi
}

cmd_up() {
  local started=$EPOCHREALTIME
  lock_state
  chmod 700 "$STATE"
  check_port_base
  check_node_choice
  timed packages ensure_packages
  node_wanted && timed "node packages" ensure_node_packages
  timed binaries find_kube_bins
  make_pki
  echo up >"$STATE/mode"
  timed "control plane" start_control_plane
  KUBECTL=("$KUBE_BIN/kubectl" --kubeconfig="$ADMIN_KUBECONFIG")
  apply_crds
  apply_rbac
  write_operator_kubeconfig "$OPERATOR_KUBECONFIG_FILE" "https://127.0.0.1:$APISERVER_PORT" \
    "$PKI/cluster-ca.crt"
  timed registries start_registries
  node_wanted && timed node start_node
  local pairs nodes
  mapfile -t pairs < <(registry_env)
  mapfile -t nodes < <(node_env)
  write_env \
    "KUBECONFIG=$ADMIN_KUBECONFIG" \
    "OPERATOR_KUBECONFIG=$OPERATOR_KUBECONFIG_FILE" \
    "${pairs[@]}" \
    "${nodes[@]}" \
    "ISO_CLUSTER_DIR=$STATE" \
    "KUBE_BIN_DIR=$KUBE_BIN:$HELM_BIN"
  log "ready: kube-apiserver https://127.0.0.1:$APISERVER_PORT, registries on ports $REGISTRY_PORT-$REGISTRY_TOKEN_PORT, $(node_summary)"
  log "up took $(elapsed_since "$started") s: $(IFS=,; echo "${UP_TIMES[*]}" | sed 's/,/, /g')"
  cat "$STATE/env.sh"
}

# ISO_NO_NODE=1 on an environment running a node: refused, not half-stopped.
check_node_choice() {
  node_wanted && return 0
  local name
  for name in "${NODE_PROCESSES[@]}"; do
    is_running "$name" &&
      die "$STATE runs a node and ISO_NO_NODE=1 asks for none: run 'hack/cluster.sh down' first"
  done
  rm -f "$STATE/node-name"
}

node_summary() {
  if node_enabled; then echo "node $NODE_NAME (kubelet $NODE_IP:$KUBELET_PORT)"; else echo "no node (ISO_NO_NODE=1)"; fi
}

# The variables of the registries, as write_env pairs.
registry_env() {
  printf '%s\n' \
    "REGISTRY=127.0.0.1:$REGISTRY_PORT" \
    "REGISTRY_TLS=127.0.0.1:$REGISTRY_TLS_PORT" \
    "REGISTRY_BASIC=127.0.0.1:$REGISTRY_BASIC_PORT" \
    "REGISTRY_TOKEN=127.0.0.1:$REGISTRY_TOKEN_PORT" \
    "REGISTRY_CA=$PKI/registry-ca.crt" \
    "REGISTRY_USER=$REGISTRY_USER_NAME" \
    "REGISTRY_PASSWORD=$(registry_password)" \
    "REGISTRY_IDENTITY_TOKEN=$(registry_identity_token)" \
    "REGISTRY_EVENTS_SECRET=$(registry_events_secret)" \
    "REGISTRY_EVENTS_URL=https://127.0.0.1:$EVENTS_PORT/registry-events" \
    "REGISTRY_EVENTS_CERT=$PKI/receiver.crt" \
    "REGISTRY_EVENTS_KEY=$PKI/receiver.key"
}

# The registries of `up` without its control plane, for the e2e suite on a
# cluster of the caller's (KUBECONFIG): the operator and the tests run on this
# machine, so registries on loopback serve them; no pod pulls from them. With
# KUBECONFIG set, also the operator's kubeconfig for that cluster.
cmd_registries() {
  lock_state
  chmod 700 "$STATE"
  check_port_base
  ! is_running kube-apiserver ||
    die "$STATE runs the whole environment of 'hack/cluster.sh up' (see 'hack/cluster.sh env'); use another ISO_CLUSTER_DIR for registries alone"
  if [[ -n "${KUBECONFIG:-}" ]]; then
    command -v kubectl >/dev/null ||
      die "KUBECONFIG is set but kubectl is not on PATH (the e2e suite runs it too); unset KUBECONFIG for registries alone"
    KUBECTL=(kubectl)
  fi
  ensure_packages
  make_registry_pki
  echo registries >"$STATE/mode"
  start_registries
  local pairs
  mapfile -t pairs < <(registry_env)
  if [[ -z "${KUBECONFIG:-}" ]]; then
    log "KUBECONFIG is not set: registries only, no OPERATOR_KUBECONFIG"
  elif operator_kubeconfig_for_current_cluster "$OPERATOR_KUBECONFIG_FILE"; then
    pairs+=("OPERATOR_KUBECONFIG=$OPERATOR_KUBECONFIG_FILE")
  else
    log "OPERATOR_KUBECONFIG not written: the e2e suite needs it; run this again after the fix above"
    rm -f "$OPERATOR_KUBECONFIG_FILE"
  fi
  write_env "${pairs[@]}" "ISO_CLUSTER_DIR=$STATE"
  log "ready: registries on ports $REGISTRY_PORT-$REGISTRY_TOKEN_PORT, token service on $TOKEN_SERVER_PORT"
  cat "$STATE/env.sh"
}

cmd_env() {
  [[ -s "$STATE/env.sh" ]] || die "no environment in $STATE: run 'hack/cluster.sh up'"
  cat "$STATE/env.sh"
}

# The processes a state dir's mode runs: the registries alone, or everything
# (the node's only when `up` started one).
expected_processes() {
  local name
  if [[ $(cat "$STATE/mode" 2>/dev/null) == registries ]]; then
    printf '%s\n' "${REGISTRY_PROCESSES[@]}"
    return 0
  fi
  for name in "${PROCESSES[@]}"; do
    if node_enabled || [[ " ${NODE_PROCESSES[*]} " != *" $name "* ]]; then echo "$name"; fi
  done
}

cmd_status() {
  local name all=0 expected
  mapfile -t expected < <(expected_processes)
  for name in "${expected[@]}"; do
    if is_running "$name"; then
      printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"
    else
      printf '%-24s stopped\n' "$name"
      all=1
    fi
  done
  return "$all"
}

cmd_down() {
  if [[ ! -d "$STATE" ]]; then
    log "no environment in $STATE"
    return 0
  fi
  [[ -f "$STATE/$MARKER" ]] || die "$STATE was not made by hack/cluster.sh: not touching it"
  lock_state
  local groups name left
  groups=$(our_process_groups)
  # Others' pid files first (hack/demo.sh's operator): clients of the servers below.
  for name in $(pid_file_names); do
    [[ " ${PROCESSES[*]} " == *" $name "* ]] || stop_process "$name"
  done
  # The node first, in its own order: its containers, shims and cgroups too.
  local node_left=0
  stop_node || node_left=1
  for name in "${PROCESSES[@]}"; do stop_process "$name"; done
  # A KILLed member may take a moment to die; one that outlives this cannot be killed.
  for _ in $(seq 1 20); do
    # shellcheck disable=SC2086 # one argument per group id
    left=$(group_members $groups)
    [[ -z "$left" ]] && break
    sleep 0.1
  done
  [[ -z "$left" ]] || die "processes of $STATE still running: ${left//$'\n'/ }"
  ((node_left == 0)) || die "the node's cgroups are not all gone (above): $STATE is kept for another 'down'"
  exec 8>&-
  rm -rf "$STATE"
  log "removed $STATE"
}

# The processes `stop NAME` and `start NAME` accept: those of the state dir's mode.
check_process_name() {
  local name=$1 expected
  [[ -s "$STATE/mode" ]] || die "no environment in $STATE: run 'hack/cluster.sh up'"
  mapfile -t expected < <(expected_processes)
  [[ " ${expected[*]} " == *" $name "* ]] ||
    die "unknown process '$name' in $STATE; one of: ${expected[*]}"
}

# A crash: SIGKILL to the process group, then wait until it is gone.
kill_process() {
  local name=$1 pid
  pid=$(pid_of "$name") || return 0
  rm -f "$STATE/run/$name.pid"
  kill -KILL -- "-$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 50); do
    group_alive "$pid" || break
    sleep 0.1
  done
  log "killed $name"
}

cmd_stop_one() {
  local name=${1:-} how=${2:-}
  check_process_name "$name"
  [[ -z "$how" || "$how" == --kill ]] || die "stop $name: unknown option '$how' (only --kill)"
  lock_state
  check_port_base
  is_running "$name" || log "$name is not running"
  if [[ "$how" == --kill ]]; then kill_process "$name"; else stop_process "$name"; fi
}

# Starts one process with the functions `up` uses; they return at once when
# it already runs and answers.
cmd_start_one() {
  local name=${1:-}
  check_process_name "$name"
  lock_state
  check_port_base
  case $name in
  etcd | kube-apiserver | kube-controller-manager)
    find_kube_bins
    case $name in
    etcd) start_etcd ;;
    kube-apiserver) start_apiserver ;;
    *) start_controller_manager ;;
    esac
    ;;
  kube-scheduler | kubelet | containerd | node-namespace | pod-relay)
    # The node starts as a whole: what runs is left as it is.
    find_kube_bins
    KUBECTL=("$KUBE_BIN/kubectl" --kubeconfig="$ADMIN_KUBECONFIG")
    start_node
    ;;
  token-server) start_token_server ;;
  registry-plain) start_plain_registry ;;
  registry-tls) start_registry tls "$REGISTRY_TLS_PORT" https 200 ;;
  registry-basic) start_registry basic "$REGISTRY_BASIC_PORT" https 401 ;;
  registry-token) start_registry token "$REGISTRY_TOKEN_PORT" https 401 ;;
  esac
}

case "${1:-}" in
up) cmd_up ;;
registries) cmd_registries ;;
env) cmd_env ;;
status) cmd_status ;;
down) cmd_down ;;
stop) cmd_stop_one "${2:-}" "${3:-}" ;;
start) cmd_start_one "${2:-}" ;;
*)
  echo "usage: $0 up|registries|env|status|down|stop NAME [--kill]|start NAME" >&2
  exit 2
  ;;
esac
