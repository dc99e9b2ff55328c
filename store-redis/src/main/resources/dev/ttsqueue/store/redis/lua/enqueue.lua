-- KEYS[12] job key. ARGV[4] id, [5] max queued (0 = none), [6] run key head (priority),
-- [7] nonce of this call, [8] packed request, [9] tenant, [10] weight, [11] cost (VirtualTime.cost).
-- Returns {sequence, virtual start, rank in the queue (0 first)}; {0} when the queue is full; {-1}
-- when another job has this id.
-- The virtual start: max(virtual time of the priority, the tenant's largest claimed finish there,
-- the finish of its last job queued there), as VirtualTime.java says.
local key, id = KEYS[12], ARGV[4]
if redis.call('EXISTS', key) == 1 then
  -- The same call again (the client resent it after a lost connection): answer as the first time.
  if redis.call('HGET', key, 'n') == ARGV[7] then
    local again = redis.call('HMGET', key, 'seq', 'vs', 'rk')
    return { tonumber(again[1]), tonumber(again[2] or '0'), redis.call('ZRANK', K_QUEUE, again[3] or '') or -1 }
  end
  return { -1 }
end
local max = tonumber(ARGV[5])
local waiting = redis.call('ZCARD', K_QUEUE)
if max > 0 and waiting >= max then
  return { 0 }
end
local head, tenant = ARGV[6], ARGV[9]
local lane = lane_key(head, tenant)
local vs = math.max(tonumber(redis.call('HGET', K_VTIME, head) or '0'),
  tonumber(redis.call('HGET', K_TFINISH, head .. ':' .. tenant) or '0'))
local tail = redis.call('ZRANGE', lane, -1, -1, 'WITHSCORES')
if tail[2] then
  vs = math.max(vs, tonumber(tail[2]))
end
local vf = vs + tonumber(ARGV[11])
local seq = redis.call('INCR', K_SEQ)
local rk = head .. string.format('%016x', vs) .. string.format('%016x', seq) .. id
redis.call('HSET', key, 'req', ARGV[8], 'st', 'QUEUED', 'seq', int(seq), 'rk', rk, 'n', ARGV[7], 'tn', tenant,
  'w', ARGV[10], 'vs', int(vs), 'vf', int(vf))
redis.call('ZADD', K_QUEUE, 0, rk)
redis.call('ZADD', lane, int(vf), id)
count_tenant(tenant, 'QUEUED', 1)
redis.call('ZADD', K_ALL, seq, id)
redis.call('ZADD', K_STATUS.QUEUED, seq, id)
if waiting == 0 then
  -- Only the first job into an empty queue wakes idle workers elsewhere: while jobs wait, every
  -- claim that leaves some behind does.
  announce('WORK_AVAILABLE', '', '')
end
return { seq, vs, redis.call('ZRANK', K_QUEUE, rk) }
