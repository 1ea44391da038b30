-- wrk script: send every request as a JSON POST and print the result as one parsable line.
-- Usage: wrk -s post_json.lua URL -- 'BODY'

function init(args)
  wrk.method = "POST"
  wrk.body = args[1]
  wrk.headers["Content-Type"] = "application/json"
end

-- Latency percentiles are in microseconds, the duration too.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non_2xx_3xx=%d socket_errors=%d\n",
    summary.requests,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99),
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
