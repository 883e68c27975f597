# shellcheck shell=bash
# shellcheck disable=SC2034 # constants used by the scripts that source this file
# Shared helpers for hack/cluster.sh and hack/kind.sh: state layout, ports,
# logging, background processes and package installs. Sourced, not executed.
# Every message goes to stderr: the callers' stdout carries only export lines.

ISO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${ISO_CLUSTER_DIR:-$ISO_REPO/.cluster}
PORT_BASE=${ISO_PORT_BASE:-26400}

# Fixed offsets from the base so a second cluster only needs another base.
ETCD_PORT=$((PORT_BASE + 0))
ETCD_PEER_PORT=$((PORT_BASE + 1))
APISERVER_PORT=$((PORT_BASE + 2))
REGISTRY_PORT=$((PORT_BASE + 10))
REGISTRY_TLS_PORT=$((PORT_BASE + 11))
REGISTRY_BASIC_PORT=$((PORT_BASE + 12))
REGISTRY_TOKEN_PORT=$((PORT_BASE + 13))
TOKEN_SERVER_PORT=$((PORT_BASE + 14))
# Not served by the cluster: the operator's webhook receiver listens here.
EVENTS_PORT=$((PORT_BASE + 15))
# The node (hack/lib/cluster-node.sh): the kubelet on the node's own address,
# the rest on 127.0.0.1.
KUBELET_PORT=$((PORT_BASE + 20))
KUBELET_HEALTHZ_PORT=$((PORT_BASE + 21))
CONTAINERD_STREAM_PORT=$((PORT_BASE + 22))
SCHEDULER_PORT=$((PORT_BASE + 23))

REGISTRY_USER_NAME=imagestream-test

log() { printf '[cluster] %s\n' "$*" >&2; }

# The secrets made for this state dir (hex, see state_secret in
# cluster-registries.sh), one per line.
state_secrets() {
  local name
  for name in registry-password registry-events-secret registry-http-secret; do
    [[ -s "$STATE/$name" ]] && cat "$STATE/$name"
  done
  return 0
}

