# Entry points. Each is self-sufficient on a fresh clone: it installs what it
# needs (Node 24 via hack/node, npm dependencies, Go-built control plane).
SHELL := /bin/bash
.DEFAULT_GOAL := build
NPM := hack/npm

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

.PHONY: deps build lint typecheck unit test cluster registries down demo e2e e2e-kind integration helm-crds \
	image chart chart-docs monitoring-check plugin

deps: node_modules/.installed

build: deps
	$(NPM) run build

lint: deps
	$(NPM) run lint

typecheck: deps
	$(NPM) run typecheck

unit: deps
	$(NPM) run test:unit

# The real test environment (docs/testing.md). `eval "$(make -s cluster)"`
# works: `hack/cluster.sh up` prints nothing but export lines on stdout.
cluster:
	@hack/cluster.sh up

# Only the registries and token service, for the e2e suite on a cluster of
# your own in KUBECONFIG: `eval "$(make -s registries)"` (docs/testing.md).
registries:
	@hack/cluster.sh registries

down:
	@hack/cluster.sh down

# Against the caller's environment when REGISTRY (and, for e2e, KUBECONFIG)
# is set, after checking every variable the suite needs; else against the
# local environment (started if needed, left running).
integration: deps
	@hack/cluster-run.sh integration $(NPM) run test:integration

e2e: build
	@hack/cluster-run.sh e2e $(NPM) run test:e2e

# kind + a local registry container; needs Docker (untested on the dev machines).
e2e-kind: build
	@hack/kind.sh $(NPM) run test:e2e

# Everything, self-sufficient on a fresh clone; tears the environment down at
# the end unless ISO_KEEP_CLUSTER=1.
test: deps
	@hack/cluster-test.sh

# From a fresh clone: cluster + registry, API and RBAC, the operator running
# under its ServiceAccount, an example stream and triggered Deployment.
demo: deps
	@hack/demo.sh

# Keeps the Helm chart's CRDs equal to config/crd (test/e2e/helm.test.ts checks).
helm-crds:
	cp config/crd/*.yaml helm/imagestream-operator/crds/

# The operator's OCI image, built without a container engine (umoci, skopeo;
# ADR 0029) and pushed to IMAGE_REGISTRY (default: $REGISTRY, else the running
# local test environment's registry); IMAGE_PUSH=0 only builds dist/image/oci.
# Prints the pushed reference by digest and the compressed size.
image: build
	@hack/image/build.sh

# The chart packaged and pushed as an OCI artifact to CHART_REGISTRY (same
# default as IMAGE_REGISTRY), under charts/.
chart:
	@hack/chart-publish.sh

# Rewrites the values table in helm/imagestream-operator/README.md from values.yaml.
chart-docs: deps
	hack/node hack/chart-values-doc.ts

# promtool on the chart's alerts (syntax, unit tests) and dashboard queries.
monitoring-check: deps
	@hack/monitoring-check.sh

# The krew plugin archive and manifest in dist/plugin/, validated by krew.
plugin: deps
	@hack/plugin.sh
