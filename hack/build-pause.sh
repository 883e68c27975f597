#!/usr/bin/env bash
# Builds the node's pause image (hack/pause: a static program that waits for
# SIGTERM and reaps children) once per source version, as an OCI layout in
# the cache beside the control-plane binaries. Prints the layout's skopeo
# reference (oci:DIR:pause); hack/lib/cluster-node.sh pushes it to the
# environment's plain registry and names it by digest as containerd's
# sandbox_image. Seconds on any machine with Go; nothing when cached.
set -euo pipefail
# Go lives in /usr/local/go on our machines; a non-login shell may not have it on PATH.
command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "$0: Go is required (https://go.dev/dl or the distribution's package)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
version=$(cat "$here/pause/go.mod" "$here/pause/main.go" "$here/oci-image.sh" | sha256sum | cut -c1-12)
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
dir="$cache/pause-$version"
mkdir -p "$cache"
exec 9>"$cache/build-pause.lock"
flock 9
if [[ ! -s "$dir/built" ]]; then
  echo "building the pause image $version into $dir" >&2
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp/rootfs"
  (cd "$here/pause" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags=-s -o "$dir.tmp/rootfs/pause" .)
  # 65535: the user the upstream pause image runs as; it needs no privilege.
  "$here/oci-image.sh" "$dir.tmp/rootfs" "oci:$dir.tmp/oci:pause" \
    --config.entrypoint=/pause --config.user=65535:65535 >"$dir.tmp/built"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "oci:$dir/oci:pause"
