# shellcheck shell=bash
# shellcheck disable=SC2034 # constants used by the scripts that source this file
# The node's pod network (ADR 0032), for pods that may not use the host's
# network (the restricted and baseline Pod Security Standards forbid
# hostNetwork): a Linux bridge with one /24 per environment, addresses from
# CNI's host-local IPAM, no masquerade, no forwarding (the bridge plugin is
# not the gateway, so it never turns on ip_forward): a pod reaches the host's
# bridge address and nothing else. kube-apiserver and the plain registry stay
# on 127.0.0.1; hack/pod-relay.ts relays their ports from the bridge address.
# Sourced after cluster-common.sh; cluster-node.sh calls these.

# One bridge and /24 per port base, as the node's loopback address:
# 10.<base/256>.<base%256>.0/24, the bridge (host side, gateway) at .1.
POD_SUBNET_PREFIX=10.$((PORT_BASE / 256)).$((PORT_BASE % 256))
POD_SUBNET=$POD_SUBNET_PREFIX.0/24
POD_GATEWAY=$POD_SUBNET_PREFIX.1
# Interface names hold at most 15 bytes.
POD_BRIDGE=isotest$PORT_BASE
# What pods reach on POD_GATEWAY: the API server and the plain registry.
POD_RELAY_PORTS=("$APISERVER_PORT" "$REGISTRY_PORT")

# The conflist containerd's CRI reads (it adds the loopback interface itself).
# isGateway false: the bridge's address is set here, and forwarding stays off.
write_pod_network_config() {
  local dir=$1
  rm -f "$dir/10-loopback.conflist"
  cat >"$dir/10-pods.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "imagestream-test-pods",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$POD_BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$POD_GATEWAY"}]]
      }
    }
  ]
}
EOF
}

bridge_exists() { ip link show dev "$POD_BRIDGE" >/dev/null 2>&1; }

# The routes of this machine's that reach ADDRESS, other than the default
# route and our bridge's: a network we would shadow (or be shadowed by).
foreign_routes_to() {
  ip -4 route show to match "$1" | grep -v "dev $POD_BRIDGE " | grep -v '^default ' || true
}

check_pod_subnet_free() {
  local taken
  taken=$(foreign_routes_to "$POD_GATEWAY")
  [[ -z $taken ]] ||
    die "the pod subnet $POD_SUBNET (from ISO_PORT_BASE=$PORT_BASE) overlaps a route of this machine: $taken; pick another ISO_PORT_BASE"
}

# The bridge with its address, made before any pod (the CNI plugin finds it).
ensure_pod_bridge() {
  bridge_exists || check_pod_subnet_free
  bridge_exists || ip link add name "$POD_BRIDGE" type bridge ||
    die "could not create the bridge $POD_BRIDGE (needs CAP_NET_ADMIN)"
  if ! ip -4 addr show dev "$POD_BRIDGE" | grep -q "inet $POD_GATEWAY/24"; then
    ip addr add "$POD_GATEWAY/24" dev "$POD_BRIDGE" || die "could not address the bridge $POD_BRIDGE"
  fi
  ip link set dev "$POD_BRIDGE" up || die "could not bring the bridge $POD_BRIDGE up"
  echo "$POD_BRIDGE" >"$STATE/pod-bridge"
}

relay_answers() {
  local port
  for port in "${POD_RELAY_PORTS[@]}"; do
    (exec 3<>"/dev/tcp/$POD_GATEWAY/$port") 2>/dev/null || return 1
  done
}

start_pod_relay() {
  local config=$STATE/pod-relay.json
  printf '{"listenHost": "%s", "targetHost": "127.0.0.1", "ports": [%s]}\n' "$POD_GATEWAY" \
    "$(IFS=,; echo "${POD_RELAY_PORTS[*]}")" >"$config"
  if runs_config pod-relay "$config" && relay_answers; then return 0; fi
  stop_process pod-relay
  start_with_config pod-relay "$config" 0 "$ISO_REPO/hack/node" "$ISO_REPO/hack/pod-relay.ts" "$config"
  wait_until pod-relay 30 relay_answers
}

start_pod_network() {
  ensure_pod_bridge
  start_pod_relay
}

# The bridge `up` recorded (its veths went with the pods' network
# namespaces); host-local's leases are under the node's /var/lib, in NODE_DIR.
stop_pod_network() {
  stop_process pod-relay
  local bridge
  bridge=$(cat "$STATE/pod-bridge" 2>/dev/null) || return 0
  [[ $bridge =~ ^isotest[0-9]+$ ]] || return 0
  if ip link show dev "$bridge" >/dev/null 2>&1; then
    ip link del dev "$bridge" || log "could not remove the bridge $bridge"
  fi
  rm -f "$STATE/pod-bridge"
}

# The e2e suite's view, as write_env pairs: where a pod reaches the API server
# and the plain registry.
pod_network_env() {
  echo "ISO_POD_APISERVER=$POD_GATEWAY:$APISERVER_PORT"
  echo "ISO_POD_REGISTRY=$POD_GATEWAY:$REGISTRY_PORT"
}
