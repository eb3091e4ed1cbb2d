-- Worker, every heartbeat interval per running job: refresh the claim so no one takes the job over.
-- Returns {'ok'}, {'cancel'} (the job was cancelled: stop it) or {'lost'} (another worker has it: drop it).
if not owned() or redis.call('HGET', job, 'state') ~= 'in_progress' then
  return {'lost'}
end
redis.call('XCLAIM', stream, group, consumer, 0, msg, 'JUSTID')
if redis.call('HGET', job, 'cancel') == '1' then
  return {'cancel'}
end
return {'ok'}
