-- Shared start of every job script (RedisScripts puts it in front of each one).
-- KEYS: the job's hash, its backend's stream and queue, the events stream, the job index,
-- the finished index, the bytes hash and the submission counter (RedisKeys.forJob).
-- ARGV[1..6]: now (epoch ms), consumer group, consumer, stream message id ('' on servers),
-- events stream length, job id; each script's own arguments follow from ARGV[7].
local job, stream, queue, events, index, finished, bytes, seq =
    KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local now, group, consumer, msg, maxlen, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

local function terminal(state)
  return state == 'completed' or state == 'failed' or state == 'cancelled'
end

-- Appends an event that carries the job's fields as they are now, so that readers need no second look-up.
local function publish(kind, step, total)
  local fields = redis.call('HGETALL', job)
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*',
      'type', kind, 'step', step or '0', 'total', total or '0', unpack(fields))
end

-- Who holds the job's message (consumer name) and how many times it was delivered; nil when not pending.
local function holder()
  if msg == '' then
    return nil, 0
  end
  local pending = redis.call('XPENDING', stream, group, msg, msg, 1)
  if #pending == 0 then
    return nil, 0
  end
  return pending[1][2], tonumber(pending[1][4])
end

local function owned()
  local who = holder()
  return who == consumer
end

-- The message is dealt with for good: acknowledged, and removed so the stream only holds live work.
local function settle()
  if msg ~= '' then
    redis.call('XACK', stream, group, msg)
    redis.call('XDEL', stream, msg)
  end
end

local function finish(state, code, message)
  redis.call('HSET', job, 'state', state, 'finished_at', now)
  if code then
    redis.call('HSET', job, 'error_code', code, 'error_message', message)
  end
  redis.call('ZREM', queue, id)
  redis.call('ZADD', finished, now, id)
  publish(state)
end
