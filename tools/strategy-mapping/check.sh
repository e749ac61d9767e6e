#!/bin/sh
# Rebuilds the committed strategy mapping from its sources and fails if a
# byte differs: the file is the tool's output, so review edits the tool.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
node "$root/tools/strategy-mapping/build.mjs" "$root/data" "$out"
if ! cmp "$root/data/budget/strategy-mapping-2566.csv" "$out"; then
  diff "$root/data/budget/strategy-mapping-2566.csv" "$out" | head -20
  echo "data/budget/strategy-mapping-2566.csv is not what tools/strategy-mapping/build.mjs builds; rebuild it"
  exit 1
fi
echo "strategy-mapping-2566.csv: reproduced byte for byte"
