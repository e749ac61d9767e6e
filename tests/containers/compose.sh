#!/usr/bin/env bash
# The deployment as it ships, run by a real Docker engine: builds the images
# (the runtime images take this machine's build, see images.sh), starts
# deploy/compose.yaml with docker-compose, waits for health, checks each of
# our containers runs as uid 10001 with a read-only root and no capabilities
# (from the kernel's view of its process, not only the config), runs the API e2e suite (tests/api) against
# the Compose gateway, casts ballots, kills the voting container,
# starts it again and checks no acknowledged ballot is lost, then tears
# everything down. Starts dockerd if none runs, and stops it after (by PID).
# Usage: compose.sh [BUILD_DIR]    (ctest label: containers)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_DIR="${1:-${BKK_BUILD_DIR:-$ROOT/build}}"
source "$ROOT/deploy/local/datastores.sh"  # free_port
export PATH="/usr/bin:$PATH"                # the 20.10 client and docker-compose 1.29
DOCKER=/usr/bin/docker
PROJECT="bkkct$$"
WORK="$(mktemp -d)"
DOCKERD_PID=""
FAILURES=0
START=$SECONDS
log() { printf '\033[1m[containers]\033[0m %s\n' "$*"; }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }

export BKK_PG_PASSWORD BKK_ADMIN_TOKEN BKK_VOTER_KEY
BKK_PG_PASSWORD="$(openssl rand -hex 16)"
BKK_ADMIN_TOKEN="$(openssl rand -hex 32)"
BKK_VOTER_KEY="$(openssl rand -hex 32)"
export BKK_COMPOSE_HTTP_PORT BKK_COMPOSE_BUDGET_PORT BKK_COMPOSE_KEYWORDS_PORT BKK_COMPOSE_VOTING_PORT
BKK_COMPOSE_HTTP_PORT="$(free_port)" BKK_COMPOSE_BUDGET_PORT="$(free_port)"
BKK_COMPOSE_KEYWORDS_PORT="$(free_port)" BKK_COMPOSE_VOTING_PORT="$(free_port)"
export BKK_COMPOSE_PG_PORT BKK_COMPOSE_BUDGET_ADMIN_PORT BKK_COMPOSE_KEYWORDS_ADMIN_PORT BKK_COMPOSE_VOTING_ADMIN_PORT \
  BKK_COMPOSE_GATEWAY_ADMIN_PORT
BKK_COMPOSE_PG_PORT="$(free_port)" BKK_COMPOSE_BUDGET_ADMIN_PORT="$(free_port)"
BKK_COMPOSE_KEYWORDS_ADMIN_PORT="$(free_port)" BKK_COMPOSE_VOTING_ADMIN_PORT="$(free_port)"
BKK_COMPOSE_GATEWAY_ADMIN_PORT="$(free_port)"
URL="http://127.0.0.1:$BKK_COMPOSE_HTTP_PORT"
LOG_PIDS=()
# The shipped file plus what the API suite needs to look inside (compose.e2e.yaml).
compose() {
  docker-compose -p "$PROJECT" -f "$ROOT/deploy/compose.yaml" -f "$ROOT/tests/containers/compose.e2e.yaml" "$@"
}

cleanup() {
  for pid in "${LOG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  compose logs --no-color >"$WORK/compose.log" 2>&1 || true
  ((FAILURES)) && tail -n 40 "$WORK/compose.log"
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  if [[ -n "$DOCKERD_PID" ]]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! "$DOCKER" info >/dev/null 2>&1; then
  # 77: ctest's skip; no engine here (not installed, or not allowed to start).
  command -v dockerd >/dev/null || { echo "skip: no Docker engine (apt-get install docker.io)"; exit 77; }
  log "starting dockerd"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 300); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.1; done
  "$DOCKER" info >/dev/null 2>&1 || { tail -5 "$WORK/dockerd.log"; echo "skip: dockerd cannot start here"; exit 77; }
fi

log "building the images (runtime images from this machine's build)"
bash "$ROOT/deploy/docker/images.sh" --host-binaries "$BUILD_DIR" | tee "$WORK/images.txt"
for name in budget-data keyword-analytics voting gateway; do
  bytes="$("$DOCKER" image inspect -f '{{.Size}}' "bkkbudget/$name:local")"
  ((bytes < 150000000)) || fail "bkkbudget/$name:local is $((bytes / 1000000)) MB (limit 150 MB)"
  # Every shared library resolves inside the image (also guarded at build time).
  "$DOCKER" run --rm --entrypoint ldd "bkkbudget/$name:local" "$("$DOCKER" image inspect -f '{{index .Config.Entrypoint 0}}' "bkkbudget/$name:local")" |
    grep -q 'not found' && fail "bkkbudget/$name:local: a shared library is missing"
done

log "the Kubernetes manifests against the built images"
node "$ROOT/tests/k8s/images.mjs" | tail -1 | grep -q ', 0 failed' || { node "$ROOT/tests/k8s/images.mjs" | grep -v '^ok'; fail "manifests and images disagree"; }

