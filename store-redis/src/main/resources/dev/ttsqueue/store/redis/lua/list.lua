-- Jobs newest first. ARGV[4] status ('' = all), [5] only sequences below this, [6] at most this many.
-- Returns {id, fields, ...}.
local set = K_ALL
if ARGV[4] ~= '' then
  set = K_STATUS[ARGV[4]]
end
return records(redis.call('ZREVRANGEBYSCORE', set, '(' .. ARGV[5], '-inf', 'LIMIT', 0, tonumber(ARGV[6])))
