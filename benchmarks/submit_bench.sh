#!/usr/bin/env bash
# Durable-submission benchmark: POST /api/v1/runs on fabro-orchestrator versus
# nginx answering a static 201, both on loopback, in the same invocation.
#
# Builds nothing: it expects an already built server binary
# (default build/fabro-orchestrator; a Release build is what you want, e.g.
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench -j2 --target fabro-orchestrator
#   benchmarks/submit_bench.sh --bin build-bench/fabro-orchestrator).
# Needs wrk (unless -g bench), nginx (nginx-light is enough), curl, and sqlite3
# (optional: without it the stored runs are counted over GET /api/v1/runs
# paging).
#
# For each connection count C and each repeat:
#   * ours:  a fresh server (`serve --bind 127.0.0.1:0`, fresh temp data dir),
#            one curl POST to check the body is accepted (201), a short warm-up,
#            then wrk for D seconds, then SIGTERM (must exit 0) and a count of
#            the runs in runs.db, compared with the 2xx count wrk saw;
#   * nginx: `return 201 '{...}'` for POST /api/v1/runs, config generated into
#            the temp dir (nothing under /etc/nginx is touched), same warm-up and
#            wrk run.
# Requests are what a plain HTTP/1.1 client sends: no Connection header
# (benchmarks/post_manifest.lua; HTTP/1.1 keeps the connection open by default).
# Each POST carries benchmarks/manifest.json (~1.1 KB, no run_id: every POST
# creates a run) and `Authorization: Bearer <dev token>`: the script makes a
# random dev token and gives it to the server as FABRO_DEV_TOKEN (servers
# without authentication ignore both).
#
# Usage: benchmarks/submit_bench.sh [options]
#   -c LIST   connection counts, comma separated   (env CONNS, default 64)
#   -d SECS   seconds per measurement               (env DURATION, default 10)
#   -r N      repeats per connection count          (env REPEATS, default 1)
#   -g GEN    load generator: wrk, or bench = our own `fabro-orchestrator
#             bench --json` (closed loop, same connections, threads, body and
#             token; post mode only)          (env GENERATOR, default wrk)
#   -G PATH   binary whose `bench` is used with -g bench (env BENCH_BIN, default the -b binary)
#   -t N      wrk threads (bench: --threads, at most 2) (env WRK_THREADS, default 2)
#   -w SECS   warm-up seconds, not measured, 0=off  (env WARMUP, default 1)
#   -b PATH   server binary                         (env FABRO_BIN, default build/fabro-orchestrator)
#   -T N      server --threads (HTTP threads)       (env SERVER_THREADS, default: server's own)
#   -A N      server actor_threads (via a YAML --config) (env ACTOR_THREADS, default: server's own)
#   -B PATH   baseline server binary (A/B): each repeat also measures it, right
#             before ours, and prints ours/baseline  (env BASE_BIN, default none)
#   -m MODES  post | health | post,health: health measures GET /health on ours
#             and a static 200 GET on nginx (no store involved); a list
#             measures each mode in every repeat    (env MODE, default post)
#   -o WHICH  both | ours | nginx                   (env ONLY, default both)
#   -S STORE  sqlite | postgres: postgres runs every server of ours on a fresh
#             database of a private PostgreSQL (initdb + pg_ctl into the temp
#             dir, as the postgres user when run as root; fsync and
#             synchronous_commit on, as a deployment has them), with
#             --store postgresql://…; stored runs are counted with psql
#             (env STORE, default sqlite)
#   -N N      postgres: N servers of ours on the one database (the first is
#             the queue authority, the others follow it: README "On
#             PostgreSQL"); the load is split evenly over them, one wrk per
#             server (C/N connections, one thread each); runs/s is the sum,
#             p50/p99/max the worst of them (wrk only) (env NODES, default 1)
#   -k        keep the temp dir (server logs, nginx conf) for inspection
#
# Prints, per measurement: runs/s (requests/s), latency p50/p99/max, non-2xx and
# socket errors; our throughput as a ratio of nginx's in the same repeat; and
# the stored-runs check. Exits non-zero if our server answered any non-2xx, had
# socket errors, did not exit 0, or stored fewer runs than it acknowledged.
# Kills only the PIDs it started and removes its temp dir.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
REPEATS=${REPEATS:-1}
WRK_THREADS=${WRK_THREADS:-2}
WARMUP=${WARMUP:-1}
FABRO_BIN=${FABRO_BIN:-$ROOT/build/fabro-orchestrator}
BASE_BIN=${BASE_BIN:-}
SERVER_THREADS=${SERVER_THREADS:-}
ACTOR_THREADS=${ACTOR_THREADS:-}
MODE=${MODE:-post}
ONLY=${ONLY:-both}
GENERATOR=${GENERATOR:-wrk}
BENCH_BIN=${BENCH_BIN:-}
KEEP=0
STORE=${STORE:-sqlite}
NODES=${NODES:-1}

