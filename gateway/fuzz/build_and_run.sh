#!/usr/bin/env bash
# Builds the gateway's libFuzzer target with clang (ASan + UBSan) from the
# core sources and the generated protos of a CMake build dir, then fuzzes for
# a bounded time from the seed corpus. Exits non-zero on a build failure or
# any crash, leak or sanitizer report. Objects are reused between runs
# (rebuilt when a source or header they depend on changes).
#   usage: build_and_run.sh BUILD_DIR [SECONDS]
# The main build uses g++; Debian's protobuf/gRPC/Abseil (built with g++,
# libstdc++) link fine into clang++ objects, since both use libstdc++.
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: build_and_run.sh BUILD_DIR [SECONDS]}" && pwd)
SECONDS_TO_RUN=${2:-${BKK_FUZZ_SECONDS:-30}}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GEN="$BUILD_DIR/protos/gen"
OUT="$BUILD_DIR/gateway/fuzz"
OBJ="$OUT/obj"
mkdir -p "$OBJ" "$OUT/corpus"

CXX=${CXX_FUZZ:-}
if [[ -z "$CXX" ]]; then
  for c in clang++-14 clang++; do
    if command -v "$c" >/dev/null; then CXX=$c; break; fi
  done
fi
[[ -n "$CXX" ]] || { echo "gateway_fuzz: clang++ not found" >&2; exit 1; }
for f in "$GEN/bkkbudget/budget/v1/budget.pb.cc" "$GEN/google/api/http.pb.cc"; do
  [[ -f "$f" ]] || { echo "gateway_fuzz: $f missing; build bkk_protos first" >&2; exit 1; }
done

SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CXXFLAGS=(-std=c++17 -O1 -g "${SANITIZE[@]}" -I"$ROOT" -isystem "$GEN" -DNDEBUG -w)

SOURCES=(
  "$ROOT/gateway/core/default_routes.cc"
  "$ROOT/gateway/core/field_path.cc"
  "$ROOT/gateway/core/http_types.cc"
  "$ROOT/gateway/core/route_table.cc"
  "$ROOT/gateway/core/status_map.cc"
  "$ROOT/gateway/core/text.cc"
  "$ROOT/gateway/core/transcoder.cc"
  "$ROOT/common/grpc_status.cc"
  "$ROOT/common/utf8_json.cc"
  "$GEN/google/api/http.pb.cc"
  "$GEN/google/api/annotations.pb.cc"
  "$GEN/bkkbudget/budget/v1/budget.pb.cc"
  "$GEN/bkkbudget/keywords/v1/keywords.pb.cc"
  "$GEN/bkkbudget/voting/v1/voting.pb.cc"
)

# Compiles $1 into $2 unless $2 is newer than everything its .d lists.
compile() {
  local src=$1 obj=$2 extra=${3:-}
  if [[ -f "$obj" && -f "$obj.d" ]]; then
    local stale=0 dep
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
      if [[ "$dep" -nt "$obj" ]]; then stale=1; break; fi
    done
    [[ $stale == 0 ]] && return 0
  fi
  echo "gateway_fuzz: compiling $(basename "$src")"
  # shellcheck disable=SC2086
  "$CXX" "${CXXFLAGS[@]}" $extra -MMD -MF "$obj.d" -c "$src" -o "$obj"
}

OBJECTS=()
for src in "${SOURCES[@]}"; do
  name=${src#"$ROOT"/}
  name=${name#"$GEN"/}
  obj="$OBJ/$(echo "$name" | tr '/' '_').o"
  # Coverage feedback for the gateway's own code; the generated protos are
  # large and not what is being fuzzed.
  extra=""
  [[ "$src" == "$ROOT/gateway/"* ]] && extra="-fsanitize=fuzzer-no-link"
  compile "$src" "$obj" "$extra"
  OBJECTS+=("$obj")
done
compile "$HERE/route_transcode_fuzzer.cc" "$OBJ/route_transcode_fuzzer.o" "-fsanitize=fuzzer-no-link"
OBJECTS+=("$OBJ/route_transcode_fuzzer.o")

BIN="$OUT/route_transcode_fuzzer"
NEED_LINK=0
[[ -x "$BIN" ]] || NEED_LINK=1
for o in "${OBJECTS[@]}"; do [[ "$o" -nt "$BIN" ]] && NEED_LINK=1; done
if [[ $NEED_LINK == 1 ]]; then
  echo "gateway_fuzz: linking"
  # shellcheck disable=SC2046
  "$CXX" "${SANITIZE[@]}" -fsanitize=fuzzer "${OBJECTS[@]}" -o "$BIN" \
    $(pkg-config --libs protobuf grpc++ absl_strings absl_str_format absl_status absl_statusor) -lpthread
fi

# New inputs go to the build dir; the seed corpus in the tree stays as is.
echo "gateway_fuzz: fuzzing for ${SECONDS_TO_RUN}s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$BIN" "$OUT/corpus" "$HERE/corpus" -dict="$HERE/http.dict" -max_total_time="$SECONDS_TO_RUN" \
  -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -artifact_prefix="$OUT/"
echo "gateway_fuzz: no crash in ${SECONDS_TO_RUN}s"
