#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan) from the sources it
# needs and the generated protos of a CMake build dir, then fuzzes it for a
# bounded time from its seed corpus. Exits non-zero on a build failure or any
# crash, leak, timeout, sanitizer report or broken invariant. Objects are
# reused between runs (rebuilt when a source or header they depend on, or
# this script, changes).
#   run.sh BUILD_DIR TARGET [SECONDS]  fuzz (BKK_FUZZ_SECONDS, 20 s by default)
#   run.sh BUILD_DIR TARGET --merge    minimize the seed corpus in the tree
#                                      (-merge=1: drop seeds that add no
#                                      coverage; add an input by copying it
#                                      in first, e.g. a crash once fixed)
#   run.sh --list                      the targets
# A target's files sit beside the code it fuzzes, in DIR/fuzz/: the fuzzer
# TARGET_fuzzer.cc, an optional dictionary TARGET.dict, the seed corpus
# corpus/TARGET/. The seeds are copied into the work corpus
# BUILD_DIR/fuzz/TARGET/corpus, which keeps what the runs find; a crashing
# input is written to BUILD_DIR/fuzz/TARGET/ (crash-…, leak-…, timeout-…).
# The main build uses g++; Debian's protobuf/gRPC/Abseil (built with g++,
# libstdc++) link fine into clang++ objects, since both use libstdc++.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGETS=(route_transcode http_request pabulib budget_csv)
if [[ "${1:-}" == --list ]]; then
  echo "${TARGETS[@]}"
  exit 0
fi
usage="usage: run.sh BUILD_DIR TARGET [SECONDS|--merge] (targets: ${TARGETS[*]})"
BUILD_DIR=$(cd "${1:?$usage}" && pwd)
TARGET=${2:?$usage}
MODE=fuzz
SECONDS_TO_RUN=${BKK_FUZZ_SECONDS:-20}
if [[ "${3:-}" == --merge ]]; then
  MODE=merge
elif [[ -n "${3:-}" ]]; then
  SECONDS_TO_RUN=$3
fi
GEN="$BUILD_DIR/protos/gen"

# Per target: where it lives, what it links (sources; generated protos as
# $GEN/…), the pkg-config libraries, the longest input, extra flags.
EXTRA_FLAGS=()
case "$TARGET" in
  route_transcode)
    DIR=gateway/fuzz
    SOURCES=(gateway/core/default_routes.cc gateway/core/field_path.cc gateway/core/http_types.cc
      gateway/core/route_table.cc gateway/core/status_map.cc gateway/core/text.cc gateway/core/transcoder.cc
      common/error_reason.cc common/grpc_status.cc common/utf8_json.cc
      "$GEN/google/api/http.pb.cc" "$GEN/google/api/annotations.pb.cc" "$GEN/google/rpc/status.pb.cc"
      "$GEN/google/rpc/error_details.pb.cc" "$GEN/bkkbudget/budget/v1/budget.pb.cc"
      "$GEN/bkkbudget/keywords/v1/keywords.pb.cc" "$GEN/bkkbudget/voting/v1/voting.pb.cc")
    LIBS=(protobuf grpc++ absl_strings absl_str_format absl_status absl_statusor)
    MAX_LEN=4096
    ;;
  http_request)
    DIR=gateway/fuzz
    SOURCES=(gateway/core/http_request_parser.cc)
    LIBS=(absl_strings absl_status absl_statusor)
    MAX_LEN=4096
    # Beast's own invariants are checked too (its asserts call the fuzzer's
    # handler even under NDEBUG).
    EXTRA_FLAGS=(-DBOOST_ENABLE_ASSERT_HANDLER)
    ;;
  pabulib)
    DIR=services/voting/fuzz
    SOURCES=(services/voting/core/pabulib.cc services/voting/core/money.cc common/csv.cc)
    LIBS=(absl_strings absl_str_format absl_status absl_statusor absl_flat_hash_map absl_flat_hash_set)
    MAX_LEN=8192
    ;;
  budget_csv)
    DIR=services/budget_data/fuzz
    SOURCES=(services/budget_data/core/dataset_loader.cc services/budget_data/core/release_manifest.cc
             services/budget_data/core/json_fields.cc common/csv.cc common/sha256.cc)
    LIBS=(protobuf absl_strings absl_status absl_statusor libcrypto)
    MAX_LEN=4096
    ;;
  *)
    echo "fuzz: no target named $TARGET (have: ${TARGETS[*]})" >&2
    exit 2
    ;;
esac
FUZZER="$ROOT/$DIR/${TARGET}_fuzzer.cc"
DICT="$ROOT/$DIR/$TARGET.dict"
SEEDS="$ROOT/$DIR/corpus/$TARGET"
OUT="$BUILD_DIR/fuzz/$TARGET"
OBJ="$OUT/obj"
WORK="$OUT/corpus"
mkdir -p "$OBJ" "$WORK" "$SEEDS"
log() { echo "fuzz $TARGET: $*"; }

CXX=${CXX_FUZZ:-}
if [[ -z "$CXX" ]]; then
  for c in clang++-14 clang++; do
    if command -v "$c" >/dev/null; then CXX=$c; break; fi
  done
