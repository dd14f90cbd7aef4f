--- cdperf.measure: what the drive really does, not what it says.
--
-- * `measure.measure(drive, opts)`: timed reads across the medium: the measured speed
--   curve and how the drive spins (CLV, Z-CLV, P-CAV, CAV)
-- * `measure.probe(drive, list, opts)`: set each offered read speed, measure, and say
--   whether the drive obeyed, capped, ignored or refused it
-- * `measure.read_speeds(snapshot)`: the read speeds the drive offers for the medium
-- * `measure.pick_read(list, policy)`: one of them, by the policies of cdperf.speeds.pick
-- * `measure.set_read_speed(drive, kBps)`: SET STREAMING (DVD, BD), else SET CD SPEED
--
-- cdperf.measure(drive, opts) and cdperf.probe(drive, list, opts) are the first two.
-- `drive` is an open cdperf drive (its raw drive:command sends READ(10)/READ(12)), or
-- anything cdperf.open takes as a device (an emulator, a function), opened and closed here.
--
-- What is timed: READ(10) of read_size sectors (at most 31: the allocation length of one
-- command is at most 65535 bytes), sequential within a zone.  The first read of a zone
-- and the one after it (spin-up, the seek to the zone, a speed change) are read and not
-- timed.  Speeds are in kB/s as MMC counts them (1 kB = 1000 B): a CD sector counts 2352 bytes (1x = 75 sectors
-- per second = 176.4 kB/s), a DVD or BD sector 2048; the user-data rate of a CD is
-- kBps x 2048 / 2352.  The clock is opts.clock (seconds), else the core's monotonic clock
-- (CLOCK_MONOTONIC, QueryPerformanceCounter), else /proc/timer_list (nanoseconds; root
-- only), /proc/uptime (10 ms), os.time (1 s); each zone is timed for at least 50 ticks of it.
--
-- Probing and setting a read speed change the drive: open it with `{ write = true }`.
-- @module cdperf.measure
-- @usage local r = assert(cdperf.measure(drive, { zones = 16 }))
-- print(r.rotation, r.inner_kBps, r.outer_kBps, r.full_read_seconds)

local media = require "cdperf.media"
local format = require "cdperf.format"
local judge = require "cdperf.judge"
local physics = require "cdperf.physics"

local measure = {}

local fmt, pack, unpack = string.format, string.pack, string.unpack
local abs, max, min, floor = math.abs, math.max, math.min, math.floor

