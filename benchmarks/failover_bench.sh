#!/usr/bin/env bash
# Authority failover on a PostgreSQL store (issue 18): an authority with N
# queued runs (queued with `fabro-orchestrator bench --start`, 16
# connections, --max-concurrent-runs 0) and a follower on the same store;
# the authority is SIGKILLed and the follower timed from the kill:
#   * until it logs that it is the queue authority (it took the lock,
#     recovered the queue and published its endpoint);
#   * until the newest run answers there with the position the authority
#     gave it.
# PostgreSQL is private (benchmarks/lib_postgres.sh). Builds nothing.
#
# Usage: benchmarks/failover_bench.sh [-n LIST] [-r REPEATS] [-b BIN] [-k]
#   -n LIST   queued runs, comma separated (default 1000,20000)
#   -r N      repeats per size (default 3)
#   -b BIN    server binary (default build/fabro-orchestrator)
#   -k        keep the temp dir
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=1000,20000; REPEATS=3; BIN=$ROOT/build/fabro-orchestrator; KEEP=0
while getopts "n:r:b:k" o; do
  case $o in
    n) SIZES=$OPTARG ;; r) REPEATS=$OPTARG ;; b) BIN=$OPTARG ;; k) KEEP=1 ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
die() { echo "failover_bench: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "no server binary at $BIN"
TMP=$(mktemp -d /tmp/failover_bench.XXXXXX)
TOKEN=fabro_dev_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  stop_postgres
  if [ "$KEEP" = 1 ]; then echo "temp dir kept: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 10000 + RANDOM % 20000 ))
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return; }
  done
  die "no free port found"
}
. "$ROOT/benchmarks/lib_postgres.sh"
start_postgres
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
# start_server NAME URL -> background server, its pid in LAST_PID, log in $TMP/NAME.log
start_server() {
  FABRO_DEV_TOKEN=$TOKEN "$BIN" serve --bind 127.0.0.1:0 --data-dir "$TMP/$1" --store "$2" \
    --node-id "$1" --max-concurrent-runs 0 > "$TMP/$1.log" 2>&1 &
  LAST_PID=$!; PIDS+=("$LAST_PID")
}
port_of() { sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$TMP/$1.log" | head -1; }
has_port() { test -n "$(port_of "$1")"; }
wait_for() {  # wait_for SECS COMMAND...: polls every 10 ms
  local end; end=$(awk -v n="$(now)" -v s="$1" 'BEGIN{printf "%.3f", n+s}'); shift
  until "$@"; do
    awk -v n="$(now)" -v e="$end" 'BEGIN{exit !(n > e)}' && return 1
    sleep 0.01
  done
}
get() { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1$2"; }

echo "# failover_bench $(date -u +%FT%TZ) $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in ${SIZES//,/ }; do
  for r in $(seq 1 "$REPEATS"); do
    db=f_${n}_$r; psql_at postgres "CREATE DATABASE $db" || die "create database"
    url=$(pg_url "$db")
    start_server "a$n-$r" "$url"; A=$LAST_PID
    wait_for 30 has_port "a$n-$r" || die "authority did not start"
    ap=$(port_of "a$n-$r")
    "$BIN" bench --server "http://127.0.0.1:$ap" --token "$TOKEN" --runs "$n" --start \
      --connections 16 --manifest "$ROOT/benchmarks/manifest.json" --json > "$TMP/bench.json" ||
      die "queueing failed"
    # The newest run and the position the authority gives it.
    last=$(get "$ap" "/api/v1/runs?page%5Blimit%5D=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
    pos=$(get "$ap" "/api/v1/runs/$last" | grep -o '"queue_position":[0-9]*' | cut -d: -f2)
    start_server "b$n-$r" "$url"; B=$LAST_PID
    wait_for 30 grep -q "follower: node" "$TMP/b$n-$r.log" || die "no follower"
    bp=$(port_of "b$n-$r")
    t0=$(now); kill -KILL "$A"
    wait_for 60 grep -q "queue authority of" "$TMP/b$n-$r.log" || die "the follower did not take over"
    t_lead=$(since "$t0")
    wait_for 60 sh -c "curl -s -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$bp/api/v1/runs/$last | grep -q '\"queue_position\":$pos[,}]'" ||
      die "the newest run is not at position $pos after the failover"
    t_pos=$(since "$t0")
    printf '  queued %7s  repeat %s  authority %6s s  newest run at its position (%s): %6s s\n' \
      "$n" "$r" "$t_lead" "$pos" "$t_pos"
    kill -TERM "$B"; wait "$B" 2>/dev/null
  done
done