fi
[[ -n "$CXX" ]] || { log "clang++ not found (./bkk deps installs it)" >&2; exit 1; }
for src in "${SOURCES[@]}"; do
  if [[ "$src" == "$GEN"/* && ! -f "$src" ]]; then
    log "$src missing; build bkk_protos first" >&2
    exit 1
  fi
done

# shellcheck disable=SC2054  # the commas are clang's
SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CXXFLAGS=(-std=c++17 -O1 -g "${SANITIZE[@]}" -I"$ROOT" -isystem "$GEN" -DNDEBUG -w "${EXTRA_FLAGS[@]}")

# Compiles $1 into $2 (atomically, so an interrupted run leaves no half
# object) unless $2 is newer than everything its .d lists and this script.
compile() {
  local src=$1 obj=$2 extra=${3:-}
  if [[ -f "$obj" && -f "$obj.d" && ! "$0" -nt "$obj" ]]; then
    local stale=0 dep
    # shellcheck disable=SC2013  # paths hold no spaces
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
      if [[ ! -e "$dep" || "$dep" -nt "$obj" ]]; then stale=1; break; fi
    done
    [[ $stale == 0 ]] && return 0
  fi
  log "compiling ${src#"$ROOT"/}"
  # shellcheck disable=SC2086
  "$CXX" "${CXXFLAGS[@]}" $extra -MMD -MF "$obj.d.tmp" -c "$src" -o "$obj.tmp"
  mv "$obj.d.tmp" "$obj.d"
  mv "$obj.tmp" "$obj"
}

# One build of a target at a time (a ctest run and ./bkk fuzz may overlap).
exec 9>"$OUT/.lock"
flock 9
start=$(date +%s)
OBJECTS=()
for src in "${SOURCES[@]}" "$FUZZER"; do
  [[ "$src" == /* ]] || src="$ROOT/$src"
  name=${src#"$GEN"/}
  name=${name#"$ROOT"/}
  obj="$OBJ/$(echo "$name" | tr '/' '_').o"
  # Coverage feedback for the tree's own code; the generated protos are
  # large and not what is being fuzzed.
  extra=""
  [[ "$src" == "$GEN"/* ]] || extra="-fsanitize=fuzzer-no-link"
  compile "$src" "$obj" "$extra"
  OBJECTS+=("$obj")
done
BIN="$OUT/${TARGET}_fuzzer"
NEED_LINK=0
[[ -x "$BIN" ]] || NEED_LINK=1
for o in "${OBJECTS[@]}"; do [[ "$o" -nt "$BIN" ]] && NEED_LINK=1; done
if [[ $NEED_LINK == 1 ]]; then
  log "linking"
  # shellcheck disable=SC2046
  "$CXX" "${SANITIZE[@]}" -fsanitize=fuzzer "${OBJECTS[@]}" -o "$BIN.tmp" $(pkg-config --libs "${LIBS[@]}") -lpthread
  mv "$BIN.tmp" "$BIN"
fi
flock -u 9
(($(date +%s) - start < 2)) || log "built in $(($(date +%s) - start)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
FLAGS=(-max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048)
[[ -f "$DICT" ]] && FLAGS+=(-dict="$DICT")

if [[ $MODE == merge ]]; then
  # The smallest set of seeds with their coverage, readable inputs rather
  # than what the runs found (the work corpus keeps those); seeds keep their
  # names.
  merged=$(mktemp -d "$OUT/merge.XXXXXX")
  trap 'rm -rf "$merged"' EXIT
  "$BIN" -merge=1 "${FLAGS[@]}" "$merged" "$SEEDS" >"$OUT/last-merge.log" 2>&1 ||
    { tail -40 "$OUT/last-merge.log"; log "merge FAILED; full log $OUT/last-merge.log"; exit 1; }
  grep "^MERGE-OUTER: .* new files" "$OUT/last-merge.log" || true
  declare -A keep_name=()
  for f in "$SEEDS"/*; do
    [[ -f "$f" ]] && keep_name[$(sha1sum <"$f" | cut -d' ' -f1)]=$(basename "$f")
  done
  rm -f "$SEEDS"/*
  for f in "$merged"/*; do
    sum=$(basename "$f")
    cp "$f" "$SEEDS/${keep_name[$sum]:-$sum}"
  done
  log "seed corpus: $(find "$SEEDS" -type f | wc -l) files, $(cat "$SEEDS"/* | wc -c) bytes in ${SEEDS#"$ROOT"/}"
  exit 0
fi

# New inputs go to the work corpus; the seeds in the tree stay as they are.
cp -u "$SEEDS"/* "$WORK"/ 2>/dev/null || true
log "fuzzing for ${SECONDS_TO_RUN}s"
status=0
"$BIN" "$WORK" "${FLAGS[@]}" -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 -artifact_prefix="$OUT/" \
  >"$OUT/last-run.log" 2>&1 || status=$?
if [[ $status != 0 ]]; then
  # Whatever it found: the report (sanitizer or libFuzzer's), then how to replay it.
  grep -vE "^#[0-9]+.*(NEW|REDUCE|pulse) " "$OUT/last-run.log" | tail -80 || true
  log "FAILED (exit $status); full log $OUT/last-run.log"
  log "replay: $BIN $OUT/crash-… (or leak-…, timeout-…, oom-…)"
  exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/last-run.log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$OUT/last-run.log")
done_line=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$OUT/last-run.log" | tail -1 || true)
log "no crash in ${SECONDS_TO_RUN}s: ${runs:-?} runs (${rate:-?}/s); ${done_line#*DONE   }"
