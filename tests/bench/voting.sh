#!/usr/bin/env bash
# ./bkk bench voting: durable ballots/s through voting's gRPC API at 16, 64
# and 256 clients, next to pgbench running a one-row INSERT per transaction
# (one transaction per vote) on the same PostgreSQL in the same run. Both
# commit with synchronous_commit on (the server default, checked below).
# For context it also prints the same server's no-op health Check at each
# concurrency: no unary gRPC API can do more than that on this machine. Then
# it times publishing a generated round of 100,000 ballots (see below).
set -euo pipefail
DIR="$1"
SECONDS_PER_LEVEL="${BKK_BENCH_SECONDS:-6}"
LEVELS=(${BKK_BENCH_CLIENTS:-16 64 256})
PG="$BKK_PG_URL"
[[ "$(psql "$PG" -Atc 'SHOW synchronous_commit')" == on ]] || { echo "synchronous_commit is not on"; exit 1; }
[[ "$(psql "$PG" -Atc 'SHOW fsync')" == on ]] || { echo "fsync is not on"; exit 1; }

psql "$PG" -qc "DROP TABLE IF EXISTS bench_votes; CREATE TABLE bench_votes (
  id bigserial PRIMARY KEY, voter bigint NOT NULL, proposal bigint NOT NULL, cast_at timestamptz DEFAULT now())"
cat >"$DIR/vote.sql" <<'SQL'
\set voter random(1, 1000000000)
\set proposal random(1, 500)
INSERT INTO bench_votes (voter, proposal) VALUES (:voter, :proposal);
SQL

KEY="bench-voter-key-0123456789abcdef0123456789"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BKK_LISTEN="127.0.0.1:$PORT" BKK_PG_URL="$PG" BKK_REDIS_URL="$BKK_REDIS_URL" BKK_ADMIN_TOKEN=bench \
  BKK_VOTER_KEY="$KEY" BKK_RATE_VOTER_PER_MIN=1000000000 BKK_RATE_ADDRESS_PER_MIN=1000000000 \
  BKK_PG_POOL_SIZE=8 "$BKK_BUILD_DIR/services/voting/voting" serve >"$DIR/voting.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q "listening" "$DIR/voting.log" && break; sleep 0.1; done

declare -A PGB VOT
printf '%-8s %12s %12s %9s %9s %8s %14s\n' clients "pgbench tps" "ballots/s" "p50 ms" "p99 ms" ratio "no-op gRPC/s"
for c in "${LEVELS[@]}"; do
  pgb_out="$(pgbench -n -c "$c" -j 2 -T "$SECONDS_PER_LEVEL" -f "$DIR/vote.sql" "$PG" 2>/dev/null)"
  PGB[$c]="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$pgb_out")"
  bench_out="$("$BKK_BUILD_DIR/tests/bench/voting_bench" "127.0.0.1:$PORT" "$KEY" bench "$SECONDS_PER_LEVEL" "$c")"
  line="$(grep '^clients' <<<"$bench_out")"
  read -r _ _ _ rate _ p50 _ p99 _ errors _ acked _ noop <<<"$line"
  VOT[$c]="$rate"
  ratio="$(python3 -c "print(f'{$rate / ${PGB[$c]}:.2f}')")"
  noop_ratio="$(python3 -c "print(f'{$noop / ${PGB[$c]}:.2f}')")"
  printf '%-8s %12.0f %12.0f %9s %9s %7sx %8.0f (%sx)   errors %s\n' "$c" "${PGB[$c]}" "$rate" "$p50" "$p99" \
    "$ratio" "$noop" "$noop_ratio" "$errors"
done
# Durability: every acknowledged ballot is a committed row (the bench counts acks).
stored="$(psql "$PG" -Atc 'SELECT count(*) FROM voting.ballots')"
echo "ballots stored in PostgreSQL: $stored"
# After the vote: closing seals every district (Merkle tree and tally log
# entry) and publishing freezes every outcome; both timed on a generated
# round of 100,000 ballots over the 50 districts (target: under 5 s).
PUBLISH_BALLOTS="${BKK_BENCH_PUBLISH_BALLOTS:-100000}"
publish="$("$BKK_BUILD_DIR/tests/bench/voting_bench" publish "127.0.0.1:$PORT" bench "$PG" "$PUBLISH_BALLOTS")"
read -r _ _ _ _ _ _ close_ms _ publish_ms _ checked _ <<<"$publish"
total_ms=$((close_ms + publish_ms))
echo "publish: $PUBLISH_BALLOTS ballots over 50 districts: close (seal: trees and log entries) ${close_ms} ms," \
  "publish (outcomes frozen, projects) ${publish_ms} ms, total ${total_ms} ms, checked $checked;" \
  "target < 5000 ms: $([[ $checked == ok && $total_ms -lt 5000 ]] && echo pass || echo short)"
# The outcome rules in-process: the largest real file under each rule (its
# own rule must fund what the city funded), and Equal Shares with add1 on a
# generated 15,000-voter, 100-project election (target: under 2 s).
LARGEST="$BKK_ROOT/data/pabulib-sample/Poland_Gdynia_2023_Chwarzno-Wiczlino__small.pb"
echo "outcomes of $(basename "$LARGEST") (3,633 voters):"
"$BKK_BUILD_DIR/tests/bench/outcome_bench" file "$LARGEST" | sed 's/^/  /'
large="$("$BKK_BUILD_DIR/tests/bench/outcome_bench" large 15000 100 1)"
echo "  $large"
large_ms="$(sed -n 's/.* ms \([0-9.]*\) .*/\1/p' <<<"$large")"
echo "equal shares add1, 15,000 voters x 100 projects: ${large_ms} ms; target < 2000 ms:" \
  "$([[ "$large" == *"check ok"* ]] && python3 -c "import sys; sys.exit(0 if $large_ms < 2000 else 1)" && echo pass || echo short)"
python3 - "$(declare -p PGB VOT)" <<PY
import re, sys
pgb = {int(k): float(v) for k, v in re.findall(r'\[(\d+)\]="([0-9.]+)"', sys.argv[1].split('VOT')[0])}
vot = {int(k): float(v) for k, v in re.findall(r'\[(\d+)\]="([0-9.]+)"', sys.argv[1].split('VOT')[1])}
worst = min(vot[c] / pgb[c] for c in pgb)
at = min(pgb, key=lambda c: vot[c] / pgb[c])
print(f"voting: durable ballots at {worst:.2f}x pgbench one-row-insert transactions (worst case, {at} clients; target >= 3x): {'pass' if worst >= 3 else 'short'}")
PY
