#!/usr/bin/env bash
# Starts the whole real stack for the browser tests on free loopback ports:
# PostgreSQL + Redis (throwaway, in a temp folder), budget-data (import of
# data/, then serve), keyword-analytics, voting and the gateway serving the
# built web app. Runs in the foreground: once /readyz answers it prints
#   BKK_E2E_URL=http://127.0.0.1:PORT
#   BKK_E2E_ADMIN_TOKEN=...      an operator key with every role
#   BKK_E2E_MODERATOR_KEY=...    an operator key with the moderator role only
#   BKK_E2E_TRACKER_KEY=...      an operator key with the tracker role only
#   BKK_E2E_READY
# and keeps running until it gets SIGTERM/SIGINT (or its parent process exits),
# then stops everything it started and removes its folder.
#
# Settings: BKK_BUILD_DIR (default <repo>/build), BKK_GATEWAY_BIN (default
# $BKK_BUILD_DIR/gateway/bkk-gateway, else /tmp/gwbuild/gateway/bkk-gateway),
# BKK_WEB_ROOT (default <repo>/gateway/web/dist), BKK_DATA_DIR (default <repo>/data).
set -euo pipefail
if [[ -n "${BKK_E2E_TRACE:-}" ]]; then exec 9>>"$BKK_E2E_TRACE"; BASH_XTRACEFD=9; set -x; fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BKK_BUILD_DIR:-$ROOT/build}"
DATA_DIR="${BKK_DATA_DIR:-$ROOT/data}"
WEB_ROOT="${BKK_WEB_ROOT:-$ROOT/gateway/web/dist}"
GATEWAY_BIN="${BKK_GATEWAY_BIN:-}"
if [[ -z "$GATEWAY_BIN" ]]; then
  GATEWAY_BIN="$BUILD_DIR/gateway/bkk-gateway"
  [[ -x "$GATEWAY_BIN" ]] || GATEWAY_BIN=/tmp/gwbuild/gateway/bkk-gateway
fi
BUDGET_BIN="$BUILD_DIR/services/budget_data/budget-data"
KEYWORDS_BIN="$BUILD_DIR/services/keyword_analytics/keyword-analytics"
VOTING_BIN="$BUILD_DIR/services/voting/voting"

log() { echo "[stack] $*" >&2; }
for bin in "$BUDGET_BIN" "$KEYWORDS_BIN" "$VOTING_BIN" "$GATEWAY_BIN"; do
  [[ -x "$bin" ]] || { log "missing binary: $bin (build first, or set BKK_BUILD_DIR / BKK_GATEWAY_BIN)"; exit 2; }
done
[[ -f "$WEB_ROOT/index.html" ]] || { log "missing $WEB_ROOT/index.html: run 'npm ci && npm run build' in gateway/web"; exit 2; }

# shellcheck source=../../deploy/local/datastores.sh
source "$ROOT/deploy/local/datastores.sh"

