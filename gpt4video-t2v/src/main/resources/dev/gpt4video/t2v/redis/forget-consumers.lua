-- Sweep: remove consumers of the group ARGV[1] on the job stream KEYS[1] that hold nothing and have
-- not been seen for ARGV[2] ms (workers that died or stopped; their jobs were taken over long ago).
-- Atomic, so a consumer never loses a message it was handed meanwhile. Returns the names removed.
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then
  return {}
end
local removed = {}
for _, consumer in ipairs(consumers) do
  local f = {}
  for i = 1, #consumer, 2 do
    f[consumer[i]] = consumer[i + 1]
  end
  if tonumber(f['pending']) == 0 and tonumber(f['idle']) >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    table.insert(removed, f['name'])
  end
end
return removed
