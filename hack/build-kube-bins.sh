#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the
# pinned Go modules in hack/etcd-bin and hack/kube-bins, once, into a cache
# outside the repository keyed by version. Prints the bin directory.
# First run on a 2-core machine: about 18 minutes (module download + compile;
# measured 17 min 50 s, docs/testing.md), 21-27 with hack/build-helm.sh.
set -euo pipefail
# Go lives in /usr/local/go on our machines; a non-login shell may not have it on PATH.
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
KUBE_VERSION=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit} $2 == "k8s.io/kubernetes" && $3 ~ /^v/ {print $3; exit}' "$here/kube-bins/go.mod")
ETCD_VERSION=$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ {print $2; exit} $2 == "go.etcd.io/etcd/server/v3" && $3 ~ /^v/ {print $3; exit}' "$here/etcd-bin/go.mod")
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
bin="$cache/bin/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"
lock="$cache/build.lock"
mkdir -p "$cache"
exec 9>"$lock"
flock 9
if [[ -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" && -x "$bin/kubectl" && -x "$bin/etcd" ]]; then
  echo "$bin"; exit 0
fi
mkdir -p "$bin.tmp"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
echo "building etcd $ETCD_VERSION and kubernetes $KUBE_VERSION into $bin (once per machine: about 18 min on 2 cores)" >&2
(cd "$here/etcd-bin" && go build -trimpath -ldflags=-s -o "$bin.tmp/etcd" go.etcd.io/etcd/server/v3)
(cd "$here/kube-bins" && go build -trimpath -ldflags=-s -o "$bin.tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
rm -rf "$bin" && mv "$bin.tmp" "$bin"
echo "$bin"
