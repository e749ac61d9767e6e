#!/usr/bin/env bash
# Builds grpc-gateway-peer (main.go: grpc-gateway 1.6 in front of
# keyword-analytics, the Go peer for ./bkk bench gateway) from Debian packages
# only: protoc with protoc-gen-go 1.3 and protoc-gen-grpc-gateway over
# keywords.proto into a GOPATH under OUT_DIR, then `go build` in GOPATH mode
# against /usr/share/gocode (no module proxy, nothing downloaded).
#   tests/bench/grpc_gateway/build.sh OUT_DIR
# Installs nothing: exits 2 naming the Debian packages if any is missing.
# Skips the build while OUT_DIR/grpc-gateway-peer is newer than main.go,
# keywords.proto and this script. The last line printed is the binary's path.
set -euo pipefail
OUT="${1:?usage: build.sh OUT_DIR}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PROTO=bkkbudget/keywords/v1/keywords.proto
GOCODE=/usr/share/gocode
GOOGLEAPIS="$GOCODE/src/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis"
PACKAGES=(golang-go golang-grpc-gateway golang-github-grpc-ecosystem-grpc-gateway-dev golang-google-grpc-dev
  golang-google-genproto-dev golang-goprotobuf-dev protoc-gen-go-1-3 protobuf-compiler)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})) || ! command -v go >/dev/null || [[ ! -x /usr/bin/protoc-gen-grpc-gateway ]]; then
  echo "build.sh: missing Debian packages: ${missing[*]:-${PACKAGES[*]}}" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]:-${PACKAGES[*]}}" >&2
  exit 2
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
BIN="$OUT/grpc-gateway-peer"
fresh=1
for src in "$HERE/main.go" "$ROOT/protos/$PROTO" "$HERE/build.sh"; do
  [[ -x "$BIN" && "$BIN" -nt "$src" ]] || fresh=0
done
if ((fresh)); then
  echo "grpc-gateway-peer is up to date" >&2
  echo "$BIN"
  exit 0
fi

start=$SECONDS
GOPATH_DIR="$OUT/gopath"
rm -rf "$GOPATH_DIR"
mkdir -p "$GOPATH_DIR/src/bkkpeer/grpc-gateway-peer"
# Both plugins write package bkkbudget_keywords_v1 (the proto has no
# go_package) under the proto's own path: import "bkkbudget/keywords/v1".
protoc -I"$ROOT/protos" -I"$GOOGLEAPIS" \
  --plugin=protoc-gen-go=/usr/bin/protoc-gen-go \
  --plugin=protoc-gen-grpc-gateway=/usr/bin/protoc-gen-grpc-gateway \
  --go_out="plugins=grpc:$GOPATH_DIR/src" \
  --grpc-gateway_out="logtostderr=true:$GOPATH_DIR/src" \
  "$PROTO"
cp "$HERE/main.go" "$GOPATH_DIR/src/bkkpeer/grpc-gateway-peer/"
# The build cache is go's usual one (its packages build once per machine),
# unless there is none.
[[ -n "$(go env GOCACHE 2>/dev/null)" && "$(go env GOCACHE)" != off ]] || export GOCACHE="$OUT/go-cache"
echo "building grpc-gateway-peer (go build, GOPATH mode)" >&2
(cd "$GOPATH_DIR/src/bkkpeer/grpc-gateway-peer" &&
  GO111MODULE=off GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOPATH="$GOPATH_DIR:$GOCODE" \
    go build -o "$BIN.tmp" .)
mv "$BIN.tmp" "$BIN"
echo "built grpc-gateway-peer in $((SECONDS - start)) s" >&2
echo "$BIN"
