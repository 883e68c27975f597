#!/usr/bin/env bash
# The first process of the test node's private mount namespace, started by
# hack/lib/cluster-node.sh as
#
#   unshare --mount --propagation private -- hack/node-namespace.sh NODE_DIR
#
# containerd and the kubelet join it (nsenter --mount), so every mount they
# make (image snapshots, pod volumes) stays out of the host's mount table and
# dies with the namespace. Here, before they start:
# - files holding the values the kubelet wants are bound over the six
#   /proc/sys files it would otherwise rewrite for the whole machine;
# - NODE_DIR/host/{run,var/lib,var/log} are bound over /run, /var/lib and
#   /var/log, where containerd 1.6 and the kubelet write whatever their
#   configuration cannot move (/run/containerd/s, /var/lib/kubelet/device-plugins,
#   /var/lib/cni, /var/log/containers): per environment, and removed with
#   the state dir.
# Then it writes NODE_DIR/namespace-ready and waits, holding the namespace,
# until TERM.
set -euo pipefail
node=${1:?usage: $0 NODE_DIR}
rm -f "$node/namespace-ready"
# The kubelet's desired kernel tunables (pkg/kubelet/cm setupKernelTunables):
# it reads these, finds them as it wants them, and writes nothing.
mkdir -p "$node/sysctl"
while read -r key value; do
  file="$node/sysctl/${key//\//.}"
  echo "$value" >"$file"
  mount --bind "$file" "/proc/sys/$key"
done <<'EOF'
vm/overcommit_memory 1
vm/panic_on_oom 0
kernel/panic 10
kernel/panic_on_oops 1
kernel/keys/root_maxkeys 1000000
kernel/keys/root_maxbytes 25000000
EOF
for dir in /run /var/lib /var/log; do
  mkdir -p "$node/host$dir"
  mount --bind "$node/host$dir" "$dir"
done
touch "$node/namespace-ready"
trap 'exit 0' TERM INT
while :; do
  sleep 3600 &
  wait $! || true
done
