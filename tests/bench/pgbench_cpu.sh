# Sourced by the benchmarks whose target is CPU per durable ballot: the
# baseline, PostgreSQL's own CPU per pgbench one-row-INSERT transaction
# (synchronous commit on) on the cluster the services use, in the same run.
# Needs DIR (a work folder), PG (its URL), PG_PID (its postmaster) and
# PGBENCH_TXNS (transactions per measurement, default 40,000).
PGBENCH_TXNS="${PGBENCH_TXNS:-40000}"

pgbench_setup() {
  [[ "$(psql "$PG" -Atc 'SHOW synchronous_commit')" == on ]] || { echo "synchronous_commit is not on"; return 1; }
  [[ "$(psql "$PG" -Atc 'SHOW fsync')" == on ]] || { echo "fsync is not on"; return 1; }
  psql "$PG" -qc "DROP TABLE IF EXISTS bench_votes" 2>/dev/null
  psql "$PG" -qc "CREATE TABLE bench_votes (id bigserial PRIMARY KEY, voter bigint NOT NULL,
    proposal bigint NOT NULL, cast_at timestamptz DEFAULT now())"
  cat >"$DIR/vote.sql" <<'SQL'
\set voter random(1, 1000000000)
\set proposal random(1, 500)
INSERT INTO bench_votes (voter, proposal) VALUES (:voter, :proposal);
SQL
}

# pgbench_cpu CLIENTS: prints "tps pg_us_per_txn client_us_per_txn". A run of
# one transaction per client is subtracted from the full run, so connecting
# the clients (a backend start each) is not charged to the transactions.
pgbench_cpu() {
  local c="$1" per=$((PGBENCH_TXNS / $1)) out
  python3 "$BKK_ROOT/tests/bench/cpu.py" --group postgres="tree:$PG_PID" --out "$DIR/pgb-start.json" -- \
    pgbench -n -c "$c" -j 2 -t 1 -f "$DIR/vote.sql" "$PG" >/dev/null 2>&1
  out="$(python3 "$BKK_ROOT/tests/bench/cpu.py" --group postgres="tree:$PG_PID" --out "$DIR/pgb-full.json" -- \
    pgbench -n -c "$c" -j 2 -t "$per" -f "$DIR/vote.sql" "$PG" 2>/dev/null)"
  grep -q "number of failed transactions: 0" <<<"$out" || { echo "pgbench failed: $out" >&2; return 1; }
  python3 - "$DIR/pgb-start.json" "$DIR/pgb-full.json" "$c" "$per" "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")" <<'PY'
import json, sys
start, full = (json.load(open(p)) for p in sys.argv[1:3])
clients, per, tps = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
txns = clients * (per - 1)
print(f"{tps:.0f} {(full['postgres_s'] - start['postgres_s']) / txns * 1e6:.1f} "
      f"{(full['client_s'] - start['client_s']) / txns * 1e6:.1f}")
PY
}
