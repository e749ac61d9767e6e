#!/usr/bin/env bash
# ./bkk bench voting: what a durable ballot costs. What limits a campaign on
# any machine is CPU per durable ballot, so at 16, 64 and 256 clients this
# casts a fixed number of ballots through voting's gRPC API and samples the
# CPU of every server process around it (voting; PostgreSQL: the postmaster,
# every backend and background process of the cluster; Redis; the load
# generator apart), and runs pgbench's one-row INSERT per transaction on the
# same cluster at the same client count. Both commit with synchronous_commit
# on (checked below). Verdict: server CPU per ballot (voting + PostgreSQL +
# Redis) against PostgreSQL's own CPU per pgbench transaction, at the worst
# client count; target <= 1.0x.
# Every acknowledged ballot is then looked up in PostgreSQL directly (not
# through the service) with its district and choices; any RPC error, any
# acknowledged ballot missing or any stored ballot nobody was answered for
# fails the bench. Ballots/s, latency, pgbench tps and the no-op gRPC ceiling
# are printed as context. Then it times publishing and the outcome rules.
set -euo pipefail
DIR="$1"
HERE="$BKK_ROOT/tests/bench"
BALLOTS="${BKK_BENCH_BALLOTS:-20000}"
PGBENCH_TXNS="${BKK_BENCH_PGBENCH_TXNS:-40000}"
NOOP_SECONDS="${BKK_BENCH_SECONDS:-3}"
LEVELS=(${BKK_BENCH_CLIENTS:-16 64 256})
PG="$BKK_PG_URL"
BENCH="$BKK_BUILD_DIR/tests/bench/voting_bench"
PG_PID="$(head -1 "$DIR/postgres/postmaster.pid")"
REDIS_PID="$(cat "$DIR/redis/redis.pid")"
source "$HERE/pgbench_cpu.sh"
pgbench_setup

KEY="bench-voter-key-0123456789abcdef0123456789"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BKK_LISTEN="127.0.0.1:$PORT" BKK_PG_URL="$PG" BKK_REDIS_URL="$BKK_REDIS_URL" BKK_ADMIN_TOKEN=bench \
  BKK_VOTER_KEY="$KEY" BKK_RATE_VOTER_PER_MIN=1000000000 BKK_RATE_ADDRESS_PER_MIN=1000000000 \
  BKK_PG_POOL_SIZE=8 "$BKK_BUILD_DIR/services/voting/voting" serve >"$DIR/voting.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q "listening" "$DIR/voting.log" && break; sleep 0.1; done
"$BENCH" open-round "127.0.0.1:$PORT" bench "$DIR/round.txt" >/dev/null
ROUND="$(awk '$1=="round"{print $2}' "$DIR/round.txt")"

: >"$DIR/acked.txt"
: >"$DIR/levels.txt"
first=1
printf '%-8s %10s %9s %8s %8s | %9s %9s %8s %8s %8s %8s | %10s %9s %9s\n' clients ballots/s "p50 ms" "p99 ms" \
  errors "server us" "voting" "pg" "redis" "client" "x pgbench" "pgbench tps" "pg us/txn" "no-op/s"
for c in "${LEVELS[@]}"; do
  read -r pgb_tps pgb_us pgb_client_us <<<"$(pgbench_cpu "$c")"
  cast="$(python3 "$HERE/cpu.py" --group voting="$PID" --group postgres="tree:$PG_PID" --group redis="tree:$REDIS_PID" \
    --out "$DIR/cast.json" -- "$BENCH" cast "127.0.0.1:$PORT" "$KEY" "$DIR/round.txt" "$first" "$BALLOTS" "$c" \
    "$DIR/acked-$c.txt")" || { echo "$cast"; echo "voting: FAILED: CastBallot answered errors at $c clients (above)"; exit 1; }
  cat "$DIR/acked-$c.txt" >>"$DIR/acked.txt"
  first=$((first + BALLOTS))
  noop="$("$BENCH" noop "127.0.0.1:$PORT" "$NOOP_SECONDS" "$c" | awk '{print $5}')"
  python3 - "$DIR/cast.json" "$c" "$cast" "$pgb_tps" "$pgb_us" "$noop" >>"$DIR/levels.txt" <<'PY'
