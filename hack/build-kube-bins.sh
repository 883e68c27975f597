#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kubectl, and the
# node's kube-scheduler and kubelet from the pinned Go modules in
# hack/etcd-bin and hack/kube-bins, once, into a cache outside the repository
# keyed by version. Only the binaries the cache lacks are built (a cache of
# the control plane alone gains the node's two). Prints the bin directory.
# First run on a 2-core machine: about 18 minutes for the control plane
# (module download + compile; measured 17 min 50 s, docs/testing.md), 21-27
# with hack/build-helm.sh, plus kube-scheduler and kubelet (docs/testing.md).
set -euo pipefail
# Go lives in /usr/local/go on our machines; a non-login shell may not have it on PATH.
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
KUBE_VERSION=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit} $2 == "k8s.io/kubernetes" && $3 ~ /^v/ {print $3; exit}' "$here/kube-bins/go.mod")
ETCD_VERSION=$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ {print $2; exit} $2 == "go.etcd.io/etcd/server/v3" && $3 ~ /^v/ {print $3; exit}' "$here/etcd-bin/go.mod")
KUBE_COMMANDS=(kube-apiserver kube-controller-manager kubectl kube-scheduler kubelet)
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
bin="$cache/bin/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"
lock="$cache/build.lock"
mkdir -p "$cache"
exec 9>"$lock"
flock 9
missing=()
for command in etcd "${KUBE_COMMANDS[@]}"; do
  [[ -x "$bin/$command" ]] || missing+=("$command")
done
if ((${#missing[@]} == 0)); then
  echo "$bin"
  exit 0
fi
rm -rf "$bin.tmp"
mkdir -p "$bin.tmp"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
started=$SECONDS
echo "building ${missing[*]} ($KUBE_VERSION, etcd $ETCD_VERSION) into $bin (once per machine: about 18 min on 2 cores for the control plane, about 3 more for kube-scheduler and kubelet)" >&2
packages=()
for command in "${missing[@]}"; do
  [[ $command == etcd ]] || packages+=("k8s.io/kubernetes/cmd/$command")
done
if [[ " ${missing[*]} " == *" etcd "* ]]; then
  (cd "$here/etcd-bin" && go build -trimpath -ldflags=-s -o "$bin.tmp/etcd" go.etcd.io/etcd/server/v3)
fi
if ((${#packages[@]})); then
  (cd "$here/kube-bins" && go build -trimpath -ldflags=-s -o "$bin.tmp/" "${packages[@]}")
fi
# One rename per binary: a cached one is never half written.
mkdir -p "$bin"
for command in "${missing[@]}"; do mv "$bin.tmp/$command" "$bin/$command"; done
rmdir "$bin.tmp"
echo "built ${missing[*]} in $((SECONDS - started)) s" >&2
echo "$bin"
