#!/bin/sh
# Rebuilds the FY2566 ordinance CSVs from the PDF and fails if a byte
# differs from the committed files: they are the extractor's output, so a
# fix goes into the extractor, not into the CSVs.
# The PDF is looked up under $BKK_SOURCES_DIR (default: the copy in data/sources).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
sources=${BKK_SOURCES_DIR:-$root/data/sources}
pdf="$sources/bma-ordinance-2566/bma-ordinance-2566.pdf"
items="$root/data/budget/bma-ordinance-2566-items.csv"
stated="$root/data/budget/bma-ordinance-2566-stated-totals.csv"

if [ ! -f "$pdf" ]; then
  echo "bma-ordinance-2566: PDF not found: $pdf (set BKK_SOURCES_DIR)"
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

/usr/bin/python3 "$root/tools/budget-extract/extract_ordinance.py" \
  "$pdf" "$out/items.csv" "$out/stated-totals.csv"

status=0
compare() {  # committed built
  if ! cmp -s "$1" "$2"; then
    echo "${1#"$root"/} differs from what the extractor builds:"
    diff "$1" "$2" | head -20 || true
    status=1
  fi
}
compare "$items" "$out/items.csv"
compare "$stated" "$out/stated-totals.csv"
[ "$status" -eq 0 ] || exit 1

rows=$(($(wc -l <"$items") - 1))
totals=$(($(wc -l <"$stated") - 1))
echo "bma-ordinance-2566: items.csv and stated-totals.csv reproduced byte for byte ($rows lines, $totals stated totals)"
