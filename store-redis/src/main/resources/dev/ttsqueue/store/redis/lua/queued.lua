-- The first ARGV[4] queued jobs in run order. Returns {id, fields, ...}.
local keys = redis.call('ZRANGE', K_QUEUE, 0, tonumber(ARGV[4]) - 1)
local ids = {}
for i, rk in ipairs(keys) do
  ids[i] = string.sub(rk, RUN_KEY_HEAD + 1)
end
return records(ids)
