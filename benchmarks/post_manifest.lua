-- wrk script: POST /api/v1/runs with a ~1 KB RunManifest, sent the way a
-- plain HTTP/1.1 client sends it: no `Connection` header at all (HTTP/1.1
-- keeps the connection open by default). The body is the file named by
-- FABRO_BENCH_BODY (default benchmarks/manifest.json, run from the repo root);
-- it carries no run_id, so every POST creates a new run.
--
--   FABRO_BENCH_BODY=benchmarks/manifest.json \
--   wrk -t2 -c64 -d10s --timeout 30s -s benchmarks/post_manifest.lua \
--       http://127.0.0.1:PORT/api/v1/runs
--
-- FABRO_BENCH_TOKEN, when set, is sent as `Authorization: Bearer <token>` (the
-- server's dev token, as a real client sends it).
-- FABRO_BENCH_METHOD=GET turns it into a body-less GET (for /health runs).
-- done() prints one machine-readable RESULT line (latencies in µs) that
-- benchmarks/submit_bench.sh parses.

local method = os.getenv("FABRO_BENCH_METHOD") or "POST"
wrk.method = method
if method == "POST" then
  local path = os.getenv("FABRO_BENCH_BODY") or "benchmarks/manifest.json"
  local f = assert(io.open(path, "rb"), "cannot open body file " .. path)
  local body = f:read("*a")
  f:close()
  wrk.body = (body:gsub("%s+$", ""))
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.body = nil
end
local token = os.getenv("FABRO_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
-- Never send a Connection header (wrk adds none by itself either).
wrk.headers["Connection"] = nil

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