while getopts "c:d:r:g:G:t:w:b:B:T:A:m:o:S:N:kh" opt; do
  case $opt in
    c) CONNS=$OPTARG ;;
    d) DURATION=$OPTARG ;;
    r) REPEATS=$OPTARG ;;
    g) GENERATOR=$OPTARG ;;
    G) BENCH_BIN=$OPTARG ;;
    t) WRK_THREADS=$OPTARG ;;
    w) WARMUP=$OPTARG ;;
    b) FABRO_BIN=$OPTARG ;;
    B) BASE_BIN=$OPTARG ;;
    T) SERVER_THREADS=$OPTARG ;;
    A) ACTOR_THREADS=$OPTARG ;;
    m) MODE=$OPTARG ;;
    o) ONLY=$OPTARG ;;
    S) STORE=$OPTARG ;;
    N) NODES=$OPTARG ;;
    k) KEEP=1 ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done

die() { echo "submit_bench: $*" >&2; exit 2; }
MODES=$MODE
for m in ${MODES//,/ }; do case $m in post|health) ;; *) die "-m must list post and/or health" ;; esac; done
case $ONLY in both|ours|nginx) ;; *) die "-o must be both, ours or nginx" ;; esac
case $STORE in sqlite|postgres) ;; *) die "-S must be sqlite or postgres" ;; esac
if [ "$NODES" != 1 ]; then
  [ "$STORE" = postgres ] || die "-N needs -S postgres"
  [ "$GENERATOR" = wrk ] || die "-N needs -g wrk"
fi
case $GENERATOR in
  wrk) command -v wrk >/dev/null || die "wrk not found (apt-get install -y wrk)" ;;
  bench)
    for m in ${MODES//,/ }; do [ "$m" = post ] || die "-g bench measures -m post only"; done
    BENCH_BIN=${BENCH_BIN:-$FABRO_BIN}
    [ -x "$BENCH_BIN" ] || die "no binary for -g bench at $BENCH_BIN (pass -G or -b)" ;;
  *) die "-g must be wrk or bench" ;;
esac
command -v curl >/dev/null || die "curl not found (apt-get install -y curl)"
if [ "$ONLY" != ours ]; then
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$NGINX" ] || die "nginx not found (apt-get install -y nginx-light)"
fi
if [ "$ONLY" != nginx ]; then
  [ -x "$FABRO_BIN" ] || die "no server binary at $FABRO_BIN (this script builds nothing; build it first or pass -b)"
  [ -z "$BASE_BIN" ] || [ -x "$BASE_BIN" ] || die "no baseline binary at $BASE_BIN"
fi
LUA=$ROOT/benchmarks/post_manifest.lua
export FABRO_BENCH_BODY=$ROOT/benchmarks/manifest.json
FABRO_BENCH_TOKEN=fabro_dev_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export FABRO_BENCH_TOKEN
set_mode() {
  MODE=$1
  if [ "$MODE" = health ]; then export FABRO_BENCH_METHOD=GET; else export FABRO_BENCH_METHOD=POST; fi
}

TMP=$(mktemp -d /tmp/submit_bench.XXXXXX)
SERVER_PID=""
FOLLOWER_PIDS=()
NGINX_PID=""
cleanup() {
  for p in "${FOLLOWER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null
  fi
  [ -n "${PG_BIN:-}" ] && stop_postgres
  if [ "$KEEP" = 1 ]; then echo "temp dir kept: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nobody uses (nginx cannot report a port 0 binding). Taken
# below the ephemeral range, where wrk's own client sockets live.
free_port() {
  local p lo
  lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 200); do
    p=$(( 10000 + RANDOM % (lo - 10000) ))
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return; }
  done
  die "no free port found"
}

