#!/usr/bin/env bash
# ./bkk bench keywords: the keyword core on the real FY2566 line names, in one
# run on one text: raw ICU word breaking vs indexing (keyword_bench), Node's
# Intl.Segmenter as the outside reference (intl_segmenter.mjs), then
# TopKeywords/Search latency and index memory on the real lines and on
# 1,000,000 synthetic lines. Needs no datastore: it measures the core the
# service answers from. The last line is keyword_bench's verdict.
set -euo pipefail
DIR="$1"
BENCH="$BKK_BUILD_DIR/tests/bench/keyword_bench"
HERE="$(cd "$(dirname "$0")" && pwd)"

# The exact names keyword_bench measures, for Node to segment too.
"$BENCH" names "$BKK_ROOT/data" "$DIR/keyword-names.json"
echo "Node reference on the same names:"
echo "  $(node "$HERE/intl_segmenter.mjs" "$DIR/keyword-names.json" "$DIR/intl-segmenter.txt")"
echo
"$BENCH" run "$BKK_ROOT/data" "$DIR/intl-segmenter.txt"
