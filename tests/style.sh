#!/usr/bin/env bash
# The house style, checked rather than asked for: every tracked C++ file is
# clang-formatted (.clang-format) and uses one string-view type, and
# clang-tidy (.clang-tidy) passes on the C++ files the latest commit and the
# working tree changed. `./bkk tidy` (or
# `tests/style.sh --all`) runs clang-tidy on the whole tree (~15 min on 2 cores).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BKK_BUILD_DIR:-$ROOT/build}"
JOBS="${BKK_JOBS:-2}"
cd "$ROOT"

mapfile -t all_cxx < <(git ls-files '*.cc' '*.h')
clang-format-14 --dry-run --Werror "${all_cxx[@]}" ||
  { echo "style: run clang-format-14 -i on the files above"; exit 1; }
echo "style: ${#all_cxx[@]} C++ files clang-formatted"
# One string-view type: Debian's Abseil 20220623 keeps absl::string_view a
# type of its own, and every Abseil and status API takes it.
if git grep -n "std::string_view" -- '*.cc' '*.h'; then
  echo "style: use absl::string_view (the tree's one string-view type), not std::string_view"; exit 1
fi
# What may include what (README, "Service template"): a service's core/
# knows no database, cache, RPC framework or generated proto; its pg/ and
# redis/ adapters know no gRPC; common/ knows no service.
forbid() {  # $1 = pathspec, $2 = include pattern, $3 = why
  local hits
  hits="$(git grep -nE "^#include [<\"]($2)" -- "$1" ':!*_test.cc' ':!*/testing/*' || true)"
  [[ -z "$hits" ]] || { echo "$hits"; echo "style: $3"; exit 1; }
}
forbid 'services/*/core/*' 'pqxx|hiredis|grpcpp|bkkbudget/|services/[a-z_]+/(pg|redis|grpc)/|common/(operators/)?(pg_|redis_|grpc_)' \
  "core/ depends only on interfaces it declares; move the include to an adapter folder"
forbid 'services/*/pg/*' 'grpcpp|hiredis|bkkbudget/|services/[a-z_]+/(redis|grpc)/|common/operators/grpc_' \
  "pg/ implements core's interfaces over PostgreSQL only"
forbid 'services/*/redis/*' 'grpcpp|pqxx|bkkbudget/|services/[a-z_]+/(pg|grpc)/' \
  "redis/ implements core's interfaces over Redis only"
forbid 'common/*' 'services/|gateway/' "common/ is no service's: it must not include one"
echo "style: include rules hold"

if [[ "${1:-}" == --all ]]; then
  mapfile -t tidy < <(git ls-files '*.cc')
elif git rev-parse -q --verify "${BKK_STYLE_SINCE:-HEAD~1}" >/dev/null; then
  # What changed since BKK_STYLE_SINCE (default: the latest commit), and what is not committed yet.
  since="${BKK_STYLE_SINCE:-HEAD~1}"
  mapfile -t tidy < <({ git diff --name-only --diff-filter=d "$since" -- '*.cc'; git diff --name-only --diff-filter=d HEAD -- '*.cc'; } | sort -u)
else
  echo "style: no parent commit (shallow clone); clang-tidy skipped, ./bkk tidy checks the whole tree"
  exit 0
fi
((${#tidy[@]})) || { echo "style: no changed C++ sources for clang-tidy"; exit 0; }
[[ -f "$BUILD_DIR/compile_commands.json" ]] || { echo "style: no $BUILD_DIR/compile_commands.json: build first"; exit 1; }
echo "style: clang-tidy on ${#tidy[@]} file(s)"
run-clang-tidy-14 -quiet -p "$BUILD_DIR" -j "$JOBS" "${tidy[@]/#/$ROOT/}" >"$BUILD_DIR/clang-tidy.log" 2>&1 ||
  { sed 's/\x1b\[[0-9;]*m//g' "$BUILD_DIR/clang-tidy.log" | grep -E "(warning|error):" | sort -u; echo "style: clang-tidy found the problems above"; exit 1; }
echo "style: clang-tidy clean"
