-- Prepended to every job script (see LuaScripts). KEYS[1..11] are the store's fixed keys, in the
-- order Keys.fixed() gives them; ARGV[1..3] the job key prefix, the change channel and the
-- caller's origin. Every key shares one hash tag, so a script touches a single cluster slot.
local K_SEQ, K_TOKEN, K_QUEUE, K_ALL, K_LEASES, K_DONE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_STATUS = { QUEUED = KEYS[7], PROCESSING = KEYS[8], COMPLETED = KEYS[9], FAILED = KEYS[10], CANCELLED = KEYS[11] }
local JOB, CHANNEL, ORIGIN = ARGV[1], ARGV[2], ARGV[3]
-- A run key is 8 hex digits of priority, 16 of virtual start, 16 of sequence, then the job id (RunKey.java).
local RUN_KEY_HEAD = 40
-- The hash fields a job's state lives in, beside the ones written once at enqueue (req, seq, rk, n,
-- and for fair share: tn tenant, w weight, vs virtual start, vf virtual finish).
-- Fair share (VirtualTime.java) keeps, under the same hash tag as every other key: the virtual
-- time per priority (hash, field = 8 hex digits of priority), the largest claimed virtual finish per
-- priority and tenant (hash, field = priority digits .. ':' .. tenant), one sorted set per priority
-- and tenant of its queued jobs by virtual finish (its tail is where the tenant's next job starts),
-- and queued and processing jobs per tenant (hashes of counters). Their names derive from K_SEQ's prefix.
local PREFIX = string.sub(K_SEQ, 1, #K_SEQ - 3)
local K_VTIME, K_TFINISH, K_LAYOUT = PREFIX .. 'vtime', PREFIX .. 'tenant-finish', PREFIX .. 'layout'
local K_TCOUNT = { QUEUED = PREFIX .. 'tenant-queued', PROCESSING = PREFIX .. 'tenant-processing' }
-- VirtualTime.UNIT: the cost of a job of weight 1, for jobs stored before fair share.
local UNIT = 720720
local STATE = { 'st', 'started', 'completed', 'done', 'total', 'pct', 'eta', 'err', 'res', 'att', 'owner', 'lease', 'tok', 'cxl' }

-- Numbers leave Lua as integers written out in full: Redis would otherwise write large ones
-- (tokens are near 2^51) in exponent form.
local function int(x)
  return string.format('%d', x)
end

-- Tells the other nodes (JobChangeFeed); ChangeMessage.java reads it.
local function announce(kind, id, rest)
  redis.call('PUBLISH', CHANNEL, ORIGIN .. '|' .. kind .. '|' .. (id or '') .. '|' .. (rest or ''))
end

local function lane_key(head, tenant)
  return PREFIX .. 'lane:' .. head .. ':' .. tenant
end

-- Adds delta to the tenant's counter of status, for the two statuses that are counted.
local function count_tenant(tenant, status, delta)
  local k = K_TCOUNT[status]
  if k then
    if redis.call('HINCRBY', k, tenant, delta) <= 0 then
      redis.call('HDEL', k, tenant)
    end
  end
end

local function move(id, seq, from, to, tenant)
  redis.call('ZREM', K_STATUS[from], id)
  redis.call('ZADD', K_STATUS[to], seq, id)
  count_tenant(tenant, from, -1)
  count_tenant(tenant, to, 1)
end

-- The virtual finish of a job from its hash fields (jobs stored before fair share have none).
local function finish_of(vs, vf)
  if vf then
    return tonumber(vf)
  end
  return tonumber(vs or '0') + UNIT
end

-- Fencing tokens: one more than the last, and never below the server's clock in microseconds,
-- so that tokens handed out in the last second before a crash that lost them (AOF everysec)
-- are not handed out again after the restart.
local function next_token()
  local t = redis.call('TIME')
  local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', K_TOKEN) or '0')
  local token = math.max(last + 1, floor)
  redis.call('SET', K_TOKEN, int(token))
  return token
end

-- {id, fields, id, fields, ...} for the jobs still present.
local function records(ids)
  local out = {}
  for _, id in ipairs(ids) do
    local fields = redis.call('HGETALL', JOB .. id)
    if #fields > 0 then
      out[#out + 1] = id
      out[#out + 1] = fields
    end
  end
  return out
end
