# shellcheck shell=bash
# install_missing_commands LOG COMMAND=PACKAGE...: installs, with apt-get and
# non-interactively, the Debian packages whose commands are missing, so a
# fresh machine (CI's .ci/run) needs no manual step. Output goes to LOG; a
# failure prints its tail. Needs root when something is missing. Sourced.
install_missing_commands() {
  local log=$1 pair
  shift
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  ((${#missing[@]} == 0)) && return 0
  local unique
  unique=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "installing Debian packages: $unique" >&2
  if [[ $(id -u) != 0 ]]; then
    echo "need root to install: $unique (or install them yourself)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -q --no-install-recommends $unique >"$log" 2>&1 && return 0
  # shellcheck disable=SC2086
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $unique; } >>"$log" 2>&1; then
    echo "apt-get install $unique failed; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
}
