#!/usr/bin/env bash
# make demo: from a fresh clone, a local control plane, registries and node;
# the operator's image built (make image) and its chart published as an OCI
# artifact (make chart), then installed from there by helm: the operator runs
# as a pod on the node under its own ServiceAccount. An example ImageStream
# and triggered Deployment are applied; the demo fails (with the operator's
# log) unless the trigger rolls the Deployment and its pod runs the digest the
# trigger wrote. `make down` stops everything and removes what it made.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*" >&2; }
RELEASE=demo
NAMESPACE=imagestream-operator-system
FULLNAME=$RELEASE-imagestream-operator

say "starting the local control plane, registries and node (the first run on a machine builds them: ~21-27 min on 2 cores)"
eval "$(hack/cluster.sh up)"
# After the eval: the helpers act on the state dir that `up` reported.
# shellcheck source=hack/lib/cluster-common.sh
source hack/lib/cluster-common.sh
[[ -n "${ISO_POD_REGISTRY:-}" && -n "${ISO_POD_APISERVER:-}" ]] ||
  die "make demo runs the operator as a pod on the environment's node, and this environment has none (made with ISO_NO_NODE=1?): make down, then make demo"
# shellcheck source=hack/lib/cluster-podnet.sh
source hack/lib/cluster-podnet.sh
# shellcheck source=hack/lib/cluster-node.sh
source hack/lib/cluster-node.sh

say "building the operator's image and pushing it to $REGISTRY (make image)"
make -s build >&2
image=$(IMAGE_REGISTRY=$REGISTRY IMAGE_TAG=demo hack/image/build.sh)
say "packaging the chart and pushing it to $REGISTRY (make chart)"
chart=$(CHART_REGISTRY=$REGISTRY hack/chart-publish.sh)
version=$(sed -n 's/^version: *//p' helm/imagestream-operator/Chart.yaml)

say "pushing the demo's runnable image to $REGISTRY as demo/app:v1"
hack/node --experimental-transform-types --no-warnings --import ./bench/trigger-loader.ts \
  hack/demo-push.ts "$REGISTRY" demo/app:v1 >&2

# An earlier demo ran the operator as a host process with its own APIService
# and webhook configuration: they make way for the chart's.
stop_process operator
for object in apiservice/v1.image.imagestream-operator.io mutatingwebhookconfiguration/imagestream-operator; do
  owner=$(kubectl get "$object" -o jsonpath='{.metadata.labels.app\.kubernetes\.io/managed-by}' 2>/dev/null || true)
  [[ -z $owner || $owner == Helm ]] || kubectl delete "$object" >&2
done
kubectl -n "$NAMESPACE" delete service imagestream-operator --ignore-not-found >&2 2>/dev/null || true

say "installing the Prometheus Operator's ServiceMonitor and PrometheusRule CRDs (for the chart's optional parts)"
kubectl apply --server-side -f "$(hack/monitoring-crds.sh)" >&2
kubectl wait --for=condition=Established --timeout=60s \
  crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com >&2

say "installing the operator from $chart with helm: two replicas, every optional part on (image $image)"
# Every optional part of the chart: the push receivers (a GitHub one with a
# secret made here) and their Ingress, the ServiceMonitor, PrometheusRule and
# Grafana dashboard, the NetworkPolicy; with two replicas, the
# PodDisruptionBudget. The pods reach the API server through the node's pod
# network relay (ADR 0032): no kube-proxy answers the kubernetes Service here.
kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >&2
receiver_secret=$(kubectl -n "$NAMESPACE" get secret "$FULLNAME-webhook" -o jsonpath='{.data.github}' 2>/dev/null | base64 -d || true)
[[ -n $receiver_secret ]] || receiver_secret=$(openssl rand -hex 16)
helm upgrade --install "$RELEASE" "$chart" --version "$version" --plain-http --namespace "$NAMESPACE" \
  --set "image.repository=${image%@*},image.digest=${image#*@}" \
  --set replicaCount=2 --set resources.requests.memory=128Mi \
  --set webhook.enabled=true --set webhook.receivers.github.enabled=true \
  --set "webhook.receivers.github.secret=$receiver_secret" \
  --set webhook.ingress.enabled=true --set webhook.ingress.host=push.demo.example \
  --set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true \
  --set metrics.grafanaDashboard.enabled=true --set networkPolicy.enabled=true \
  --set-json "extraEnv=[{\"name\":\"KUBERNETES_SERVICE_HOST\",\"value\":\"${ISO_POD_APISERVER%:*}\"},{\"name\":\"KUBERNETES_SERVICE_PORT\",\"value\":\"${ISO_POD_APISERVER##*:}\"}]" \
  --wait --timeout 5m >&2 ||
  die "helm could not install the operator" "$STATE/logs/kubelet.log"
