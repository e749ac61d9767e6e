#!/usr/bin/env bash
# Offline checks of deploy/observability: the Prometheus configuration and
# alert rules parse (promtool), each alert fires on the failure it is about
# and not on healthy series (promtool test rules alerts_test.yaml), every
# dashboard query is valid PromQL (checked as recording rules), and every
# metric the alerts and the dashboard name is one the code exports.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$ROOT/deploy/observability"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
check() {  # check NAME COMMAND...: one line per check
  local name="$1"
  shift
  if out="$("$@" 2>&1)"; then
    echo "ok   $name"
  else
    echo "FAIL $name"
    echo "$out" | sed 's/^/     /' | tail -20
    failures=$((failures + 1))
  fi
}

command -v promtool >/dev/null || { echo "promtool missing: apt-get install prometheus (./bkk deps)"; exit 2; }
check "prometheus.yaml and the rules it loads parse" promtool check config "$DIR/prometheus.yaml"
check "alerts.yaml parses" promtool check rules "$DIR/alerts.yaml"
check "each alert fires on its failure and only then (alerts_test.yaml)" \
  bash -c "cd '$DIR' && promtool test rules alerts_test.yaml"

# Dashboard queries as recording rules, so promtool parses each one.
python3 - "$DIR/grafana-voting-day.json" >"$WORK/dashboard-rules.yaml" <<'PY'
import json, sys
dash = json.load(open(sys.argv[1]))
print("groups:\n  - name: dashboard\n    rules:")
for p in dash["panels"]:
    for t in p.get("targets", []):
        print(f"      - record: dashboard:panel{p['id']}_{t['refId']}")
        print(f"        expr: {json.dumps(t['expr'])}")
PY
check "every dashboard query is valid PromQL" promtool check rules "$WORK/dashboard-rules.yaml"

# Metric names used vs. exported: a histogram's _bucket/_count/_sum are its name.
used="$(grep -ohE 'bkk_[a-z0-9_]+' "$DIR/alerts.yaml" "$DIR/grafana-voting-day.json" | sed -E 's/_(bucket|count|sum)$//' | sort -u)"
missing=()
for name in $used; do
  grep -rqwF "$name" "$ROOT/common" "$ROOT/services" "$ROOT/gateway/core" "$ROOT/gateway/server" --include=*.cc ||
    missing+=("$name")
done
check "every metric named in alerts and dashboard is exported by the code ($(echo "$used" | wc -w) names)" \
  bash -c "[[ -z '${missing[*]}' ]] || { echo 'not exported: ${missing[*]}'; exit 1; }"

# Every alert has a runbook section.
for alert in $(grep -oE 'alert: [A-Za-z]+' "$DIR/alerts.yaml" | cut -d' ' -f2); do
  check "RUNBOOK.md explains $alert" grep -q "^## $alert" "$ROOT/deploy/RUNBOOK.md"
done

if ((failures)); then
  echo "observability: $failures check(s) failed"
  exit 1
fi
echo "observability: every check passed"
