"""The Lua script that applies one batch of working-memory writes atomically in Redis.

One ``EVALSHA`` per flush carries every dirty record of a process. Redis runs a script
without interleaving other commands, so each record is a compare-and-set on its version:

* the version is the one this process last read or wrote: the record is replaced verbatim
  (bit-identical floats, so a resumed process decides exactly as the first one would);
* another process wrote in between: the record is merged so that neither update is lost.
  Counters and scores add both sides' deltas from the common base; nudge times are united;
  age inferences keep the stronger source, then the higher confidence; case ids and
  timestamps keep whichever is set or later. The merged record is returned so the writer
  can refresh its cache.

The batch is ONE argument, a JSON array of ops laid end to end (packing thousands of
separate arguments costs more client time than the writes themselves). Each op is
``code key ttl_ms ...``:

* ``J key ttl kind expected_version base_json new_json`` - JSON record (pair|age|child|conv)
* ``A key ttl maxlen n item...`` - append to an evidence ring buffer, trimmed to maxlen
* ``W key ttl n item...`` - rewrite an evidence ring buffer (after edits or deletes)
* ``Z key ttl min_score cap n score member ...`` - fan-out contacts: add, drop old, cap
* ``S key ttl value`` - a plain value (resume markers) written in the same batch

Scripts that touch keys not declared in KEYS work on a single Redis server (not Cluster);
nudgeguard documents a single primary for working memory.

Returns, per ``J`` op, the new version and the merged JSON ('' when written verbatim).
"""

