#!/usr/bin/env bash
# A plain-HTTP docker-registry for the import benchmarks, configured as a
# user's own registry would be: no notification endpoint (the environment's
# plain registry sends every event to the e2e push receiver's port and,
# while nothing listens there, queues them all in memory: 24 -> 95 MiB over
# 6,000 pushes), the blob descriptor cache in memory (the
# distribution sample config's), no access log.
#   bench/quiet-registry.sh DIR PORT   -> prints `export REGISTRY=127.0.0.1:PORT`
# Run the bench with that REGISTRY (its streams and pushes name it); stop it
# with `kill $(cat DIR/pid)`. Its data stays in DIR for ISO_BENCH_FIXTURE.
set -euo pipefail
dir=${1:?usage: quiet-registry.sh DIR PORT}
port=${2:?usage: quiet-registry.sh DIR PORT}
mkdir -p "$dir/data"
cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: $dir/data}
  cache: {blobdescriptor: inmemory}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
  secret: bench-only
YAML
if [[ -s "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then kill "$(cat "$dir/pid")"; sleep 1; fi
docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 50); do
  if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
    echo "export REGISTRY=127.0.0.1:$port"
    exit 0
  fi
  sleep 0.2
done
echo "quiet registry did not answer on $port; see $dir/registry.log" >&2
exit 1
