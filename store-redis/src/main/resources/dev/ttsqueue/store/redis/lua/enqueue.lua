-- One or more jobs, each enqueued as if by a script of its own, in the order given (a group of
-- submits that arrived together: EnqueueGroups.java). ARGV[4] the count n; then, per job i
-- (0-based), KEYS[12 + i] its job key and, from ARGV[5 + 8 * i]: id, max queued (0 = none), run key
-- head (priority), nonce of this call, packed request, tenant, weight, cost (VirtualTime.cost).
-- Returns three numbers per job: {sequence, virtual start, rank in the queue (0 first)}; {0, 0, -1}
-- when the queue is full; {-1, 0, -1} when another job has this id.
-- The virtual start: max(virtual time of the priority, the tenant's largest claimed finish there,
-- the finish of its last job queued there), as VirtualTime.java says.
local n = tonumber(ARGV[4])
local waiting = redis.call('ZCARD', K_QUEUE)
local was_empty = waiting == 0
local out = {}
-- The virtual finish of the job this script queued last in each lane: the lane's tail now, and the
-- next job's virtual start there, as no claim (which alone moves the priority's virtual time and
-- the tenant's claimed finish) runs before the script ends.
local lane_tail = {}
for i = 0, n - 1 do
  local a = 5 + 8 * i
  local key, id = KEYS[12 + i], ARGV[a]
  if redis.call('EXISTS', key) == 1 then
    -- The same call again (the client resent it after a lost connection): answer as the first time.
    if redis.call('HGET', key, 'n') == ARGV[a + 3] then
      local again = redis.call('HMGET', key, 'seq', 'vs', 'rk')
      out[#out + 1] = tonumber(again[1])
      out[#out + 1] = tonumber(again[2] or '0')
      out[#out + 1] = redis.call('ZRANK', K_QUEUE, again[3] or '') or -1
    else
      out[#out + 1] = -1
      out[#out + 1] = 0
      out[#out + 1] = -1
    end
  else
    local max = tonumber(ARGV[a + 1])
    if max > 0 and waiting >= max then
      out[#out + 1] = 0
      out[#out + 1] = 0
      out[#out + 1] = -1
    else
      local head, tenant = ARGV[a + 2], ARGV[a + 5]
      local lane = lane_key(head, tenant)
      local vs = lane_tail[lane]
      if not vs then
        vs = math.max(tonumber(redis.call('HGET', K_VTIME, head) or '0'),
          tonumber(redis.call('HGET', K_TFINISH, head .. ':' .. tenant) or '0'))
        local tail = redis.call('ZRANGE', lane, -1, -1, 'WITHSCORES')
        if tail[2] then
          vs = math.max(vs, tonumber(tail[2]))
        end
      end
      local vf = vs + tonumber(ARGV[a + 7])
      lane_tail[lane] = vf
      local seq = redis.call('INCR', K_SEQ)
      local rk = head .. string.format('%016x%016x', vs, seq) .. id
      redis.call('HSET', key, 'req', ARGV[a + 4], 'st', 'QUEUED', 'seq', int(seq), 'rk', rk, 'n', ARGV[a + 3],
        'tn', tenant, 'w', ARGV[a + 6], 'vs', int(vs), 'vf', int(vf))
      redis.call('ZADD', K_QUEUE, 0, rk)
      redis.call('ZADD', lane, int(vf), id)
      count_tenant(tenant, 'QUEUED', 1)
      redis.call('ZADD', K_ALL, seq, id)
      redis.call('ZADD', K_STATUS.QUEUED, seq, id)
      waiting = waiting + 1
      out[#out + 1] = seq
      out[#out + 1] = vs
      out[#out + 1] = redis.call('ZRANK', K_QUEUE, rk)
    end
  end
end
if was_empty and waiting > 0 then
  -- Only jobs into an empty queue wake idle workers elsewhere: while jobs wait, every claim that
  -- leaves some behind does.
  announce('WORK_AVAILABLE', '', '')
end
return out
