#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for `./bkk run` and `./bkk test`, in a
# folder of the caller's choosing, bound to 127.0.0.1 only. Sourced by ./bkk.
# PostgreSQL refuses to run as root, so its folder belongs to `postgres`.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
  local state
  [[ -r "/proc/$1/stat" ]] || return 1
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != Z ]]
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_postgres DIR PORT: creates the cluster on first use, then starts it.
# PG_EXTRA_OPTIONS adds server options (benchmarks load pg_stat_statements).
start_postgres() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log"; return 1; }
  fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300 -c shared_buffers=256MB ${PG_EXTRA_OPTIONS:-}" \
    start >/dev/null || { tail -20 "$dir/server.log"; return 1; }
}

stop_postgres() {
  local dir="$1"
  [[ -f "$dir/postmaster.pid" ]] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# start_redis DIR PORT: an in-memory Redis (tallies are a cache of PostgreSQL).
start_redis() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis did not start; see $dir/redis.log"; return 1
}

stop_redis() {
  local dir="$1"
  [[ -f "$dir/redis.pid" ]] || return 0
  kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  rm -f "$dir/redis.pid"
}
