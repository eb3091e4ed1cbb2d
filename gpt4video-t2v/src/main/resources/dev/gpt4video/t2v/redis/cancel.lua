-- Server: cancel a job. A queued one ends now (a worker that later reads its message drops it);
-- a running one gets its cancel flag, which its worker reads at the next step or heartbeat.
-- Returns {'cancelled'}, {'cancelling'}, {'gone'} or {its finished state}.
local state = redis.call('HGET', job, 'state')
if not state then
  return {'gone'}
end
if state == 'queued' then
  finish('cancelled')
  return {'cancelled'}
end
if state == 'in_progress' then
  redis.call('HSET', job, 'cancel', '1')
  return {'cancelling'}
end
return {state}