# ---- nginx ---------------------------------------------------------------
start_nginx() {
  local port=$1 dir=$TMP/nginx
  mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
# Generated by benchmarks/submit_bench.sh: a static-201 ceiling on loopback.
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path       $dir/tmp/proxy;
  fastcgi_temp_path     $dir/tmp/fastcgi;
  uwsgi_temp_path       $dir/tmp/uwsgi;
  scgi_temp_path        $dir/tmp/scgi;
  keepalive_requests 1000000;
  client_max_body_size 4m;
  server {
    listen 127.0.0.1:$port;
    default_type application/json;
    location = /health { return 200 '{"status":"ok","version":"nginx"}'; }
    location /api/v1/runs {
      return 201 '{"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted","created_at":"2025-04-15T10:00:00.000Z"}';
    }
  }
}
EOF
  "$NGINX" -c "$dir/nginx.conf" -p "$dir/" -e "$dir/logs/error.log" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited at start (see $dir/logs/error.log)"
    curl -s "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"nginx"' && return 0
    sleep 0.1
  done
  die "nginx did not start (see $dir/logs/error.log)"
}

stop_nginx() {
  kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=""
}

# ---- PostgreSQL (-S postgres) ---------------------------------------------
. "$ROOT/benchmarks/lib_postgres.sh"
[ "$STORE" = postgres ] && [ "$ONLY" != nginx ] && start_postgres

# ---- our server ----------------------------------------------------------
SERVER_PORT=""
SERVER_DATA=""
start_server() {
  local n=$1
  SERVER_DATA=$TMP/data-$n
  local log=$TMP/server-$n.log args=(serve --bind 127.0.0.1:0 --data-dir "$SERVER_DATA")
  if [ "$STORE" = postgres ]; then
    SERVER_DB=b_${n//[^a-z0-9]/_}_$RANDOM
    psql_at postgres "CREATE DATABASE $SERVER_DB" || die "cannot create database $SERVER_DB"
    args+=(--store "$(pg_url "$SERVER_DB")")
  fi
  [ -n "$SERVER_THREADS" ] && args+=(--threads "$SERVER_THREADS")
  if [ -n "$ACTOR_THREADS" ]; then
    printf 'actor_threads: %s\nlog_level: info\n' "$ACTOR_THREADS" > "$TMP/config-$n.yaml"
    args+=(--config "$TMP/config-$n.yaml")
  fi
  FABRO_DEV_TOKEN=$FABRO_BENCH_TOKEN "$2" "${args[@]}" > "$log" 2>&1 &
  SERVER_PID=$!
  SERVER_PORT=$(wait_port "$log" "$SERVER_PID")
  SERVER_PORTS=("$SERVER_PORT")
  FOLLOWER_PIDS=()
  local i flog
  for i in $(seq 2 "$NODES"); do  # followers of the first (-N)
    flog=$TMP/server-$n-node$i.log
    FABRO_DEV_TOKEN=$FABRO_BENCH_TOKEN "$2" "${args[@]/$SERVER_DATA/$SERVER_DATA-node$i}" \
      --node-id "node$i" > "$flog" 2>&1 &
    FOLLOWER_PIDS+=($!)
    SERVER_PORTS+=("$(wait_port "$flog" $!)")
    for _ in $(seq 1 100); do grep -q "follower: node" "$flog" && break; sleep 0.1; done
    grep -q "follower: node" "$flog" || die "node $i does not follow the first (log: $flog)"
  done
}

# wait_port LOG PID: the port the server logs it listens on.
wait_port() {
  local port
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; die "server exited at start"; }
    sleep 0.1
  done
  die "server did not report its port (log: $1)"
}

