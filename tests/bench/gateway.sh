#!/usr/bin/env bash
# ./bkk bench gateway: the HTTP/JSON gateway on the real stack, in one run,
# against the peers a team would deploy instead:
#   - nginx serving the same overview JSON bytes as a static file, beside the
#     gateway's cached budget route (target >= 0.8x nginx);
#   - grpc-gateway 1.6 (Debian's, built from its packages) in front of the same
#     keyword-analytics, beside our gateway on the same POST route
#     /v1/keywords:segment (target >= 2x its throughput);
#   - an uncached lines route (every request a different real name piece);
#   - the vote route, every ballot durable (target >= 0.3x nginx), and its CPU
#     per ballot (gateway + voting + PostgreSQL + Redis, from /proc) against
#     PostgreSQL's own CPU per pgbench one-row-INSERT transaction at the same
#     client count (target <= 2.0x).
# Every response is checked (wrk_check.lua: status and a marker in the body);
# any unexpected status, missing marker, socket error or timeout fails the
# bench, as does an acknowledged ballot that PostgreSQL (read directly) does
# not hold, or more stored ballots than acknowledged plus those in flight
# when wrk stopped.
set -euo pipefail
DIR="$1"
ROOT="$BKK_ROOT"
SECS="${BKK_BENCH_SECONDS:-6}"
CONNS="${BKK_BENCH_CONNECTIONS:-64}"
# More voters than the vote route can take in SECS: at about 5,000 ballots/s
# a 6 s run used all of 30,000 and reused voters, whose repeats are refused.
VOTERS="${BKK_BENCH_VOTERS:-60000}"
HERE="$ROOT/tests/bench"
export BKK_BENCH_DIR="$HERE"  # for the wrk scripts' dofile
PGBENCH_TXNS="${BKK_BENCH_PGBENCH_TXNS:-40000}"
source "$HERE/pgbench_cpu.sh"

PEER_BIN="$(bash "$HERE/grpc_gateway/build.sh" "$BKK_BUILD_DIR/grpc-gateway-peer" | tail -1)"

# The whole stack, as the browser tests run it (no gateway rate limit).
# No rate limits: one wrk address stands for thousands of voters here.
coproc STACK { BKK_E2E_RATE_LIMIT_RPS=0 BKK_E2E_ADDRESS_LIMIT=1000000000 bash "$ROOT/tests/e2e/stack.sh"; }
STACK_PID="${STACK_PID:-}"  # unset already if the stack ended at once
NGINX_PID="" PEER_PID=""
# Every kill may fail (that process already died): `|| true`, or errexit would
# end the trap there and leave the stack running, holding bkk's output pipe.
trap 'for p in $NGINX_PID $PEER_PID $STACK_PID; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
source "$HERE/stack_env.sh"
read_stack "${STACK[0]}"
URL="$BKK_E2E_URL" ADMIN="$BKK_E2E_ADMIN_TOKEN"
# The stack's own PostgreSQL and Redis (its folder is BKK_E2E_LOG_DIR): the
# vote route's ballots and pgbench's transactions go to the same cluster.
PG="$BKK_E2E_PG_URL"
PG_PID="$(head -1 "$BKK_E2E_LOG_DIR/postgres/postmaster.pid")"
REDIS_PID="$(cat "$BKK_E2E_LOG_DIR/redis/redis.pid")"
pgbench_setup

# nginx serves the gateway's own overview bytes from a file.
mkdir -p "$DIR/www" "$DIR/nginx"
curl -fsS "$URL/v1/budget/overview" -o "$DIR/www/overview.json"
chmod a+rx "$DIR" "$DIR/www" && chmod a+r "$DIR/www/overview.json"  # nginx workers are not root
NGINX_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $DIR/nginx; proxy_temp_path $DIR/nginx; fastcgi_temp_path $DIR/nginx;
  uwsgi_temp_path $DIR/nginx; scgi_temp_path $DIR/nginx;
  server { listen 127.0.0.1:$NGINX_PORT; root $DIR/www; }
}
CONF
nginx -c "$DIR/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!

