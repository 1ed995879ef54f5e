#!/usr/bin/env bash
# CPU per request, by server thread: starts one server (fresh temp data dir,
# dev-token auth on), warms up 1 s with wrk, then reads every thread's
# utime+stime from /proc/PID/task/*/stat around a D-second wrk run and
# prints µs of CPU per answered request for each thread name (threads of
# one name summed: `http` = Pistache's, `caf.multiplexer` = CAF's workers
# in CAF 0.17, `journal` and `journal.sync` = the journal and its sync
# thread), with wrk's RESULT line. SIGTERMs the server at the end and says
# HANG if it had not exited 10 s later.
#
# Usage: benchmarks/thread_cpu.sh [-b BIN] [-c CONNS] [-d SECS] [-m post|health|start]
#   -m start posts to /api/v1/runs?start=true (the server gets
#   --max-concurrent-runs 0, so the runs stay queued).
# Builds nothing; needs wrk. Run it on a quiet machine.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/fabro-orchestrator
CONNS=64
SECS=5
MODE=post
while getopts "b:c:d:m:h" opt; do
  case $opt in
    b) BIN=$OPTARG ;;
    c) CONNS=$OPTARG ;;
    d) SECS=$OPTARG ;;
    m) MODE=$OPTARG ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "thread_cpu: wrk not found" >&2; exit 2; }
[ -x "$BIN" ] || { echo "thread_cpu: no server binary at $BIN" >&2; exit 2; }

TMP=$(mktemp -d /tmp/thread_cpu.XXXXXX)
PID=""
cleanup() {
  [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
  rm -rf "$TMP"
}
trap cleanup EXIT

TOKEN=fabro_dev_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
args=(serve --bind 127.0.0.1:0 --data-dir "$TMP/data")
path=/api/v1/runs
method=POST
case $MODE in
  post) ;;
  health) path=/health; method=GET ;;
  start) path="/api/v1/runs?start=true"; args+=(--max-concurrent-runs 0) ;;
  *) echo "thread_cpu: -m post|health|start" >&2; exit 2 ;;
esac
FABRO_DEV_TOKEN=$TOKEN "$BIN" "${args[@]}" > "$TMP/log" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$TMP/log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$TMP/log" >&2; echo "thread_cpu: server did not start" >&2; exit 1; }

export FABRO_BENCH_BODY=$ROOT/benchmarks/manifest.json FABRO_BENCH_TOKEN=$TOKEN
export FABRO_BENCH_METHOD=$method
URL="http://127.0.0.1:$PORT$path"
LUA=$ROOT/benchmarks/post_manifest.lua
wrk -t2 -c"$CONNS" -d1s -s "$LUA" "$URL" > /dev/null 2>&1

# name ticks, one line per thread
snap() {
  for t in /proc/"$PID"/task/*; do
    echo "$(tr ' ' '_' < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done
}
snap > "$TMP/before"
wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s -s "$LUA" "$URL" > "$TMP/wrk" 2>&1
snap > "$TMP/after"
grep '^RESULT ' "$TMP/wrk" || { cat "$TMP/wrk" >&2; exit 1; }
REQ=$(sed -n 's/^RESULT .*requests=\([0-9]*\).*/\1/p' "$TMP/wrk")
HZ=$(getconf CLK_TCK)
sum() { awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' "$1" | sort; }
join -a 2 -e 0 -o 0,1.2,2.2 <(sum "$TMP/before") <(sum "$TMP/after") |
  awk -v r="$REQ" -v hz="$HZ" -v mode="$MODE" -v c="$CONNS" '
    { d = ($3 - $2) / hz * 1e6 / r; t += d; if (d >= 0.05) printf "  %-18s %7.1f us/req\n", $1, d }
    END { printf "  %-18s %7.1f us/req  (%s, C=%s, %d requests)\n", "total", t, mode, c, r }'

kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then echo "  HANG: the server had not exited 10 s after SIGTERM"; fi
