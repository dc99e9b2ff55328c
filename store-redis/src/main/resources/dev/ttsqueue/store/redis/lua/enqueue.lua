-- KEYS[12] job key. ARGV[4] id, [5] max queued (0 = none), [6] run key head (priority),
-- [7] nonce of this call, [8] packed request.
-- Returns the sequence; 0 when the queue is full; -1 when another job has this id.
local key, id = KEYS[12], ARGV[4]
if redis.call('EXISTS', key) == 1 then
  -- The same call again (the client resent it after a lost connection): answer as the first time.
  if redis.call('HGET', key, 'n') == ARGV[7] then
    return tonumber(redis.call('HGET', key, 'seq'))
  end
  return -1
end
local max = tonumber(ARGV[5])
local waiting = redis.call('ZCARD', K_QUEUE)
if max > 0 and waiting >= max then
  return 0
end
local seq = redis.call('INCR', K_SEQ)
local rk = ARGV[6] .. string.format('%016x', seq) .. id
redis.call('HSET', key, 'req', ARGV[8], 'st', 'QUEUED', 'seq', int(seq), 'rk', rk, 'n', ARGV[7])
redis.call('ZADD', K_QUEUE, 0, rk)
redis.call('ZADD', K_ALL, seq, id)
redis.call('ZADD', K_STATUS.QUEUED, seq, id)
if waiting == 0 then
  -- Only the first job into an empty queue wakes idle workers elsewhere: while jobs wait, every
  -- claim that leaves some behind does.
  announce('WORK_AVAILABLE', '', '')
end
return seq
