-- KEYS[1] voice key, [2] voice names. ARGV[1] name. Returns 1 when the voice was there.
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return existed
