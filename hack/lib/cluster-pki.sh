# shellcheck shell=bash
# Key material for the test environment, made with openssl once per state dir:
# a cluster CA (apiserver serving cert, admin and controller-manager client
# certs), the service-account signing key, a registry CA (one serving cert
# shared by the TLS registries, one for the operator's push receivers), the
# registry token signing certificate, and
# the front-proxy CA with the aggregator's proxy client certificate (the
# operator's aggregated API trusts the user headers only from that client),
# and the API server's client certificate for kubelets. The node's own
# certificates are made by hack/lib/cluster-node.sh.
# Sourced after cluster-common.sh.

PKI=$STATE/pki

# new_ca NAME CN
new_ca() {
  local name=$1 cn=$2
  [[ -s "$PKI/$name.crt" ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$PKI/$name.key" -out "$PKI/$name.crt" -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>>"$PKI/openssl.log" ||
    die "openssl could not create CA $name" "$PKI/openssl.log"
}

# new_cert CA NAME SUBJECT USAGE [SAN]: a leaf signed by CA; USAGE is
# serverAuth or clientAuth.
new_cert() {
  local ca=$1 name=$2 subject=$3 usage=$4 san=${5:-}
  [[ -s "$PKI/$name.crt" ]] && return 0
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$ext"
  {
    openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
      -subj "$subject" 2>>"$PKI/openssl.log" &&
      openssl x509 -req -sha256 -days 3650 -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" \
        -CAkey "$PKI/$ca.key" -set_serial "0x$(openssl rand -hex 16)" -extfile "$ext" \
        -out "$PKI/$name.crt" 2>>"$PKI/openssl.log"
  } ||
    die "openssl could not create certificate $name" "$PKI/openssl.log"
  rm -f "$PKI/$name.csr" "$ext"
}

# drop_cert_without_san NAME SAN: a certificate a state dir made before SAN
# was one of its names is made anew (its users restart on the change).
drop_cert_without_san() {
  [[ -s "$PKI/$1.crt" ]] || return 0
  openssl x509 -in "$PKI/$1.crt" -noout -ext subjectAltName 2>/dev/null | grep -qF "$2" ||
    rm -f "$PKI/$1.crt" "$PKI/$1.key"
}

make_cluster_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  new_ca cluster-ca imagestream-test-cluster-ca
  # The pod network's gateway too: in-cluster clients dial it (the relay).
  drop_cert_without_san apiserver "IP Address:$POD_GATEWAY"
  new_cert cluster-ca apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,DNS:localhost,IP:$POD_GATEWAY,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  new_cert cluster-ca admin "/O=system:masters/CN=imagestream-test-admin" clientAuth
  new_cert cluster-ca controller-manager "/CN=system:kube-controller-manager" clientAuth
  # What kube-apiserver shows the node's kubelet (logs, exec): the kubelet
  # checks it against the cluster CA and asks the API server whether this
  # user may (hack/lib/cluster-node.sh binds it to system:kubelet-api-admin).
  new_cert cluster-ca apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client" clientAuth
  new_ca front-proxy-ca imagestream-test-front-proxy-ca
  new_cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" clientAuth
  if [[ ! -s "$PKI/sa.key" ]]; then
    {
      openssl genrsa -out "$PKI/sa.key" 2048 2>>"$PKI/openssl.log" &&
        openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>>"$PKI/openssl.log"
    } ||
      die "openssl could not create the service-account key" "$PKI/openssl.log"
  fi
}

make_registry_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  new_ca registry-ca imagestream-test-registry-ca
  new_cert registry-ca registry "/CN=localhost" serverAuth "IP:127.0.0.1,DNS:localhost"
  # What the e2e operator serves its push receivers with (a Secret the user
  # gives, ADR 0027): the plain registry notifies it over TLS and trusts it
  # through this CA.
  new_cert registry-ca receiver "/CN=localhost" serverAuth "IP:127.0.0.1,DNS:localhost"
  # The registry trusts tokens whose x5c leaf is in its rootcertbundle: a
  # self-signed signing certificate is its own bundle.
  if [[ ! -s "$PKI/token-signing.crt" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -keyout "$PKI/token-signing.key" -out "$PKI/token-signing.crt" \
      -subj "/CN=imagestream-test-token-issuer" 2>>"$PKI/openssl.log" ||
      die "openssl could not create the token signing certificate" "$PKI/openssl.log"
  fi
}

make_pki() {
  make_cluster_pki
  make_registry_pki
}
