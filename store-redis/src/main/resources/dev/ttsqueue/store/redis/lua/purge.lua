-- Deletes up to ARGV[5] finished jobs whose completion is before ARGV[4] (ms), oldest first.
-- Returns {id, fields, ...} of what it deleted; the caller repeats until less than a batch comes back.
local ids = redis.call('ZRANGEBYSCORE', K_DONE, '-inf', '(' .. ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
local out = records(ids)
for _, id in ipairs(ids) do
  local key = JOB .. id
  local status = redis.call('HGET', key, 'st')
  redis.call('DEL', key)
  redis.call('ZREM', K_DONE, id)
  redis.call('ZREM', K_ALL, id)
  if status and K_STATUS[status] then
    redis.call('ZREM', K_STATUS[status], id)
  end
end
return out
