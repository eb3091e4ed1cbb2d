-- Worker: it was just handed the job's message (read or claimed); decide whether it runs it.
-- ARGV[7]: the most deliveries a job may have (graceful releases do not count).
-- Returns {'run', request JSON} or {why not}.
local state = redis.call('HGET', job, 'state')
if not state then
  settle()
  return {'gone'}
end
if terminal(state) then
  settle()
  return {state}
end
local who, deliveries = holder()
if who ~= consumer then
  return {'lost'}
end
if redis.call('HGET', job, 'cancel') == '1' then
  settle()
  finish('cancelled')
  return {'cancelled'}
end
local attempt = deliveries - tonumber(redis.call('HGET', job, 'releases') or '0')
if attempt > tonumber(ARGV[7]) then
  settle()
  finish('failed', 'interrupted', 'the job was interrupted ' .. (attempt - 1) ..
      ' times (its worker stopped or lost Redis); it is not retried again')
  return {'exhausted'}
end
redis.call('ZREM', queue, id)
redis.call('HSET', job, 'state', 'in_progress', 'progress', '0', 'started_at', now, 'worker', consumer,
    'attempt', attempt)
publish('started')
return {'run', redis.call('HGET', job, 'request')}