# Stops the server with SIGTERM; its exit code goes to SERVER_RC (124: it
# hung and was killed).
SERVER_RC=""
stop_server() {
  local p frc=0
  for p in "${FOLLOWER_PIDS[@]}"; do  # followers first: no failover
    kill -TERM "$p"; wait "$p" || frc=$?
  done
  FOLLOWER_PIDS=()
  kill -TERM "$SERVER_PID"
  # A server that does not exit within 20 s is killed and reported (rc 124).
  for _ in $(seq 1 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_RC=124
  else
    wait "$SERVER_PID"; SERVER_RC=$?
  fi
  [ "$SERVER_RC" = 0 ] && SERVER_RC=$frc
  SERVER_PID=""
}

# Runs stored in the (stopped or running) server's store.
count_runs() {
  local db=$SERVER_DATA/runs.db
  if [ "$STORE" = postgres ]; then psql_at "$SERVER_DB" 'SELECT count(*) FROM runs'; return; fi
  if command -v sqlite3 >/dev/null; then
    sqlite3 "$db" 'SELECT COUNT(*) FROM runs;'
    return
  fi
  # Fallback (server must be running): page through GET /api/v1/runs.
  local offset=0 total=0 n
  while :; do
    n=$(curl -s -H "Authorization: Bearer $FABRO_BENCH_TOKEN" "http://127.0.0.1:$SERVER_PORT/api/v1/runs?page%5Blimit%5D=100&page%5Boffset%5D=$offset" |
        grep -o '"run_id":' | wc -l)
    total=$((total + n)); offset=$((offset + 100))
    [ "$n" -lt 100 ] && break
  done
  echo $total
}

# ---- load ----------------------------------------------------------------
# run_wrk URL CONNS SECS -> sets W_* variables from the RESULT line.
run_wrk() {
  local url=$1 c=$2 secs=$3 out
  local t=$WRK_THREADS
  [ "$t" -gt "$c" ] && t=$c
  out=$(wrk -t"$t" -c"$c" -d"${secs}s" --timeout 30s -s "$LUA" "$url" 2>&1)
  local line
  line=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; die "wrk failed"; }
  eval "$(sed 's/^RESULT //; s/\([a-z0-9_]*\)=/W_\1=/g' <<<"$line")"
  W_rps=$(awk -v r="$W_requests" -v d="$W_duration_us" 'BEGIN{printf "%.0f", r*1e6/d}')
  W_sockerr=$((W_connect + W_read + W_write + W_timeout))
}

# run_bench URL CONNS SECS -> the same W_* variables, from our generator's
# --json report (non-2xx = every answer outside 2xx; wrk counts >= 400).
run_bench() {
  local url=$1 c=$2 secs=$3 out t=$WRK_THREADS
  [ "$t" -gt 2 ] && t=2
  [ "$t" -gt "$c" ] && t=$c
  out=$("$BENCH_BIN" bench --server "${url%/api/v1/runs}" --token "$FABRO_BENCH_TOKEN" \
        --manifest "$FABRO_BENCH_BODY" --connections "$c" --threads "$t" --duration "$secs" \
        --timeout 30 --json --allow-errors 2>"$TMP/bench.err") ||
    { cat "$TMP/bench.err" >&2; die "bench failed"; }
  num() { grep -o "\"$1\":[0-9.]*" <<<"$out" | head -1 | cut -d: -f2; }
  us() { awk -v m="$(num "$1")" 'BEGIN{printf "%.0f", m*1000}'; }
  W_sockerr=$(num socket_errors)
  W_requests=$(( $(num requests) - W_sockerr ))  # answers, as wrk counts them
  W_duration_us=$(awk -v s="$(num duration_s)" 'BEGIN{printf "%.0f", s*1e6}')
  W_non2xx=$(( $(num errors) - W_sockerr ))
  W_connect=$(num connect); W_read=$(num read); W_write=$(num write); W_timeout=$(num timeout)
  W_p50_us=$(us p50); W_p90_us=$(us p90); W_p99_us=$(us p99); W_max_us=$(us max)
  W_rps=$(awk -v r="$W_requests" -v d="$W_duration_us" 'BEGIN{printf "%.0f", (d > 0 ? r*1e6/d : 0)}')
}

