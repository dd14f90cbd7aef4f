--- Shared helpers for the benchmarks: timing, medians, process memory.
local util = {}

local clock = os.clock

--- Median of a list of numbers (the list is sorted in place).
function util.median(t)
  table.sort(t)
  local n = #t
  if n == 0 then return nil end
  if n % 2 == 1 then return t[(n + 1) // 2] end
  return (t[n // 2] + t[n // 2 + 1]) / 2
end

--- Seconds of CPU time that one call of fn takes, averaged over reps calls.
function util.time(fn, reps)
  local t0 = clock()
  for _ = 1, reps do fn() end
  return (clock() - t0) / reps
end

--- How many calls of fn fill about target seconds (at least 1).
function util.calibrate(fn, target)
  local reps = 1
  while true do
    local t0 = clock()
    for _ = 1, reps do fn() end
    local dt = clock() - t0
    if dt >= target / 4 or reps >= 1 << 24 then
      return math.max(1, math.ceil(reps * target / math.max(dt, 1e-9)))
    end
    reps = reps * 4
  end
end

--- Run several named functions in alternating order for `rounds` rounds and
-- return { name = median seconds per call, ... } plus the raw samples.
-- Each sample times `reps[name]` calls after a full collection, so garbage left
-- by one contender is not charged to the next.
function util.alternate(fns, order, rounds, target)
  local reps, samples = {}, {}
  for _, name in ipairs(order) do
    reps[name] = util.calibrate(fns[name], target)
    samples[name] = {}
  end
  for r = 1, rounds do
    local seq = {}
    for i = 1, #order do
      -- rotate the starting contender each round
      seq[i] = order[(i + r - 2) % #order + 1]
    end
    for _, name in ipairs(seq) do
      collectgarbage("collect")
      local s = samples[name]
      s[#s + 1] = util.time(fns[name], reps[name])
    end
  end
  local med = {}
  for _, name in ipairs(order) do
    local copy = {}
    for i, v in ipairs(samples[name]) do copy[i] = v end
    med[name] = util.median(copy)
  end
  return med, samples, reps
end

--- KiB the Lua heap grows by while fn runs (the collector stopped), and fn's result.
function util.heap_delta(fn)
  collectgarbage("collect")
  collectgarbage("collect")
  collectgarbage("stop")
  local before = collectgarbage("count")
  local res = fn()
  local after = collectgarbage("count")
  collectgarbage("restart")
  return after - before, res
end

--- A field of /proc/self/status in kB (VmHWM, VmRSS), or nil off Linux.
function util.proc_status(field)
  local f = io.open("/proc/self/status", "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local v = text:match(field .. ":%s*(%d+)%s*kB")
  return v and tonumber(v) or nil
end

--- Deep equality of plain Lua values (tables compared key by key).
function util.equal(a, b, path)
  path = path or "result"
  if type(a) ~= type(b) then
    return false, ("%s: %s vs %s"):format(path, type(a), type(b))
  end
  if type(a) ~= "table" then
    if a == b and math.type(a) == math.type(b) then return true end
    return false, ("%s: %s vs %s"):format(path, tostring(a), tostring(b))
  end
  for k, v in pairs(a) do
    local ok, why = util.equal(v, b[k], path .. "." .. tostring(k))
    if not ok then return false, why end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, ("%s.%s: missing on the left"):format(path, tostring(k)) end
  end
  return true
end

-- The QEMU guest's measurements (test/kernel/measure.lua, left by make check-kernel in
-- build/kernel-rig/results/measure.lua): the table, the file, and when it was written;
-- or nil and why not.
function util.rig_measure(root)
  local path = root .. "/build/kernel-rig/results/measure.lua"
  local f = io.open(path, "rb")
  local text = f and f:read("a")
  if f then f:close() end
  local t, err = require("cdperf.record").parse(text, path)
  if not t then return nil, err end
  local p = io.popen("date -u -r " .. path .. " '+%Y-%m-%d %H:%M UTC' 2>/dev/null")
  local when = p and p:read("l") or "?"
  if p then p:close() end
  return t, path, when
end

-- The scsi-cd's row of those: the 16 zones' prediction of a full read against the full
-- read, and the share of its time they took; nil when the guest read no full pass.
function util.rig_sampling(rig)
  for _, d in ipairs(rig.drives or {}) do
    if d.zones and d.full then
      return { error = d.zones.full_read_seconds / d.full.full_read_seconds - 1,
        share = d.zones.seconds / d.full.seconds, drive = d }
    end
  end
  return nil
end

return util
