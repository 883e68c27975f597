# shellcheck shell=bash
# Installs the project's CRDs and RBAC (whatever of config/crd and config/rbac
# exists) and writes a kubeconfig for the operator's ServiceAccount, so the
# operator under test never runs as admin. Shared by hack/cluster.sh and
# hack/kind.sh. Sourced after cluster-common.sh; needs KUBECTL (a command
# array already pointing at the admin kubeconfig).

OPERATOR_NAMESPACE=imagestream-operator-system
OPERATOR_SERVICE_ACCOUNT=imagestream-operator

# manifests DIR: the YAML files of DIR, without kustomize's own file.
manifests() {
  local file
  for file in "$ISO_REPO/$1"/*.yaml "$ISO_REPO/$1"/*.yml; do
    [[ -f "$file" && $(basename "$file") != kustomization.y*ml ]] && printf '%s\n' "$file"
  done
  return 0
}

# apply_files LOGNAME FILE...: server-side apply, one file at a time so one
# file's order does not matter to another's (a retry covers the rest).
apply_files() {
  local log_file="$STATE/logs/$1.log" file failed
  shift
  for _ in 1 2 3; do
    failed=()
    for file in "$@"; do
      "${KUBECTL[@]}" apply --server-side --force-conflicts -f "$file" >>"$log_file" 2>&1 ||
        failed+=("$file")
    done
    ((${#failed[@]} == 0)) && return 0
    set -- "${failed[@]}"
    sleep 2
  done
  die "kubectl apply failed for: $*" "$log_file"
}

apply_crds() {
  local files
  mapfile -t files < <(manifests config/crd)
  if ((${#files[@]} == 0)); then
    log "no config/crd/*.yaml yet: skipping CRDs"
    return 0
  fi
  log "applying ${#files[@]} CRD file(s)"
  apply_files apply-crds "${files[@]}"
  local file
  for file in "${files[@]}"; do
    "${KUBECTL[@]}" wait --for=condition=Established --timeout=60s -f "$file" \
      >>"$STATE/logs/apply-crds.log" 2>&1 ||
      die "CRDs in $file not Established within 60s" "$STATE/logs/apply-crds.log"
  done
}

apply_rbac() {
  local files
  mapfile -t files < <(manifests config/rbac)
  # The namespace first, so namespaced objects in any file find it.
  "${KUBECTL[@]}" create namespace "$OPERATOR_NAMESPACE" --dry-run=client -o yaml |
    "${KUBECTL[@]}" apply --server-side -f - >>"$STATE/logs/apply-rbac.log" 2>&1 ||
    die "could not create namespace $OPERATOR_NAMESPACE" "$STATE/logs/apply-rbac.log"
  if ((${#files[@]} == 0)); then
    log "no config/rbac/*.yaml yet: only namespace and ServiceAccount, without permissions"
  else
    log "applying ${#files[@]} RBAC file(s)"
    apply_files apply-rbac "${files[@]}"
  fi
  if ! "${KUBECTL[@]}" get serviceaccount "$OPERATOR_SERVICE_ACCOUNT" -n "$OPERATOR_NAMESPACE" \
    >/dev/null 2>&1; then
    "${KUBECTL[@]}" create serviceaccount "$OPERATOR_SERVICE_ACCOUNT" -n "$OPERATOR_NAMESPACE" \
      >>"$STATE/logs/apply-rbac.log" 2>&1 ||
      die "could not create ServiceAccount $OPERATOR_SERVICE_ACCOUNT" "$STATE/logs/apply-rbac.log"
  fi
}

# operator_kubeconfig_current FILE SERVER: FILE is under a day old, names
# SERVER, and its token still authenticates as the ServiceAccount (a
# recreated ServiceAccount invalidates the tokens of the old one).
operator_kubeconfig_current() {
  local file=$1 server=$2 user
  [[ -s "$file" && -z $(find "$file" -mmin +1440 2>/dev/null) ]] || return 1
  grep -qxF "    server: $server" "$file" || return 1
  user=$("${KUBECTL[0]}" --kubeconfig="$file" auth whoami \
    -o jsonpath='{.status.userInfo.username}' 2>/dev/null) || return 1
  [[ $user == "system:serviceaccount:$OPERATOR_NAMESPACE:$OPERATOR_SERVICE_ACCOUNT" ]]
}

# write_operator_kubeconfig FILE SERVER [CA_FILE]: a kubeconfig holding a 48h
# token of the operator's ServiceAccount, unless FILE is still current.
# Without CA_FILE the system's CAs verify the server.
write_operator_kubeconfig() {
  local file=$1 server=$2 ca_file=${3:-}
  operator_kubeconfig_current "$file" "$server" && return 0
  local token ca_line=
  [[ -n "$ca_file" ]] && ca_line=$'\n'"    certificate-authority-data: $(base64 -w0 <"$ca_file")"
  token=$("${KUBECTL[@]}" create token "$OPERATOR_SERVICE_ACCOUNT" -n "$OPERATOR_NAMESPACE" \
    --duration=48h 2>>"$STATE/logs/apply-rbac.log") ||
    die "could not create a token for $OPERATOR_SERVICE_ACCOUNT" "$STATE/logs/apply-rbac.log"
  (
    umask 077
    cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: imagestream-test
  cluster:
    server: $server$ca_line
users:
- name: $OPERATOR_SERVICE_ACCOUNT
  user:
    token: $token
contexts:
- name: operator@imagestream-test
  context: {cluster: imagestream-test, user: $OPERATOR_SERVICE_ACCOUNT, namespace: $OPERATOR_NAMESPACE}
current-context: operator@imagestream-test
EOF
  )
  mv "$file.tmp" "$file"
}

# operator_kubeconfig_for_current_cluster FILE: write_operator_kubeconfig for
# the server (and CA, if it names one) of KUBECTL's current context: what
# hack/kind.sh and `hack/cluster.sh registries` use on a cluster they did not
# start. Fails, saying what to apply, when config/rbac is not applied there.
operator_kubeconfig_for_current_cluster() {
  local file=$1 server ca_data
  server=$("${KUBECTL[@]}" config view --raw --minify --flatten \
    -o jsonpath='{.clusters[0].cluster.server}') || return 1
  [[ -n "$server" ]] || { log "the current context of KUBECONFIG names no server"; return 1; }
  if ! "${KUBECTL[@]}" get serviceaccount "$OPERATOR_SERVICE_ACCOUNT" -n "$OPERATOR_NAMESPACE" \
    >/dev/null 2>>"$STATE/logs/apply-rbac.log"; then
    log "no ServiceAccount $OPERATOR_NAMESPACE/$OPERATOR_SERVICE_ACCOUNT at $server: apply the" \
      "API and RBAC first (kubectl apply --server-side -f config/crd/ -f config/rbac/)"
    return 1
  fi
  ca_data=$("${KUBECTL[@]}" config view --raw --minify --flatten \
    -o jsonpath='{.clusters[0].cluster.certificate-authority-data}') || return 1
  if [[ -n "$ca_data" ]]; then
    base64 -d <<<"$ca_data" >"$STATE/kubeconfig-ca.crt" || return 1
    write_operator_kubeconfig "$file" "$server" "$STATE/kubeconfig-ca.crt"
  else
    write_operator_kubeconfig "$file" "$server"
  fi
}