# grpc-gateway on the same keyword-analytics.
"$PEER_BIN" -listen 127.0.0.1:0 -backend "$BKK_E2E_KEYWORDS_ADDR" >"$DIR/peer.log" 2>&1 &
PEER_PID=$!
for _ in $(seq 100); do grep -q "listening on port" "$DIR/peer.log" && break; sleep 0.1; done
PEER_URL="http://127.0.0.1:$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$DIR/peer.log")"
sleep 0.3

echo "preparing $VOTERS voters for the vote route"
ROUND="$(node "$HERE/gateway_voters.mjs" "$URL" "$ADMIN" "$VOTERS" "$DIR/ballots.txt")"
# Pieces of real line names (3 to 12 characters, URL-encoded), each matching
# at least its own line: the uncached route's filters.
python3 - "$ROOT/data/budget/bma-ordinance-2566-items.csv" >"$DIR/pieces.txt" <<'PY'
import csv, sys, urllib.parse
rows = csv.DictReader(open(sys.argv[1], encoding="utf-8"))
names = sorted({r["output_or_project"] or r["plan"] for r in rows})  # a line's name, as budget-data reads it
seen = set()
for name in names:
    for length in (3, 5, 8, 12):
        for start in range(0, max(1, len(name) - length + 1), 2):
            piece = name[start:start + length].strip()
            if len(piece) >= 3 and piece not in seen:
                seen.add(piece)
                print(urllib.parse.quote(piece, safe=""))
PY

FAILED=()
WRK_PREFIX=()  # a command to run wrk under (the CPU sampler for the vote route)
run_wrk() {  # name, url, lua script, [args...]
  local name="$1" url="$2" script="$3"; shift 3
  local out
  if ! out="$("${WRK_PREFIX[@]}" wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$script" "$url" -- "$@" 2>&1)"; then
    FAILED+=("$name: wrk stopped: $(tail -n 1 <<<"$out")")
    return 0
  fi
  echo "$out" >"$DIR/$name.wrk"
  local secs p50 p99 checked
  secs="$(sed -n 's/^ *[0-9]* requests in \([0-9.]*\)s.*/\1/p' <<<"$out")"
  p50="$(awk '$1=="50%"{print $2}' <<<"$out")"
  p99="$(awk '$1=="99%"{print $2}' <<<"$out")"
  checked="$(grep '^checked ' <<<"$out")"
  read -r _ _ good _ bad _ nomarker _ sockerr _ timeouts <<<"$checked"
  if ((bad + nomarker + sockerr + timeouts > 0)); then
    FAILED+=("$name: $checked; $(grep '^first bad answer' <<<"$out" | cut -c1-200 || true)")  # none for socket errors
  fi
  printf '%s %s %s %s %s\n' "$name" "$(python3 -c "print(round($good / $secs))")" "$p50" "$p99" "$good" >>"$DIR/results"
}

: >"$DIR/results"
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/overview.json" "$HERE/gateway_static.lua"
run_wrk cached "$URL/v1/budget/overview" "$HERE/gateway_static.lua"
run_wrk uncached "$URL" "$HERE/gateway_unique.lua" "$DIR/pieces.txt" 2
run_wrk segment "$URL" "$HERE/gateway_segment.lua"
run_wrk segment_peer "$PEER_URL" "$HERE/gateway_segment.lua"
# The vote route, with every server process's CPU sampled around wrk.
WRK_PREFIX=(python3 "$HERE/cpu.py" --group gateway="$BKK_E2E_GATEWAY_PID" --group voting="$BKK_E2E_VOTING_PID"
  --group postgres="tree:$PG_PID" --group redis="tree:$REDIS_PID" --out "$DIR/vote-cpu.json" --)
