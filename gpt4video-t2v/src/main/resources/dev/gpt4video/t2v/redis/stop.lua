-- Worker: the job ended without a video. ARGV[7]: 'failed' or 'cancelled', ARGV[8]: error code
-- ('' for none), ARGV[9]: error message. Returns {the state set}, {'lost'} or {other state}.
if not owned() then
  return {'lost'}
end
local state = redis.call('HGET', job, 'state')
settle()
if state ~= 'in_progress' then
  return {state or 'gone'}
end
if ARGV[8] == '' then
  finish(ARGV[7])
else
  finish(ARGV[7], ARGV[8], ARGV[9])
end
return {ARGV[7]}