DIR="$(mktemp -d /tmp/bkk-e2e.XXXXXX)"
chmod 755 "$DIR"
PIDS=()
cleanup() {
  local rc=$?
  # Finish cleaning up even if the parent is gone: no more output, no signals.
  trap '' PIPE HUP INT TERM ALRM
  trap - EXIT
  exec >/dev/null 2>>"$DIR/stack.log"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Services drain for up to their BKK_DRAIN_SECONDS; then they are killed.
  for _ in $(seq 200); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_redis "$DIR/redis"
  stop_postgres "$DIR/postgres"
  if [[ -n "${BKK_E2E_KEEP_LOGS:-}" ]]; then
    mkdir -p "$BKK_E2E_KEEP_LOGS" && cp "$DIR"/*.log "$BKK_E2E_KEEP_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

PG_PORT="$(free_port)"; REDIS_PORT="$(free_port)"
BUDGET_PORT="$(free_port)"; KEYWORDS_PORT="$(free_port)"; VOTING_PORT="$(free_port)"; HTTP_PORT="$(free_port)"
# Each service's /metrics, on its admin listener.
BUDGET_ADMIN_PORT="$(free_port)"; KEYWORDS_ADMIN_PORT="$(free_port)"; VOTING_ADMIN_PORT="$(free_port)"
GATEWAY_ADMIN_PORT="$(free_port)"
start_postgres "$DIR/postgres" "$PG_PORT" >&2
start_redis "$DIR/redis" "$REDIS_PORT" >&2
export BKK_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export BKK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
# Named operators only: the bootstrap token is off.
export BKK_ADMIN_TOKEN=""
export BKK_VOTER_KEY="e2e-voter-key-$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')"
log "PostgreSQL :$PG_PORT, Redis :$REDIS_PORT"

log "importing $DATA_DIR"
"$BUDGET_BIN" import "$DATA_DIR" >"$DIR/import.log" 2>&1 || { cat "$DIR/import.log" >&2; exit 1; }

# Operators for the tests, made as an operator would: `voting operator add`.
ADMIN_KEY="$("$VOTING_BIN" operator add e2e-admin --role moderator,round-admin,data-admin,tracker 2>>"$DIR/operators.log")"
MODERATOR_KEY="$("$VOTING_BIN" operator add e2e-moderator --role moderator 2>>"$DIR/operators.log")"
TRACKER_KEY="$("$VOTING_BIN" operator add e2e-tracker --role tracker 2>>"$DIR/operators.log")"

export BKK_DRAIN_SECONDS="${BKK_DRAIN_SECONDS:-3}"
BKK_LISTEN="127.0.0.1:$BUDGET_PORT" BKK_ADMIN_LISTEN="127.0.0.1:$BUDGET_ADMIN_PORT" \
  BKK_REFRESH_SECONDS="${BKK_E2E_REFRESH_SECONDS:-2}" "$BUDGET_BIN" serve >"$DIR/budget-data.log" 2>&1 &
PIDS+=($!)
BKK_LISTEN="127.0.0.1:$KEYWORDS_PORT" BKK_BUDGET_ADDR="127.0.0.1:$BUDGET_PORT" \
  BKK_ADMIN_LISTEN="127.0.0.1:$KEYWORDS_ADMIN_PORT" BKK_REFRESH_SECONDS="${BKK_E2E_REFRESH_SECONDS:-2}" \
  "$KEYWORDS_BIN" >"$DIR/keyword-analytics.log" 2>&1 &
PIDS+=($!)
BKK_LISTEN="127.0.0.1:$VOTING_PORT" BKK_ADMIN_LISTEN="127.0.0.1:$VOTING_ADMIN_PORT" \
  BKK_RATE_ADDRESS_PER_MIN="${BKK_E2E_ADDRESS_LIMIT:-600}" \
  BKK_ORDINANCE_CSV="$DATA_DIR/budget/bma-ordinance-2566-items.csv" "$VOTING_BIN" serve >"$DIR/voting.log" 2>&1 &
PIDS+=($!)
# The browser test makes many requests from one address: no rate limit here.
BKK_HTTP_LISTEN="127.0.0.1:$HTTP_PORT" BKK_BUDGET_ADDR="127.0.0.1:$BUDGET_PORT" \
  BKK_KEYWORDS_ADDR="127.0.0.1:$KEYWORDS_PORT" BKK_VOTING_ADDR="127.0.0.1:$VOTING_PORT" \
  BKK_WEB_ROOT="$WEB_ROOT" BKK_SOURCES_ROOT="$DATA_DIR/sources" BKK_RATE_LIMIT_RPS="${BKK_E2E_RATE_LIMIT_RPS:-0}" \
  BKK_ADMIN_LISTEN="127.0.0.1:$GATEWAY_ADMIN_PORT" \
  "$GATEWAY_BIN" >"$DIR/gateway.log" 2>&1 &
PIDS+=($!)

URL="http://127.0.0.1:$HTTP_PORT"
for i in $(seq 600); do
  if curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null; then break; fi
  for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "a service exited during start-up"; tail -n 20 "$DIR"/*.log >&2; exit 1
    fi
  done
  if (( i == 600 )); then log "not ready after 60 s"; tail -n 20 "$DIR"/*.log >&2; exit 1; fi
  sleep 0.1
done
# keyword-analytics builds its index after start: wait until it serves the release.
for i in $(seq 600); do
  if curl -fsS "$URL/v1/keywords/status" 2>/dev/null | grep -q '"lineCount"'; then break; fi
  (( i == 600 )) && { log "keyword index not built after 60 s"; exit 1; }
  sleep 0.1
done
log "ready at $URL (logs in $DIR)"
echo "BKK_E2E_URL=$URL"
echo "BKK_E2E_ADMIN_TOKEN=$ADMIN_KEY"
echo "BKK_E2E_MODERATOR_KEY=$MODERATOR_KEY"
echo "BKK_E2E_TRACKER_KEY=$TRACKER_KEY"
# For benchmarks that watch the processes and the database.
echo "BKK_E2E_PG_URL=$BKK_PG_URL"
echo "BKK_E2E_KEYWORDS_ADDR=127.0.0.1:$KEYWORDS_PORT"
echo "BKK_E2E_VOTING_PID=${PIDS[2]}"
echo "BKK_E2E_GATEWAY_PID=${PIDS[3]}"
# For tests that follow a request through the services' logs and metrics.
echo "BKK_E2E_LOG_DIR=$DIR"
echo "BKK_E2E_METRICS=budget=http://127.0.0.1:$BUDGET_ADMIN_PORT/metrics,keywords=http://127.0.0.1:$KEYWORDS_ADMIN_PORT/metrics,voting=http://127.0.0.1:$VOTING_ADMIN_PORT/metrics,gateway=http://127.0.0.1:$GATEWAY_ADMIN_PORT/metrics"
echo "BKK_E2E_READY"

# Stay up until told to stop, or until the parent process goes away.
while true; do
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { log "a service exited"; tail -n 20 "$DIR"/*.log >&2; exit 1; }
  done
  kill -0 "$PPID" 2>/dev/null || exit 0
  sleep 1 &
  wait $! || true
done
