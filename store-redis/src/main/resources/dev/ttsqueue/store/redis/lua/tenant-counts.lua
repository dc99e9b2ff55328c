-- Queued and processing jobs of tenant ARGV[4], from the counters the job scripts keep.
-- Returns {queued, processing}.
return { tonumber(redis.call('HGET', K_TCOUNT.QUEUED, ARGV[4]) or '0'),
  tonumber(redis.call('HGET', K_TCOUNT.PROCESSING, ARGV[4]) or '0') }
