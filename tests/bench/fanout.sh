#!/usr/bin/env bash
# ./bkk bench fanout: live tallies at campaign scale on the local stack.
# W = 0, 1,000, 5,000 and 10,000 SSE watchers of one district (spread over
# loopback source addresses) while a voter casts BKK_BENCH_RATE ballots/s in
# that district through the gateway; then the anchor, nchan (nginx's pub/sub
# module) with the same number of subscribers, fed the same JSON at the same
# cadence while the same voter votes; last, W = 0 again (the baseline is the
# better of the two W = 0 phases). See tests/bench/fanout_bench.cc.
set -euo pipefail
DIR="$1"
ROOT="$BKK_ROOT"
BUILD="$BKK_BUILD_DIR"
SECS="${BKK_BENCH_SECONDS:-15}"
RATE="${BKK_BENCH_RATE:-200}"
WATCHERS="${BKK_BENCH_WATCHERS:-0,1000,5000,10000}"
HERE="$ROOT/tests/bench"

dpkg-query -W -f='${Status}' libnginx-mod-nchan 2>/dev/null | grep -q "install ok installed" || {
  echo "installing libnginx-mod-nchan (the anchor)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-nchan >/dev/null
}

# The whole stack, no rate limits (one load client stands for many people),
# PostgreSQL counting its statements.
coproc STACK { PG_EXTRA_OPTIONS="-c shared_preload_libraries=pg_stat_statements" BKK_E2E_RATE_LIMIT_RPS=0 \
  BKK_E2E_ADDRESS_LIMIT=1000000000 bash "$ROOT/tests/e2e/stack.sh"; }
STACK_PID=$STACK_PID
NGINX_PID=""
# `|| true` on each kill: a failing one would end the trap under errexit and
# leave the stack running (nginx may have died first).
trap '[[ -z "$NGINX_PID" ]] || kill "$NGINX_PID" 2>/dev/null || true; kill "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true' EXIT
source "$HERE/stack_env.sh"
read_stack "${STACK[0]}"
URL="$BKK_E2E_URL" ADMIN="$BKK_E2E_ADMIN_TOKEN" PG_URL="$BKK_E2E_PG_URL"
VOTING_PID="$BKK_E2E_VOTING_PID" GATEWAY_PID="$BKK_E2E_GATEWAY_PID"

# nchan: two workers like the nginx of the gateway benchmark, a channel that
# keeps only the newest message.
mkdir -p "$DIR/nchan"
NCHAN_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$DIR/nchan/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes 2;
worker_rlimit_nofile 19000;
pid $DIR/nchan/nginx.pid;
error_log $DIR/nchan/error.log;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $DIR/nchan; proxy_temp_path $DIR/nchan; fastcgi_temp_path $DIR/nchan;
  uwsgi_temp_path $DIR/nchan; scgi_temp_path $DIR/nchan;
  nchan_shared_memory_size 128m;
  server {
    listen 127.0.0.1:$NCHAN_PORT;
    location = /pub { nchan_publisher; nchan_channel_id tally; nchan_message_buffer_length 1; }
    location = /sub { nchan_subscriber eventsource; nchan_channel_id tally; }
  }
}
CONF
chmod -R a+rwX "$DIR/nchan"
nginx -c "$DIR/nchan/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!

# Voters for every phase (one district, ten proposals), registered ahead.
PHASES=$(( $(echo "$WATCHERS" | tr ',' '\n' | wc -l) + 2 ))  # and nchan, and W=0 again
VOTERS=$(( PHASES * RATE * SECS + RATE * 5 + 100 ))  # and 5 s of warm-up
echo "preparing $VOTERS voters of one district"
ROUND="$(node "$HERE/gateway_voters.mjs" "$URL" "$ADMIN" "$VOTERS" "$DIR/ballots.txt" 1 10)"

"$BUILD/tests/bench/fanout_bench" --gateway-port="${URL##*:}" --nchan-port="$NCHAN_PORT" --round="$ROUND" \
  --district=1 --ballots="$DIR/ballots.txt" --pg-url="$PG_URL" --voting-pid="$VOTING_PID" \
  --gateway-pid="$GATEWAY_PID" --watchers="$WATCHERS" --seconds="$SECS" --rate="$RATE"
