-- The wrk script of `manage.py bench signatures` (devtools/benchmarks/signatures.py):
-- strangers signing one public form.
--
-- wrk runs it with one connection per thread (`-t N -c N`), so on each thread request()
-- and response() strictly alternate: the answer response() sees is the one to the request
-- request() made last. That is what lets each answer be tied to its email, and `lost` be
-- counted per email. Should a request get no answer (the socket failed, wrk reconnected),
-- the next request() records it with status 0; wrk's own errors count the failure. (wrk
-- also calls request() once on its first thread before the run to check the request
-- parses, never sending it: recorded with status 0 the same way, and counted by nobody.)
--
-- Arguments (after `--`): the output directory, the run's tag, the number of threads, the
-- milliseconds each connection waits between submissions (0: none, a closed loop), the
-- form's path, the origin (https://host:port), the form's fields url-encoded with {email}
-- and {n} left for each submission's own values, then each thread's CSRF cookie and token
-- (the Python side GETs the page once per connection, as a browser would).
--
-- Each submission has its own email, s<thread>-<n>-<tag>@bench.invalid, and its own client
-- address (X-Forwarded-For, from 198.18.0.0/15, the range RFC 2544 keeps for benchmarks,
-- as a trusted proxy would write it). Each thread writes "<n> <status>" per answered
-- submission to thread-<id>.txt, line-buffered so a killed wrk leaves what it had; done()
-- writes wrk's own figures (latency in microseconds, errors by kind) to summary.txt.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local ADDRESSES = 131072 -- 198.18.0.0/15

local function address(k)
  k = k % ADDRESSES
  return string.format("198.%d.%d.%d", 18 + math.floor(k / 65536), math.floor(k / 256) % 256, k % 256)
end

function init(args)
  out_dir = args[1]
  out = io.open(out_dir .. "/thread-" .. id .. ".txt", "w")
  out:setvbuf("line")
  tag, width, pace = args[2], tonumber(args[3]), tonumber(args[4])
  path, origin, fields = args[5], args[6], args[7]
  cookie, token = args[8 + 2 * id], args[9 + 2 * id]
  n, pending = 0, nil
  if pace > 0 then
    function delay()
      return pace
    end
  end
end

function request()
  if pending ~= nil then
    out:write(pending, " 0\n") -- never answered
  end
  pending = n
  local email = string.format("s%d-%d-%s%%40bench.invalid", id, n, tag)
  local body = fields:gsub("{(%a+)}", { email = email, n = tostring(n) })
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
    ["Origin"] = origin,
    ["Referer"] = origin .. path,
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = address(n * width + id),
  }
  n = n + 1
  return wrk.format("POST", path, headers, body .. "&csrfmiddlewaretoken=" .. token)
end

function response(status, headers, body)
  if pending ~= nil then
    out:write(pending, " ", status, "\n")
    pending = nil
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local figures = {
    duration_us = summary.duration,
    requests = summary.requests,
    p50_us = latency:percentile(50),
    p90_us = latency:percentile(90),
    p99_us = latency:percentile(99),
    max_us = latency.max,
    connect = errors.connect,
    read = errors.read,
    write = errors.write,
    status = errors.status,
    timeout = errors.timeout,
  }
  local file = io.open(threads[1]:get("out_dir") .. "/summary.txt", "w")
  for key, value in pairs(figures) do
    file:write(key, " ", string.format("%d", value), "\n")
  end
  file:close()
end
