# Entry points. Each is self-sufficient on a fresh clone: it installs what it
# needs (Node 24 via hack/node, npm dependencies, Go-built control plane).
SHELL := /bin/bash
.DEFAULT_GOAL := build
NPM := hack/npm

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

.PHONY: deps build lint typecheck unit test cluster down demo e2e e2e-kind integration

deps: node_modules/.installed

build: deps
	$(NPM) run build

lint: deps
	$(NPM) run lint

typecheck: deps
	$(NPM) run typecheck

unit: deps
	$(NPM) run test:unit
