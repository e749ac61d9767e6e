#!/usr/bin/env bash
# Builds every image with a real Docker engine, offline from any registry:
#   1. bkkbudget/debian:bookworm  a Debian 12 minbase made here (mmdebstrap),
#      since no registry is reachable; every FROM is built locally;
#   2. bkkbudget/builder:local    compiles every binary and the web app once
#      (builder.Dockerfile, ccache in a cache mount), or with --host-binaries
#      an image of this machine's build (same Debian 12), so ./bkk test does
#      not compile twice;
#   3. the runtime images bkkbudget/{budget-data,keyword-analytics,voting,
#      gateway}:local, each copying its binary from the builder, the
#      documents image bkkbudget/sources:local (the PDFs the gateway serves
#      at /sources/ in Kubernetes) and the PostgreSQL and Redis images
#      Compose runs (Debian's packages).
# Usage: images.sh [--host-binaries BUILD_DIR]. Needs a running dockerd
# (start_dockerd in this file starts one). Prints each image's size.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DOCKER=/usr/bin/docker  # the 20.10 client: BuildKit without buildx
export DOCKER_BUILDKIT=1
log() { printf '\033[1m[images]\033[0m %s\n' "$*"; }

build() {  # build TAG DOCKERFILE CONTEXT [ARGS…]
  local tag="$1" file="$2" context="$3"
  shift 3
  log "building $tag"
  "$DOCKER" build --network host --progress plain -q -f "$file" -t "$tag" "$@" "$context" >/dev/null
}

if ! "$DOCKER" image inspect bkkbudget/debian:bookworm >/dev/null 2>&1; then
  log "making the Debian 12 base (mmdebstrap minbase, no docs or man pages)"
  mmdebstrap --quiet --variant=minbase \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm - | "$DOCKER" import --change 'CMD ["bash"]' - bkkbudget/debian:bookworm >/dev/null
fi

builder=bkkbudget/builder:local
if [[ "${1:-}" == --host-binaries ]]; then
  build_dir="${2:?usage: images.sh --host-binaries BUILD_DIR}"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/out"
  cp "$build_dir/services/budget_data/budget-data" "$build_dir/services/keyword_analytics/keyword-analytics" \
    "$build_dir/services/voting/voting" "$build_dir/gateway/bkk-gateway" "$stage/out/"
  strip --strip-unneeded "$stage/out/"*
  cp -r "$ROOT/gateway/web/dist" "$stage/out/web"
  builder=bkkbudget/builder:host
  build "$builder" "$ROOT/deploy/docker/host-binaries.Dockerfile" "$stage"
else
  # npm in the builder trusts what this machine trusts (see builder.Dockerfile).
  build "$builder" "$ROOT/deploy/docker/builder.Dockerfile" "$ROOT" \
    --secret "id=ca-bundle,src=${BKK_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
fi

# Tagged :local (Compose) and :VERSION (the Kubernetes manifests; tests/k8s/images.mjs checks them).
version="$(cat "$ROOT/deploy/docker/VERSION")"
for name in budget-data keyword-analytics voting gateway; do
  build "bkkbudget/$name:local" "$ROOT/deploy/docker/$name.Dockerfile" "$ROOT" --build-arg "BUILDER=$builder"
  "$DOCKER" tag "bkkbudget/$name:local" "bkkbudget/$name:$version"
done
build bkkbudget/sources:local "$ROOT/deploy/docker/sources.Dockerfile" "$ROOT"
"$DOCKER" tag bkkbudget/sources:local "bkkbudget/sources:$version"
for name in postgres redis; do
  build "bkkbudget/$name:local" "$ROOT/deploy/docker/$name.Dockerfile" "$ROOT/deploy/docker"
done

log "image sizes (runtime images must stay under 150 MB):"
for name in budget-data keyword-analytics voting gateway sources postgres redis; do
  bytes="$("$DOCKER" image inspect -f '{{.Size}}' "bkkbudget/$name:local")"
  awk -v n="bkkbudget/$name:local" -v b="$bytes" 'BEGIN { printf "  %-28s %6.1f MB\n", n, b / 1e6 }'
done
