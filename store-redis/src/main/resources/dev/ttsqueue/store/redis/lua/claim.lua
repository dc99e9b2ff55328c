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
local state = redis.call('HMGET', key, 'seq', 'tn', 'vs', 'vf')
local seq, tenant = state[1], state[2] or ''
local token = int(next_token())
redis.call('ZREM', K_QUEUE, first)
-- Fair share: the job leaves its tenant's lane; the priority's virtual time and the tenant's
-- claimed finish advance to it (never back).
local head = string.sub(first, 1, 8)
local vs, vf = tonumber(state[3] or '0'), finish_of(state[3], state[4])
redis.call('ZREM', lane_key(head, tenant), id)
if vs > tonumber(redis.call('HGET', K_VTIME, head) or '0') then
  redis.call('HSET', K_VTIME, head, int(vs))
end
local finish_field = head .. ':' .. tenant
if vf > tonumber(redis.call('HGET', K_TFINISH, finish_field) or '0') then
  redis.call('HSET', K_TFINISH, finish_field, int(vf))
end
move(id, seq, 'QUEUED', 'PROCESSING', tenant)
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
