#!/usr/bin/env bash
# ./bkk bench gateway: wrk against nginx serving the same JSON bytes as a
# static file (the reference for serving bytes over HTTP on this machine),
# the gateway on a cached budget route, on an uncached route and on the vote
# route (every ballot durable), all in one run on the real stack. For context
# it also drives POST /v1/keywords:segment, the vote route's path (JSON body,
# one uncached gRPC call) to a backend that answers from memory: the ceiling
# of any gRPC-backed route on this machine.
set -euo pipefail
DIR="$1"
ROOT="$BKK_ROOT"
SECS="${BKK_BENCH_SECONDS:-6}"
CONNS="${BKK_BENCH_CONNECTIONS:-64}"
VOTERS="${BKK_BENCH_VOTERS:-30000}"
HERE="$ROOT/tests/bench"

# The whole stack, as the browser tests run it (no gateway rate limit).
# No rate limits: one wrk address stands for thousands of voters here.
coproc STACK { BKK_E2E_RATE_LIMIT_RPS=0 BKK_E2E_ADDRESS_LIMIT=1000000000 bash "$ROOT/tests/e2e/stack.sh"; }
STACK_PID=$STACK_PID
NGINX_PID=""
trap '[[ -n "$NGINX_PID" ]] && kill "$NGINX_PID" 2>/dev/null; kill "$STACK_PID" 2>/dev/null; wait "$STACK_PID" 2>/dev/null || true' EXIT
source "$HERE/stack_env.sh"
read_stack "${STACK[0]}"
URL="$BKK_E2E_URL" ADMIN="$BKK_E2E_ADMIN_TOKEN"

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
sleep 0.5

echo "preparing $VOTERS voters for the vote route"
ROUND="$(node "$HERE/gateway_voters.mjs" "$URL" "$ADMIN" "$VOTERS" "$DIR/ballots.txt")"

run_wrk() {  # name, url, [lua script, args...]
  local name="$1" url="$2"; shift 2
  local out
  if (($#)); then
    local script="$1"; shift
    out="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$script" "$url" -- "$@")"
  else
    out="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$url")"
  fi
  local total non2xx rps p50 p99 secs
  total="$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in \([0-9.]*\)s.*/\1/p')"
  secs="$(echo "$out" | sed -n 's/^ *[0-9]* requests in \([0-9.]*\)s.*/\1/p')"
  non2xx="$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: \([0-9]*\)/\1/p')"
  non2xx="${non2xx:-0}"
  p50="$(echo "$out" | awk '$1=="50%"{print $2}')"
  p99="$(echo "$out" | awk '$1=="99%"{print $2}')"
  rps="$(python3 -c "print(round(($total - $non2xx) / $secs))")"
  printf '%s %s %s %s %s\n' "$name" "$rps" "$p50" "$p99" "$non2xx" >>"$DIR/results"
  echo "$total $non2xx" >"$DIR/$name.counts"
}

: >"$DIR/results"
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/overview.json"
run_wrk cached "$URL/v1/budget/overview"
run_wrk uncached "$URL" "$HERE/gateway_unique.lua"
run_wrk grpc_ceiling "$URL" "$HERE/gateway_segment.lua"
run_wrk vote "$URL" "$HERE/gateway_vote.lua" "/v1/rounds/$ROUND/districts/" 2 "$DIR/ballots.txt"

# Every 200 the vote route gave is a durable ballot: the round holds at least
# that many voters (more when requests still in flight at wrk's stop committed).
read -r vote_total vote_refused <"$DIR/vote.counts"
stored="$(curl -fsS "$URL/v1/rounds/$ROUND/turnout" | python3 -c 'import json,sys; print(int(json.load(sys.stdin).get("totalVoters", 0)))')"

python3 - "$DIR/results" "$((vote_total - vote_refused))" "$stored" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, non2xx = line.split()
    rows[name] = (int(rps), p50, p99, int(non2xx))
acked, stored = int(sys.argv[2]), int(sys.argv[3])
nginx = rows["nginx"][0]
labels = {"nginx": "nginx, static JSON file", "cached": "gateway, cached budget route",
          "uncached": "gateway, uncached lines route",
          "grpc_ceiling": "gateway, POST segment (gRPC ceiling)", "vote": "gateway, vote route (durable)"}
print(f"{'target':38} {'req/s':>9} {'p50':>9} {'p99':>9} {'refused':>8} {'x nginx':>8}")
for k in ["nginx", "cached", "uncached", "grpc_ceiling", "vote"]:
    rps, p50, p99, non2xx = rows[k]
    print(f"{labels[k]:38} {rps:9d} {p50:>9} {p99:>9} {non2xx:8d} {rps / nginx:8.2f}")
print(f"ballots acknowledged {acked}, stored {stored}: {'all durable' if stored >= acked else 'ACKNOWLEDGED BALLOTS MISSING'}")
cached, vote = rows["cached"][0] / nginx, rows["vote"][0] / nginx
ok = cached >= 0.8 and vote >= 0.3 and stored >= acked
print(f"gateway: cached budget route {cached:.2f}x nginx (target >= 0.8x), vote route {vote:.2f}x nginx "
      f"(target >= 0.3x, every ballot durable): {'pass' if ok else 'short'}")
PY
