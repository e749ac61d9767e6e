#!/bin/sh
# Extracts the 50 FY2565 district budget books and reconciles each district
# with the total its own volume states. The report goes to the test output
# and, as a file, to $BKK_REPORT_DIR (default: a temp dir, printed).
#
# Expected today: 49 of 50. สำนักงานเขตสาทร (65054.pdf) is 1,404,366 baht short
# because page 55 prints one salary line ("01101-1 อัตราเดิม 5 อัตรา") without
# an amount; the book's own subtotals on that page leave it out too (see
# README.md). The check fails on any other result, better or worse, so a
# change is looked at and this note updated.
#
# It also fails unless the freshly extracted lines and stated totals are
# byte-identical to the copies committed in data/budget/: those files are
# the extractor's output, so a fix goes into the extractor, not the CSVs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sources=${BKK_SOURCES_DIR:-$root/data/sources}/bma-budget-book-2565-districts
out=${BKK_REPORT_DIR:-$(mktemp -d)}
mkdir -p "$out"
report="$out/reconciliation-2565.txt"
/usr/bin/python3 "$here/extract_districts.py" "$sources" "$out" | tee "$report"
echo "report: $report; lines: $out/bma-budget-book-2565-district-lines.csv; stated totals: $out/bma-budget-book-2565-stated-totals.csv; per district: $out/reconciliation-2565.csv"
last=$(tail -n 1 "$report")
failing=$(awk -F, 'NR > 1 && $7 != "yes" {print $2 ":" $6}' "$out/reconciliation-2565.csv" | tr '\n' ' ')
if [ "$last" != "49 of 50 districts reconcile" ] || [ "$failing" != "65054.pdf:-1404366 " ]; then
  echo "expected 49 of 50 with only 65054.pdf short by 1404366 baht; got '$last', not reconciling: $failing"
  exit 1
fi
status=0
for f in bma-budget-book-2565-district-lines.csv bma-budget-book-2565-stated-totals.csv; do
  if ! cmp -s "$root/data/budget/$f" "$out/$f"; then
    echo "data/budget/$f differs from what the extractor builds (< committed, > built):"
    diff "$root/data/budget/$f" "$out/$f" | head -20 || true
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "if the extractor's output is right, refresh the committed copies:"
  echo "  /usr/bin/python3 tools/budget-extract-2565/extract_districts.py data/sources/bma-budget-book-2565-districts /tmp/bma-2565 && cp /tmp/bma-2565/bma-budget-book-2565-district-lines.csv /tmp/bma-2565/bma-budget-book-2565-stated-totals.csv data/budget/"
  exit 1
fi
echo "data/budget/bma-budget-book-2565-district-lines.csv and bma-budget-book-2565-stated-totals.csv: reproduced byte for byte"
