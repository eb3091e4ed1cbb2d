-- Server: queue a new job unless its backend's queue is full.
-- ARGV[7]: queue capacity; ARGV[8..]: the job hash's fields and values.
-- Returns {'queued', queue position} or {'full'}.
if redis.call('ZCARD', queue) >= tonumber(ARGV[7]) then
  return {'full'}
end
local order = redis.call('INCR', seq)
redis.call('HSET', job, unpack(ARGV, 8))
redis.call('HSET', job, 'seq', order)
redis.call('ZADD', queue, order, id)
redis.call('ZADD', index, now, id)
redis.call('XADD', stream, '*', 'job', id)
publish('queued')
return {'queued', redis.call('ZRANK', queue, id) + 1}