# run_nodes URL CONNS SECS: URL's path on every server of ours (-N), one
# single-threaded wrk each with CONNS/N connections at once; the same W_*
# variables: counts summed, latencies the worst.
run_nodes() {
  local path=${1#http://127.0.0.1:*/} c=$(( $2 / NODES )) secs=$3 port i=0 pids=()
  [ "$c" -ge 1 ] || c=1
  for port in "${SERVER_PORTS[@]}"; do
    i=$((i + 1))
    wrk -t1 -c"$c" -d"${secs}s" --timeout 30s -s "$LUA" "http://127.0.0.1:$port/$path" \
      > "$TMP/wrk-$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local sum_req=0 sum_non=0 sum_err=0 dur=0 p50=0 p99=0 mx=0
  for i in $(seq 1 "${#SERVER_PORTS[@]}"); do
    grep -q '^RESULT ' "$TMP/wrk-$i.out" || { cat "$TMP/wrk-$i.out" >&2; die "wrk failed"; }
    eval "$(grep '^RESULT ' "$TMP/wrk-$i.out" | sed 's/^RESULT //; s/\([a-z0-9_]*\)=/W_\1=/g')"
    sum_req=$((sum_req + W_requests)); sum_non=$((sum_non + W_non2xx))
    sum_err=$((sum_err + W_connect + W_read + W_write + W_timeout))
    [ "$W_duration_us" -gt "$dur" ] && dur=$W_duration_us
    [ "$W_p50_us" -gt "$p50" ] && p50=$W_p50_us
    [ "$W_p99_us" -gt "$p99" ] && p99=$W_p99_us
    [ "$W_max_us" -gt "$mx" ] && mx=$W_max_us
  done
  W_requests=$sum_req; W_non2xx=$sum_non; W_sockerr=$sum_err; W_duration_us=$dur
  W_p50_us=$p50; W_p99_us=$p99; W_max_us=$mx
  W_rps=$(awk -v r="$W_requests" -v d="$W_duration_us" 'BEGIN{printf "%.0f", r*1e6/d}')
}

# run_load URL CONNS SECS: with the chosen generator.
run_load() {
  if [ "$GENERATOR" = bench ]; then run_bench "$@"
  elif [ "$NODES" != 1 ] && [ -n "${SERVER_PID:-}" ]; then run_nodes "$@"
  else run_wrk "$@"; fi
}

ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }

url_path() { if [ "$MODE" = health ]; then echo /health; else echo /api/v1/runs; fi; }

FAIL=0
SUMMARY=()

measure_ours() {
  local c=$1 tag=$2 bin=$3 label=$4 url rc before after stored ok
  start_server "$tag" "$bin"
  url="http://127.0.0.1:$SERVER_PORT$(url_path)"
  if [ "$MODE" = post ]; then
    local code
    code=$(curl -s -o "$TMP/first.json" -w '%{http_code}' -H 'Content-Type: application/json' \
           -H "Authorization: Bearer $FABRO_BENCH_TOKEN" \
           --data-binary @"$FABRO_BENCH_BODY" "$url")
    [ "$code" = 201 ] || { cat "$TMP/first.json" >&2; die "the manifest was answered $code, not 201"; }
  fi
  [ "$WARMUP" != 0 ] && run_load "$url" "$c" "$WARMUP" && sleep 0.5
  before=$(count_runs)
  run_load "$url" "$c" "$DURATION"
  O_rps=$W_rps; O_p50=$W_p50_us; O_p99=$W_p99_us; O_max=$W_max_us
  O_non2xx=$W_non2xx; O_sockerr=$W_sockerr; O_ok=$((W_requests - W_non2xx))
  local offline=0  # the store can be counted with the server stopped
  { [ "$STORE" = postgres ] || command -v sqlite3 >/dev/null; } && offline=1
  if [ "$MODE" = post ] && [ $offline = 0 ]; then sleep 0.5; after=$(count_runs); fi
  stop_server; rc=$SERVER_RC
  [ "$MODE" = post ] && [ $offline = 1 ] && after=$(count_runs)
  printf '  %-6s C=%-4s %8s runs/s  p50 %7s ms  p99 %7s ms  max %8s ms  non-2xx %s  socket errors %s  exit %s\n' \
    "$label" "$c" "$O_rps" "$(ms $O_p50)" "$(ms $O_p99)" "$(ms $O_max)" "$O_non2xx" "$O_sockerr" "$rc"
  [ "$O_non2xx" = 0 ] || { echo "  FAIL: $label server answered $O_non2xx non-2xx responses"; FAIL=1; }
  [ "$O_sockerr" = 0 ] || { echo "  FAIL: socket errors against our server"; FAIL=1; }
  [ "$rc" = 0 ] || { echo "  FAIL: server exit code $rc (log: $TMP/server-$tag.log)"; FAIL=1; KEEP=1; }
  if [ "$MODE" = post ]; then
    stored=$((after - before))
    ok="ok"
    if [ "$stored" -lt "$O_ok" ]; then ok="FAIL: fewer runs stored than acknowledged"; FAIL=1
    elif [ $((stored - O_ok)) -gt "$c" ]; then ok="odd: more than C extra"; fi
    printf '  stored runs during the measurement: %s, 2xx answers: %s (extra %s = requests in flight when wrk stopped, <= C) %s\n' \
      "$stored" "$O_ok" $((stored - O_ok)) "$ok"
  fi
  SERVER_DATA=""
}

