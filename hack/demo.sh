#!/usr/bin/env bash
# make demo: from a fresh clone, a local control plane and registry, the API
# and RBAC installed, the operator built and running under its own
# ServiceAccount, an example ImageStream and a triggered Deployment applied.
# `make down` stops everything (the operator included).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*" >&2; }

say "starting the local control plane and registries (first run builds them: ~15-20 min)"
eval "$(hack/cluster.sh up)"
say "building the operator"
make -s build >&2

say "pushing a demo image to the local registry $REGISTRY"
hack/node --experimental-transform-types --no-warnings hack/demo-push.ts "$REGISTRY" demo/app:v1 >&2

say "starting the operator (log: $ISO_CLUSTER_DIR/logs/operator.log)"
if [[ -f "$ISO_CLUSTER_DIR/run/operator.pid" ]] && kill -0 "$(cat "$ISO_CLUSTER_DIR/run/operator.pid")" 2>/dev/null; then
  kill "$(cat "$ISO_CLUSTER_DIR/run/operator.pid")"; sleep 1
fi
setsid nohup hack/node dist/main.js --kubeconfig "$OPERATOR_KUBECONFIG" --leader-elect=true \
  --leader-election-namespace imagestream-operator-system --metrics-addr 127.0.0.1:0 \
  --ca-bundle "$REGISTRY_CA" </dev/null >"$ISO_CLUSTER_DIR/logs/operator.log" 2>&1 &
echo $! >"$ISO_CLUSTER_DIR/run/operator.pid"

say "applying examples/demo.yaml (ImageStream demo/app and Deployment demo/web)"
sed "s|REGISTRY_PLACEHOLDER|$REGISTRY|g" examples/demo.yaml | kubectl apply --server-side -f - >&2

for _ in $(seq 1 60); do
  img=$(kubectl -n demo get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)
  [[ "$img" == *@sha256:* ]] && break
  sleep 1
done
say "the Deployment now runs: ${img:-<not yet rolled: see the operator log>}"
cat >&2 <<MSG

Look at:
  eval "\$(hack/cluster.sh env)"
  kubectl -n demo get is app -o yaml            # status.tags: history and conditions
  kubectl get images.image.openshift.io         # image metadata by digest
  kubectl -n demo get deploy web -o yaml        # the trigger wrote the digest reference
  kubectl -n demo get rs                        # the ReplicaSet the rollout created
  kubectl -n demo get events.events.k8s.io      # TagUpdated, ImageTriggered, ...
Move the tag:
  hack/node --experimental-transform-types --no-warnings hack/demo-push.ts $REGISTRY demo/app:v1
  kubectl -n demo patch is app --type=json -p '[{"op":"replace","path":"/spec/tags/0/generation","value":0}]'
Stop everything: make down
MSG
