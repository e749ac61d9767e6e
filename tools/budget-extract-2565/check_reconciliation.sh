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
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sources=${BKK_SOURCES_DIR:-$root/data/sources}/bma-budget-book-2565-districts
out=${BKK_REPORT_DIR:-$(mktemp -d)}
mkdir -p "$out"
report="$out/reconciliation-2565.txt"
/usr/bin/python3 "$here/extract_districts.py" "$sources" "$out" | tee "$report"
echo "report: $report; lines: $out/bma-budget-book-2565-district-lines.csv; per district: $out/reconciliation-2565.csv"
last=$(tail -n 1 "$report")
failing=$(awk -F, 'NR > 1 && $7 != "yes" {print $2 ":" $6}' "$out/reconciliation-2565.csv" | tr '\n' ' ')
if [ "$last" != "49 of 50 districts reconcile" ] || [ "$failing" != "65054.pdf:-1404366 " ]; then
  echo "expected 49 of 50 with only 65054.pdf short by 1404366 baht; got '$last', not reconciling: $failing"
  exit 1
fi
