-- Stores a transcript only on a voice that has none and still has the audio that was transcribed.
-- KEYS[1] voice key. ARGV[1] SHA-256 of the WAV bytes that were read, [2] transcript. Returns 1 when stored.
local m = redis.call('HMGET', KEYS[1], 'sha', 'text')
if m[1] ~= ARGV[1] or (m[2] and m[2] ~= '') then
  return 0
end
redis.call('HSET', KEYS[1], 'text', ARGV[2])
return 1
