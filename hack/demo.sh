#!/usr/bin/env bash
# make demo: from a fresh clone, a local control plane and registry, the API
# and RBAC installed, the operator built and running under its own
# ServiceAccount, an example ImageStream and a triggered Deployment applied.
# Fails (with the operator's log) unless the trigger rolls the Deployment
# within 60 s. `make down` stops everything (the operator included).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*" >&2; }

say "starting the local control plane and registries (the first run on a machine builds them: ~21-27 min on 2 cores)"
eval "$(hack/cluster.sh up)"
# After the eval: the helpers act on the state dir that `up` reported.
# shellcheck source=hack/lib/cluster-common.sh
source hack/lib/cluster-common.sh
say "building the operator"
make -s build >&2

say "pushing a demo image to the local registry $REGISTRY"
hack/node --experimental-transform-types --no-warnings hack/demo-push.ts "$REGISTRY" demo/app:v1 >&2

# The API server reaches the operator's HTTPS server (image views, image
# lookup webhook) through an ExternalName Service naming localhost, on a port
# of loopback (docs/testing.md); in a cluster it is an ordinary Service.
SERVING_PORT=$((PORT_BASE + 90))
say "registering the image views APIService and the image lookup webhook (127.0.0.1:$SERVING_PORT)"
{
  cat <<YAML
apiVersion: v1
kind: Service
metadata: { name: imagestream-operator, namespace: imagestream-operator-system }
spec: { type: ExternalName, externalName: localhost }
---
YAML
  sed -n '/^kind: APIService/,/^---/p' config/manager/views.yaml | sed '$d' |
    sed "1i apiVersion: apiregistration.k8s.io/v1" | sed "s/port: 443/port: $SERVING_PORT/"
  echo "---"
  sed "s/port: 443/port: $SERVING_PORT/" config/webhook/mutating-webhook-configuration.yaml
} | kubectl apply --server-side --force-conflicts -f - >&2

say "starting the operator (log: $STATE/logs/operator.log)"
# Only the operator this script started before (pid_of checks the pid is still it).
stop_process operator
start_bg operator 0 hack/node dist/main.js --kubeconfig "$OPERATOR_KUBECONFIG" --leader-elect=true \
  --leader-election-namespace imagestream-operator-system --metrics-addr 127.0.0.1:0 \
  --ca-bundle "$REGISTRY_CA" --serving-addr "127.0.0.1:$SERVING_PORT"

say "applying examples/demo.yaml (ImageStream demo/app and Deployment demo/web)"
# Forced: on a second run the operator owns the image field it rolled; the
# example takes it back, and the trigger must roll it again.
sed "s|REGISTRY_PLACEHOLDER|$REGISTRY|g" examples/demo.yaml |
  kubectl apply --server-side --force-conflicts -f - >&2

rolled_image() {
  kubectl -n demo get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null
}
img=
for _ in $(seq 1 60); do
  img=$(rolled_image || true)
  [[ "$img" == *@sha256:* ]] && break
  is_running operator || die "the operator exited" "$STATE/logs/operator.log"
  sleep 1
done
[[ "$img" == *@sha256:* ]] ||
  die "the trigger did not roll Deployment demo/web within 60 s (image: ${img:-none})" \
    "$STATE/logs/operator.log"
say "the Deployment now runs: $img"

for _ in $(seq 1 60); do
  kubectl -n demo get istag >/dev/null 2>&1 && break
  sleep 1
done
say "kubectl -n demo get istag (the image views API)"
kubectl -n demo get istag >&2 || die "the image views API did not answer" "$STATE/logs/operator.log"
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
  die "the image lookup webhook did not resolve app:latest (image: ${pod_image:-none})" \
    "$STATE/logs/operator.log"
say "stored as: $pod_image"
cat >&2 <<MSG

Look at:
  eval "\$(hack/cluster.sh env)"
  kubectl -n demo get is app -o yaml            # status.tags: history and conditions
  kubectl get images.image.openshift.io         # image metadata by digest
  kubectl -n demo get deploy web -o yaml        # the trigger wrote the digest reference
  kubectl -n demo get rs                        # the ReplicaSet the rollout created
  kubectl -n demo get events.events.k8s.io      # TagUpdated, ImageTriggered, ...
  kubectl -n demo get istag                     # the image views, as a tenant sees them
  kubectl -n demo describe istag app:latest
  kubectl -n demo get pod lookup -o jsonpath='{.spec.containers[0].image}'  # app:latest, resolved
Move the tag:
  hack/node --experimental-transform-types --no-warnings hack/demo-push.ts $REGISTRY demo/app:v1
  kubectl -n demo patch is app --type=json -p '[{"op":"replace","path":"/spec/tags/0/generation","value":0}]'
Stop everything: make down (before e2e tests on this environment, at least
kubectl delete namespace demo, then kubectl delete apiservice
v1.image.imagestream-operator.io and mutatingwebhookconfiguration
imagestream-operator: the suite's operators watch every namespace, and an
APIService nobody answers blocks namespace deletion)
MSG
