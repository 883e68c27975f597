# shellcheck shell=bash
# The environment a test run needs, as shell export lines (env.sh, and the
# stdout of `hack/cluster.sh up|env`) and as JSON (env.json). Shared by
# hack/cluster.sh and hack/kind.sh. Sourced after cluster-common.sh.

json_string() {
  local value=${1//\\/\\\\}
  printf '"%s"' "${value//\"/\\\"}"
}

# write_env NAME=VALUE...: writes $STATE/env.sh and $STATE/env.json. A
# KUBE_BIN_DIR entry becomes a PATH line so the pinned kubectl comes first.
write_env() {
  local pair name value first=1
  (
    umask 077
    {
      for pair in "$@"; do
        name=${pair%%=*} value=${pair#*=}
        if [[ $name == KUBE_BIN_DIR ]]; then
          # shellcheck disable=SC2016 # $PATH expands where the line is evaluated
          printf 'export PATH=%s:"$PATH"\n' "$(printf '%q' "$value" | sed 's/\\:/:/g')"
        else
          printf 'export %s=%q\n' "$name" "$value"
        fi
      done
    } >"$STATE/env.sh.tmp"
    {
      printf '{'
      for pair in "$@"; do
        name=${pair%%=*} value=${pair#*=}
        ((first)) || printf ','
        first=0
        printf '\n  %s: %s' "$(json_string "$name")" "$(json_string "$value")"
      done
      printf '\n}\n'
    } >"$STATE/env.json.tmp"
  )
  mv "$STATE/env.sh.tmp" "$STATE/env.sh"
  mv "$STATE/env.json.tmp" "$STATE/env.json"
}
