-- wrk script for benchmarks/queue_bench.sh. FABRO_QB_MODE selects:
--   create: POST /api/v1/runs?start=true with FABRO_BENCH_BODY, each thread
--           stopping after FABRO_QB_COUNT responses (create-and-queue);
--   get:    GET /api/v1/runs/{id} cycling over the ids in FABRO_QB_IDS;
--   cancel: POST /api/v1/runs/{id}/cancel, each id of FABRO_QB_IDS once
--           (use one thread and one connection), then stop.
-- FABRO_BENCH_TOKEN is sent as the bearer token. done() prints one RESULT
-- line (latencies in µs) and the count of non-2xx answers.
local mode = os.getenv("FABRO_QB_MODE") or "create"
local token = os.getenv("FABRO_BENCH_TOKEN") or ""
local auth = token ~= "" and ("Bearer " .. token) or nil
local ids = {}
if mode ~= "create" then
  for line in io.lines(os.getenv("FABRO_QB_IDS")) do ids[#ids + 1] = line end
end
local body = nil
if mode == "create" then
  local f = assert(io.open(os.getenv("FABRO_BENCH_BODY") or "benchmarks/manifest.json", "rb"))
  body = (f:read("*a"):gsub("%s+$", ""))
  f:close()
end
local limit = tonumber(os.getenv("FABRO_QB_COUNT") or "0")
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

n, bad = 0, 0  -- globals: done() reads bad via thread:get
local next_id = 1
function init(args)
  next_id = 1
end

function request()
  local h = {}
  if auth then h["Authorization"] = auth end
  if mode == "create" then
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/runs?start=true", h, body)
  end
  local id = ids[next_id]
  next_id = next_id % #ids + 1
  if mode == "get" then return wrk.format("GET", "/api/v1/runs/" .. id, h) end
  return wrk.format("POST", "/api/v1/runs/" .. id .. "/cancel", h)
end

function response(status, headers, resp)
  n = n + 1
  if status < 200 or status > 299 then bad = bad + 1 end
  if (mode == "create" and limit > 0 and n >= limit) or (mode == "cancel" and n >= #ids) then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local non2xx = 0
  for _, t in ipairs(threads) do non2xx = non2xx + (t:get("bad") or 0) end
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, non2xx, latency:percentile(50), latency:percentile(99),
    latency.max))
end
