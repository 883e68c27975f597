#!/usr/bin/env bash
# `make test`: lint, typecheck, unit tests, then integration and e2e tests
# against a fresh local environment that is torn down at the end (kept with
# ISO_KEEP_CLUSTER=1; a caller's KUBECONFIG + REGISTRY environment is checked
# for every variable the e2e suite needs, used as is and never torn down).
# Every step runs even after a failure, so one run shows everything that is
# broken; the exit status is non-zero if any step failed. Each step's wall
# time is printed at the end (CI allows 90 minutes; `cluster up` includes any
# first-run build and package install).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/lib/cluster-common.sh
source "$here/lib/cluster-common.sh"
# shellcheck source=hack/lib/cluster-caller-env.sh
source "$here/lib/cluster-caller-env.sh"
cd "$here/.." || exit 1
npm_cmd=hack/npm
results=$(mktemp -d)
failed_steps=()
step_times=()
brought_up=0
run_started=$EPOCHREALTIME

say() { printf '\n=== %s ===\n' "$*" >&2; }

# timed_step NAME COMMAND...: runs COMMAND as the step NAME, keeping its wall
# time and outcome for the closing table; returns COMMAND's status.
timed_step() {
  local name=$1 started=$EPOCHREALTIME status=0 outcome=ok
  shift
  "$@" || status=$?
  ((status == 0)) || outcome=FAILED
  step_times+=("$(printf '%-16s %8s s  %s' "$name" "$(elapsed_since "$started")" "$outcome")")
  return "$status"
}

step() {
  local name=$1
  shift
  say "$name"
  timed_step "$name" "$@" || failed_steps+=("$name")
}

# vitest_step NAME PROJECT: one vitest project, its counts kept for the
# summary. A project whose glob matches no file fails.
vitest_step() {
  step "$1" "$npm_cmd" exec -- vitest run --project "$2" \
    --reporter=default --reporter=json --outputFile.json="$results/$2.json"
}

# The environment's export lines into env_lines (a function, so timed_step
# can time it in this shell).
bring_up() { env_lines=$(hack/cluster.sh up); }

teardown() {
  if ((brought_up)) && [[ "${ISO_KEEP_CLUSTER:-}" != 1 ]]; then
    say "cluster down"
    timed_step "cluster down" hack/cluster.sh down || failed_steps+=("cluster down")
  fi
}

step lint "$npm_cmd" run lint
step typecheck "$npm_cmd" run typecheck
# e2e suites run the compiled operator (dist/main.js) and CLI as separate processes
step build "$npm_cmd" run build
vitest_step unit unit
# the krew manifest, validated by krew (no cluster needed)
step plugin hack/plugin.sh
# the chart's alerts and dashboard queries, through promtool
step monitoring hack/monitoring-check.sh

if caller_env_given e2e; then
  say "using the caller's cluster: KUBECONFIG=$KUBECONFIG REGISTRY=$REGISTRY"
  # A subshell: its die must fail this step, not end the run.
  if (check_caller_env e2e); then
    cluster_ok=1
  else
    cluster_ok=0
    failed_steps+=("caller environment")
  fi
else
  say "cluster up"
  brought_up=1
  trap teardown EXIT
  if timed_step "cluster up" bring_up && eval "$env_lines"; then
    cluster_ok=1
  else
    cluster_ok=0
    failed_steps+=("cluster up")
  fi
fi
if ((cluster_ok)); then
  vitest_step integration integration
  vitest_step e2e e2e
  # make demo on the environment just tested: the operator as a pod from its
  # image and chart, a trigger, a pod running the digest (needs our node).
  if ((brought_up)) && [[ ${ISO_NO_NODE:-} != 1 ]]; then step demo hack/demo.sh; fi
fi
trap - EXIT
teardown

# One closing line over every vitest project that ran.
# shellcheck disable=SC2016 # JavaScript, not shell
hack/node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0;
  for (const file of fs.readdirSync(process.argv[1])) {
    const report = JSON.parse(fs.readFileSync(`${process.argv[1]}/${file}`, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results" || failed_steps+=("test summary")
rm -rf "$results"
{
  echo "make test: wall time per step (total $(elapsed_since "$run_started") s)"
  printf '  %s\n' "${step_times[@]}"
} >&2
if ((${#failed_steps[@]})); then
  echo "make test: FAILED steps: ${failed_steps[*]}" >&2
  exit 1
fi
echo "make test: all steps passed" >&2
