#!/usr/bin/env bash
# Builds the pinned helm CLI from the Go module proxy, once, into the same
# cache as the control-plane binaries. Prints the path of the helm binary.
set -euo pipefail
# Go lives in /usr/local/go on our machines; a non-login shell may not have it on PATH.
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
HELM_VERSION=v4.3.1
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
bin="$cache/bin/helm-$HELM_VERSION"
mkdir -p "$cache"
exec 9>"$cache/build-helm.lock"
flock 9
if [[ ! -x "$bin/helm" ]]; then
  echo "building helm $HELM_VERSION into $bin (first run takes a few minutes)" >&2
  GOBIN="$bin.tmp" CGO_ENABLED=0 go install -trimpath -ldflags=-s "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
  rm -rf "$bin" && mv "$bin.tmp" "$bin"
fi
echo "$bin/helm"