import json, sys
cpu = json.load(open(sys.argv[1]))
clients, cast, pgb_tps, pgb_us, noop = sys.argv[2], sys.argv[3].split(), sys.argv[4], float(sys.argv[5]), sys.argv[6]
f = {cast[i]: cast[i + 1] for i in range(1, len(cast) - 1, 2) if cast[i] != "codes"}
acked = int(f["acked"])
us = {k: cpu[f"{k}_s"] / acked * 1e6 for k in ("voting", "postgres", "redis")}
server = sum(us.values())
client = float(f["client_cpu_s"]) / acked * 1e6
print(clients, f["ballots/s"], f["p50_ms"], f["p99_ms"], f["errors"], f"{server:.1f}", f"{us['voting']:.1f}",
      f"{us['postgres']:.1f}", f"{us['redis']:.1f}", f"{client:.1f}", f"{server / pgb_us:.2f}", pgb_tps,
      f"{pgb_us:.1f}", noop)
PY
  tail -1 "$DIR/levels.txt" | awk '{printf "%-8s %10s %9s %8s %8s | %9s %9s %8s %8s %8s %7sx | %10s %9s %9s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14}'
done
echo "(CPU in us per durable ballot, or per pgbench transaction; client = the load generator, not counted)"

# Every acknowledged ballot is in PostgreSQL with what was sent, read
# directly; nothing is stored that nobody was answered for (every call was
# answered before this point: none was in flight when the load stopped).
psql "$PG" -Atc "SELECT idempotency_key, district_id, (SELECT string_agg(x::text, ' ' ORDER BY x) FROM unnest(proposal_ids) x)
  FROM voting.ballots WHERE round_id = $ROUND" | tr '|' ' ' | sort >"$DIR/stored.txt"
sort -o "$DIR/acked.txt" "$DIR/acked.txt"
acked="$(wc -l <"$DIR/acked.txt")"
stored="$(wc -l <"$DIR/stored.txt")"
missing="$(comm -23 "$DIR/acked.txt" "$DIR/stored.txt" | wc -l)"
unacked="$(comm -13 "$DIR/acked.txt" "$DIR/stored.txt" | wc -l)"
echo "ballots acknowledged $acked, stored in PostgreSQL $stored (read directly), acknowledged but missing or" \
  "different $missing, stored but never acknowledged $unacked (calls in flight when the load stopped: 0)"
if ((missing > 0 || unacked > 0 || acked != ${#LEVELS[@]} * BALLOTS)); then
  comm -3 "$DIR/acked.txt" "$DIR/stored.txt" | head -5
  echo "voting: FAILED: PostgreSQL does not hold exactly the acknowledged ballots"
  exit 1
fi
# After the vote: closing seals every district (Merkle tree and tally log
# entry) and publishing freezes every outcome; both timed on a generated
# round of 100,000 ballots over the 50 districts (target: under 5 s).
PUBLISH_BALLOTS="${BKK_BENCH_PUBLISH_BALLOTS:-100000}"
publish="$("$BKK_BUILD_DIR/tests/bench/voting_bench" publish "127.0.0.1:$PORT" bench "$PG" "$PUBLISH_BALLOTS")" ||
  { echo "voting: FAILED: the close-and-publish run did not finish (its error is above)"; exit 1; }
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
"$BKK_BUILD_DIR/tests/bench/outcome_bench" file "$LARGEST" | sed 's/^/  /' ||
  { echo "voting: FAILED: an outcome of $(basename "$LARGEST") was not computed or did not fund what the city funded"; exit 1; }
large="$("$BKK_BUILD_DIR/tests/bench/outcome_bench" large 15000 100 1)" ||
  { echo "voting: FAILED: Equal Shares with add1 on the generated 15,000-voter election failed (its error is above)"; exit 1; }
echo "  $large"
large_ms="$(sed -n 's/.* ms \([0-9.]*\) .*/\1/p' <<<"$large")"
serial_ms="$(sed -n 's/.* one_by_one_ms \([0-9.]*\).*/\1/p' <<<"$large")"
echo "equal shares add1, 15,000 voters x 100 projects: ${large_ms} ms on $(nproc) cores" \
  "(one rerun after another: ${serial_ms} ms); target < 2000 ms:" \
  "$([[ "$large" == *"check ok"* ]] && python3 -c "import sys; sys.exit(0 if $large_ms < 2000 else 1)" && echo pass || echo short)"
python3 - "$DIR/levels.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
worst = max(rows, key=lambda r: float(r[5]) / float(r[12]))
server, pgb = float(worst[5]), float(worst[12])
ratio = server / pgb
print(f"the worst of {', '.join(r[0] for r in rows)} clients is {worst[0]}; the last line is its figure")
print(f"voting: server CPU per ballot {server:.0f} µs = {ratio:.2f}x pgbench's {pgb:.0f} µs per txn, "
      f"target ≤1.0x: {'pass' if ratio <= 1.0 else 'short'}")
PY
