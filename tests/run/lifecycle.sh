#!/usr/bin/env bash
# `./bkk run` as people stop it: Ctrl-C (SIGINT to the whole process group,
# as a terminal, a supervisor or `timeout` sends it), SIGINT to the run alone,
# SIGTERM, a service
# crashing under it, SIGINT while it is still starting, and the run itself
# killed with SIGKILL (the next run must find and stop what it left). After
# each, no process the run started may be left. At the first "ready" every
# backend's route must answer (readiness covers every gRPC connection).
# Usage: lifecycle.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/deploy/local/datastores.sh"
export BKK_BUILD_DIR="${1:-${BKK_BUILD_DIR:-$ROOT/build}}"
export BKK_SKIP_BUILD=1
WORK="$(mktemp -d /tmp/bkk-lifecycle.XXXXXX)"
chmod 755 "$WORK"
export BKK_RUN_DIR="$WORK/run"
export PG_PORT="$(free_port)" REDIS_PORT="$(free_port)" BKK_BUDGET_PORT="$(free_port)"
export BKK_KEYWORDS_PORT="$(free_port)" BKK_VOTING_PORT="$(free_port)" BKK_HTTP_PORT="$(free_port)"
export BKK_ADMIN_PORT_BASE=0
URL="http://127.0.0.1:$BKK_HTTP_PORT"
FAILURES=0
RUN_PID=""

fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
say() { echo "--- $*"; }

# Whatever a failed check left running is stopped here, so the test never
# leaks a stack into the next one.
cleanup() {
  [[ -n "$RUN_PID" ]] && kill -KILL -- "-$RUN_PID" 2>/dev/null
  for f in "$BKK_RUN_DIR/run.pids"; do
    [[ -f "$f" ]] && while read -r pid _; do kill -KILL "$pid" 2>/dev/null; done <"$f"
  done
  stop_redis "$BKK_RUN_DIR/redis"
  stop_postgres "$BKK_RUN_DIR/postgres"
  rm -rf "$WORK"
}
trap cleanup EXIT

# The first answer after ready, for each backend: no 503 from a connection
# still reconnecting.
check_first_answers() {
  local route code
  for route in /v1/rounds /v1/budget/overview "/v1/keywords/top?limit=5"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$URL$route")"
    [[ "$code" == 200 ]] || fail "first $route after ready answered $code"
  done
}

# start LOG: `./bkk run` in its own process group. Polls /readyz itself as
# fast as curl goes and, at the first 200, asks every backend at once; then
# waits for the run to say "ready".
start() {
  local log="$1" first_ready=0
  setsid "$ROOT/bkk" run >"$log" 2>&1 &
  RUN_PID=$!
  for _ in $(seq 3000); do
    if ((!first_ready)) && curl -fs -o /dev/null "$URL/readyz" 2>/dev/null; then
      first_ready=1
      check_first_answers
    fi
    if grep -q "ready: open" "$log"; then
      # The run saw ready first: its word is the first ready.
      ((first_ready)) || check_first_answers
      return 0
    fi
    alive "$RUN_PID" || break
    sleep 0.02
  done
  fail "./bkk run did not become ready"; cat "$log"; return 1
}

# Every process this run started: services, PostgreSQL, Redis.
started_pids() {
  local pids=()
  while read -r pid name _; do [[ "$name" == bkk ]] || pids+=("$pid"); done <"$BKK_RUN_DIR/run.pids"
  pids+=("$(head -1 "$BKK_RUN_DIR/postgres/postmaster.pid")" "$(cat "$BKK_RUN_DIR/redis/redis.pid")")
  echo "${pids[@]}"
}

# expect_all_stopped WHAT PIDS…: ./bkk run has exited and none of PIDS runs.
expect_all_stopped() {
  local what="$1" pid
  shift
  for _ in $(seq 400); do alive "$RUN_PID" || break; sleep 0.1; done
  if alive "$RUN_PID"; then fail "$what: ./bkk run still running 40 s later"; return; fi
  wait "$RUN_PID" 2>/dev/null || true
  for pid in "$@"; do
    if alive "$pid"; then fail "$what: pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-60)) left running"; fi
  done
  RUN_PID=""
}

say "Ctrl-C: SIGINT to the whole process group"
start "$WORK/1.log"
pids=($(started_pids))
kill -INT -- "-$RUN_PID"
expect_all_stopped "group SIGINT" "${pids[@]}"
grep -q "stopped: services, PostgreSQL and Redis" "$WORK/1.log" || fail "group SIGINT: no 'stopped' line"

say "SIGINT to ./bkk run alone (a supervisor that signals the process, not the group)"
start "$WORK/1b.log"
pids=($(started_pids))
kill -INT "$RUN_PID"
expect_all_stopped "SIGINT to the run" "${pids[@]}"

say "SIGTERM to ./bkk run alone"
start "$WORK/2.log"
pids=($(started_pids))
kill -TERM "$RUN_PID"
expect_all_stopped "SIGTERM" "${pids[@]}"

say "a service crashing (kill -9 voting)"
start "$WORK/3.log"
pids=($(started_pids))
voting_pid="$(awk '$2 == "voting" {print $1}' "$BKK_RUN_DIR/run.pids")"
kill -KILL "$voting_pid"
expect_all_stopped "voting crashed" "${pids[@]}"
grep -q "voting stopped; see" "$WORK/3.log" || fail "voting crashed: the run did not say which service stopped"

say "SIGINT to the group while starting, then a second one during the cleanup"
setsid "$ROOT/bkk" run >"$WORK/4.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 600); do grep -q "importing the default dataset" "$WORK/4.log" && break; sleep 0.05; done
kill -INT -- "-$RUN_PID"
sleep 0.2
kill -INT -- "-$RUN_PID" 2>/dev/null || true
pids=()
[[ -f "$BKK_RUN_DIR/postgres/postmaster.pid" ]] && pids+=("$(head -1 "$BKK_RUN_DIR/postgres/postmaster.pid")")
[[ -f "$BKK_RUN_DIR/redis/redis.pid" ]] && pids+=("$(cat "$BKK_RUN_DIR/redis/redis.pid")")
expect_all_stopped "SIGINT while starting" "${pids[@]}"

say "./bkk run killed with SIGKILL; the next run finds what it left"
start "$WORK/5.log"
pids=($(started_pids))
kill -KILL "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
for pid in "${pids[@]}"; do alive "$pid" || fail "SIGKILL: $pid should still run before the next start"; done
start "$WORK/6.log"
grep -q "PostgreSQL (pid .*) is left from an earlier run" "$WORK/6.log" || fail "next run: PostgreSQL leftover not named"
grep -q "Redis (pid .*) is left from an earlier run" "$WORK/6.log" || fail "next run: Redis leftover not named"
grep -q "voting (pid .*) is left from an earlier run" "$WORK/6.log" || fail "next run: voting leftover not named"
for pid in "${pids[@]}"; do alive "$pid" && fail "next run: leftover pid $pid still running"; done
pids=($(started_pids))
kill -INT -- "-$RUN_PID"
expect_all_stopped "after the leftovers" "${pids[@]}"

if ((FAILURES)); then
  echo "$FAILURES check(s) failed; logs:"
  tail -n 5 "$WORK"/*.log
  exit 1
fi
echo "every way of stopping ./bkk run stopped everything it started"
