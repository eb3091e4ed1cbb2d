-- Server or sweeper: forget a finished job (its files are deleted by the caller).
-- Returns {'deleted'}, {'gone'} or {its unfinished state} (nothing done).
local state = redis.call('HGET', job, 'state')
if not state then
  redis.call('ZREM', index, id)
  redis.call('ZREM', finished, id)
  redis.call('HDEL', bytes, id)
  return {'gone'}
end
if not terminal(state) then
  return {state}
end
redis.call('DEL', job)
redis.call('ZREM', index, id)
redis.call('ZREM', finished, id)
redis.call('HDEL', bytes, id)
return {'deleted'}
