-- Brings a queue stored before tenants (layout 1: run keys of 8 hex digits of priority, 16 of
-- sequence, then the id) to layout 2, once, when a store opens: every job becomes the anonymous
-- tenant's, queued jobs get the virtual starts fair share would have given them (one job's cost
-- apart in run order, per priority), so their order is unchanged; processing jobs get run keys of
-- the new form for when they come back. O(n) once, in one script: nothing runs meanwhile.
-- Returns the number of jobs rewritten; 0 when the layout was already 2.
if tonumber(redis.call('GET', K_LAYOUT) or '1') >= 2 then
  return 0
end
local OLD_HEAD = 24
local rewritten = 0
local rank = {}
local queued = redis.call('ZRANGE', K_QUEUE, 0, -1)
for _, rk in ipairs(queued) do
  local head, seq_hex, id = string.sub(rk, 1, 8), string.sub(rk, 9, OLD_HEAD), string.sub(rk, OLD_HEAD + 1)
  local n = rank[head] or 0
  rank[head] = n + 1
  local vs = n * UNIT
  local new_rk = head .. string.format('%016x', vs) .. seq_hex .. id
  redis.call('ZREM', K_QUEUE, rk)
  redis.call('ZADD', K_QUEUE, 0, new_rk)
  redis.call('HSET', JOB .. id, 'rk', new_rk, 'tn', '', 'w', '1', 'vs', int(vs), 'vf', int(vs + UNIT))
  redis.call('ZADD', lane_key(head, ''), int(vs + UNIT), id)
  rewritten = rewritten + 1
end
if #queued > 0 then
  redis.call('HSET', K_TCOUNT.QUEUED, '', #queued)
end
local running = redis.call('ZRANGE', K_STATUS.PROCESSING, 0, -1)
for _, id in ipairs(running) do
  local rk = redis.call('HGET', JOB .. id, 'rk')
  if rk and #rk == OLD_HEAD + #id then
    local new_rk = string.sub(rk, 1, 8) .. string.format('%016x', 0) .. string.sub(rk, 9)
    redis.call('HSET', JOB .. id, 'rk', new_rk, 'tn', '', 'w', '1', 'vs', '0', 'vf', int(UNIT))
    rewritten = rewritten + 1
  end
end
if #running > 0 then
  redis.call('HSET', K_TCOUNT.PROCESSING, '', #running)
end
redis.call('SET', K_LAYOUT, '2')
return rewritten