# Prints the last lines of a log file to stderr, framed, so a failure names
# its cause. Tails land in CI output: any of the state dir's secrets that a
# log holds after all is masked.
show_log_tail() {
  local file=$1 secret
  [[ -f "$file" ]] || return 0
  local mask=()
  while read -r secret; do mask+=(-e "s/$secret/<redacted>/g"); done < <(state_secrets)
  printf -- '----- last lines of %s -----\n' "$file" >&2
  if ((${#mask[@]})); then tail -n 40 "$file" | sed "${mask[@]}" >&2; else tail -n 40 "$file" >&2; fi
  printf -- '----- end of %s -----\n' "$file" >&2
}

# die MESSAGE [LOGFILE...]
die() {
  local message=$1
  shift
  printf '[cluster] ERROR: %s\n' "$message" >&2
  local file
  for file in "$@"; do show_log_tail "$file"; done
  exit 1
}

# Installs the Debian packages whose commands are missing, non-interactively.
ensure_packages() {
  local -A package_of=(
    [docker-registry]=docker-registry [htpasswd]=apache2-utils [openssl]=openssl
    [curl]=curl [pgrep]=procps [setsid]=util-linux [flock]=util-linux
  )
  local missing=() cmd
  for cmd in "${!package_of[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("${package_of[$cmd]}")
  done
  ((${#missing[@]} == 0)) && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  apt_install "${missing[@]}"
}

# apt_install PACKAGE...: as root, non-interactively, updating the package
# lists only when the install fails without. Waits for another environment's
# install to release dpkg's lock instead of failing on it.
apt_install() {
  log "installing Debian packages: $*"
  [[ $(id -u) == 0 ]] || die "need root to install: $* (or install them yourself)"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
  if ! "${apt[@]}" install --no-install-recommends "$@" >>"$STATE/apt.log" 2>&1; then
    "${apt[@]}" update >>"$STATE/apt.log" 2>&1 || die "apt-get update failed" "$STATE/apt.log"
    "${apt[@]}" install --no-install-recommends "$@" >>"$STATE/apt.log" 2>&1 ||
      die "apt-get install $* failed" "$STATE/apt.log"
  fi
}

# timed NAME COMMAND...: runs COMMAND in this shell and adds "NAME N.N s" to
# UP_TIMES, which `up` prints as one line: the first run's cost and a second
# run's reuse of the caches are visible in every log.
UP_TIMES=()
timed() {
  local name=$1 started=$EPOCHREALTIME
  shift
  "$@"
  UP_TIMES+=("$name $(elapsed_since "$started") s")
}

# elapsed_since EPOCHREALTIME_VALUE: seconds since then, one decimal.
elapsed_since() {
  local now=$EPOCHREALTIME
  awk -v a="$1" -v b="$now" 'BEGIN {printf "%.1f", b - a}'
}

# The pid in run/NAME.pid, if that process is still the one we started. A
# stale pid reused by an unrelated process fails both tests: every process
# started here names the state dir on its command line, and was started
# before its pid file was written (a reused pid starts later).
pid_of() {
  local file="$STATE/run/$1.pid" pid age args written
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  read -r age args < <(ps -o etimes=,args= -p "$pid" 2>/dev/null) || return 1
  [[ $args == *"$STATE/"* ]] || return 1
  written=$(stat -c %Y "$file") || return 1
  (($(date +%s) - age <= written + 2)) || return 1
  echo "$pid"
}

is_running() {
  local pid state
  pid=$(pid_of "$1") || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ $state != Z* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_bg NAME PORT COMMAND...: runs COMMAND detached in its own session
# (own process group, no controlling terminal, stdio away from the caller's
# pipes) with its pid in run/NAME.pid and its output in logs/NAME.log.
start_bg() {
  local name=$1 port=$2
  shift 2
  if port_in_use "$port"; then
    die "port $port (for $name) is already in use by another process; pick another ISO_PORT_BASE"
  fi
  mkdir -p "$STATE/run" "$STATE/logs"
  # setsid execs in place (a background job is not a group leader), so $! is
  # the session's leader and its pid is the process group id used by `down`.
  setsid nohup "$@" </dev/null >"$STATE/logs/$name.log" 2>&1 8>&- 9>&- &
  echo $! >"$STATE/run/$name.pid"
  log "started $name (pid $!, log $STATE/logs/$name.log)"
}

# wait_until NAME SECONDS COMMAND...: polls COMMAND until it succeeds; fails
# with NAME's log when the process died or the time ran out.
wait_until() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    is_running "$name" || die "$name exited during startup" "$STATE/logs/$name.log"
    ((SECONDS < deadline)) || die "$name not ready after ${seconds}s" "$STATE/logs/$name.log"
    sleep 0.5
  done
}

# A group counts as gone when only zombies remain: our daemons are reparented
# to PID 1, which may take a while to reap them.
group_alive() {
  ps -e -o pgid=,stat= | awk -v group="$1" '$1 == group && $2 !~ /^Z/ {found = 1} END {exit !found}'
}

# stop_process NAME: TERM to the whole process group, then KILL what remains.
stop_process() {
  local name=$1 pid
  pid=$(pid_of "$name") || return 0
  rm -f "$STATE/run/$name.pid"
  [[ -n "$pid" ]] && group_alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 100); do
    group_alive "$pid" || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  log "stopped $name"
}

# The names of run/*.pid: every process started here (hack/demo.sh's
# operator included), whatever started it.
pid_file_names() {
  local file
  for file in "$STATE"/run/*.pid; do
    [[ -f "$file" ]] && basename "$file" .pid
  done
  return 0
}

# The process groups we started: each pid in run/ leads its own (start_bg
# runs it under setsid). Only these are ever signalled, never a process that
# merely names the state dir (a user's `tail -f .cluster/logs/etcd.log`).
our_process_groups() {
  local name
  for name in $(pid_file_names); do pid_of "$name" || true; done
}

# Live (non-zombie) members of the process groups given as arguments.
group_members() {
  (($#)) || return 0
  ps -e -o pid=,pgid=,stat= | awk -v groups=" $* " \
    'index(groups, " " $2 " ") && $3 !~ /^Z/ {print $1}'
}
