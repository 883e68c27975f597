#!/usr/bin/env bash
# build-go-tool.sh PACKAGE@VERSION: builds a pinned Go command from the Go
# module proxy, once, into the cache shared with the control-plane binaries
# (one directory per command and version). Prints the binary's path.
#   hack/build-go-tool.sh sigs.k8s.io/krew/cmd/krew@v0.4.3
set -euo pipefail
# Go lives in /usr/local/go on our machines; a non-login shell may not have it on PATH.
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
spec=${1:?usage: build-go-tool.sh PACKAGE@VERSION}
package=${spec%@*} version=${spec##*@}
[[ $package != "$spec" && -n $version ]] || { echo "$0: $spec: want PACKAGE@VERSION" >&2; exit 1; }
name=${package##*/}
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
dir="$cache/bin/$name-$version"
mkdir -p "$cache"
exec 9>"$cache/build-$name.lock"
flock 9
if [[ ! -x "$dir/$name" ]]; then
  echo "building $name $version into $dir (once per machine)" >&2
  rm -rf "$dir.tmp"
  GOBIN="$dir.tmp" CGO_ENABLED=0 go install -trimpath -ldflags=-s "$spec" >&2
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/$name"
