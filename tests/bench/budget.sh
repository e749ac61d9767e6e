#!/usr/bin/env bash
# ./bkk bench budget: budget-data's served RPCs vs its own health Check.
# Runs with the PostgreSQL that ./bkk bench started (BKK_PG_URL).
set -euo pipefail
DIR="$1"
BIN="$BKK_BUILD_DIR/services/budget_data/budget-data"
"$BIN" import "$BKK_ROOT/data" >/dev/null
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BKK_LISTEN="127.0.0.1:$PORT" BKK_ADMIN_TOKEN=bench "$BIN" serve >"$DIR/budget-data.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening" "$DIR/budget-data.log" && break
  sleep 0.1
done
echo "budget-data on 127.0.0.1:$PORT; ${BKK_BENCH_SECONDS:-5} s per RPC, ${BKK_BENCH_THREADS:-8} client threads"
"$BKK_BUILD_DIR/tests/bench/budget_bench" "127.0.0.1:$PORT" "${BKK_BENCH_SECONDS:-5}" "${BKK_BENCH_THREADS:-8}"
