-- Worker: the job's files are in the artifact store; mark it completed and acknowledge its message.
-- Only the worker holding the message may, and only once: a job completes at most once.
-- ARGV[7]: metadata JSON, ARGV[8]: artifact JSON, ARGV[9]: video bytes.
-- Returns {'completed'}, {'cancelled'} (cancelled meanwhile: drop the files), {'lost'} or {other state}.
if not owned() then
  return {'lost'}
end
local state = redis.call('HGET', job, 'state')
settle()
if state ~= 'in_progress' then
  return {state or 'gone'}
end
if redis.call('HGET', job, 'cancel') == '1' then
  finish('cancelled')
  return {'cancelled'}
end
redis.call('HSET', job, 'progress', '100', 'metadata', ARGV[7], 'artifact', ARGV[8])
redis.call('HSET', bytes, id, ARGV[9])
finish('completed')
return {'completed'}
