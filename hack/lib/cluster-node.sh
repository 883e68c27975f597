# shellcheck shell=bash
# The test environment's one real node (ADR 0028): kube-scheduler, and a
# kubelet with Debian's containerd and runc, both inside a private mount
# namespace (hack/node-namespace.sh) so the host's mounts, sysctls and
# hard-coded paths stay as they are. Pods run on the node's pod network
# (hack/lib/cluster-podnet.sh, ADR 0032) or with hostNetwork, and pull from
# the environment's registries; the sandbox image is our own pause (hack/build-pause.sh) named
# by digest. Everything is per environment: ports from ISO_PORT_BASE, files
# under ISO_CLUSTER_DIR, the node's name and address, and the cgroup all the
# pods live under. Sourced after cluster-common.sh, cluster-pki.sh,
# cluster-control-plane.sh, cluster-registries.sh and cluster-podnet.sh;
# needs KUBE_BIN and KUBECTL.

NODE_DIR=$STATE/node
# Stop order: the scheduler and the kubelet before the runtime they drive,
# the namespace, then the pod network's relay.
NODE_PROCESSES=(kube-scheduler kubelet containerd node-namespace pod-relay)
NODE_SOCKET=$NODE_DIR/containerd.sock
NODE_PACKAGES=(containerd runc containernetworking-plugins umoci skopeo busybox-static)
CNI_BIN_DIR=/usr/lib/cni

# The node's address and name: one loopback address per port base
# (127.<base/256>.<base%256>.1). The kubelet refuses a loopback --node-ip but
# takes an IP given as its name as the node's address, which is what the API
# server dials (logs, exec), hostNetwork pods get as podIP, and probes reach;
# all of 127/8 is on lo, so nothing leaves the machine and two environments'
# nodes never share an address or a name.
NODE_IP=127.$((PORT_BASE / 256)).$((PORT_BASE % 256)).1
NODE_NAME=$NODE_IP
# The cgroup parent of every pod (kubelet cgroupRoot), in every hierarchy.
NODE_CGROUP_ROOT=imagestream-test-node-$PORT_BASE

# ISO_NO_NODE=1 at `up`: the environment without a node (a machine that
# cannot run one); the e2e tests that need pods are then deselected.
node_wanted() { [[ ${ISO_NO_NODE:-} != 1 ]]; }
# Whether this state dir runs a node: recorded by `up`.
node_enabled() { [[ -s "$STATE/node-name" ]]; }

# The e2e suite's view, as write_env pairs.
node_env() {
  if node_enabled; then
    echo "ISO_NODE=$(cat "$STATE/node-name")"
    pod_network_env
  else
    echo "ISO_NO_NODE=1"
  fi
}

