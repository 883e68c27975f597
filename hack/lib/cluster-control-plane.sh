# shellcheck shell=bash
# shellcheck disable=SC2034 # constants used by the scripts that source this file
# etcd, kube-apiserver and kube-controller-manager on loopback, the way
# envtest runs them, plus the controller manager so Deployments get
# ReplicaSets. Sourced after cluster-common.sh and cluster-pki.sh; needs
# KUBE_BIN (the directory printed by hack/build-kube-bins.sh).

ADMIN_KUBECONFIG=$STATE/admin.kubeconfig
KCM_KUBECONFIG=$STATE/controller-manager.kubeconfig
OPERATOR_KUBECONFIG_FILE=$STATE/operator.kubeconfig

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE USER CERT: a client-certificate kubeconfig, keys embedded.
write_kubeconfig() {
  local file=$1 user=$2 cert=$3
  (
    umask 077
    cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: imagestream-test
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/cluster-ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(b64 "$PKI/$cert.crt")
    client-key-data: $(b64 "$PKI/$cert.key")
contexts:
- name: $user@imagestream-test
  context: {cluster: imagestream-test, user: $user}
current-context: $user@imagestream-test
EOF
  )
  mv "$file.tmp" "$file"
}

etcd_healthy() { curl -sf "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }

start_etcd() {
  if is_running etcd && etcd_healthy; then return 0; fi
  stop_process etcd
  start_bg etcd "$ETCD_PORT" "$KUBE_BIN/etcd" \
    --name=imagestream-test --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="imagestream-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level=warn
  wait_until etcd 60 etcd_healthy
}

apiserver_ready() {
  curl -sf --cacert "$PKI/cluster-ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" | grep -qx ok
}

start_apiserver() {
  if is_running kube-apiserver && apiserver_ready; then return 0; fi
  stop_process kube-apiserver
  # Endpoint reconciler off: it refuses a loopback advertise address, and no
  # pod here ever dials the kubernetes Service.
  # The kubelet flags: the API server calls the node's kubelet (logs, exec)
  # with its own client certificate and verifies the kubelet's serving
  # certificate against the cluster CA (hack/lib/cluster-node.sh).
  # The requestheader and proxy-client flags make the aggregator work: it
  # calls aggregated servers (the operator's image views) with the
  # front-proxy-client certificate and the user in X-Remote-* headers, and
  # publishes how to verify them in kube-system/extension-apiserver-authentication.
  start_bg kube-apiserver "$APISERVER_PORT" "$KUBE_BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --endpoint-reconciler-type=none \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/cluster-ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --cert-dir="$STATE/apiserver-certs" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/cluster-ca.crt" \
    --profiling=false
  wait_until kube-apiserver 120 apiserver_ready
}

# The serviceaccount controller creating "default" in namespace default shows
# the controller manager is up, authenticated and authorized.
controller_manager_working() {
  "$KUBE_BIN/kubectl" --kubeconfig="$ADMIN_KUBECONFIG" get serviceaccount default -n default >/dev/null 2>&1
}

start_controller_manager() {
  if is_running kube-controller-manager && controller_manager_working; then return 0; fi
  stop_process kube-controller-manager
  # Secure port 0: nothing to scrape here, and no extra port to collide.
  # nodelifecycle: the node's conditions and taints (it lifts the not-ready
  # taint a new node registers with, so the scheduler places pods); without
  # taint-eviction-controller nothing is ever evicted. endpointslice: the
  # endpoints of Services with a selector (the aggregator's availability check
  # and make demo's Service relay read them; ADR 0033).
  start_bg kube-controller-manager 0 "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig="$KCM_KUBECONFIG" \
    --controllers=deployment,replicaset,statefulset,daemonset,garbagecollector,namespace,serviceaccount,serviceaccount-token,root-ca-cert-publisher,clusterrole-aggregation,nodelifecycle,endpointslice \
    --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/cluster-ca.crt" \
    --secure-port=0
  wait_until kube-controller-manager 120 controller_manager_working
}

start_control_plane() {
  write_kubeconfig "$ADMIN_KUBECONFIG" imagestream-test-admin admin
  write_kubeconfig "$KCM_KUBECONFIG" system:kube-controller-manager controller-manager
  start_etcd
  start_apiserver
  start_controller_manager
}
