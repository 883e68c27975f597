#!/usr/bin/env bash
# Builds the operator's OCI image without a container engine, from the one
# definition of its contents, hack/image/image.json (ADR 0029): Node from the
# npm package that ships it, the shared libraries Node needs taken from
# Debian's .deb files (never from this machine's filesystem), and the bundled
# operator (dist/main.js, ADR 0020: it needs no node_modules). umoci
# assembles it, skopeo pushes it. Run `make build` first (`make image` does).
#
# Progress goes to stderr; stdout is one line: the pushed reference by digest
# (REPOSITORY@sha256:...), or with IMAGE_PUSH=0 the OCI layout's reference.
#
#   IMAGE_REGISTRY     host[:port] to push to; default $REGISTRY, else the
#                      running local test environment's (hack/cluster.sh env)
#   IMAGE_REPOSITORY   default $IMAGE_REGISTRY/imagestream-operator
#   IMAGE_TAG          default package.json's version
#   IMAGE_PUSH         1 (default), or 0: build dist/image/oci only
#   IMAGE_TLS_VERIFY   default false for a registry on 127.0.0.1 or localhost
#                      (the test registries speak plain HTTP), else true
#   SOURCE_DATE_EPOCH  every file's mtime and the image's created time;
#                      default the last commit's time, so a rebuild from the
#                      same inputs has the same digest
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=hack/lib/packages.sh
source "$repo/hack/lib/packages.sh"
# shellcheck source=hack/lib/publish-target.sh
source "$repo/hack/lib/publish-target.sh"
node_cmd=$("$repo/hack/node" -p process.execPath) # once: hack/node starts Node twice
definition=$here/image.json
cache=${ISO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imagestream-operator}/image
out=$repo/dist/image
layout=$out/oci

say() { printf '[image] %s\n' "$*" >&2; }
die() {
  printf '[image] ERROR: %s\n' "$*" >&2
  exit 1
}

# The definition, read once (each Node start counts on a loaded machine):
# D[key] scalars and space-joined lists, ENV_PAIRS, LABELS, FILES (target TAB source).
declare -A D
ENV_PAIRS=() LABELS=() FILES=()
read_definition() {
  local kind key value
  while IFS=$'\t' read -r kind key value; do
    case $kind in
    value) D[$key]=$value ;;
    env) ENV_PAIRS+=("$key=$value") ;;
    label) LABELS+=("$key=$value") ;;
    file) FILES+=("$key"$'\t'"$value") ;;
    esac
  done < <("$node_cmd" -e '
    const d = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const out = (...fields) => console.log(fields.join("\t"));
    out("value", "nodePackage", d.node.package);
    out("value", "nodeVersion", d.node.version);
    out("value", "debianPackages", d.debianPackages.join(" "));
    out("value", "licensePackages", d.licensePackages.join(" "));
    out("value", "uid", d.user.uid);
    out("value", "gid", d.user.gid);
    out("value", "user", d.user.name);
    out("value", "workingDir", d.workingDir);
    out("value", "entrypoint", d.entrypoint.join(" "));
    for (const [k, v] of Object.entries(d.env)) out("env", k, v);
    for (const [k, v] of Object.entries(d.labels)) out("label", k, v);
    for (const [target, source] of Object.entries(d.files)) out("file", target, source);
    out("value", "version", require(process.argv[2]).version);
  ' "$definition" "$repo/package.json")
  [[ -n ${D[version]:-} ]] || die "could not read $definition"
}
read_definition

tag=${IMAGE_TAG:-${D[version]}}
push=${IMAGE_PUSH:-1}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

[[ -s $repo/dist/main.js ]] || die "dist/main.js is missing: run 'make build' first"
mkdir -p "$cache" "$out"
install_missing_commands "$cache/apt.log" umoci=umoci skopeo=skopeo readelf=binutils \
  dpkg-deb=dpkg || die "could not install the image tools"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debroot=$work/debs    # the Debian packages' files, as dpkg would lay them out
runtime=$work/runtime # layer 1: Node, its libraries, /etc
app=$work/app         # layer 2: the operator
mkdir -p "$debroot" "$runtime" "$app"

