#!/usr/bin/env bash
# Packs a directory as a one-layer OCI image with umoci and copies it with
# skopeo, without a container engine. The one place that builds an image for
# the test environment: the node's pause image (hack/build-pause.sh) and the
# runnable test images of the e2e suite (test/e2e/support/test-image.ts).
#
#   hack/oci-image.sh ROOTFS DEST [UMOCI_CONFIG_OPTION...] [-- SKOPEO_COPY_OPTION...]
#
# ROOTFS: a directory, inserted at / as the image's only layer (owners and
# modes as they are on disk). DEST: any skopeo destination, e.g.
# docker://127.0.0.1:26410/repo:tag or oci:DIR:tag. UMOCI_CONFIG_OPTIONs go to
# `umoci config` (--config.entrypoint=/pause, --config.user=65535, ...); the
# SKOPEO_COPY_OPTIONs to `skopeo copy` (--dest-tls-verify=false for a
# plain-HTTP registry, --dest-cert-dir, --dest-authfile). Prints the digest
# of the manifest as written to DEST (sha256:...) on stdout, nothing else.
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 ROOTFS DEST [UMOCI_CONFIG_OPTION...] [-- SKOPEO_COPY_OPTION...]" >&2; exit 2; }
rootfs=$1 dest=$2
shift 2
[[ -d "$rootfs" ]] || { echo "$0: $rootfs is not a directory" >&2; exit 2; }
config=() copy=()
while (($#)); do
  if [[ $1 == -- ]]; then
    shift
    copy=("$@")
    break
  fi
  config+=("$1")
  shift
done
for tool in umoci skopeo; do
  command -v "$tool" >/dev/null ||
    { echo "$0: $tool is missing (Debian package $tool; hack/cluster.sh up installs it)" >&2; exit 1; }
done
# Without root, umoci records the files as owned by root anyway (--rootless).
rootless=()
[[ $(id -u) == 0 ]] || rootless=(--rootless)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
layout="$work/oci:image"
{
  umoci init --layout "$work/oci"
  umoci new --image "$layout"
  umoci insert "${rootless[@]}" --image "$layout" "$rootfs" /
  umoci config --no-history --image "$layout" \
    --os=linux --architecture="$(dpkg --print-architecture 2>/dev/null || echo amd64)" "${config[@]}"
  # No signature policy: /etc/containers/policy.json may be absent.
  skopeo --insecure-policy copy --quiet --digestfile "$work/digest" "${copy[@]}" "oci:$layout" "$dest"
} >&2
cat "$work/digest"
echo