say "installed: $(kubectl -n "$NAMESPACE" get deploy,svc,pdb,networkpolicy,ingress,servicemonitor,prometheusrule,configmap -l app.kubernetes.io/instance=$RELEASE -o name | tr '\n' ' ')"
kubectl -n "$NAMESPACE" get pods -o wide >&2
operator_log() {
  kubectl -n "$NAMESPACE" logs "deploy/$FULLNAME" --tail=-1 >"$STATE/logs/demo-operator.log" 2>&1 || true
  echo "$STATE/logs/demo-operator.log"
}

# The chart's APIService and webhook name its ClusterIP Service, which the API
# server dials at its cluster IP. With no kube-proxy here, that address is put
# on the environment's pod bridge (removed with it by make down) and a relay
# there passes each connection to the Service's ready endpoint (ADR 0033).
cluster_ip=$(kubectl -n "$NAMESPACE" get service "$FULLNAME" -o jsonpath='{.spec.clusterIP}')
if ! ip -4 addr show dev "$POD_BRIDGE" | grep -q "inet $cluster_ip/32"; then
  taken=$(foreign_routes_to "$cluster_ip")
  [[ -z $taken ]] ||
    die "the Service address $cluster_ip is on a network of this machine ($taken): the demo will not shadow it"
  ip addr add "$cluster_ip/32" dev "$POD_BRIDGE" || die "could not put $cluster_ip on $POD_BRIDGE"
fi
relay_config=$STATE/service-relay.json
printf '{"listenHost": "%s", "ports": [443], "service": {"namespace": "%s", "name": "%s", "portName": "https"}}\n' \
  "$cluster_ip" "$NAMESPACE" "$FULLNAME" >"$relay_config"
service_relay_answers() { (exec 3<>"/dev/tcp/$cluster_ip/443") 2>/dev/null; }
if ! runs_config service-relay "$relay_config" || ! service_relay_answers; then
  stop_process service-relay
  start_with_config service-relay "$relay_config" 0 hack/node hack/pod-relay.ts "$relay_config"
  wait_until service-relay 30 service_relay_answers
fi

say "applying examples/demo.yaml (ImageStream demo/app and Deployment demo/web)"
# Forced: on a second run the operator owns the image field it rolled, and the
# example takes it back; the trigger rolls it again only when the tag moves
# (ADR 0025), which the import-image step below makes happen. The operator's
# pod reaches the registry, and the node pulls from it, at the relay's address.
sed "s|REGISTRY_PLACEHOLDER|$ISO_POD_REGISTRY|g" examples/demo.yaml |
  kubectl apply --server-side --force-conflicts -f - >&2

say "kubectl imagestream import-image app:latest (the image just pushed; the stream is also scheduled)"
# A second run's apply above took the Deployment's image back to the tag
# (respected as a user's choice until the tag moves: ADR 0025); this import
# moves it to the new push.
hack/node dist/cli/main.js import-image app:latest --namespace demo >&2 ||
  die "the import of demo/app:latest failed" "$(operator_log)"