# Node: the npm package's tarball (npm checks its integrity), cached per version.
fetch_node() {
  local package=${D[nodePackage]} version=${D[nodeVersion]} tarball
  tarball=$cache/$package-$version.tgz
  if [[ ! -s $tarball ]]; then
    say "fetching $package@$version from the npm registry"
    "$repo/hack/npm" pack --silent --pack-destination "$cache" "$package@$version" >/dev/null
  fi
  tar -xzf "$tarball" -C "$work" package/bin/node package/LICENSE
  install -D -m 0755 "$work/package/bin/node" "$runtime/usr/local/bin/node"
  install -D -m 0644 "$work/package/LICENSE" "$runtime/usr/local/share/doc/node/LICENSE"
  echo "$package=$version" >>"$work/contents"
}

# The candidate version of a Debian package (what apt-get download fetches).
candidate() { apt-cache policy "$1" | sed -n 's/^  Candidate: //p'; }

# A Debian package's .deb file, downloaded (not installed) and cached per
# version. Prints its path.
fetch_deb() {
  local package=$1 version dir
  version=$(candidate "$package")
  [[ -n $version && $version != "(none)" ]] || die "Debian package $package not found (apt-cache policy)"
  dir=$cache/debs/$package/$version
  if ! compgen -G "$dir/*.deb" >/dev/null; then
    say "downloading Debian package $package $version"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && apt-get download -q "$package=$version" >>"$cache/apt.log" 2>&1) ||
      die "apt-get download $package=$version failed (see $cache/apt.log)"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$package=$version" >>"$work/contents"
  compgen -G "$dir/*.deb"
}

# The library packages unpacked side by side into $debroot, as dpkg would lay
# them out; of every package, its copyright file into the image.
fetch_debs() {
  local package deb
  [[ -n $(candidate libc6) && $(candidate libc6) != "(none)" ]] || apt-get update -q >>"$cache/apt.log" 2>&1
  for package in ${D[debianPackages]} ${D[licensePackages]}; do
    deb=$(fetch_deb "$package")
    dpkg-deb -x "$deb" "$debroot"
    if [[ -f $debroot/usr/share/doc/$package/copyright && ! -L $debroot/usr/share/doc/$package ]]; then
      install -D -m 0644 "$debroot/usr/share/doc/$package/copyright" \
        "$runtime/usr/share/doc/$package/copyright"
    fi
  done
}