ensure_node_packages() {
  local missing=() package
  for package in "${NODE_PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] ||
      missing+=("$package")
  done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# Paths the namespace binds over; the state dir must not be under one, or the
# node would not see it.
check_node_paths() {
  local hidden
  for hidden in /run /var/lib /var/log; do
    [[ "$STATE/" != "$hidden/"* ]] ||
      die "ISO_CLUSTER_DIR=$STATE is under $hidden, which the node's mount namespace replaces: pick another"
  done
  # A unix socket path holds at most 107 bytes (shims add to it).
  ((${#NODE_SOCKET} <= 90)) || die "ISO_CLUSTER_DIR=$STATE is too long for containerd's socket: pick a shorter one"
}

make_node_pki() {
  new_cert cluster-ca "kubelet-client-$NODE_NAME" "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  new_cert cluster-ca "kubelet-serving-$NODE_NAME" "/O=system:nodes/CN=system:node:$NODE_NAME" \
    serverAuth "IP:$NODE_IP"
  new_cert cluster-ca scheduler "/CN=system:kube-scheduler" clientAuth
}

# push_pause_image: the cached pause image in the plain registry; sets PAUSE_IMAGE.
push_pause_image() {
  local layout repository="127.0.0.1:$REGISTRY_PORT/imagestream-test/pause"
  layout=$("$ISO_REPO/hack/build-pause.sh" 2>>"$STATE/logs/pause.log") ||
    die "hack/build-pause.sh failed" "$STATE/logs/pause.log"
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false --digestfile "$NODE_DIR/pause.digest" \
    "$layout" "docker://$repository:latest" >>"$STATE/logs/pause.log" 2>&1 ||
    die "could not push the pause image to $repository" "$STATE/logs/pause.log"
  PAUSE_IMAGE=$repository@$(cat "$NODE_DIR/pause.digest")
}

# One hosts.toml per registry: plain HTTP, or HTTPS verified with the test CA.
# Credentials come from the pods' pull secrets, through the kubelet. The
# plain registry also under the pod network's gateway (the relay): a stream
# a pod imported from there names that address, and so do the workloads
# its triggers roll.
write_registry_hosts() {
  local entry host port scheme dir
  for entry in "127.0.0.1 $REGISTRY_PORT http" "$POD_GATEWAY $REGISTRY_PORT http" \
    "127.0.0.1 $REGISTRY_TLS_PORT https" "127.0.0.1 $REGISTRY_BASIC_PORT https" \
    "127.0.0.1 $REGISTRY_TOKEN_PORT https"; do
    read -r host port scheme <<<"$entry"
    dir=$NODE_DIR/certs.d/$host:$port
    mkdir -p "$dir"
    {
      echo "server = \"$scheme://$host:$port\""
      echo "[host.\"$scheme://$host:$port\"]"
      echo '  capabilities = ["pull", "resolve"]'
      if [[ $scheme == https ]]; then echo "  ca = \"$PKI/registry-ca.crt\""; fi
    } >"$dir/hosts.toml"
  done
}

# containerd 1.6, config version 2: everything under NODE_DIR; the CRI's
# restrict_oom_score_adj because these VMs lack CAP_SYS_RESOURCE (the pause
# container could not lower its OOM score); no AppArmor profile loaded into
# the host's kernel; the snapshotters that need host setup off (1.6's task
# service needs the legacy v1 runtime plugin loaded, unused).
write_containerd_config() {
  local cri='plugins."io.containerd.grpc.v1.cri"'
  cat >"$NODE_DIR/containerd.toml" <<EOF
version = 2
root = "$NODE_DIR/containerd/root"
state = "$NODE_DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$NODE_SOCKET"

[ttrpc]
  address = "$NODE_SOCKET.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_DIR/containerd/opt"

[$cri]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "$CONTAINERD_STREAM_PORT"

[$cri.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[$cri.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[$cri.containerd.runtimes.runc.options]
  BinaryName = "/usr/sbin/runc"
  Root = "$NODE_DIR/runc"
  SystemdCgroup = false

[$cri.cni]
  bin_dir = "$CNI_BIN_DIR"
  conf_dir = "$NODE_DIR/cni"

[$cri.registry]
  config_path = "$NODE_DIR/certs.d"
EOF
  mkdir -p "$NODE_DIR/cni"
  write_pod_network_config "$NODE_DIR/cni"
}

# The kubelet: authenticated callers only (client certificates of the
# cluster CA, tokens through the API server), each request authorized by the
# API server (Webhook); a serving certificate of the cluster CA for the
# node's address; cgroup v1 allowed (these VMs); everything on disk under
# NODE_DIR; eviction only when nearly out of memory or disk.
write_kubelet_config() {
  cat >"$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/cluster-ca.crt}
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving-$NODE_NAME.crt
tlsPrivateKeyFile: $PKI/kubelet-serving-$NODE_NAME.key
rotateCertificates: false
serverTLSBootstrap: false
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
cgroupRoot: /$NODE_CGROUP_ROOT
containerRuntimeEndpoint: unix://$NODE_SOCKET
podLogsDir: $NODE_DIR/pod-logs
volumePluginDir: $NODE_DIR/volume-plugins
resolvConf: $NODE_DIR/resolv.conf
evictionHard:
  memory.available: 50Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
  imagefs.inodesFree: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
  # The namespace replaces /run, where the host's resolv.conf may point.
  cp -L /etc/resolv.conf "$NODE_DIR/resolv.conf" 2>/dev/null || : >"$NODE_DIR/resolv.conf"
}

# cgroup_hierarchies: the mount point of every cgroup hierarchy (v1 and v2).
cgroup_hierarchies() { awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts; }

# The kubelet wants its cgroupRoot to exist in each hierarchy it uses.
ensure_cgroup_root() {
  local hierarchy dir file
  echo "$NODE_CGROUP_ROOT" >"$NODE_DIR/cgroup-root"
  for hierarchy in $(cgroup_hierarchies); do
    dir=$hierarchy/$NODE_CGROUP_ROOT
    mkdir -p "$dir" || die "could not create the cgroup $dir"
    # A new v1 cpuset starts with no CPUs and no memory nodes: the parent's.
    for file in cpuset.cpus cpuset.mems; do
      [[ -f "$dir/$file" && -z $(cat "$dir/$file") ]] && cat "$hierarchy/$file" >"$dir/$file"
    done
  done
  return 0
}

# remove_pod_cgroups: whatever still runs in the recorded cgroup tree is this
# node's (containers whose shim is gone) and gets SIGKILL; then the tree
# goes, deepest first.
remove_pod_cgroups() {
  local root hierarchy dir pid failed=0
  root=$(cat "$NODE_DIR/cgroup-root" 2>/dev/null) || return 0
  [[ $root =~ ^imagestream-test-node-[0-9]+$ ]] || return 0
  for hierarchy in $(cgroup_hierarchies); do
    dir=$hierarchy/$root
    [[ -d $dir ]] || continue
    for _ in $(seq 1 50); do
      while read -r pid; do
        kill -KILL "$pid" 2>/dev/null || true
      done < <(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null)
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d $dir ]] || break
      sleep 0.1
    done
    if [[ -d $dir ]]; then
      log "could not remove the cgroup $dir"
      failed=1
    fi
  done
  return "$failed"
}

namespace_ready() { is_running node-namespace && [[ -e "$NODE_DIR/namespace-ready" ]]; }

start_node_namespace() {
  stop_process node-namespace
  start_bg node-namespace 0 unshare --mount --propagation private -- \
    "$ISO_REPO/hack/node-namespace.sh" "$NODE_DIR"
  wait_until node-namespace 10 test -e "$NODE_DIR/namespace-ready"
}

# in_node_namespace COMMAND...: the argv that runs COMMAND in the namespace.
in_node_namespace() {
  local holder
  holder=$(pid_of node-namespace) || die "the node's namespace is not running"
  NAMESPACED=(nsenter "--mount=/proc/$holder/ns/mnt" -- "$@")
}

ctr_k8s() { ctr --address "$NODE_SOCKET" --namespace k8s.io "$@"; }

containerd_answers() { ctr --address "$NODE_SOCKET" version >/dev/null 2>&1; }

# runs_config NAME FILE: NAME runs, and was started with FILE as it is now
# (start_with_config keeps a copy), so a changed config restarts it.
runs_config() { is_running "$1" && cmp -s "$2" "$2.running"; }
start_with_config() { cp "$2" "$2.running" && start_bg "$1" "${@:3}"; }

start_containerd() {
  if runs_config containerd "$NODE_DIR/containerd.toml" && containerd_answers; then return 0; fi
  stop_process containerd
  in_node_namespace containerd --config "$NODE_DIR/containerd.toml"
  start_with_config containerd "$NODE_DIR/containerd.toml" "$CONTAINERD_STREAM_PORT" "${NAMESPACED[@]}"
  wait_until containerd 60 containerd_answers
}

kubelet_healthy() {
  [[ $(curl -s --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz") == ok ]]
}

# Without iptables on its PATH the kubelet leaves the host's (shared) network
# namespace alone: it would add its KUBE-IPTABLES-HINT and canary chains.
start_kubelet() {
  if runs_config kubelet "$NODE_DIR/kubelet.yaml" && kubelet_healthy; then return 0; fi
  stop_process kubelet
  if (exec 3<>"/dev/tcp/$NODE_IP/$KUBELET_PORT") 2>/dev/null; then
    die "port $NODE_IP:$KUBELET_PORT (for the kubelet) is already in use; pick another ISO_PORT_BASE"
  fi
  in_node_namespace env PATH=/usr/bin:/bin "$KUBE_BIN/kubelet" \
    --config="$NODE_DIR/kubelet.yaml" --kubeconfig="$NODE_DIR/kubelet.kubeconfig" \
    --root-dir="$NODE_DIR/kubelet" --cert-dir="$NODE_DIR/kubelet-certs" \
    --hostname-override="$NODE_NAME"
  start_with_config kubelet "$NODE_DIR/kubelet.yaml" "$KUBELET_HEALTHZ_PORT" "${NAMESPACED[@]}"
  wait_until kubelet 60 kubelet_healthy
}

scheduler_healthy() {
  [[ $(curl -sk --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz") == ok ]]
}

start_scheduler() {
  if is_running kube-scheduler && scheduler_healthy; then return 0; fi
  stop_process kube-scheduler
  local kubeconfig=$NODE_DIR/scheduler.kubeconfig
  start_bg kube-scheduler "$SCHEDULER_PORT" "$KUBE_BIN/kube-scheduler" \
    --kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" \
    --authorization-kubeconfig="$kubeconfig" --leader-elect=false \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --cert-dir="$NODE_DIR/scheduler-certs"
  wait_until kube-scheduler 60 scheduler_healthy
}

# The API server's kubelet client may use the kubelet's whole API (logs,
# exec, port-forward, metrics), as kubeadm sets it up.
apply_kubelet_api_access() {
  "${KUBECTL[@]}" apply --server-side -f - >>"$STATE/logs/apply-node.log" 2>&1 <<EOF ||
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: imagestream-test:kube-apiserver-kubelet-client
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:kubelet-api-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}
EOF
    die "could not let kube-apiserver call the kubelet" "$STATE/logs/apply-node.log"
}

# Ready, and no taint left: the node lifecycle controller lifts the
# not-ready taint the node registered with once the kubelet reports Ready.
node_schedulable() {
  local state
  state=$("${KUBECTL[@]}" get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}/{.spec.taints}' 2>/dev/null) || return 1
  [[ $state == True/ ]]
}

# start_node: the whole node, each piece only if it is not running already.
start_node() {
  check_node_paths
  mkdir -p "$NODE_DIR"
  make_node_pki
  push_pause_image
  write_registry_hosts
  write_containerd_config
  write_kubelet_config
  write_kubeconfig "$NODE_DIR/kubelet.kubeconfig" "system:node:$NODE_NAME" "kubelet-client-$NODE_NAME"
  write_kubeconfig "$NODE_DIR/scheduler.kubeconfig" system:kube-scheduler scheduler
  apply_kubelet_api_access
  ensure_cgroup_root
  start_pod_network
  # containerd and the kubelet share one namespace: a new one needs both anew.
  if ! namespace_ready; then
    stop_node_runtime
    start_node_namespace
  fi
  start_containerd
  start_kubelet
  start_scheduler
  echo "$NODE_NAME" >"$STATE/node-name"
  wait_until kubelet 120 node_schedulable
}

# stop_cri_tasks: every container of the node killed and deleted while
# containerd still answers, so no shim outlives it with a container.
stop_cri_tasks() {
  containerd_answers || return 0
  local ids id
  ids=$(ctr_k8s tasks list --quiet 2>/dev/null) || return 0
  for id in $ids; do ctr_k8s tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true; done
  for id in $ids; do ctr_k8s tasks delete --force "$id" >/dev/null 2>&1 || true; done
}

# stop_shims: containerd's shims run in process groups of their own; each
# wrote its pid beside its task, and names our socket on its command line.
stop_shims() {
  local file pid args
  for file in "$NODE_DIR"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [[ -f $file ]] || continue
    pid=$(cat "$file" 2>/dev/null) || continue
    [[ $pid =~ ^[0-9]+$ ]] || continue
    args=$(ps -o args= -p "$pid" 2>/dev/null) || continue
    [[ $args == *containerd-shim* && $args == *"$NODE_SOCKET"* ]] && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

# The kubelet, its containers and containerd (the namespace stays).
stop_node_runtime() {
  stop_process kubelet
  stop_cri_tasks
  stop_process containerd
  stop_shims
}

# stop_node: everything the node started or created outside the state dir;
# fails when some cgroup could not be removed.
stop_node() {
  stop_process kube-scheduler
  stop_node_runtime
  stop_process node-namespace
  stop_pod_network
  remove_pod_cgroups
}
