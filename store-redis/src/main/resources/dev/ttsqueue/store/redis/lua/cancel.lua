-- KEYS[12] job key. ARGV[4] id, [5] now (ms).
-- Returns 0 unknown, 1 cancelled (it was queued), 2 flagged for its worker, 3 already finished.
local key, id, now = KEYS[12], ARGV[4], ARGV[5]
local state = redis.call('HMGET', key, 'st', 'seq', 'rk', 'tok', 'tn')
local tenant = state[5] or ''
local status = state[1]
if not status then
  return 0
end
if status == 'QUEUED' then
  redis.call('ZREM', K_QUEUE, state[3])
  redis.call('ZREM', lane_key(string.sub(state[3], 1, 8), tenant), id)
  move(id, state[2], 'QUEUED', 'CANCELLED', tenant)
  redis.call('ZADD', K_DONE, now, id)
  redis.call('HDEL', key, 'eta', 'owner', 'lease', 'err', 'res')
  redis.call('HSET', key, 'st', 'CANCELLED', 'completed', now)
  announce('CANCELLED', id, '')
  return 1
end
if status == 'PROCESSING' then
  redis.call('HSET', key, 'cxl', '1')
  announce('CANCEL_REQUESTED', id, state[4])
  return 2
end
return 3
