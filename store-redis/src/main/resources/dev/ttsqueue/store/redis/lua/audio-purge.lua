-- Deletes up to ARGV[3] clips whose expiry is at or before ARGV[2] (ms).
-- KEYS[1] clips by creation, [2] clips by expiry. ARGV[1] prefix of clip keys.
-- Returns {clips deleted, index entries examined}; the caller repeats while a whole batch was examined.
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local deleted = 0
for _, id in ipairs(ids) do
  -- A clip Redis already expired by itself leaves only its index entries behind.
  deleted = deleted + redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return { deleted, #ids }
