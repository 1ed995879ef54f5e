#!/usr/bin/env bash
# Restart at scale (issue 13): a store of N runs, half queued and half
# completed (bench_seed_store writes it the way a long-lived server leaves
# it), then the server is started on it and timed from its exec:
#   * until GET /health answers 200;
#   * until the first, middle and last queued runs answer GET /runs/{id}
#     with their exact positions (1, N/4, N/2: --max-concurrent-runs 0);
#   * in a second start with --max-concurrent-runs 1, until the head of the
#     queue has been admitted (its status is no longer queued).
# Also the server's VmRSS once serving. Builds nothing; expects a Release
# build dir with bench_seed_store next to the server.
#
# Usage: benchmarks/restart_bench.sh [-n RUNS] [-b BUILD_DIR] [-k]
#   -n RUNS       runs in the store (env RUNS, default 1000000)
#   -b BUILD_DIR  where fabro-orchestrator and bench_seed_store are (default build-rel)
#   -k            keep the temp dir
set -euo pipefail
RUNS=${RUNS:-1000000}; BUILD=${BUILD:-build-rel}; KEEP=0
while getopts "n:b:k" o; do
  case $o in
    n) RUNS=$OPTARG ;; b) BUILD=$OPTARG ;; k) KEEP=1 ;; *) sed -n 2,17p "$0"; exit 2 ;;
  esac
done
TMP=$(mktemp -d /tmp/restart-bench.XXXXXX)
TOKEN="fabro_dev_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [[ $KEEP == 1 ]] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
now() { date +%s.%N; }

t0=$(now)
"$BUILD/bench_seed_store" "$TMP/data" "$RUNS" benchmarks/manifest.json "$TMP/queued"
echo "seeded $RUNS runs ($(wc -l <"$TMP/queued") queued) in $(echo "$(now) - $t0" | bc) s;" \
  "store $(du -sm "$TMP/data" | cut -f1) MiB"
QUEUED=$(wc -l <"$TMP/queued")
FIRST=$(sed -n 1p "$TMP/queued"); MID_N=$(( (QUEUED + 1) / 2 ))
MID=$(sed -n "${MID_N}p" "$TMP/queued"); LAST=$(tail -1 "$TMP/queued")

start_server() {  # $1 = max concurrent runs
  : >"$TMP/server.log"
  START=$(now)
  FABRO_DEV_TOKEN=$TOKEN "$BUILD/fabro-orchestrator" serve --bind 127.0.0.1:0 \
    --data-dir "$TMP/data" --max-concurrent-runs "$1" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=
  while [[ -z $PORT ]]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log"; exit 1; }
    PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$TMP/server.log" | head -1 | cut -d: -f2 || true)
    sleep 0.01
  done
  URL=http://127.0.0.1:$PORT
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }
get() { curl -fsS -H "Authorization: Bearer $TOKEN" "$URL$1" 2>/dev/null || true; }
position() { get "/api/v1/runs/$1" | grep -oE '"queue_position":[0-9]+' | cut -d: -f2; }

start_server 0
until [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/health") == 200 ]]; do sleep 0.01; done
HEALTH=$(echo "$(now) - $START" | bc)
until [[ $(position "$FIRST") == 1 && $(position "$MID") == "$MID_N" && \
         $(position "$LAST") == "$QUEUED" ]]; do sleep 0.01; done
POSITIONS=$(echo "$(now) - $START" | bc)
RSS=$(awk '/^VmRSS/ {print $2}' /proc/$SERVER_PID/status)
echo "max-concurrent-runs 0: /health 200 after $HEALTH s; positions 1, $MID_N, $QUEUED exact after $POSITIONS s; VmRSS $RSS KiB"
stop_server

start_server 1
until get "/api/v1/runs/$FIRST" | grep -qE '"status":"(starting|running|completed|failed)"'; do sleep 0.01; done
echo "max-concurrent-runs 1: the head was admitted $(echo "$(now) - $START" | bc) s after the exec"
stop_server
