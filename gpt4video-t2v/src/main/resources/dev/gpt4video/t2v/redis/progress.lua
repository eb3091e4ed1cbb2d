-- Worker, after each denoising step: a heartbeat that also records progress and tells the servers.
-- ARGV[7]: step, ARGV[8]: total steps, ARGV[9]: progress percent. Returns like heartbeat.lua.
if not owned() or redis.call('HGET', job, 'state') ~= 'in_progress' then
  return {'lost'}
end
redis.call('XCLAIM', stream, group, consumer, 0, msg, 'JUSTID')
if redis.call('HGET', job, 'cancel') == '1' then
  return {'cancel'}
end
if tonumber(ARGV[9]) > tonumber(redis.call('HGET', job, 'progress') or '0') then
  redis.call('HSET', job, 'progress', ARGV[9])
end
publish('progress', ARGV[7], ARGV[8])
return {'ok'}
