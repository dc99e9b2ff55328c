-- wrk script for the queue-depth benchmark (queue-depth.sh): sends one kind of request until each
-- thread has had a fixed number of answers, then reports one JSON line. The done file (new and
-- empty for each run) is where threads say they are through.
--
--   wrk -t2 -c32 -d600s -s load.lua URL -- <kind> <answers per thread> <done file> [argument]
--
-- kinds:
--   submit  POST /jobs/submit, the JSON body of the issue's measurements; with an argument, the
--           job ids answered are appended to <argument>.<thread>
--   get     GET <argument>
--   cancel  DELETE /jobs/<id> for the ids in the files <argument>.*, each thread its share
-- Only answers count; socket errors and statuses of 400 and more are reported apart.

local all_threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(all_threads, thread)
  for _, t in ipairs(all_threads) do
    t:set("thread_count", counter)
  end
end

local submit_body = '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}'

function init(args)
  kind = args[1]
  quota = tonumber(args[2])
  done_file = args[3]
  argument = args[4]
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
        if n % thread_count == index then
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
  if answers >= quota and not finished then
    finished = true
    if ids then ids:close(); ids = nil end
    -- wrk's main thread sleeps for the whole -d duration; the last thread to reach its quota
    -- interrupts it (SIGINT), so a run ends when every thread had its answers. From a background
    -- shell a few milliseconds later: system() ignores SIGINT in its caller until it returns.
    local f = io.open(done_file, "a")
    f:write(index, "\n")
    f:close()
    local lines = 0
    for _ in io.lines(done_file) do lines = lines + 1 end
    if lines >= tonumber(thread_count) then
      os.execute("(sleep 0.005; kill -INT $PPID) >/dev/null 2>&1 &")
    end
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
