-- Replaces a voice whole. KEYS[1] voice key, [2] voice names.
-- ARGV[1] name, [2] WAV bytes, [3] transcript, [4] duration (s), [5] SHA-256 of the WAV bytes.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'wav', ARGV[2], 'text', ARGV[3], 'duration', ARGV[4], 'sha', ARGV[5])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
