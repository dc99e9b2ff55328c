-- The end of a run, written by the worker holding the job: COMPLETED, FAILED or CANCELLED.
-- KEYS[12] job key. ARGV[4] id, [5] token, [6] now (ms), [7] outcome, [8] packed result or error.
-- Returns 1 when written, 0 when the caller no longer holds the job.
local key, id, token, now, outcome, payload = KEYS[12], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local state = redis.call('HMGET', key, 'st', 'tok', 'seq', 'total', 'completed', 'res', 'err', 'tn')
if state[2] ~= token then
  return 0
end
if state[1] ~= 'PROCESSING' then
  -- The same write again (resent after a lost connection, or retried through an outage):
  -- answer as the first time, so that the worker keeps the output it stored.
  if state[1] == outcome and state[5] == now and (outcome == 'CANCELLED'
      or (outcome == 'COMPLETED' and state[6] == payload) or (outcome == 'FAILED' and state[7] == payload)) then
    return 1
  end
  return 0
end
move(id, state[3], 'PROCESSING', outcome, state[8] or '')
redis.call('ZREM', K_LEASES, id)
redis.call('ZADD', K_DONE, now, id)
redis.call('HDEL', key, 'owner', 'lease', 'eta')
if outcome == 'COMPLETED' then
  -- Completion counts every announced step (JobRecord.completed).
  if state[4] then
    redis.call('HSET', key, 'done', state[4])
  else
    redis.call('HDEL', key, 'done')
  end
  redis.call('HSET', key, 'pct', '100.0', 'res', payload)
  redis.call('HDEL', key, 'err', 'cxl')
elseif outcome == 'FAILED' then
  redis.call('HSET', key, 'err', payload)
  redis.call('HDEL', key, 'res', 'cxl')
else
  -- A cancelled job keeps its cancel flag (JobRecord.cancelled).
  redis.call('HDEL', key, 'res', 'err')
end
redis.call('HSET', key, 'st', outcome, 'completed', now)
announce(outcome, id, '')
return 1
