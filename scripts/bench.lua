-- wrk script for scripts/bench: requests cycle through the paths in $KITH_BENCH_PATHS and, when
-- $KITH_BENCH_TOKENS names a file of bearer tokens, through those tokens. Prints one JSON line.
local function lines(file)
  local list = {}
  if file and file ~= "" then
    for line in io.lines(file) do
      if line ~= "" then list[#list + 1] = line end
    end
  end
  return list
end

local paths = lines(os.getenv("KITH_BENCH_PATHS"))
local tokens = lines(os.getenv("KITH_BENCH_TOKENS"))
local counter = 0

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local headers = { ["Accept"] = "application/json" }
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "requests_per_second": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "http_errors": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
