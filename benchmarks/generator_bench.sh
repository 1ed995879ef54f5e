#!/usr/bin/env bash
# Load generators side by side (issue 15): wrk and `fabro-orchestrator bench`
# driving the same nginx static 201 on loopback, alternating, in one run, so
# the ratio bench/wrk is measured under the same conditions.
#
# Usage: benchmarks/generator_bench.sh [-b BIN] [-c CONNS] [-d SECS] [-r REPEATS] [-t THREADS]
#   -b  binary with the bench command (default build-rel/fabro-orchestrator)
#   -c  connections (64)   -d  seconds per measurement (5)
#   -r  repeats (3)        -t  threads of both generators (2)
# Needs wrk and nginx. Prints each pair and the median ratio.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build-rel/fabro-orchestrator; C=64; D=5; R=3; T=2
while getopts "b:c:d:r:t:" o; do
  case $o in b) BIN=$OPTARG ;; c) C=$OPTARG ;; d) D=$OPTARG ;; r) R=$OPTARG ;; t) T=$OPTARG ;;
  *) exit 2 ;; esac
done
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
TMP=$(mktemp -d); trap 'kill "$NGINX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$TMP/logs" "$TMP/tmp"
cat > "$TMP/nginx.conf" <<CONF
worker_processes auto; pid $TMP/nginx.pid; error_log $TMP/logs/error.log warn; daemon off;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; client_max_body_size 4m;
  client_body_temp_path $TMP/tmp/body; proxy_temp_path $TMP/tmp/proxy;
  fastcgi_temp_path $TMP/tmp/fastcgi; uwsgi_temp_path $TMP/tmp/uwsgi; scgi_temp_path $TMP/tmp/scgi;
  server { listen 127.0.0.1:$PORT; default_type application/json;
    location /api/v1/runs { return 201 '{"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted","created_at":"2025-04-15T10:00:00.000Z"}'; } }
}
CONF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP/" -e "$TMP/logs/error.log" & NGINX_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/runs" && break; sleep 0.1; done
echo "generator_bench: nginx static 201, C=$C T=$T D=${D}s repeats=$R load: $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
for i in $(seq "$R"); do
  w=$(cd "$ROOT" && FABRO_BENCH_TOKEN=x wrk -t"$T" -c"$C" -d"${D}s" --timeout 30s \
        -s benchmarks/post_manifest.lua "http://127.0.0.1:$PORT/api/v1/runs" 2>&1 |
      awk '/Requests\/sec/ {printf "%.0f", $2}')
  b=$("$BIN" bench --server "http://127.0.0.1:$PORT" --token x --manifest "$ROOT/benchmarks/manifest.json" \
        --connections "$C" --threads "$T" --duration "$D" --json 2>/dev/null |
      grep -o '"requests_per_second":[0-9.]*' | cut -d: -f2 | cut -d. -f1)
  r=$(awk -v b="$b" -v w="$w" 'BEGIN{printf "%.2f", b/w}')
  ratios+=("$r")
  echo "  repeat $i: wrk $w req/s  bench $b req/s  bench/wrk $r"
done
echo "  median bench/wrk: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
