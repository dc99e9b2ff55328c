-- Every clip, oldest first: {id, kind, created, expires, duration, size, owner, ...} ('' for no expiry, '' for the anonymous owner).
-- KEYS[1] clips by creation. ARGV[1] prefix of clip keys. Index entries of clips Redis expired by itself are skipped.
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local m = redis.call('HMGET', ARGV[1] .. id, 'kind', 'created', 'expires', 'duration', 'size', 'owner')
  if m[1] then
    out[#out + 1] = id
    out[#out + 1] = m[1]
    out[#out + 1] = m[2]
    out[#out + 1] = m[3] or ''
    out[#out + 1] = m[4]
    out[#out + 1] = m[5]
    out[#out + 1] = m[6] or ''
  end
end
return out