run_wrk vote "$URL" "$HERE/gateway_vote.lua" "/v1/rounds/$ROUND/districts/" 2 "$DIR/ballots.txt" "$DIR/receipts.txt"
read -r pgb_tps pgb_us _ <<<"$(pgbench_cpu "$CONNS")"

# Every receipt the vote route gave is a ballot PostgreSQL holds (read
# directly); stored minus acknowledged is at most the requests in flight when
# wrk stopped (one per connection).
touch "$DIR/receipts.txt"  # none if the vote run could not start
sort -u "$DIR/receipts.txt" >"$DIR/acked.txt"
psql "$PG" -Atc "SELECT receipt_code FROM voting.ballots WHERE round_id = $ROUND" | sort >"$DIR/stored.txt"
acked="$(wc -l <"$DIR/acked.txt")" stored="$(wc -l <"$DIR/stored.txt")"
missing="$(comm -23 "$DIR/acked.txt" "$DIR/stored.txt" | wc -l)"
echo "vote route: ballots acknowledged $acked, stored in PostgreSQL $stored (read directly), acknowledged but" \
  "missing $missing, stored beyond acknowledged $((stored - acked)) (at most $CONNS in flight when wrk stopped)"
((missing == 0 && stored - acked <= CONNS && stored - acked >= 0)) ||
  FAILED+=("vote: PostgreSQL holds $stored ballots for $acked acknowledged ($missing missing)")

# A wrong answer, a socket error, a timeout or a lost ballot: no figures.
if ((${#FAILED[@]})); then
  printf 'FAILED: %s\n' "${FAILED[@]}"
  echo "gateway: FAILED: answers were wrong or a run could not finish (above); the figures do not count"
  exit 1
fi
python3 - "$DIR/results" "$DIR/vote-cpu.json" "$stored" "$pgb_tps" "$pgb_us" "$CONNS" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, good = line.split()
    rows[name] = (int(rps), p50, p99)
cpu, stored, pgb_tps, pgb_us, conns = json.load(open(sys.argv[2])), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6]
nginx, peer = rows["nginx"][0], rows["segment_peer"][0]
labels = {"nginx": "nginx, static JSON file", "cached": "gateway, cached budget route",
          "uncached": "gateway, uncached lines route", "segment": "gateway, POST segment (gRPC ceiling)",
          "segment_peer": "grpc-gateway 1.6.4, POST segment", "vote": "gateway, vote route (durable)"}
print(f"{'target':38} {'req/s':>9} {'p50':>9} {'p99':>9} {'x nginx':>8}")
for k in labels:
    rps, p50, p99 = rows[k]
    print(f"{labels[k]:38} {rps:9d} {p50:>9} {p99:>9} {rps / nginx:8.2f}")
us = {k: cpu[f"{k}_s"] / stored * 1e6 for k in ("gateway", "voting", "postgres", "redis")}
server = sum(us.values())
print(f"vote route CPU per durable ballot: {server:.0f} µs (gateway {us['gateway']:.0f}, voting {us['voting']:.0f}, "
      f"PostgreSQL {us['postgres']:.0f}, Redis {us['redis']:.0f}); pgbench at {conns} clients: {pgb_tps} tps, "
      f"PostgreSQL {pgb_us:.0f} µs per txn")
cached, vote, segment = rows["cached"][0] / nginx, rows["vote"][0] / nginx, rows["segment"][0] / peer
cpu_ratio = server / pgb_us
ok = cached >= 0.8 and vote >= 0.3 and segment >= 2 and cpu_ratio <= 2.0
print(f"gateway: cached {cached:.2f}x nginx (target ≥0.8x), POST segment {segment:.2f}x grpc-gateway "
      f"(target ≥2x; p99 {rows['segment'][2]} vs {rows['segment_peer'][2]}), vote route {vote:.2f}x nginx "
      f"(target ≥0.3x), vote CPU per ballot {cpu_ratio:.2f}x pgbench (target ≤2.0x): {'pass' if ok else 'short'}")
PY