# take PATH: copies PATH from the packages' tree into the runtime layer with
# every symlink on the way (ld.so's /lib64 link, soname links).
take() {
  local path=$1 target
  while :; do
    [[ -e $debroot$path || -L $debroot$path ]] || die "$path is in none of the Debian packages"
    if [[ ! -e $runtime$path && ! -L $runtime$path ]]; then
      mkdir -p "$runtime$(dirname "$path")"
      cp -a "$debroot$path" "$runtime$path"
    fi
    [[ -L $debroot$path ]] || return 0
    target=$(readlink "$debroot$path")
    [[ $target == /* ]] || target=$(dirname "$path")/$target
    path=$target
  done
}

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
interpreter() { readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'; }

# The dynamic loader and every library Node needs, transitively, found where
# ld.so looks (Debian's multiarch directories), so no ld.so.cache is needed.
take_libraries() {
  local queue=() seen=" " name dir found file
  take "$(interpreter "$runtime/usr/local/bin/node")"
  mapfile -t queue < <(needed "$runtime/usr/local/bin/node")
  while ((${#queue[@]})); do
    name=${queue[0]}
    queue=("${queue[@]:1}")
    [[ $seen == *" $name "* ]] && continue
    seen+="$name "
    found=
    for dir in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
      if [[ -e $debroot$dir/$name ]]; then
        found=$dir/$name
        break
      fi
    done
    [[ -n $found ]] || die "none of the Debian packages ${D[debianPackages]} has $name"
    take "$found"
    file=$(readlink -f "$runtime$found")
    mapfile -t -O "${#queue[@]}" queue < <(needed "$file")
  done
  say "libraries:$seen"
}

# What a process needs to find itself: a passwd entry for the numeric user
# (os.userInfo, glibc), host lookups through /etc/hosts then DNS, a /tmp.
write_etc() {
  local uid=${D[uid]} gid=${D[gid]} user=${D[user]}
  mkdir -p "$runtime/etc" "$runtime/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/nonexistent:/sbin/nologin\n' \
    "$user" "$uid" "$gid" "$user" >"$runtime/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$user" "$gid" >"$runtime/etc/group"
  printf 'hosts: files dns\n' >"$runtime/etc/nsswitch.conf"
  chmod 0644 "$runtime"/etc/*
}

# The operator: the files the definition names, and a package.json that makes
# dist/main.js (ESM) load as a module without Node's syntax detection.
write_app() {
  local file
  for file in "${FILES[@]}"; do
    install -D -m 0644 "$repo/${file#*$'\t'}" "$app${file%%$'\t'*}"
  done
  printf '{ "type": "module" }\n' >"$app${D[workingDir]}/package.json"
}

# Same inputs, same bytes: root-owned, no write bits for group and others
# (but /tmp's), fixed mtimes.
normalize() {
  chown -R 0:0 "$1"
  chmod -R go-w "$1"
  chmod 0755 "$1"
  [[ -d $1/tmp ]] && chmod 1777 "$1/tmp"
  find "$1" -exec touch -h -d "@$epoch" {} +
}

assemble() {
  local args=() arg
  rm -rf "$layout"
  umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci insert --image "$layout:$tag" --history.created "$created" \
    --history.created_by "hack/image/build.sh: node and the libraries it needs" "$runtime" /
  umoci insert --image "$layout:$tag" --history.created "$created" \
    --history.created_by "hack/image/build.sh: the operator" "$app" /
  for arg in "${ENV_PAIRS[@]}"; do args+=(--config.env "$arg"); done
  for arg in ${D[entrypoint]}; do args+=(--config.entrypoint "$arg"); done
  for arg in "${LABELS[@]}"; do args+=(--config.label "$arg"); done
  args+=(--config.label "org.opencontainers.image.version=$tag")
  args+=(--config.label "io.imagestream-operator.contents=$(sort "$work/contents" | paste -sd, -)")
  umoci config --image "$layout:$tag" --no-history --created "$created" --os linux --architecture amd64 \
    --config.user "${D[uid]}:${D[gid]}" --config.workingdir "${D[workingDir]}" "${args[@]}"
  umoci gc --layout "$layout"
}

# Compressed size (what a node pulls: manifest, config and layers) and digest.
report_size() {
  "$node_cmd" -e '
    const fs = require("node:fs");
    const [layout, tag, rootfs] = process.argv.slice(1);
    const blob = (d) => fs.readFileSync(`${layout}/blobs/${d.replace(":", "/")}`);
    const index = JSON.parse(fs.readFileSync(`${layout}/index.json`, "utf8"));
    const ref = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
    const manifest = JSON.parse(blob(ref.digest));
    const layers = manifest.layers.map((l) => l.size);
    const total = ref.size + manifest.config.size + layers.reduce((a, b) => a + b, 0);
    const mib = (n) => (n / 1048576).toFixed(1);
    console.error(`[image] ${ref.digest}: ${mib(total)} MiB compressed ` +
      `(layers ${layers.map(mib).join(" + ")} MiB; ${rootfs} MiB unpacked)`);
  ' "$layout" "$tag" "$(du -sm --apparent-size "$runtime" "$app" | awk '{s += $1} END {print s}')"
}

# Plain HTTP only for the local test registries.
tls_verify_for() {
  if [[ -n ${IMAGE_TLS_VERIFY:-} ]]; then
    echo "$IMAGE_TLS_VERIFY"
  elif is_loopback_registry "$1"; then
    echo false
  else
    echo true
  fi
}

publish() {
  local registry repository
  registry=$(publish_registry "${IMAGE_REGISTRY:-}")
  repository=${IMAGE_REPOSITORY:-${registry:+$registry/imagestream-operator}}
  [[ -n $repository ]] ||
    die "nowhere to push: set IMAGE_REGISTRY (or IMAGE_REPOSITORY), start the test environment (make cluster), or IMAGE_PUSH=0"
  say "pushing to $repository:$tag"
  skopeo copy --quiet --dest-tls-verify="$(tls_verify_for "$repository")" \
    --digestfile "$work/digest" "oci:$layout:$tag" "docker://$repository:$tag" >&2
  echo "$repository@$(cat "$work/digest")"
}

fetch_node
fetch_debs
take_libraries
write_etc
write_app
normalize "$runtime"
normalize "$app"
assemble
report_size
say "contents: $(sort "$work/contents" | paste -sd' ' -) + dist/main.js"
if [[ $push == 1 ]]; then publish; else echo "oci:$layout:$tag"; fi
