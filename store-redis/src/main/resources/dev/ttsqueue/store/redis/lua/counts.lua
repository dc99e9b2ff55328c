-- Jobs per status, kept by the sorted sets themselves (ZCARD is O(1)).
return { redis.call('ZCARD', K_STATUS.QUEUED), redis.call('ZCARD', K_STATUS.PROCESSING),
  redis.call('ZCARD', K_STATUS.COMPLETED), redis.call('ZCARD', K_STATUS.FAILED), redis.call('ZCARD', K_STATUS.CANCELLED) }
