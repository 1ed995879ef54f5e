#!/usr/bin/env bash
# Queue at scale (issue 5, DESIGN §8): queue N runs with
# `POST /api/v1/runs?start=true` on a server started with
# --max-concurrent-runs 0 (nothing ever leaves the queue), then report
#   * RSS per queued run: VmRSS of the server after minus before, over N;
#   * position lookup: GET /api/v1/runs/{id} of queued runs spread over the
#     whole queue, one connection (light load), p50/p99;
#   * cancel of a queued run: POST /api/v1/runs/{id}/cancel, each id once,
#     one connection, p50/p99 (each cancel is durable: it commits
#     run.cancel.requested + run.failed before answering).
# Builds nothing; a Release/RelWithDebInfo binary is expected.
#
# Usage: benchmarks/queue_bench.sh [-n RUNS] [-c CONNS] [-s SAMPLES] [-b BIN] [-k]
#   -n RUNS     runs to queue (env RUNS, default 1000000)
#   -c CONNS    client connections for the queueing phase (env CONNS, default 16)
#   -s SAMPLES  ids sampled for the lookup and cancel phases (env SAMPLES, default 2000)
#   -d SECS     seconds of position lookups (env LOOKUP_SECS, default 10)
#   -b BIN      server binary (env FABRO_BIN, default build/fabro-orchestrator)
#   -k          keep the temp dir
# Needs wrk and curl. Run from the repository root.
set -euo pipefail
RUNS=${RUNS:-1000000}; CONNS=${CONNS:-16}; SAMPLES=${SAMPLES:-2000}
LOOKUP_SECS=${LOOKUP_SECS:-10}; FABRO_BIN=${FABRO_BIN:-build/fabro-orchestrator}; KEEP=0
while getopts "n:c:s:d:b:k" o; do
  case $o in
    n) RUNS=$OPTARG ;; c) CONNS=$OPTARG ;; s) SAMPLES=$OPTARG ;; d) LOOKUP_SECS=$OPTARG ;;
    b) FABRO_BIN=$OPTARG ;; k) KEEP=1 ;; *) sed -n 2,20p "$0"; exit 2 ;;
  esac
done
LUA=benchmarks/queue_post.lua
TMP=$(mktemp -d /tmp/queue-bench.XXXXXX)
TOKEN="fabro_dev_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [[ $KEEP == 1 ]] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT

FABRO_DEV_TOKEN=$TOKEN "$FABRO_BIN" serve --bind 127.0.0.1:0 --data-dir "$TMP/data" \
  --max-concurrent-runs 0 >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PORT=
for _ in $(seq 100); do
  PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$TMP/server.log" | head -1 | cut -d: -f2 || true)
  [[ -n $PORT ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || { cat "$TMP/server.log"; exit 1; }
URL=http://127.0.0.1:$PORT
AUTH="Authorization: Bearer $TOKEN"
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/$SERVER_PID/status; }

# One run end to end first (checks the body, warms up allocators), then RSS.
curl -fsS -H "$AUTH" -d @benchmarks/manifest.json "$URL/api/v1/runs?start=true" >/dev/null
RSS0=$(rss_kib)

export FABRO_BENCH_TOKEN=$TOKEN FABRO_BENCH_BODY=benchmarks/manifest.json
THREADS=2; (( CONNS < 2 )) && THREADS=1
PER_CONN=$(( (RUNS + CONNS - 1) / CONNS ))
# wrk stops a thread after FABRO_QB_COUNT responses; one connection per thread
# would need CONNS threads, so count per thread and let connections share it.
START=$(date +%s.%N)
newest_position() {
  curl -fsS -H "$AUTH" "$URL/api/v1/runs?page%5Blimit%5D=1" | grep -oE '"queue_position":[0-9]+' | cut -d: -f2
}
# wrk threads stop after their share, but wrk itself runs to -d: watch the
# queue and interrupt wrk (SIGINT: it prints its summary) once all are in.
FABRO_QB_MODE=create FABRO_QB_COUNT=$(( (RUNS - 1 + THREADS - 1) / THREADS )) \
  wrk -t"$THREADS" -c"$CONNS" -d3600s --timeout 60s -s "$LUA" "$URL" >"$TMP/create.txt" &
WRK_PID=$!
while kill -0 "$WRK_PID" 2>/dev/null; do
  sleep 1
  (( $(newest_position || echo 0) >= RUNS )) && { kill -INT "$WRK_PID"; break; }
done
wait "$WRK_PID" || true
END=$(date +%s.%N)
RSS1=$(rss_kib)
QUEUED=$(newest_position)
grep RESULT "$TMP/create.txt"
echo "queued runs: $QUEUED (newest has queue_position $QUEUED) in $(echo "$END - $START" | bc) s"
echo "RSS: before $RSS0 KiB, after $RSS1 KiB, per queued run $(( (RSS1 - RSS0) * 1024 / QUEUED )) bytes"

# Sample ids spread over the queue: one page of 1 at evenly spaced offsets.
: >"$TMP/ids"
for i in $(seq 0 $(( SAMPLES - 1 ))); do
  off=$(( i * QUEUED / SAMPLES ))
  curl -fsS -H "$AUTH" "$URL/api/v1/runs?page%5Blimit%5D=1&page%5Boffset%5D=$off" |
    grep -oE '"id":"[0-9A-Z]{26}"' | head -1 | cut -d'"' -f4 >>"$TMP/ids"
done
echo "sampled $(wc -l <"$TMP/ids") ids"

FABRO_QB_MODE=get FABRO_QB_IDS=$TMP/ids \
  wrk -t1 -c1 -d"${LOOKUP_SECS}s" --timeout 10s -s "$LUA" "$URL" >"$TMP/get.txt"
echo -n "position lookup (GET /runs/{id}, 1 conn): "; grep RESULT "$TMP/get.txt"

FABRO_QB_MODE=cancel FABRO_QB_IDS=$TMP/ids \
  wrk -t1 -c1 -d600s --timeout 10s -s "$LUA" "$URL" >"$TMP/cancel.txt" &
WRK_PID=$!
# Each id once: interrupt wrk when the newest sampled run is cancelled.
LAST=$(tail -1 "$TMP/ids")
while kill -0 "$WRK_PID" 2>/dev/null; do
  sleep 0.5
  curl -fsS -H "$AUTH" "$URL/api/v1/runs/$LAST" | grep -q '"status":"cancelled"' && { sleep 0.2; kill -INT "$WRK_PID"; break; }
done
wait "$WRK_PID" || true
echo -n "cancel of a queued run (1 conn): "; grep RESULT "$TMP/cancel.txt"
echo "RSS at the end: $(rss_kib) KiB"
