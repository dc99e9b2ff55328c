-- Writes what core's recovery rule (JobRecord.afterLostWorker) decided for a job whose lease
-- ended, but only while the job is still exactly as the caller read it: the same claim, the same
-- lease end, the same cancel flag. The rule itself lives in Java, once.
-- KEYS[12] job key. ARGV[4] id, [5] token read, [6] lease end read (ms), [7] cancel flag read ('1'/'0'),
-- [8] new status, [9] completion time (ms, for a terminal status), [10...] field, value, ... of the new state.
-- Returns 1 when written, 0 when the job changed meanwhile.
local key, id = KEYS[12], ARGV[4]
local state = redis.call('HMGET', key, 'st', 'tok', 'lease', 'cxl', 'seq', 'rk', 'tn', 'vs', 'vf')
local tenant = state[7] or ''
if state[1] ~= 'PROCESSING' or state[2] ~= ARGV[5] or state[3] ~= ARGV[6] or (state[4] or '0') ~= ARGV[7] then
  return 0
end
local status = ARGV[8]
redis.call('HDEL', key, unpack(STATE))
local fields = {}
for i = 10, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', key, unpack(fields))
move(id, state[5], 'PROCESSING', status, tenant)
redis.call('ZREM', K_LEASES, id)
if status == 'QUEUED' then
  -- Back in its old place: same run key, and in its tenant's lane at its old finish.
  redis.call('ZADD', K_QUEUE, 0, state[6])
  redis.call('ZADD', lane_key(string.sub(state[6], 1, 8), tenant), int(finish_of(state[8], state[9])), id)
  announce('QUEUED', id, '')
else
  redis.call('ZADD', K_DONE, ARGV[9], id)
  announce(status, id, '')
end
return 1
