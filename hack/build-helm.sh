#!/usr/bin/env bash
# Builds the pinned helm CLI from the Go module proxy, once, into the same
# cache as the control-plane binaries. Prints the path of the helm binary.
set -euo pipefail
HELM_VERSION=v4.3.1
exec "$(dirname "$0")/build-go-tool.sh" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
