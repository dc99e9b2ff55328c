-- KEYS[1] clip key, [2] clips by creation, [3] clips by expiry.
-- ARGV[1] id, [2] kind, [3] created (ms), [4] expires (ms, '' = never), [5] duration (s), [6] size, [7] WAV bytes,
-- [8] Redis's own expiry of the key (ms from now, '' = none), [9] owner ('' = the anonymous tenant: no field).
redis.call('HSET', KEYS[1], 'kind', ARGV[2], 'created', ARGV[3], 'duration', ARGV[5], 'size', ARGV[6], 'wav', ARGV[7])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'expires', ARGV[4])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[1], 'owner', ARGV[9])
end
if ARGV[8] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