imported=$(kubectl -n demo get is app -o jsonpath='{.status.tags[?(@.tag=="latest")].items[0].dockerImageReference}')
rolled_image() {
  kubectl -n demo get deploy web -o jsonpath='{.spec.template.spec.containers[?(@.name=="web")].image}' 2>/dev/null
}
img=
for _ in $(seq 1 60); do
  img=$(rolled_image || true)
  [[ $img == "$imported" ]] && break
  sleep 1
done
[[ $img == "$imported" ]] ||
  die "the trigger did not roll Deployment demo/web to $imported within 60 s (image: ${img:-none})" "$(operator_log)"
say "the trigger wrote: $img"

# running_image POD CONTAINER: the image the container runs, once it is running.
running_image() {
  kubectl -n demo get pod "$1" -o jsonpath="{.status.containerStatuses[?(@.name==\"$2\")].imageID}{\" \"}{.status.containerStatuses[?(@.name==\"$2\")].state.running.startedAt}" 2>/dev/null
}
web_pod=
for _ in $(seq 1 180); do
  for pod in $(kubectl -n demo get pods -l app=web -o jsonpath='{.items[*].metadata.name}'); do
    read -r id started <<<"$(running_image "$pod" web)" || true
    [[ $id == "$img" && -n ${started:-} ]] && web_pod=$pod && break 2
  done
  sleep 1
done
[[ -n $web_pod ]] || die "no pod of demo/web runs $img after 180 s" "$STATE/logs/kubelet.log"
say "pod $web_pod runs it: status.containerStatuses[web].imageID = $img"
kubectl -n demo logs "$web_pod" -c web >&2

for _ in $(seq 1 60); do
  kubectl -n demo get istag >/dev/null 2>&1 && break
  sleep 1
done
say "kubectl -n demo get istag (the image views API)"
kubectl -n demo get istag >&2 || die "the image views API did not answer" "$(operator_log)"
say "a Pod created with image app:latest (lookupPolicy.local)"
kubectl -n demo delete pod lookup --ignore-not-found >&2
pod_image=
for _ in $(seq 1 30); do
  kubectl -n demo run lookup --image=app:latest --restart=Never >&2
  pod_image=$(kubectl -n demo get pod lookup -o jsonpath='{.spec.containers[0].image}')
  [[ "$pod_image" == *@sha256:* ]] && break
  # the API server may not trust the operator's new CA bundle yet: try again
  kubectl -n demo delete pod lookup --wait=false >&2
  sleep 1
done
[[ "$pod_image" == *@sha256:* ]] ||
  die "the image lookup webhook did not resolve app:latest (image: ${pod_image:-none})" "$(operator_log)"
say "stored as: $pod_image"
cat >&2 <<MSG

Look at:
  eval "\$(hack/cluster.sh env)"
  kubectl -n $NAMESPACE get pods -o wide          # the operator, from its image, on the node
  kubectl -n demo get is app -o yaml            # status.tags: history and conditions
  kubectl get images.image.openshift.io         # image metadata by digest
  kubectl -n demo get deploy web -o yaml        # the trigger wrote the digest reference
  kubectl -n demo get pods -o wide              # web's pod runs it (status.containerStatuses[].imageID)
  kubectl -n demo get events.events.k8s.io      # TagUpdated, ImageTriggered, ...
  kubectl -n demo get istag                     # the image views, as a tenant sees them
  kubectl -n demo describe istag app:latest
  kubectl -n demo get pod lookup -o jsonpath='{.spec.containers[0].image}'  # app:latest, resolved
Move the tag (the stream is scheduled; or import it now with the kubectl plugin):
  hack/node --experimental-transform-types --no-warnings --import ./bench/trigger-loader.ts hack/demo-push.ts $REGISTRY demo/app:v1
  hack/node dist/cli/main.js import-image app:latest -n demo     # kubectl imagestream import-image
Stop everything: make down (before e2e tests on this environment, at least
kubectl delete namespace demo, then helm uninstall $RELEASE -n $NAMESPACE: the
suite's operators watch every namespace, and so does this one)
MSG
