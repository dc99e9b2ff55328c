-- KEYS[12] this call's nonce key. ARGV[4] worker, [5] now (ms), [6] lease end (ms), [7] nonce TTL (ms),
-- [8] the claiming node, kept in 'node' for operators (which node runs or last ran the job).
-- Returns {id, fields} of the claimed job, or false when nothing is queued.
local nonce_key = KEYS[12]
local earlier = redis.call('GET', nonce_key)
if earlier then
  -- This very call ran before and its answer was lost: answer with that claim while it holds.
  local sep = string.find(earlier, '|', 1, true)
  local id, token = string.sub(earlier, 1, sep - 1), string.sub(earlier, sep + 1)
  local fields = redis.call('HMGET', JOB .. id, 'st', 'tok')
  if fields[1] == 'PROCESSING' and fields[2] == token then
    return { id, redis.call('HGETALL', JOB .. id) }
  end
  return false
end
local first = redis.call('ZRANGE', K_QUEUE, 0, 0)[1]
if not first then
  return false
end
local id = string.sub(first, RUN_KEY_HEAD + 1)
local key = JOB .. id
local seq = redis.call('HGET', key, 'seq')
local token = int(next_token())
redis.call('ZREM', K_QUEUE, first)
move(id, seq, 'QUEUED', 'PROCESSING')
redis.call('ZADD', K_LEASES, ARGV[6], id)
redis.call('HDEL', key, 'completed', 'done', 'total', 'pct', 'eta', 'err', 'res', 'cxl')
redis.call('HSET', key, 'st', 'PROCESSING', 'started', ARGV[5], 'owner', ARGV[4], 'lease', ARGV[6], 'tok', token, 'node', ARGV[8])
redis.call('HINCRBY', key, 'att', 1)
redis.call('SET', nonce_key, id .. '|' .. token, 'PX', ARGV[7])
announce('STARTED', id, token)
if redis.call('ZCARD', K_QUEUE) > 0 then
  announce('WORK_AVAILABLE', '', '')
end
return { id, redis.call('HGETALL', key) }
