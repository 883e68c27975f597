#!/usr/bin/env bash
# debian-promtool.sh: prints the path of promtool, taken once from Debian's
# `prometheus` package into the shared cache. The package is downloaded and
# unpacked, not installed: installing it would add a Prometheus server and
# its service to the machine, and only the checker is wanted. (Building
# promtool from the Go module proxy pulls in all of Prometheus and did not
# finish within a session on the 2-core machines.)
set -euo pipefail
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}
mkdir -p "$cache"
exec 9>"$cache/debian-promtool.lock"
flock 9
version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')
if [[ -z $version || $version == "(none)" ]]; then
  apt-get -q update >&2
  version=$(apt-cache policy prometheus | awk '/Candidate:/ {print $2}')
fi
[[ -n $version && $version != "(none)" ]] || { echo "$0: no prometheus package in the apt sources" >&2; exit 1; }
dir="$cache/bin/promtool-debian-${version//[^A-Za-z0-9.+-]/_}"
if [[ ! -x "$dir/promtool" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get -q download "prometheus=$version" >&2)
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  rm -rf "$dir" && mkdir -p "$dir" && cp "$work/root/usr/bin/promtool" "$dir/promtool"
fi
echo "$dir/promtool"