--- The most sectors one READ asks for: 31 (one command's allocation length is at most 65535 bytes).
measure.MAX_READ_SIZE = 65535 // 2048
--- A measured speed within this (5 %) of the speed asked is that speed.
measure.TOLERANCE = 0.05
--- Seconds of untimed reading after spin-up (0.25): a drive's read-ahead buffer or a
-- throttle's burst is spent by then.
measure.SETTLE_SECONDS = 0.25
--- The ways a drive spins, as `classify` names them: `{ "clv", "zclv", "pcav", "cav" }`.
measure.ROTATIONS = { "clv", "zclv", "pcav", "cav" }

-- ------------------------------------------------------------------------
-- Clocks

local function timer_list()
  local f = io.open("/proc/timer_list", "rb")
  if not f then return nil end
  local s = f:read(256)
  f:close()
  local ns = s and s:match("now at (%d+) nsecs")
  return ns and tonumber(ns) / 1e9 or nil
end

local function uptime()
  local f = io.open("/proc/uptime", "rb")
  if not f then return nil end
  local s = f:read("l")
  f:close()
  return s and tonumber(s:match("^(%d+%.?%d*)")) or nil
end

--- The finest clock available: a function returning seconds, and its resolution (s):
-- the core's monotonic clock, else /proc/timer_list (root), /proc/uptime, os.time.
-- @treturn function the clock
-- @treturn number its resolution in seconds
function measure.default_clock()
  local ok, core = pcall(require, "cdperf.core")
  if ok and type(core) == "table" and type(core.monotonic) == "function" then
    local _, resolution = core.monotonic()
    return function() return (core.monotonic()) end, resolution
  end
  if timer_list() then return timer_list, 1e-9 end
  if uptime() then return uptime, 0.01 end
  return os.time, 1
end

-- ------------------------------------------------------------------------
-- Checks

local function is_real(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

local OPTS = { zones = "count", full = "boolean", read_size = "read_size", progress = "function", cancel = "function",
  clock = "function", resolution = "seconds", zone_sectors = "count", zone_seconds = "seconds",
  settle_seconds = "seconds", class = "class",
  capacity = "count", timeout_ms = "count", at = "fraction", tolerance = "fraction", restore = "boolean",
  bins = "count" }
local EXPECTED = { count = "an integer >= 1", boolean = "a boolean", read_size = "sectors 1..31",
  ["function"] = "a function", seconds = "seconds >= 0", class = "cd|dvd|bd", fraction = "a number 0..1" }

local function check_opts(opts, fname, n)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(fmt("bad argument #%d to '%s' (options table expected, got %s)", n, fname, type(opts)), 3)
  end
  for k, v in pairs(opts) do
    local kind = OPTS[k]
    if not kind then
      local names = {}
      for name in pairs(OPTS) do names[#names + 1] = name end
      table.sort(names)
      error(fmt("bad field %s (unknown option; expected %s)", type(k) == "string" and "'" .. k .. "'" or type(k),
        table.concat(names, "|")), 3)
    end
    local ok
    if kind == "count" then ok = math.tointeger(v) ~= nil and v >= 1
    elseif kind == "read_size" then ok = math.tointeger(v) ~= nil and v >= 1 and v <= measure.MAX_READ_SIZE
    elseif kind == "seconds" then ok = is_real(v) and v >= 0
    elseif kind == "fraction" then ok = is_real(v) and v >= 0 and v <= 1
    elseif kind == "class" then ok = v == "cd" or v == "dvd" or v == "bd"
    else ok = type(v) == kind end
    if not ok then
      error(fmt("bad field '%s' (expected %s, got %s)", k, EXPECTED[kind], judge.show(v)), 3)
    end
  end
  return opts
end

-- ------------------------------------------------------------------------
-- The drive: raw READs and the little it needs to know about the medium

-- A cdperf drive from `drive`; the second value is true when it was opened here.
local function open_drive(drive, fname)
  local t = type(drive)
  if t == "userdata" then
    if type(drive.command) ~= "function" then
      error(fmt("bad argument #1 to '%s' (this cdperf core has no drive:command, the raw pass-through "
        .. "measuring needs)", fname), 3)
    end
    return drive, false
  end
  if t == "function" or (t == "table" and (type(drive.command) == "function" or getmetatable(drive))) then
    local d, msg, info = require("cdperf").open(drive)
    if not d then return nil, msg, info end
    return d, true
  end
  error(fmt("bad argument #1 to '%s' (drive expected, got %s)", fname, t), 3)
end

local function cmd(drive, cdb, dir, arg, opts)
  if dir == "none" then return drive:command(cdb, dir, nil, opts.timeout_ms) end
  return drive:command(cdb, dir, arg, opts.timeout_ms)
end

-- The medium: class (from the current profile) and capacity (READ CAPACITY).
local function medium(drive, opts)
  local class = opts.class
  if not class then
    local data, msg, info = cmd(drive, pack(">BBI2I2BI2B", 0x46, 0x01, 0, 0, 0, 8, 0), "in", 8, opts)
    if not data then return nil, "GET CONFIGURATION: " .. tostring(msg), info end
    if #data < 8 then return nil, "GET CONFIGURATION: short answer", { kind = "decode" } end
    local code = unpack(">I2", data, 7)
    class = media.class(code)
    if code == 0 then return nil, "no medium in the drive", { kind = "medium", profile = { code = 0 } } end
    if class ~= "cd" and class ~= "dvd" and class ~= "bd" then
      return nil, fmt("medium %s is no CD, DVD or BD", media.name(code)), { kind = "medium", profile = { code = code } }
    end
  end
  local capacity = opts.capacity
  if not capacity then
    local data, msg, info = cmd(drive, pack(">BBI4I2BB", 0x25, 0, 0, 0, 0, 0), "in", 8, opts)
    if not data then return nil, "READ CAPACITY: " .. tostring(msg), info end
    if #data < 8 then return nil, "READ CAPACITY: short answer", { kind = "decode" } end
    local last, block = unpack(">I4I4", data)
    capacity = last + 1
    if block ~= 2048 and block ~= 0 then
      return nil, fmt("READ CAPACITY: %d-byte blocks (2048 expected)", block), { kind = "medium", block = block }
    end
    if judge.lba(last, class) then
      return nil, fmt("READ CAPACITY: last LBA %d is %s", last, judge.lba(last, class)), { kind = "decode" }
    end
  end
  return class, capacity
end

-- READ(10) of n sectors at lba (READ(12) when the drive knows no READ(10)).
local function read(drive, lba, n, opts, state)
  local data, msg, info
  if not state.read12 then
    data, msg, info = cmd(drive, pack(">BBI4BI2B", 0x28, 0, lba, 0, n, 0), "in", n * 2048, opts)
    if not data and type(info) == "table" and info.sense_key == 5 and info.asc == 0x20 then state.read12 = true end
  end
  if state.read12 then
    data, msg, info = cmd(drive, pack(">BBI4I4BB", 0xA8, 0, lba, n, 0, 0), "in", n * 2048, opts)
  end
  state.commands = state.commands + 1
  if not data then
    info = type(info) == "table" and info or { kind = "drive" }
    info.lba = lba
    return nil, fmt("%s of %d sectors at LBA %d: %s", state.read12 and "READ(12)" or "READ(10)", n, lba,
      tostring(msg)), info
  end
  return true
end

-- ------------------------------------------------------------------------
-- Geometry and the shape of a curve

-- Radius (mm) of each LBA: the physics of the medium, or (when physics has no disc of
-- that size) a single-layer spiral from 24 to 58 mm.
local function radius_fn(class, capacity)
  local ok, g = pcall(physics.geometry, class, { capacity = capacity })
  if ok then
    return function(lba) return (physics.radius(g, min(max(lba, 0), g.capacity))) end, g
  end
  local r0, r1 = 24, 58
  return function(lba) return math.sqrt(r0 * r0 + (r1 * r1 - r0 * r0) * min(max(lba / capacity, 0), 1)) end, nil
end

local function median(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

local function worst(points, predict)
  local e = 0
  for _, p in ipairs(points) do e = max(e, abs(p.kBps - predict(p)) / p.kBps) end
  return e
end

-- Interior points off a curve their two neighbours agree on (a retry, a stall, a timer's
-- jitter): no way a disc spins makes one zone alone faster or slower than both sides.
-- At most one in eight points; the indexes, ascending.
local function spikes(points, tol)
  local out = {}
  for i = 2, #points - 1 do
    local a, b, v = points[i - 1].kBps, points[i + 1].kBps, points[i].kBps
    local mid = (a + b) / 2
    if abs(a - b) <= tol / 2 * max(a, b) and abs(v - mid) > tol * mid
      and out[#out] ~= i - 1 then
      out[#out + 1] = i
    end
  end
  if #out > #points // 8 then return {} end
  return out
end

--- How a measured curve spins: "clv" | "zclv" | "pcav" | "cav", and the fit
-- { error = worst relative deviation, tolerance =, models = { name = error },
-- outliers = { index, ... } }.  An interior point off the curve both its neighbours agree
-- on (at most one in eight) is an outlier: left out of the fit.  Z-CLV's steps must rise
-- outward, as the zones of a disc do.
-- points: { { lba =, kBps = }, ... } ascending; radius: function(lba) -> mm.
-- @tparam table points
-- @tparam function radius
-- @tparam[opt=TOLERANCE] number tol
-- @treturn string|nil the rotation (nil without points)
-- @treturn table the fit
function measure.classify(points, radius, tol)
  tol = tol or measure.TOLERANCE
  local all = points
  local outliers = #all >= 8 and spikes(all, tol) or {}
  local skip = {}
  points = {}
  for _, i in ipairs(outliers) do skip[i] = true end
  for i, p in ipairs(all) do if not skip[i] then points[#points + 1] = p end end
  local n = #points
  if n == 0 then return nil, { error = 0, tolerance = tol, models = {}, outliers = outliers } end
  local vmax, vmin = 0, math.huge
  for _, p in ipairs(points) do
    p.r = radius(p.lba)
    vmax, vmin = max(vmax, p.kBps), min(vmin, p.kBps)
  end
  local models = {}
  -- CLV: one speed everywhere
  local vmed = median((function() local t = {} for i, p in ipairs(points) do t[i] = p.kBps end return t end)())
  models.clv = worst(points, function() return vmed end)
  -- CAV: speed proportional to radius
  local ks = {}
  for i, p in ipairs(points) do ks[i] = p.kBps / p.r end
  local k = median(ks)
  models.cav = worst(points, function(p) return k * p.r end)
  -- P-CAV: CAV inside (one point at least), CLV outside (two points at least)
  local flat, ramp = {}, {}
  for _, p in ipairs(points) do
    if p.kBps >= vmax * (1 - tol / 2) then flat[#flat + 1] = p else ramp[#ramp + 1] = p end
  end
  if #flat >= 2 and #ramp >= 1 then
    local V = median((function() local t = {} for i, p in ipairs(flat) do t[i] = p.kBps end return t end)())
    local rk = {}
    for i, p in ipairs(ramp) do rk[i] = p.kBps / p.r end
    local kp = median(rk)
    models.pcav = worst(points, function(p) return min(kp * p.r, V) end)
  end
  -- Z-CLV: steps of constant speed, on average two points or more each
  local runs, run = {}, nil
  for _, p in ipairs(points) do
    if run and abs(p.kBps - run.v) <= tol / 2 * run.v then
      run.n = run.n + 1
      run.sum = run.sum + p.kBps
      run.rsum = run.rsum + p.r
    else
      run = { v = p.kBps, n = 1, sum = p.kBps, rsum = p.r }
      runs[#runs + 1] = run
    end
  end
  -- each step faster than the one nearer the centre (a dual layer's second layer may run
  -- back inward: radius, not LBA, orders the steps)
  local rising = true
  for i = 2, #runs do
    local a, b = runs[i - 1], runs[i]
    if (b.sum / b.n - a.sum / a.n) * (b.rsum / b.n - a.rsum / a.n) <= 0 then rising = false end
  end
  if #runs >= 2 and #runs * 2 <= n and rising then
    local e = 0
    local i = 0
    for _, r in ipairs(runs) do
      local mean = r.sum / r.n
      for j = i + 1, i + r.n do e = max(e, abs(points[j].kBps - mean) / points[j].kBps) end
      i = i + r.n
    end
    models.zclv = e
  end
  -- the simplest model that fits: CLV, then CAV, then P-CAV, then Z-CLV
  local order = { "clv", "cav", "pcav", "zclv" }
  local best
  for _, name in ipairs(order) do
    if not best and models[name] and models[name] <= tol then best = name end
  end
  local fit = { tolerance = tol, models = models, outliers = outliers }
  if not best then
    for _, name in ipairs(order) do
      if models[name] and (not best or models[name] < models[best]) then best = name end
    end
    fit.fits = false
  else
    fit.fits = true
  end
  fit.error = models[best]
  for _, p in ipairs(points) do p.r = nil end
  return best, fit
end

-- Seconds to read sectors [0, capacity) by the piecewise-linear curve through points.
local function curve_seconds(points, capacity, sector_kB)
  local t, prev = 0, { lba = 0, kBps = points[1].kBps }
  local list = {}
  for _, p in ipairs(points) do list[#list + 1] = p end
  list[#list + 1] = { lba = capacity, kBps = points[#points].kBps }
  for _, p in ipairs(list) do
    local len = min(p.lba, capacity) - prev.lba
    if len > 0 then
      local v1, v2 = prev.kBps, p.kBps
      if abs(v2 - v1) < 1e-9 * v1 then
        t = t + len * sector_kB / v1
      else
        t = t + len * sector_kB / (v2 - v1) * math.log(v2 / v1)
      end
    end
    prev = p
  end
  return t
end
--- Seconds to read the whole medium along measured points (linear between them).
-- @tparam table points `{ { lba =, kBps = }, ... }` ascending
-- @tparam integer capacity sectors
-- @tparam number sector_kB kB a sector counts (2.352 CD, 2.048 DVD/BD)
-- @treturn number seconds
-- @function curve_seconds
measure.curve_seconds = curve_seconds

-- ------------------------------------------------------------------------
-- Timed reading

-- A reader: reads chunks, tells progress, honours cancel.  Returns a table with
-- warm(lba) and timed(lba, limit_sectors, min_seconds, max_sectors) -> sectors, seconds.
local function reader(drive, opts, state, total)
  local chunk = opts.read_size or measure.MAX_READ_SIZE
  local clock = state.clock
  local r = {}
  local function cancelled()
    return state.cancelled or (opts.cancel and opts.cancel() and true) or false
  end
  -- Two reads, not timed: the first seeks (and spins up), and a drive may change its
  -- speed only on the read after that (obeys_after_next_read).  With `settle` (seconds),
  -- untimed reads go on until that long after the first one: what a drive read ahead
  -- into its buffer while idle, or a throttle's burst, comes faster than the medium
  -- turns and would count as speed.
  function r.warm(lba, settle)
    local done, t1 = 0, nil
    while true do
      local n = min(chunk, state.capacity - lba - done)
      if n <= 0 then break end
      local ok, msg, info = read(drive, lba + done, n, opts, state)
      if not ok then return nil, msg, info end
      done = done + n
      t1 = t1 or clock()
      if done >= 2 * chunk and (not settle or clock() - t1 >= settle) then break end
    end
    return done
  end
  -- Timed sequential reads from lba: at least min_seconds (and a whole chunk), at most
  -- max_sectors and never past `stop`.
  function r.timed(lba, max_sectors, min_seconds, stop, point)
    local t0 = clock()
    local done, elapsed = 0, 0
    while lba + done < stop do
      if cancelled() then state.cancelled = true break end
      local n = min(chunk, stop - lba - done)
      local ok, msg, info = read(drive, lba + done, n, opts, state)
      if not ok then return nil, msg, info end
      done = done + n
      elapsed = clock() - t0
      state.read = state.read + n
      if opts.progress then
        local ret = opts.progress(min(state.read / total, 1), point)
        if ret == false then state.cancelled = true end
      end
      if done >= max_sectors and elapsed >= min_seconds then break end
    end
    return done, elapsed
  end
  return r
end

--- Measure the drive's read speed across the medium.  opts:
--
-- * `zones` = 16: sampled zones, evenly spread from the first to the last sector
-- * `full` = false: read every sector instead (the points are `bins` stretches of it)
-- * `bins` = max(zones, 64): points of a full read
-- * `read_size` = 31: sectors per READ (at most 31)
-- * `zone_sectors`: sectors timed per zone (default: a twentieth of the medium over the
--   zones, 4 reads at least, 16384 at most)
-- * `zone_seconds`: time each zone for at least this (default 50 ticks of the clock)
-- * `settle_seconds` = 0.25: after spin-up, read this long before timing anything (a
--   drive's read-ahead buffer, a throttle's burst)
-- * `progress` = fn(fraction, point): after every read; returning false cancels
-- * `cancel` = fn() -> true: polled before every read
-- * `clock` = fn() -> seconds, `resolution` = seconds (default: measure.default_clock())
-- * `class`, `capacity`: skip asking the drive (GET CONFIGURATION, READ CAPACITY)
-- * `timeout_ms`: per command
--
-- @param drive an open drive, or a device `cdperf.open` takes (opened and closed here)
-- @tparam[opt] table opts
-- @treturn table `{ points = { { lba =, kBps =, sectors =, seconds = }, ... }, rotation =,
-- inner_kBps =, outer_kBps =, average_kBps =, seconds =, full_read_seconds =,
-- class =, capacity =, sector_bytes =, zones =, full =, read_size =, fit =,
-- max_rpm =, cancelled =, commands =, notes = { ... } }`
-- @return[2] nil, message, info when the drive fails (info.lba: where)
-- @raise on a bad option
function measure.measure(drive, opts)
  opts = check_opts(opts, "measure", 2)
  local d, msg, info = open_drive(drive, "measure")
  if not d then return nil, msg, info end
  local ok, res, emsg, einfo = pcall(measure._run, d, opts)
  if d ~= drive then d:close() end
  if not ok then error(res, 0) end
  return res, emsg, einfo
end

function measure._run(drive, opts)
  local class, capacity, info = medium(drive, opts)
  if not class then return nil, capacity, info end
  local clock, resolution = opts.clock, opts.resolution
  if not clock then clock, resolution = measure.default_clock() end
  resolution = resolution or 1e-9
  local st = { class = class, capacity = capacity, clock = clock, commands = 0, read = 0 }
  local sector_kB = class == "cd" and 2.352 or 2.048
  local chunk = opts.read_size or measure.MAX_READ_SIZE
  local zones = opts.zones or 16
  local full = opts.full or false
  local notes = {}
  local min_seconds = opts.zone_seconds or 50 * resolution
  if resolution >= 0.005 and not opts.zone_seconds then
    notes[#notes + 1] = fmt("the clock ticks every %g s: each zone is timed for %g s at least", resolution, min_seconds)
  end
  local radius, g = radius_fn(class, capacity)
  local points = {}
  local t_start = clock()

  local total
  local zone_sectors = opts.zone_sectors
    or max(4 * chunk, min(16384, capacity // max(zones * 20, 1)))
  if full then total = capacity else total = min(capacity, zones * (zone_sectors + 2 * chunk)) end
  total = max(total, 1)
  local rd = reader(drive, opts, st, total)
  -- spin-up: the first reads are not timed, nor those in the settling time after it
  local w, wmsg, winfo = rd.warm(0, opts.settle_seconds or measure.SETTLE_SECONDS)
  if not w then return nil, wmsg, winfo end
  st.read = st.read + w

  if full then
    local bins = opts.bins or max(zones, 64)
    local edges = {}
    for i = 0, bins do edges[i] = w + (capacity - w) * i // bins end
    for i = 1, bins do
      if st.cancelled then break end
      local a, b = edges[i - 1], edges[i]
      if b > a then
        local n, secs, rinfo = rd.timed(a, b - a, 0, b, { zone = i, zones = bins, lba = a })
        if not n then return nil, secs, rinfo end
        if n > 0 and secs > 0 then
          points[#points + 1] = { lba = a + n / 2, kBps = n * sector_kB / secs, sectors = n, seconds = secs }
        end
      end
    end
  else
    -- a zone reads whole chunks (the timed loop stops at the first chunk boundary past
    -- zone_sectors): the last zone too, or a short last READ would carry a whole READ's
    -- wait where a throttle charges each command for the one before it
    local span = (zone_sectors + chunk - 1) // chunk * chunk + 2 * chunk
    for z = 1, zones do
      if st.cancelled then break end
      local start = zones == 1 and 0 or floor(max(capacity - span, 0) * (z - 1) / (zones - 1))
      local first
      if z > 1 then
        local n, m, i2 = rd.warm(start)          -- the seek (and any speed change): not timed
        if not n then return nil, m, i2 end
        st.read = st.read + n
        first = start + n
      else
        first = w
      end
      local stop = z < zones and floor(max(capacity - span, 0) * z / (zones - 1)) or capacity
      stop = max(stop, min(first + zone_sectors, capacity))
      local n, secs, rinfo = rd.timed(first, zone_sectors, min_seconds, stop, { zone = z, zones = zones, lba = first })
      if not n then return nil, secs, rinfo end
      if n > 0 and secs > 0 then
        points[#points + 1] = { lba = first + n / 2, kBps = n * sector_kB / secs, sectors = n, seconds = secs }
      elseif n > 0 then
        notes[#notes + 1] = fmt("zone %d: %d sectors read in no measurable time (clock too coarse?)", z, n)
      end
    end
  end

  local res = { points = points, class = class, capacity = capacity, sector_bytes = class == "cd" and 2352 or 2048,
    zones = zones, full = full, read_size = chunk, seconds = clock() - t_start, cancelled = st.cancelled or false,
    commands = st.commands, notes = notes, unit = "kB/s" }
  if #points == 0 then
    notes[#notes + 1] = st.cancelled and "cancelled before any zone was measured" or "nothing measured"
    return res
  end
  res.inner_kBps, res.outer_kBps = points[1].kBps, points[#points].kBps
  local rotation, fit = measure.classify(points, radius)
  res.rotation, res.fit = rotation, fit
  if #fit.outliers > 0 then
    -- kept in res.points (marked), left out of the curve the seconds come from
    local kept, skip = {}, {}
    for _, i in ipairs(fit.outliers) do
      skip[i] = true
      points[i].outlier = true
      notes[#notes + 1] = fmt("the zone at LBA %d read at %.0f kB/s, off the curve its neighbours agree on: "
        .. "left out (a retry or a stall?)", floor(points[i].lba), points[i].kBps)
    end
    for i, p in ipairs(points) do if not skip[i] then kept[#kept + 1] = p end end
    points = kept
  end
  if not fit.fits then
    notes[#notes + 1] = fmt("no rotation model fits within %g %%: the nearest is %s (off by %.1f %%)",
      fit.tolerance * 100, rotation:upper(), fit.error * 100)
  end
  if full and not st.cancelled then
    local secs, n = 0, 0
    for _, p in ipairs(points) do secs, n = secs + p.seconds, n + p.sectors end
    -- the first read (spin-up) was not timed: it counts at the first stretch's speed
    res.full_read_seconds = secs + w * sector_kB / points[1].kBps
    res.average_kBps = (n + w) * sector_kB / res.full_read_seconds
  else
    res.full_read_seconds = curve_seconds(points, capacity, sector_kB)
    res.average_kBps = capacity * sector_kB / res.full_read_seconds
  end
  if g then
    local top = 0
    for _, p in ipairs(points) do top = max(top, physics.rpm(g, min(p.lba, g.capacity), p.kBps)) end
    res.max_rpm = top
  end
  if class == "cd" then
    notes[#notes + 1] = "CD speeds count 2352 bytes a sector (1x = 176.4 kB/s); user data is 2048 of them"
  end
  if st.cancelled then notes[#notes + 1] = "cancelled: the curve covers what was read before" end
  return res
end

-- ------------------------------------------------------------------------
-- Read speeds (issue 18 item 5): what the drive offers for reading this medium

local function is_cd_speed(kBps)
  local n = format.nominal(kBps, "cd")
  return n ~= nil and abs(kBps / media.ONE_X.cd - n) / n <= 0.005
end

--- The read speeds offered for the medium in a snapshot (or a drive: snapshotted once),
-- fastest first: { { read =, x =, nominal =, source = }, ..., class =, notes =, snapshot =,
-- capacity = }.  Sources: the read column of the write-speed descriptors (GET PERFORMANCE
-- 03h), the top of the nominal read performance curve (the drive's current setting),
-- page 2Ah's maximum and current read speeds.  Impossible values are dropped with a note.
-- @param x a snapshot or a drive
-- @treturn table the list
-- @return[2] nil, message, info (`kind = "medium"`)
function measure.read_speeds(x)
  local snapshot = require "cdperf.snapshot"
  local snap = x
  if not snapshot.is(x) then
    local t = type(x)
    if t ~= "userdata" and t ~= "table" then
      error(fmt("bad argument #1 to 'read_speeds' (drive or snapshot expected, got %s)", t), 2)
    end
    snap = snapshot.take(x)
  end
  local prof = snap.profile
  local class = type(prof) == "table" and prof.class or nil
  if not class then
    if type(prof) == "table" and prof.code == 0 then return nil, "no medium in the drive", { kind = "medium" } end
    return nil, "the medium's class is unknown", { kind = "medium" }
  end
  local list = { class = class, notes = {}, snapshot = snap, capacity = snapshot.capacity(snap), unit = "kB/s" }
  local seen, dropped = {}, {}
  local function add(v, source)
    if v == nil or v == 0 then return end
    local why = judge.speed(v, class, "read")
    if not why and class ~= "cd" and not format.nominal(v, class) and is_cd_speed(v) then
      why = "a CD speed while " .. tostring(prof.name or media.LABEL[class]) .. " is loaded"
    end
    if why then
      dropped[#dropped + 1] = fmt("%s from %s (%s)", judge.show(v), source, why)
      return
    end
    if seen[v] then return end
    seen[v] = true
    list[#list + 1] = { read = v, x = format.x(v, class), nominal = format.nominal(v, class), source = source }
  end
  for _, d in ipairs(type(snap.write_speeds) == "table" and snap.write_speeds or {}) do
    if type(d) == "table" then add(d.read_speed, "write_speed_descriptors") end
  end
  local perf = type(snap.performance) == "table" and snap.performance or {}
  local curve = judge.curve(perf.read, class, "read")
  local top = 0
  for _, z in ipairs(curve) do top = max(top, z.start_performance, z.end_performance) end
  if top > 0 then add(top, "read_performance") end
  local caps = type(snap.capabilities) == "table" and snap.capabilities or {}
  add(caps.max_read_speed, "page_2a")
  add(caps.current_read_speed, "page_2a")
  if #dropped > 0 then list.notes[#list.notes + 1] = "dropped read speed(s): " .. table.concat(dropped, ", ") end
  table.sort(list, function(a, b) return a.read > b.read end)
  if #list == 0 then list.notes[#list.notes + 1] = "the drive names no read speed for this medium" end
  return list
end

--- Pick a read speed from measure.read_speeds' list by a cdperf.speeds policy.
-- @tparam table list
-- @param policy as `cdperf.speeds.pick`
-- @treturn table the entry
-- @treturn string the reason
-- @return[2] nil, message
function measure.pick_read(list, policy)
  if type(list) ~= "table" then
    error(fmt("bad argument #1 to 'pick_read' (read speed list expected, got %s)", type(list)), 2)
  end
  local proxies, back = { class = list.class, snapshot = list.snapshot }, {}
  for i, e in ipairs(list) do
    local p = { write = e.read, x = e.x, nominal = e.nominal, rotation = e.rotation or "clv", exact = false,
      source = e.source }
    proxies[i], back[p] = p, e
  end
  local ok, p, why = pcall(require("cdperf.speeds").pick, proxies, policy)
  if not ok then error((tostring(p):gsub("'pick'", "'pick_read'")), 2) end
  if not p then return nil, why end
  return back[p], why
end

--- Set the read speed: SET STREAMING (DVD, BD; read and write performance both kBps over
-- the medium) and, for a CD or when streaming is refused, SET CD SPEED (write: max).
-- Returns true, method ("set_streaming" | "set_cd_speed") or nil, message, info.
-- The drive must be open with `{ write = true }` on Linux.
-- @param drive an open drive
-- @tparam integer kBps
-- @tparam[opt] table opts `class`, `capacity` (SET STREAMING needs the capacity)
-- @treturn boolean true
-- @treturn string the method
-- @return[2] nil, message, info
function measure.set_read_speed(drive, kBps, opts)
  opts = opts or {}
  if not (math.tointeger(kBps) and kBps > 0) then
    error(fmt("bad argument #2 to 'set_read_speed' (whole kB/s > 0 expected, got %s)", judge.show(kBps)), 2)
  end
  local class, capacity = opts.class, opts.capacity
  local smsg
  if class ~= "cd" and capacity and capacity > 0 then
    local ok, m = drive:set_streaming { start_lba = 0, end_lba = capacity - 1, read_size = kBps, read_time = 1000,
      write_size = kBps, write_time = 1000 }
    if ok then return true, "set_streaming" end
    smsg = m
  end
  if kBps > 0xFFFE then
    return nil, fmt("%d kB/s cannot be said with SET CD SPEED%s", kBps, smsg and "; SET STREAMING: " .. smsg or ""),
      { kind = "unsupported" }
  end
  local ok, m, info = drive:set_speed { read = kBps, write = "max" }
  if ok then return true, "set_cd_speed" end
  if smsg then m = "SET STREAMING: " .. tostring(smsg) .. "; SET CD SPEED: " .. tostring(m) end
  return nil, m, info
end

-- ------------------------------------------------------------------------
-- Probe

local function requested_of(e)
  if type(e) == "number" then return e end
  if type(e) == "table" then return e.read or e.kBps or e.write end
  return nil
end

-- Measured read speed near the outer edge (where CAV reaches the nominal speed).
local function outer_speed(drive, opts, st)
  local chunk = opts.read_size or measure.MAX_READ_SIZE
  local zs = opts.zone_sectors or max(4 * chunk, min(16384, st.capacity // 40))
  local at = opts.at or 0.97
  local start = floor(max(st.capacity - zs - 2 * chunk, 0) * at)
  local rd = reader(drive, opts, st, st.total)
  local n, msg, info = rd.warm(start)
  if not n then return nil, msg, info end
  local done, secs, tinfo = rd.timed(start + n, zs, st.min_seconds, st.capacity, { lba = start + n })
  if not done then return nil, secs, tinfo end
  if done == 0 or secs <= 0 then return nil, "no measurable time", { kind = "clock" } end
  return done * st.sector_kB / secs
end

--- Set each offered read speed, measure, and say what the drive did.  list: a read speed
-- list (default measure.read_speeds of the drive), entries with `read` (or `write`), or
-- plain kB/s.  opts: as measure, and at (where to measure, a fraction of the medium;
-- default 0.97), tolerance (default 0.05), restore (default true: SET STREAMING with
-- Restore Drive Defaults afterwards).
-- The drive must be open with `{ write = true }` on Linux (a device given here is
-- opened without it: open it yourself).
-- @param drive an open drive, or a device `cdperf.open` takes
-- @tparam[opt] table list
-- @tparam[opt] table opts
-- @treturn table rows `{ { entry =, requested =, measured_kBps =, verdict = "obeyed"|"capped"|"ignored"|"refused",
-- capped_at =, method =, message = }, ..., baseline_kBps =, class =, capacity =, seconds =,
-- notes = }`
-- @return[2] nil, message, info
function measure.probe(drive, list, opts)
  opts = check_opts(opts, "probe", 3)
  if list ~= nil and type(list) ~= "table" then
    error(fmt("bad argument #2 to 'probe' (speed list or nil expected, got %s)", type(list)), 2)
  end
  local d, msg, info = open_drive(drive, "probe")
  if not d then return nil, msg, info end
  local ok, res, emsg, einfo = pcall(measure._probe, d, list, opts)
  if d ~= drive then d:close() end
  if not ok then error(res, 0) end
  return res, emsg, einfo
end

function measure._probe(drive, list, opts)
  local class, capacity, info = medium(drive, opts)
  if not class then return nil, capacity, info end
  if list == nil then
    local l, lmsg, linfo = measure.read_speeds(drive)
    if not l then return nil, lmsg, linfo end
    list = l
  end
  for i, e in ipairs(list) do
    local v = requested_of(e)
    if not (math.tointeger(v) and v > 0) then
      error(fmt("bad argument #2 to 'probe' (entry %d has no speed in whole kB/s)", i), 0)
    end
  end
  local clock, resolution = opts.clock, opts.resolution
  if not clock then clock, resolution = measure.default_clock() end
  local tol = opts.tolerance or measure.TOLERANCE
  local st = { class = class, capacity = capacity, clock = clock, commands = 0, read = 0,
    sector_kB = class == "cd" and 2.352 or 2.048, min_seconds = opts.zone_seconds or 50 * (resolution or 1e-9),
    total = max(1, (#list + 1) * (opts.zone_sectors or 2048)) }
  local t0 = clock()
  local rows = { class = class, capacity = capacity, notes = {} }
  local base, bmsg, binfo = outer_speed(drive, opts, st)
  if not base then return nil, bmsg, binfo end
  rows.baseline_kBps = base
  for i, e in ipairs(list) do
    if st.cancelled then break end
    local S = requested_of(e)
    local row = { entry = e, requested = S }
    rows[i] = row
    local set, method, sinfo = measure.set_read_speed(drive, S, { class = class, capacity = capacity })
    if not set then
      row.verdict, row.message, row.info = "refused", method, sinfo
    else
      row.method = method
      local m, mmsg, minfo = outer_speed(drive, opts, st)
      if not m then return nil, mmsg, minfo end
      row.measured_kBps = m
    end
  end
  -- Does the drive react at all?  Then slower than asked is a cap; else nothing changed.
  local reacts = false
  for _, row in ipairs(rows) do
    if row.measured_kBps and abs(row.measured_kBps - base) > tol * base then reacts = true end
  end
  for _, row in ipairs(rows) do
    local m, S = row.measured_kBps, row.requested
    if m then
      if abs(m - S) <= tol * S then
        row.verdict = "obeyed"
      elseif m > S then
        row.verdict = "ignored"
      elseif reacts then
        row.verdict, row.capped_at = "capped", m
      else
        row.verdict = "ignored"
      end
    end
  end
  local ignored = false
  for _, row in ipairs(rows) do if row.verdict == "ignored" then ignored = true end end
  if not reacts and ignored then
    rows.notes[#rows.notes + 1] = fmt("the drive read at %.0f kB/s whatever it was set to", base)
  end
  if opts.restore ~= false and class ~= "cd" then
    local ok = drive:set_streaming { restore_defaults = true, start_lba = 0, end_lba = capacity - 1 }
    rows.notes[#rows.notes + 1] = ok and "restored the drive's default speeds (SET STREAMING, RDD)"
      or "could not restore the drive's default speeds"
  elseif opts.restore ~= false then
    local ok = drive:set_speed { read = "max", write = "max" }
    rows.notes[#rows.notes + 1] = ok and "set the read speed back to the maximum (SET CD SPEED)"
      or "could not set the read speed back to the maximum"
  end
  rows.seconds = clock() - t0
  rows.cancelled = st.cancelled or false
  rows.commands = st.commands
  return rows
end

return measure
