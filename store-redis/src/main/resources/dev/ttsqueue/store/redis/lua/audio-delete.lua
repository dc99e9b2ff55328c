-- KEYS[1] clip key, [2] clips by creation, [3] clips by expiry. ARGV[1] id. Returns 1 when the clip was there.
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return existed
