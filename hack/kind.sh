#!/usr/bin/env bash
# `make e2e-kind`: the e2e suite against a kind cluster instead of the
# loopback control plane. Needs Docker, kind, kubectl and helm, and installs
# the Debian packages of hack/cluster.sh (docker-registry, apache2-utils, ...)
# with apt-get when missing, as root; NOT run on the project's machines (no
# Docker there), see docs/testing.md.
#
#   hack/kind.sh COMMAND...   create what is missing, then run COMMAND with the env
#   hack/kind.sh down         delete the cluster, the registry container, the state
#
# The plain registry is the kind docs' local-registry container
# (localhost:5001, pullable from the nodes); the TLS, basic-auth and token
# registries run on the host as in hack/cluster.sh. Push notifications are not
# configured in this mode.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
here=$(cd "$(dirname "$0")" && pwd)
export ISO_CLUSTER_DIR=${ISO_CLUSTER_DIR:-$(dirname "$here")/.cluster-kind}
export ISO_PORT_BASE=${ISO_PORT_BASE:-26500}
# shellcheck source=hack/lib/cluster-common.sh
source "$here/lib/cluster-common.sh"
# shellcheck source=hack/lib/cluster-pki.sh
source "$here/lib/cluster-pki.sh"
# shellcheck source=hack/lib/cluster-registries.sh
source "$here/lib/cluster-registries.sh"
# shellcheck source=hack/lib/cluster-apply.sh
source "$here/lib/cluster-apply.sh"
# shellcheck source=hack/lib/cluster-env.sh
source "$here/lib/cluster-env.sh"

CLUSTER_NAME=${KIND_CLUSTER_NAME:-imagestream-e2e}
REG_NAME=kind-registry
REG_PORT=5001
ADMIN_KUBECONFIG=$STATE/admin.kubeconfig
KUBECTL=(kubectl --kubeconfig="$ADMIN_KUBECONFIG")

if [[ "${1:-}" == down ]]; then
  kind delete cluster --name "$CLUSTER_NAME" || true
  docker rm -f "$REG_NAME" >/dev/null 2>&1 || true
  exec "$here/cluster.sh" down
fi
(($# > 0)) || die "usage: $0 COMMAND... | down"
for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || die "$tool is required for hack/kind.sh"
done
mkdir -p "$STATE/logs"
touch "$STATE/.imagestream-test-cluster"
echo '*' >"$STATE/.gitignore"
ensure_packages

# From https://kind.sigs.k8s.io/docs/user/local-registry/
if [[ "$(docker inspect -f '{{.State.Running}}' "$REG_NAME" 2>/dev/null || true)" != true ]]; then
  docker run -d --restart=always -p "127.0.0.1:$REG_PORT:5000" --network bridge \
    --name "$REG_NAME" registry:2 >&2
fi
if ! kind get clusters | grep -qx "$CLUSTER_NAME"; then
  kind create cluster --name "$CLUSTER_NAME" --config=- >&2 <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
EOF
fi
kind get kubeconfig --name "$CLUSTER_NAME" >"$ADMIN_KUBECONFIG"
for node in $(kind get nodes --name "$CLUSTER_NAME"); do
  docker exec "$node" mkdir -p "/etc/containerd/certs.d/localhost:$REG_PORT"
  printf '[host."http://%s:5000"]\n' "$REG_NAME" |
    docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/localhost:$REG_PORT/hosts.toml"
done
if [[ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$REG_NAME")" == null ]]; then
  docker network connect kind "$REG_NAME"
fi
"${KUBECTL[@]}" apply -f - >&2 <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: local-registry-hosting
  namespace: kube-public
data:
  localRegistryHosting.v1: |
    host: "localhost:$REG_PORT"
    help: "https://kind.sigs.k8s.io/docs/user/local-registry/"
EOF

apply_crds
apply_rbac
operator_kubeconfig_for_current_cluster "$STATE/operator.kubeconfig" ||
  die "could not write the operator's kubeconfig" "$STATE/logs/apply-rbac.log"

make_registry_pki
start_secure_registries
# ISO_NO_NODE=1: kind's nodes cannot reach the TLS, basic and token registries
# on this host's loopback, so the tests that run pods are deselected.
write_env \
  "KUBECONFIG=$ADMIN_KUBECONFIG" \
  "OPERATOR_KUBECONFIG=$STATE/operator.kubeconfig" \
  "REGISTRY=localhost:$REG_PORT" \
  "REGISTRY_TLS=127.0.0.1:$REGISTRY_TLS_PORT" \
  "REGISTRY_BASIC=127.0.0.1:$REGISTRY_BASIC_PORT" \
  "REGISTRY_TOKEN=127.0.0.1:$REGISTRY_TOKEN_PORT" \
  "REGISTRY_CA=$PKI/registry-ca.crt" \
  "REGISTRY_USER=$REGISTRY_USER_NAME" \
  "REGISTRY_PASSWORD=$(registry_password)" \
  "REGISTRY_IDENTITY_TOKEN=$(registry_identity_token)" \
  "REGISTRY_EVENTS_SECRET=$(registry_events_secret)" \
  "ISO_NO_NODE=1" \
  "ISO_CLUSTER_DIR=$STATE"
# shellcheck disable=SC1091
source "$STATE/env.sh"
exec "$@"