log "docker-compose up ($PROJECT)"
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "docker-compose up failed"; exit 1; }
for _ in $(seq 600); do curl -fs -o /dev/null "$URL/readyz" && break; sleep 0.1; done
curl -fs -o /dev/null "$URL/readyz" || { fail "the stack is not ready after 60 s: $(curl -s "$URL/readyz")"; exit 1; }
log "ready after $((SECONDS - START)) s"

log "our containers: uid 10001, read-only root, no capabilities (kernel's view)"
for service in budget-data keyword-analytics voting gateway; do
  id="$(compose ps -q "$service")"
  [[ -n "$id" ]] || { fail "$service has no container"; continue; }
  pid="$("$DOCKER" inspect -f '{{.State.Pid}}' "$id")"
  uid="$(awk '/^Uid:/ {print $2 ":" $3}' "/proc/$pid/status")"
  caps="$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")"
  bounding="$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status")"
  readonly_root="$("$DOCKER" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$id")"
  [[ "$uid" == 10001:10001 ]] || fail "$service runs as uid:euid $uid"
  [[ "$caps" == 0000000000000000 && "$bounding" == 0000000000000000 ]] || fail "$service has capabilities (eff $caps, bounding $bounding)"
  [[ "$readonly_root" == true ]] || fail "$service has a writable root filesystem"
  if "$DOCKER" exec "$id" sh -c 'touch /usr/local/bin/x' 2>/dev/null; then fail "$service could write to its root filesystem"; fi
done

log "the API e2e suite (tests/api) against the Compose gateway"
# Operators made as an operator would: `voting operator add`, here in a one-off container.
add_operator() { compose run --rm --no-deps -T voting operator add "$1" --role "$2" 2>/dev/null | tail -1; }
ADMIN_KEY="$(add_operator e2e-admin moderator,round-admin,data-admin,tracker)"
MODERATOR_KEY="$(add_operator e2e-moderator moderator)"
TRACKER_KEY="$(add_operator e2e-tracker tracker)"
mkdir -p "$WORK/logs"
for service in gateway voting budget-data keyword-analytics; do
  : >"$WORK/logs/$service.log"
  "$DOCKER" logs -f "$(compose ps -q "$service")" >"$WORK/logs/$service.log" 2>&1 &
  LOG_PIDS+=($!)
done
metrics="budget=http://127.0.0.1:$BKK_COMPOSE_BUDGET_ADMIN_PORT/metrics,keywords=http://127.0.0.1:$BKK_COMPOSE_KEYWORDS_ADMIN_PORT/metrics"
metrics+=",voting=http://127.0.0.1:$BKK_COMPOSE_VOTING_ADMIN_PORT/metrics,gateway=http://127.0.0.1:$BKK_COMPOSE_GATEWAY_ADMIN_PORT/metrics"
cat >"$WORK/stack.txt" <<STACK
BKK_E2E_URL=$URL
BKK_E2E_ADMIN_TOKEN=$ADMIN_KEY
BKK_E2E_MODERATOR_KEY=$MODERATOR_KEY
BKK_E2E_TRACKER_KEY=$TRACKER_KEY
BKK_E2E_PG_URL=postgresql://bkk:$BKK_PG_PASSWORD@127.0.0.1:$BKK_COMPOSE_PG_PORT/bkk
BKK_E2E_LOG_DIR=$WORK/logs
BKK_E2E_METRICS=$metrics
BKK_E2E_READY
STACK
BKK_E2E_STACK_FILE="$WORK/stack.txt" BKK_BUILD_DIR="$BUILD_DIR" timeout 600 node --test "$ROOT/tests/api/" >"$WORK/api.log" 2>&1 ||
  { grep -A14 "^not ok" "$WORK/api.log" | head -40; fail "the API e2e suite against the Compose stack"; }
grep -E "^# (tests|pass|fail)" "$WORK/api.log" | tr '\n' ' '; echo

log "ballots, then docker kill voting, then start it again"
node "$ROOT/tests/containers/ballots.mjs" cast "$URL" "$ADMIN_KEY" 40 "$WORK/receipts.txt" || fail "casting ballots"
"$DOCKER" kill "$(compose ps -q voting)" >/dev/null
compose start voting >/dev/null 2>&1
for _ in $(seq 600); do curl -fs -o /dev/null "$URL/readyz" && break; sleep 0.1; done
node "$ROOT/tests/containers/ballots.mjs" verify "$URL" "$WORK/receipts.txt" || fail "acknowledged ballots lost after docker kill"

log "image sizes:"
grep -E '^\s+bkkbudget/' "$WORK/images.txt" || true
if ((FAILURES)); then
  echo "containers: $FAILURES check(s) failed"
  exit 1
fi
echo "containers: every check passed in $((SECONDS - START)) s"
