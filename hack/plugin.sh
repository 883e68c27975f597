#!/usr/bin/env bash
# `make plugin`: the kubectl plugin as krew installs it. Writes to dist/plugin/
#   kubectl-imagestream-vVERSION.tar.gz  the archive: a launcher, the CLI
#                                        bundled into one file, LICENSE
#   imagestream.yaml                     the krew manifest (uri + sha256)
# then validates the manifest with krew's own validate-krew-manifest, which
# also installs the plugin with `kubectl krew install --manifest` for every
# platform it names (from a copy of the manifest whose uri is a loopback HTTP
# server handing out the archive), and runs the installed plugin's --help.
#   PLUGIN_URI_BASE  where releases are downloaded from (default below)
#   PLUGIN_VALIDATE  1 (default), or 0: build only
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"
KREW_VERSION=v0.4.3
version=v$(hack/node -p 'require("./package.json").version')
uri_base=${PLUGIN_URI_BASE:-https://github.com/imagestream-operator/imagestream-operator/releases/download}
out=dist/plugin
archive=kubectl-imagestream-$version.tar.gz
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

say() { printf '[plugin] %s\n' "$*" >&2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The archive's files. krew links `bin` into its bin directory; the launcher
# follows that link to find the bundle beside it.
build_archive() {
  local files=$work/files
  mkdir -p "$files" "$out"
  hack/node hack/bundle.mjs src/cli/main.ts "$work/bundle/kubectl-imagestream.mjs"
  cp "$work/bundle/kubectl-imagestream.mjs" LICENSE "$files/"
  cat >"$files/kubectl-imagestream" <<'EOF'
#!/bin/sh
# kubectl-imagestream launcher (krew): runs the bundled CLI with Node.js
# 22.19 or newer from PATH (or $KUBECTL_IMAGESTREAM_NODE).
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
exec "${KUBECTL_IMAGESTREAM_NODE:-node}" "$(dirname "$self")/kubectl-imagestream.mjs" "$@"
EOF
  chmod 0755 "$files/kubectl-imagestream"
  chmod 0644 "$files/kubectl-imagestream.mjs" "$files/LICENSE"
  # same inputs, same bytes: sorted names, fixed owner and time, no gzip timestamp
  tar -C "$files" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - . |
    gzip -9n >"$out/$archive"
}

# write_manifest URI FILE
write_manifest() {
  local sha
  sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)
  cat >"$2" <<EOF
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: imagestream
spec:
  version: $version
  homepage: https://github.com/imagestream-operator/imagestream-operator
  shortDescription: OpenShift's oc image stream commands for imagestream-operator
  description: |
    The oc experience for image.openshift.io/v1 image streams on any cluster
    running imagestream-operator: tag, import-image (waits for the result),
    describe, why (why a triggered workload did or did not roll) and
    set image-lookup.
  caveats: |
    Needs Node.js 22.19 or newer on PATH (or KUBECTL_IMAGESTREAM_NODE naming
    a node binary). Usage: kubectl imagestream --help
  platforms:
    - selector:
        matchExpressions:
          - { key: os, operator: In, values: [linux, darwin] }
      uri: $1
      sha256: $sha
      bin: kubectl-imagestream
      files:
        - { from: kubectl-imagestream, to: . }
        - { from: kubectl-imagestream.mjs, to: . }
        - { from: LICENSE, to: . }
EOF
}

# A loopback HTTP server handing out dist/plugin, for krew to download from.
serve_archive() {
  hack/node -e '
    const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
    const dir = process.argv[1];
    const server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url));
      fs.readFile(file, (err, body) => {
        res.writeHead(err ? 404 : 200);
        res.end(err ? "" : body);
      });
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));
  ' "$out" >"$work/port" &
  server_pid=$!
  local _
  for _ in $(seq 1 50); do
    [[ -s $work/port ]] && return 0
    sleep 0.1
  done
  echo "[plugin] ERROR: the archive server did not start" >&2
  return 1
}

validate() {
  local validator krew kube_bin root
  validator=$(hack/build-go-tool.sh "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION")
  krew=$(hack/build-go-tool.sh "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION")
  kube_bin=$(hack/build-kube-bins.sh)
  mkdir -p "$work/bin" "$work/check"
  ln -s "$krew" "$work/bin/kubectl-krew"
  ln -s "$kube_bin/kubectl" "$work/bin/kubectl"
  serve_archive
  write_manifest "http://127.0.0.1:$(cat "$work/port")/$archive" "$work/check/imagestream.yaml"
  say "validate-krew-manifest (installs the plugin for each platform from the archive)"
  PATH="$work/bin:$PATH" "$validator" -manifest "$work/check/imagestream.yaml" >&2
  "$validator" -manifest "$out/imagestream.yaml" -skip-install >&2
  # the plugin as installed by krew on this machine runs
  root=$work/krew-root
  PATH="$work/bin:$PATH" KREW_ROOT=$root kubectl krew install --manifest "$work/check/imagestream.yaml" >&2
  local help
  help=$(KUBECTL_IMAGESTREAM_NODE=$(hack/node -p process.execPath) "$root/bin/kubectl-imagestream" --help)
  [[ $help == *import-image* ]] ||
    { echo "[plugin] ERROR: the installed plugin's --help does not list import-image: $help" >&2; return 1; }
  say "the plugin installed by krew runs (--help)"
}

build_archive
write_manifest "$uri_base/$version/$archive" "$out/imagestream.yaml"
say "$out/$archive ($(du -k "$out/$archive" | cut -f1) KiB), $out/imagestream.yaml"
if [[ ${PLUGIN_VALIDATE:-1} == 1 ]]; then validate; fi
