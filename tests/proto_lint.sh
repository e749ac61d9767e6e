#!/usr/bin/env bash
# Lints the protos with buf (offline) and checks that nothing breaks wire or
# source compatibility against the last released contract: a committed buf
# image, protos/baseline.binpb (a clean clone's HEAD equals its working tree,
# so comparing with HEAD could never fire in CI). The commit that changes the
# contract on purpose also updates the image:
#   bash tests/proto_lint.sh --update-baseline
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUF="$ROOT/tests/tools/node_modules/.bin/buf"
GOOGLEAPIS="${BKK_GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}"
[[ -x "$BUF" ]] || { echo "buf is not installed: run ./bkk test (it runs npm ci in tests/tools)"; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

make_workspace() {  # $1 = dir holding the protos to check
  local ws="$2"
  mkdir -p "$ws/googleapis/google/api"
  ln -s "$GOOGLEAPIS/google/api/annotations.proto" "$ws/googleapis/google/api/annotations.proto"
  ln -s "$GOOGLEAPIS/google/api/http.proto" "$ws/googleapis/google/api/http.proto"
  printf 'version: v1\n' > "$ws/googleapis/buf.yaml"
  cp -r "$1" "$ws/protos"
  printf 'version: v1\ndirectories:\n  - protos\n  - googleapis\n' > "$ws/buf.work.yaml"
}

make_workspace "$ROOT/protos" "$WORK/current"
(cd "$WORK/current" && "$BUF" lint protos)
echo "buf lint: ok"

BASELINE="$ROOT/protos/baseline.binpb"
if [[ "${1:-}" == --update-baseline ]]; then
  (cd "$WORK/current" && "$BUF" build protos -o "$BASELINE")
  echo "wrote $BASELINE: commit it with the contract change it records"
  exit 0
fi
[[ -f "$BASELINE" ]] || { echo "no $BASELINE: run bash tests/proto_lint.sh --update-baseline"; exit 1; }
(cd "$WORK/current" && "$BUF" breaking protos --against "$BASELINE")
echo "buf breaking (against protos/baseline.binpb, the last released contract): ok"
