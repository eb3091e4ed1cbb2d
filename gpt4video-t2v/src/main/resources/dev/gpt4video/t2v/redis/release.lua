-- Worker shutting down: give a running job back. It is queued again and its message is marked idle
-- for ARGV[7] ms (the claim timeout), so the next worker that looks takes it over at once; the
-- delivery that takeover costs is not counted against the job.
if not owned() or redis.call('HGET', job, 'state') ~= 'in_progress' then
  return {'lost'}
end
if redis.call('HGET', job, 'cancel') == '1' then
  settle()
  finish('cancelled')
  return {'cancelled'}
end
redis.call('HINCRBY', job, 'releases', 1)
redis.call('HSET', job, 'state', 'queued', 'progress', '0')
redis.call('HDEL', job, 'worker', 'started_at')
redis.call('ZADD', queue, redis.call('HGET', job, 'seq'), id)
redis.call('XCLAIM', stream, group, consumer, 0, msg, 'IDLE', ARGV[7], 'JUSTID')
publish('queued')
return {'released'}
