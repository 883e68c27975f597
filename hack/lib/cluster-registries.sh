# shellcheck shell=bash
# Four distribution registries (Debian's docker-registry) on loopback, one per
# way the operator must reach a registry: plain HTTP (with push notifications),
# HTTPS with a test CA, HTTPS + htpasswd basic auth, HTTPS + bearer tokens from
# hack/token-server.ts. Sourced after cluster-common.sh and cluster-pki.sh.

REGISTRIES=$STATE/registries

# A secret made once per state dir, readable only by its owner.
state_secret() {
  local file="$STATE/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && openssl rand -hex 16 >"$file")
  fi
  cat "$file"
}

registry_password() { state_secret registry-password; }
# the refresh token (a pull secret's "identitytoken") the token service accepts
registry_identity_token() { state_secret registry-identity-token; }
registry_events_secret() { state_secret registry-events-secret; }

# registry_config NAME PORT EXTRA_YAML: writes the config file of one registry.
# Level warn: at info and debug, docker-registry 2.8 logs every notification
# endpoint with its headers (the plain registry's events secret) when it
# starts. Requests still reach the log as access-log lines (no headers), and
# failed ones also at level error.
registry_config() {
  local name=$1 port=$2 extra=$3 dir="$REGISTRIES/$1"
  mkdir -p "$dir/data"
  (
    umask 077
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  formatter: text
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
  secret: $(state_secret registry-http-secret)
$extra
EOF
  )
}

tls_yaml() {
  printf '  tls: {certificate: %s, key: %s}\n' "$PKI/registry.crt" "$PKI/registry.key"
}

write_registry_configs() {
  # A dead receiver only queues events in memory: pushes never wait on it.
  # Over TLS: the registry verifies the receiver's certificate against the
  # registry CA (SSL_CERT_FILE, see start_registries; distribution 2.8 has
  # no CA setting per endpoint). Blob events are never sent: the receiver
  # reads tagged manifest pushes only, and while no receiver listens
  # distribution queues every undelivered event in memory for as long as it
  # runs (24 -> 95 MiB over 6,000 pushes, 2026-12-08). 2.8 has no
  # filter by action (`ignore: {actions: [pull]}` is silently not applied),
  # so manifest pulls still queue.
  registry_config plain "$REGISTRY_PORT" "notifications:
  endpoints:
    - name: imagestream-operator
      url: https://127.0.0.1:$EVENTS_PORT/registry-events
      headers: {Authorization: [Bearer $(registry_events_secret)]}
      timeout: 2s
      threshold: 5
      backoff: 2s
      ignoredmediatypes: [application/octet-stream]"
  registry_config tls "$REGISTRY_TLS_PORT" "$(tls_yaml)"
  if [[ ! -s "$REGISTRIES/htpasswd" ]]; then
    htpasswd -B -i -c "$REGISTRIES/htpasswd" "$REGISTRY_USER_NAME" <<<"$(registry_password)" \
      2>>"$STATE/logs/htpasswd.log" || die "htpasswd failed" "$STATE/logs/htpasswd.log"
  fi
  registry_config basic "$REGISTRY_BASIC_PORT" "$(tls_yaml)
auth:
  htpasswd: {realm: imagestream-test, path: $REGISTRIES/htpasswd}"
  registry_config token "$REGISTRY_TOKEN_PORT" "$(tls_yaml)
auth:
  token:
    realm: http://127.0.0.1:$TOKEN_SERVER_PORT/token
    service: imagestream-test-registry
    issuer: imagestream-test-issuer
    rootcertbundle: $PKI/token-signing.crt"
  registry_password >"$REGISTRIES/token-server.password"
  chmod 600 "$REGISTRIES/token-server.password"
  (umask 077 && registry_identity_token >"$REGISTRIES/token-server.identity-token")
  cat >"$REGISTRIES/token-server.json" <<EOF
{
  "port": $TOKEN_SERVER_PORT,
  "issuer": "imagestream-test-issuer",
  "service": "imagestream-test-registry",
  "certificateFile": "$PKI/token-signing.crt",
  "keyFile": "$PKI/token-signing.key",
  "username": "$REGISTRY_USER_NAME",
  "passwordFile": "$REGISTRIES/token-server.password",
  "identityTokenFile": "$REGISTRIES/token-server.identity-token"
}
EOF
}

# http_status URL [CURL_ARGS...]: the status code, or 000 when nothing answers.
http_status() {
  local url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

registry_answers() {
  local port=$1 scheme=$2 expected=$3
  [[ $(http_status "$scheme://127.0.0.1:$port/v2/" --cacert "$PKI/registry-ca.crt") == "$expected" ]]
}

token_server_answers() { [[ $(http_status "http://127.0.0.1:$TOKEN_SERVER_PORT/healthz") == 200 ]]; }

# start_registry NAME PORT SCHEME EXPECTED_STATUS [ENV=VALUE...]: (re)starts
# it unless it runs, answers, and runs the configuration written now.
start_registry() {
  local name=$1 port=$2 scheme=$3 expected=$4 dir="$REGISTRIES/$1"
  shift 4
  if is_running "registry-$name" && registry_answers "$port" "$scheme" "$expected" &&
    cmp -s "$dir/config.yml" "$dir/config.running.yml"; then
    return 0
  fi
  stop_process "registry-$name"
  (umask 077 && cp "$dir/config.yml" "$dir/config.running.yml")
  start_bg "registry-$name" "$port" env "$@" docker-registry serve "$dir/config.yml"
  wait_until "registry-$name" 30 registry_answers "$port" "$scheme" "$expected"
}

# (Re)starts it unless it runs, answers, and runs the configuration and
# program of now (an older one may lack a grant the tests use).
start_token_server() {
  local config=$REGISTRIES/token-server.json running=$REGISTRIES/token-server.running
  local program=$ISO_REPO/hack/token-server.ts
  if is_running token-server && token_server_answers &&
    cmp -s <(cat "$config" "$program") "$running"; then
    return 0
  fi
  stop_process token-server
  (umask 077 && cat "$config" "$program" >"$running")
  start_bg token-server "$TOKEN_SERVER_PORT" \
    "$ISO_REPO/hack/node" "$ISO_REPO/hack/token-server.ts" "$REGISTRIES/token-server.json"
  wait_until token-server 30 token_server_answers
}

# The TLS, basic-auth and token-auth registries (hack/kind.sh uses only these).
start_secure_registries() {
  mkdir -p "$REGISTRIES" "$STATE/logs"
  write_registry_configs
  start_registry tls "$REGISTRY_TLS_PORT" https 200
  start_registry basic "$REGISTRY_BASIC_PORT" https 401
  start_token_server
  start_registry token "$REGISTRY_TOKEN_PORT" https 401
}

# The plain registry, at `up` and at `start registry-plain` alike: its
# notifications go to the operator over TLS, signed by the registry CA it
# must trust (without it, a restarted registry refuses the receivers with
# "x509: certificate signed by unknown authority").
start_plain_registry() {
  start_registry plain "$REGISTRY_PORT" http 200 "SSL_CERT_FILE=$PKI/registry-ca.crt"
}

start_registries() {
  start_secure_registries
  start_plain_registry
}
