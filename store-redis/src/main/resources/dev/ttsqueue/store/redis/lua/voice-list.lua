-- Every voice by name: {name, transcript, duration, ...}. KEYS[1] voice names. ARGV[1] prefix of voice keys.
local out = {}
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local m = redis.call('HMGET', ARGV[1] .. name, 'text', 'duration')
  if m[2] then
    out[#out + 1] = name
    out[#out + 1] = m[1] or ''
    out[#out + 1] = m[2]
  end
end
return out