measure_nginx() {
  local c=$1 port url
  port=$(free_port)
  start_nginx "$port"
  url="http://127.0.0.1:$port$(url_path)"
  [ "$WARMUP" != 0 ] && run_load "$url" "$c" "$WARMUP"
  run_load "$url" "$c" "$DURATION"
  stop_nginx
  N_rps=$W_rps; N_p50=$W_p50_us; N_p99=$W_p99_us; N_max=$W_max_us
  printf '  nginx  C=%-4s %8s req/s   p50 %7s ms  p99 %7s ms  max %8s ms  non-2xx %s  socket errors %s\n' \
    "$c" "$N_rps" "$(ms $N_p50)" "$(ms $N_p99)" "$(ms $N_max)" "$W_non2xx" "$W_sockerr"
}

echo "submit_bench: modes=$MODES C=$CONNS D=${DURATION}s repeats=$REPEATS generator=$GENERATOR -t$WRK_THREADS warm-up=${WARMUP}s"
[ "$GENERATOR" = bench ] && echo "  bench:  $BENCH_BIN bench"
echo "  server: $FABRO_BIN${SERVER_THREADS:+ --threads $SERVER_THREADS}${ACTOR_THREADS:+ actor_threads=$ACTOR_THREADS} store=$STORE nodes=$NODES"
[ -n "$BASE_BIN" ] && echo "  base:   $BASE_BIN"
echo "  body:   $FABRO_BENCH_BODY ($(wc -c < "$FABRO_BENCH_BODY") bytes)"
echo "  host:   $(nproc) cpus, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
row() {  # mode C server rps p50 p99 max ratio-to-nginx
  if [ -n "$4" ]; then
    SUMMARY+=("| $1 | $2 | $3 | $4 | $(ms $5) / $(ms $6) / $(ms $7) | ${8:--} |")
  fi
}
n=0
for c in ${CONNS//,/ }; do
  for r in $(seq 1 "$REPEATS"); do
    for m in ${MODES//,/ }; do
      set_mode "$m"
      n=$((n + 1))
      echo "[$MODE C=$c repeat $r] load:$(uptime | sed 's/.*load average://')"
      O_rps=""; N_rps=""; B_rps=""
      if [ "$ONLY" != nginx ]; then
        if [ -n "$BASE_BIN" ]; then
          measure_ours "$c" "$n-base" "$BASE_BIN" base
          B_rps=$O_rps; B_p50=$O_p50; B_p99=$O_p99; B_max=$O_max
        fi
        measure_ours "$c" "$n" "$FABRO_BIN" ours
      fi
      [ "$ONLY" != ours ] && measure_nginx "$c"
      ratio=""; bratio=""
      if [ -n "$O_rps" ] && [ -n "$N_rps" ] && [ "$N_rps" -gt 0 ]; then
        ratio=$(awk -v a="$O_rps" -v b="$N_rps" 'BEGIN{printf "%.2f", a/b}')
        echo "  ratio ours/nginx: $ratio"
      fi
      if [ -n "$B_rps" ] && [ -n "$O_rps" ] && [ "$B_rps" -gt 0 ]; then
        echo "  ratio ours/base: $(awk -v a="$O_rps" -v b="$B_rps" 'BEGIN{printf "%.2f", a/b}')"
        [ -n "$N_rps" ] && bratio=$(awk -v a="$B_rps" -v b="$N_rps" 'BEGIN{printf "%.2f", a/b}')
      fi
      row "$MODE" "$c" ours "$O_rps" "${O_p50:-0}" "${O_p99:-0}" "${O_max:-0}" "$ratio"
      row "$MODE" "$c" base "$B_rps" "${B_p50:-0}" "${B_p99:-0}" "${B_max:-0}" "$bratio"
      row "$MODE" "$c" nginx "$N_rps" "${N_p50:-0}" "${N_p99:-0}" "${N_max:-0}" ""
    done
  done
done

echo
echo "| mode | C | server | req/s | p50 / p99 / max ms | ratio to nginx |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
[ "$FAIL" = 0 ] || echo "submit_bench: FAILED checks above"
exit $FAIL
