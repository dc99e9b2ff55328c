-- wrk script for the queue-depth benchmark (queue-depth.sh): sends one kind of request until each
-- thread has had a fixed number of answers, then reports one JSON line.
--
--   wrk -t2 -c32 -d600s -s load.lua URL -- <kind> <answers per thread> [argument]
--
-- kinds:
--   submit  POST /jobs/submit, the JSON body of the issue's measurements; with an argument, the
--           job ids answered are appended to <argument>.<thread>
--   get     GET <argument>
--   cancel  DELETE /jobs/<id> for the ids in the files <argument>.*, each thread its share
-- Only answers count; socket errors and statuses of 400 and more are reported apart.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
  for _, t in ipairs(threads) do
    t:set("threads", counter)
  end
end

local submit_body = '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}'

function init(args)
  kind = args[1]
  quota = tonumber(args[2])
  argument = args[3]
  answers = 0
  if kind == "submit" then
    prebuilt = wrk.format("POST", "/jobs/submit", {["Content-Type"] = "application/json"}, submit_body)
    if argument then
      ids = io.open(argument .. "." .. index, "a")
    end
  elseif kind == "get" then
    prebuilt = wrk.format("GET", argument)
  elseif kind == "cancel" then
    cancels = {}
    local n = 0
    local file = 0
    while true do
      local f = io.open(argument .. "." .. file, "r")
      if not f then break end
      for line in f:lines() do
        if n % threads == index then
          table.insert(cancels, line)
        end
        n = n + 1
      end
      f:close()
      file = file + 1
    end
    next_cancel = 1
    if quota > #cancels then quota = #cancels end
  end
end

function request()
  if kind == "cancel" then
    local id = cancels[next_cancel]
    if id == nil then id = cancels[#cancels] end
    next_cancel = next_cancel + 1
    return wrk.format("DELETE", "/jobs/" .. id)
  end
  return prebuilt
end

function response(status, headers, body)
  answers = answers + 1
  if ids and status == 200 then
    local id = string.match(body, '"job_id":"([^"]+)"')
    if id then ids:write(id, "\n") end
  end
  if answers >= quota then
    if ids then ids:close(); ids = nil end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local ok = summary.requests - e.status
  io.write(string.format(
    '{"answers":%d,"ok":%d,"seconds":%.3f,"ok_per_second":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,' ..
    '"p999_ms":%.3f,"max_ms":%.3f,"errors":{"status_400_plus":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, ok, summary.duration / 1e6, ok / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
