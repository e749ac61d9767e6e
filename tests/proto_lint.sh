#!/usr/bin/env bash
# Lints the protos with buf (offline) and, when git history has an earlier
# version of them, checks that nothing breaks wire or source compatibility.
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

# Breaking-change check against the last commit that had the protos.
if git -C "$ROOT" rev-parse --verify -q HEAD~0 >/dev/null 2>&1 && git -C "$ROOT" cat-file -e HEAD:protos/buf.yaml 2>/dev/null; then
  mkdir -p "$WORK/previous-src"
  git -C "$ROOT" archive HEAD protos | tar -x -C "$WORK/previous-src"
  make_workspace "$WORK/previous-src/protos" "$WORK/previous"
  (cd "$WORK/previous" && "$BUF" build protos -o "$WORK/previous.binpb")
  (cd "$WORK/current" && "$BUF" breaking protos --against "$WORK/previous.binpb")
  echo "buf breaking (against HEAD): ok"
else
  echo "buf breaking: no committed protos to compare with yet"
fi