BATCH = r"""
local RANK = {platform_role=3, admin_config=2, self_disclosure=1, none=0}

local function num(t, k, d) local v = t[k]; if type(v) == 'number' then return v end; return d end
local function tbl(t, k) local v = t[k]; if type(v) == 'table' then return v end; return {} end

local function add_deltas(r, b, n)
  local out = {}
  for k, v in pairs(r) do out[k] = v end
  for k, v in pairs(n) do out[k] = (out[k] or 0) + v - (b[k] or 0) end
  for k, v in pairs(b) do if n[k] == nil then out[k] = (out[k] or 0) - v end end
  for k, v in pairs(out) do if v <= 0.0000001 then out[k] = nil end end
  return out
end

local function maxmap(a, b)
  local out = {}
  for k, v in pairs(a) do out[k] = v end
  for k, v in pairs(b) do if out[k] == nil or v > out[k] then out[k] = v end end
  return out
end

local function pick(a, b) if a ~= nil and a ~= cjson.null then return a end; return b end

-- A record another version or a hand edit left unreadable is replaced, never merged.
local function readable(s)
  local ok, t = pcall(cjson.decode, s)
  if ok and type(t) == 'table' then return t end
  return nil
end

-- A key of the wrong type (a hand edit) is dropped, so one bad key cannot fail the batch.
local function call_or_reset(...)
  local r = redis.pcall(...)
  if type(r) == 'table' and r.err then
    local key = select(2, ...)
    redis.call('DEL', key)
    r = redis.call(...)
  end
  return r
end

local function merge(kind, r, b, n)
  local m = {}
  if kind == 'pair' then
    m.s = add_deltas(tbl(r, 's'), tbl(b, 's'), tbl(n, 's'))
    m.c = add_deltas(tbl(r, 'c'), tbl(b, 'c'), tbl(n, 'c'))
    m.f = math.min(num(r, 'f', num(n, 'f', 0)), num(n, 'f', 0))
    m.l = math.max(num(r, 'l', 0), num(n, 'l', 0))
    m.m = num(r, 'm', 0) + num(n, 'm', 0) - num(b, 'm', 0)
    m.q = num(r, 'q', 0) + num(n, 'q', 0) - num(b, 'q', 0)
    m.r = math.max(num(r, 'r', 0), num(n, 'r', 0))
    m.n = maxmap(tbl(r, 'n'), tbl(n, 'n'))
    m.w = math.max(num(r, 'w', -1), num(n, 'w', -1))
    m.k = pick(n.k, r.k)
    m.v = pick(n.v, r.v)
  elseif kind == 'age' then
    local rr, rn = RANK[r.s] or 0, RANK[n.s] or 0
    if rn > rr or (rn == rr and num(n, 'c', 0) >= num(r, 'c', 0)) then m = n else m = r end
  elseif kind == 'child' then
    local seen, times = {}, {}
    for _, src in ipairs({tbl(r, 't'), tbl(n, 't')}) do
      for _, t in ipairs(src) do
        if type(t) == 'number' and not seen[t] then seen[t] = true; times[#times + 1] = t end
      end
    end
    table.sort(times)
    while #times > 64 do table.remove(times, 1) end
    m.t = times
    m.o = math.max(num(r, 'o', 0), num(n, 'o', 0))
  else
    local seen, pa = {}, {}
    for _, src in ipairs({tbl(r, 'pa'), tbl(n, 'pa')}) do
      for _, p in ipairs(src) do
        if not seen[p] and #pa < 512 then seen[p] = true; pa[#pa + 1] = p end
      end
    end
    m.pa = pa
    m.sp = n.sp
  end
  m.at = math.max(num(r, 'at', 0), num(n, 'at', 0))
  return m
end

local A = cjson.decode(ARGV[1])
local out, i = {}, 1
while i <= #A do
  local op, key, ttl = A[i], A[i + 1], A[i + 2]
  if op == 'J' then
    local kind, expect, base, new = A[i + 3], tonumber(A[i + 4]), A[i + 5], A[i + 6]
    i = i + 7
    local cur = call_or_reset('HMGET', key, 'v', 'd')
    local ver = tonumber(cur[1]) or 0
    local data, merged = new, ''
    local r = ver ~= expect and cur[2] and readable(cur[2])
    if r then
      local b = readable(base) or {}
      data = cjson.encode(merge(kind, r, b, cjson.decode(new)))
      merged = data
    end
    redis.call('HSET', key, 'v', ver + 1, 'd', data)
    redis.call('PEXPIRE', key, ttl)
    out[#out + 1] = ver + 1
    out[#out + 1] = merged
  elseif op == 'A' then
    local maxlen, n = tonumber(A[i + 3]), tonumber(A[i + 4])
    for j = 1, n do call_or_reset('RPUSH', key, A[i + 4 + j]) end
    redis.call('LTRIM', key, -maxlen, -1)
    redis.call('PEXPIRE', key, ttl)
    i = i + 5 + n
  elseif op == 'W' then
    local n = tonumber(A[i + 3])
    redis.call('DEL', key)
    for j = 1, n do redis.call('RPUSH', key, A[i + 3 + j]) end
    if n > 0 then redis.call('PEXPIRE', key, ttl) end
    i = i + 4 + n
  elseif op == 'Z' then
    local lo, cap, n = A[i + 3], tonumber(A[i + 4]), tonumber(A[i + 5])
    for j = 1, n do
      local s, mem = A[i + 4 + 2 * j], A[i + 5 + 2 * j]
      local prev = call_or_reset('ZSCORE', key, mem)
      if not prev or tonumber(prev) < tonumber(s) then redis.call('ZADD', key, s, mem) end
    end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. lo)
    redis.call('ZREMRANGEBYRANK', key, 0, -(cap + 1))
    redis.call('PEXPIRE', key, ttl)
    i = i + 6 + 2 * n
  elseif op == 'S' then
    redis.call('SET', key, A[i + 3], 'PX', ttl)
    i = i + 4
  else
    return redis.error_reply('unknown op')
  end
end
return out
"""


READ = r"""
local function ok(r, default)
  if type(r) == 'table' and r.err then return default end
  return r
end

local ops = cjson.decode(ARGV[1])
local out = {}
for n, op in ipairs(ops) do
  local code, key = op[1], op[2]
  -- A key of the wrong type (a hand edit) reads as missing; the next write replaces it.
  if code == 'H' then
    local r = ok(redis.pcall('HMGET', key, 'v', 'd'), {})
    out[n] = {r[1] or '', r[2] or ''}
  elseif code == 'C' then
    local r = ok(redis.pcall('HMGET', key, 'v', 'd'), {})
    local w = {}
    if r[2] then w = ok(redis.pcall('LRANGE', op[3], 0, -1), {}) end
    out[n] = {r[1] or '', r[2] or '', w}
  else
    out[n] = ok(redis.pcall('ZRANGE', key, 0, -1, 'WITHSCORES'), {})
  end
end
return cjson.encode(out)
"""
