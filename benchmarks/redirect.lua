-- Counts every request wrk writes (sent) and every answer that is not a 302 (bad), so the
-- benchmark can compare requests sent with scans recorded.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  bad = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil)
end

function response(status, headers, body)
  if status ~= 302 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_sent, total_bad = 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_bad = total_bad + thread:get("bad")
  end
  local errors = summary.errors
  io.write(string.format("RESULT sent=%d bad=%d completed=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d\n",
    total_sent, total_bad, summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout))
end
