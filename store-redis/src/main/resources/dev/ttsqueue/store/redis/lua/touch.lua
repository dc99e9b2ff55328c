-- A lease renewal or a progress report by the worker holding the job.
-- KEYS[12] job key. ARGV[4] id, [5] token, [6] 'lease' or 'progress';
-- lease: [7] lease end (ms); progress: [7] steps done, [8] steps total, [9] percent, [10] estimate (ms, '' = none).
-- Returns 0 when the caller lost the job, 1 when it holds it, 2 when it holds it and a cancel was asked.
local key, id = KEYS[12], ARGV[4]
local state = redis.call('HMGET', key, 'st', 'tok', 'cxl')
if state[1] ~= 'PROCESSING' or state[2] ~= ARGV[5] then
  return 0
end
if ARGV[6] == 'lease' then
  redis.call('HSET', key, 'lease', ARGV[7])
  redis.call('ZADD', K_LEASES, ARGV[7], id)
else
  redis.call('HSET', key, 'done', ARGV[7], 'total', ARGV[8], 'pct', ARGV[9])
  if ARGV[10] == '' then
    redis.call('HDEL', key, 'eta')
  else
    redis.call('HSET', key, 'eta', ARGV[10])
  end
  announce('PROGRESS', id, ARGV[5] .. '|' .. ARGV[7] .. '|' .. ARGV[8] .. '|' .. ARGV[9] .. '|' .. ARGV[10])
end
if state[3] == '1' then
  return 2
end
return 1
