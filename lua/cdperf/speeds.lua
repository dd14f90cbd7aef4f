-- cdperf.speeds: one clean speed list from what a drive says, policies that
-- pick a speed from it, time estimates from the performance curve, and
-- applying a speed with verification.  Only drive methods of DESIGN.md 2 are
-- used, so fake drive tables work as well as real or emulated drives.

local media = require "cdperf.media"
local format = require "cdperf.format"

local speeds = {}

local fmt, abs = string.format, math.abs

-- A page 2Ah speed is taken for a CD speed when it is within this of a CD
-- ladder step (8467 = 48.0x, 5645 = 32.0x); DVD steps are ~1.9 % away.
local CD_TOLERANCE = 0.005

local SECTOR = 2048          -- user bytes per sector (data mode 1, DVD, BD)
local CD_RAW = 2352          -- bytes per CD sector at the channel rate 1x counts

local function rotation_name(rc)
  if rc == 1 or rc == "cav" then return "cav" end
  return "clv"
end

local function is_cd_speed(kBps)
  return format.nominal(kBps, "cd") ~= nil and abs(kBps / media.ONE_X.cd
    - format.nominal(kBps, "cd")) / format.nominal(kBps, "cd") <= CD_TOLERANCE
end

local function join_speeds(list, class)
  local t = {}
  for i, v in ipairs(list) do t[i] = format.speed(v, class) end
  return table.concat(t, ", ")
end

-- The drive's class: a string class, or from drive:profile().
local function drive_class(drive)
  local prof, msg, info = drive:profile()
  if not prof then return nil, msg, info end
  local class = prof.class or media.class(prof.code or 0)
  if not class then
    if (prof.code or 0) == 0 then
      return nil, "no medium in the drive", { kind = "medium", profile = prof }
    end
    return nil, fmt("medium %s has no CD/DVD/BD speed ladder", prof.name or media.name(prof.code)),
      { kind = "medium", profile = prof }
  end
  return class, prof
end

local function new_entry(class, write, read, rotation, exact, end_lba, source, mrw)
  return { write = write, read = read, x = format.x(write, class), nominal = format.nominal(write, class),
    rotation = rotation, exact = exact, end_lba = end_lba, source = source, mixed_read_write = mrw }
end

--- The clean write speed list of the medium in `drive`, fastest first, with
-- list.notes (what was cleaned and why), list.class and list.unit.
-- Returns nil, message, info when neither GET PERFORMANCE nor page 2Ah answer.
function speeds.list(drive)
  if drive == nil or (type(drive) ~= "table" and type(drive) ~= "userdata") then
    error(("bad argument #1 to 'list' (drive expected, got %s)"):format(type(drive)), 2)
  end
  local class, prof, info = drive_class(drive)
  if not class then return nil, prof, info end
  local list = { notes = {}, class = class, unit = "kB/s", profile = prof }
  local notes = list.notes
  local function note(...) notes[#notes + 1] = fmt(...) end

  -- 1. GET PERFORMANCE type 03h: speeds for this very medium.
  local ws, wmsg, winfo = drive:write_speeds()
  local gp, zero, dups, seen = {}, 0, {}, {}
  if not ws then
    note("GET PERFORMANCE (write speeds) failed: %s; using mode page 2Ah", wmsg)
  else
    local end0 = #ws > 0
    for _, d in ipairs(ws) do
      if (d.end_lba or 0) ~= 0 then end0 = false end
      if (d.write_speed or 0) <= 0 then
        zero = zero + 1
      else
        local rot = rotation_name(d.write_rotation_control)
        local key = table.concat({ d.write_speed, d.read_speed or 0, rot, tostring(d.exact and true),
          tostring(d.mixed_read_write and true), d.end_lba or 0 }, "/")
        if seen[key] then
          dups[#dups + 1] = d.write_speed
        else
          seen[key] = true
          gp[#gp + 1] = new_entry(class, d.write_speed, d.read_speed, rot, d.exact and true or false,
            d.end_lba, "get_performance", d.mixed_read_write and true or false)
        end
      end
    end
    if zero > 0 then note("dropped %d write speed descriptor(s) with write speed 0", zero) end
    if #dups > 0 then
      note("removed %d duplicate write speed descriptor(s): %s", #dups, join_speeds(dups, class))
    end
    if end0 then
      note("End LBA is 0 on every write speed descriptor: the drive does not say where the speeds apply")
    end
    if #ws == 0 then note("GET PERFORMANCE returned no write speed descriptors; using mode page 2Ah") end
  end
  local gp_max = 0
  for _, e in ipairs(gp) do gp_max = math.max(gp_max, e.write) end
  for _, e in ipairs(gp) do list[#list + 1] = e end

  -- 2. Mode page 2Ah: the drive's generic list; merged only where plausible.
  local caps, cmsg = drive:capabilities()
  if not caps then
    if not ws then return nil, fmt("no write speeds: GET PERFORMANCE: %s; mode page 2Ah: %s", wmsg, cmsg), winfo end
    note("mode page 2Ah failed: %s", cmsg)
  else
    local cd_dropped, implausible, faster, zero2a, seen2a, rep = {}, {}, {}, 0, {}, 0
    for _, w in ipairs(caps.write_speeds or {}) do
      local v = w.speed or 0
      local rot = rotation_name(w.rotation_control)
      if v <= 0 then
        zero2a = zero2a + 1
      elseif seen2a[v .. rot] then
        rep = rep + 1
      else
        seen2a[v .. rot] = true
        local nom = format.nominal(v, class)
        local known = false
        for _, e in ipairs(gp) do
          if e.write == v or (nom and e.nominal == nom) then known = true break end
        end
        -- a speed GET PERFORMANCE already lists is not repeated: that list is for this medium
        if not known and class ~= "cd" and not nom and is_cd_speed(v) then
          cd_dropped[#cd_dropped + 1] = v
        elseif not known and not nom then
          implausible[#implausible + 1] = v
        elseif not known and #gp > 0 and v > gp_max then
          faster[#faster + 1] = v
        elseif not known then
          list[#list + 1] = new_entry(class, v, nil, rot, false, nil, "page_2a", false)
        end
      end
    end
    if zero2a > 0 then note("dropped %d mode page 2Ah write speed(s) of 0", zero2a) end
    if rep > 0 then note("removed %d repeated mode page 2Ah write speed(s)", rep) end
    if #cd_dropped > 0 then
      local cds = {}
      for i, v in ipairs(cd_dropped) do cds[i] = format.speed(v, "cd") end
      note("dropped mode page 2Ah speeds that are CD speeds while %s is loaded: %s",
        prof.name or media.name(prof.code), table.concat(cds, ", "))
    end
    if #implausible > 0 then
      note("ignored mode page 2Ah speeds that are no standard %s speed: %s", media.LABEL[class],
        join_speeds(implausible, class))
    end
    if #faster > 0 then
      note("ignored mode page 2Ah speeds faster than any GET PERFORMANCE speed for this medium: %s",
        join_speeds(faster, class))
    end
  end

  -- 3. KiB-based lists: every speed a multiple of 1352 and none a kB/s step.
  if class == "dvd" and #list > 0 then
    local kib = true
    for _, e in ipairs(list) do
      if e.write % 1352 ~= 0 or e.nominal then kib = false break end
    end
    if kib then
      list.unit = "KiB/s"
      for _, e in ipairs(list) do
        e.unit = "KiB/s"
        e.x = format.x(e.write, class, "KiB/s")
        e.nominal = format.nominal(e.write, class, "KiB/s")
      end
      note("all speeds are multiples of 1352: the drive counts in KiB/s (1 KiB = 1024 B); "
        .. "factors use 1385 kB/s = 1352 KiB/s")
    end
  end

  -- 4. Fastest first; GET PERFORMANCE before page 2Ah on ties (stable).
  for i, e in ipairs(list) do e._i = i end
  table.sort(list, function(a, b)
    if a.write ~= b.write then return a.write > b.write end
    return a._i < b._i
  end)
  for _, e in ipairs(list) do e._i = nil end
  if #list == 0 then note("no usable write speed for this medium") end
  return list
end

-- ---------------------------------------------------------------------------
-- Policies.  Each step narrows a candidate list; the result is the fastest
-- remaining candidate unless a step picked one.

local function factor(e)
  return e.nominal or e.x or 0
end

local function describe(e, class)
  if class and e.write then return format.speed(e.write, class, e.unit) end
  return fmt("%sx (%s kB/s)", tostring(factor(e)), tostring(e.write))
end

local function fastest(c)
  local best
  for _, e in ipairs(c) do if not best or e.write > best.write then best = e end end
  return best
end

local function slowest(c)
  local best
  for _, e in ipairs(c) do if not best or e.write < best.write then best = e end end
  return best
end

-- nearest factor to x; ties go to the slower speed (the safer one)
local function nearest(c, x)
  local best, dist
  for _, e in ipairs(c) do
    local d = abs(factor(e) - x)
    if not best or d < dist - 1e-9 or (abs(d - dist) <= 1e-9 and e.write < best.write) then
      best, dist = e, d
    end
  end
  return best
end

local function bad_policy(msg)
  error("bad argument #2 to 'pick' (" .. msg .. ")", 0)
end

local function check_x(v, name)
  if type(v) ~= "number" or v <= 0 then
    bad_policy(fmt("policy field '%s' expects a positive number, got %s", name, type(v) == "number"
      and tostring(v) or type(v)))
  end
  return v
end

-- Each step: function(candidates, arg, class) -> subset, reason | nil, message
local STEPS = {}

STEPS.max = function(c, _, class)
  local e = fastest(c)
  return { e }, "the fastest: " .. describe(e, class)
end

STEPS.min = function(c, _, class)
  local e = slowest(c)
  return { e }, "the slowest: " .. describe(e, class)
end

STEPS.nearest = function(c, x, class)
  local e = nearest(c, x)
  return { e }, fmt("the nearest to %gx: %s", x, describe(e, class))
end

STEPS.fraction = function(c, f, class)
  local top = fastest(c)
  local target = factor(top) * f
  local e = nearest(c, target)
  return { e }, fmt("the nearest to %g of the fastest (%s): %s", f, describe(top, class), describe(e, class))
end

STEPS.at_most = function(c, x, class)
  local out = {}
  for _, e in ipairs(c) do if factor(e) <= x + 1e-9 then out[#out + 1] = e end end
  if #out == 0 then
    return nil, fmt("no speed at most %gx (slowest is %s)", x, describe(slowest(c), class))
  end
  return out, fmt("at most %gx", x)
end

STEPS.at_least = function(c, x, class)
  local out = {}
  for _, e in ipairs(c) do if factor(e) >= x - 1e-9 then out[#out + 1] = e end end
  if #out == 0 then
    return nil, fmt("no speed at least %gx (fastest is %s)", x, describe(fastest(c), class))
  end
  -- the slowest that is fast enough
  local e = slowest(out)
  return { e }, fmt("the slowest at least %gx: %s", x, describe(e, class))
end

STEPS.exact_only = function(c, on)
  if not on then return c, nil end
  local out = {}
  for _, e in ipairs(c) do if e.exact then out[#out + 1] = e end end
  if #out == 0 then return nil, "no speed with the Exact bit set" end
  return out, "Exact speeds only"
end

STEPS.rotation = function(c, rot)
  local out = {}
  for _, e in ipairs(c) do if e.rotation == rot then out[#out + 1] = e end end
  if #out == 0 then return nil, fmt("no %s speed", rot:upper()) end
  return out, rot:upper() .. " only"
end

STEPS.source_kBps = function(c, n, class)
  local out = {}
  for _, e in ipairs(c) do if e.write <= n then out[#out + 1] = e end end
  if #out == 0 then
    local e = slowest(c)
    return { e }, fmt("every speed is faster than the source (%d kB/s); the slowest: %s", n, describe(e, class))
  end
  local e = fastest(out)
  return { e }, fmt("the fastest not faster than the source (%d kB/s): %s", n, describe(e, class))
end

-- Order in which the fields of one policy table apply: filters, then choosers.
local FIELD_ORDER = { "exact_only", "rotation", "source_kBps", "at_most", "at_least", "nearest", "fraction" }
local FIELD_KNOWN = {}
for _, k in ipairs(FIELD_ORDER) do FIELD_KNOWN[k] = true end

local NAMED = { max = { "max" }, min = { "min" }, safe = { "fraction", 0.5 } }

-- Turn one policy into a list of { step, arg } or { fn = f }.
local function compile(policy, out)
  local t = type(policy)
  if t == "string" then
    local n = NAMED[policy]
    if not n then bad_policy(fmt("unknown policy %q", policy)) end
    out[#out + 1] = { n[1], n[2] }
  elseif t == "function" then
    out[#out + 1] = { fn = policy }
  elseif t == "table" then
    if #policy > 0 then
      for _, p in ipairs(policy) do compile(p, out) end
      return out
    end
    local any = false
    for k in pairs(policy) do
      if not FIELD_KNOWN[k] then bad_policy(fmt("unknown policy field %q", tostring(k))) end
      any = true
    end
    if not any then bad_policy("empty policy table") end
    for _, k in ipairs(FIELD_ORDER) do
      local v = policy[k]
      if v ~= nil then
        if k == "rotation" then
          if v ~= "clv" and v ~= "cav" then
            bad_policy(fmt("policy field 'rotation' expects clv|cav, got %s", tostring(v)))
          end
        elseif k == "exact_only" then
          if type(v) ~= "boolean" then bad_policy("policy field 'exact_only' expects a boolean") end
        elseif k == "fraction" then
          check_x(v, k)
          if v > 1 then bad_policy(fmt("policy field 'fraction' expects 0 < f <= 1, got %g", v)) end
        else
          check_x(v, k)
        end
        out[#out + 1] = { k, v }
      end
    end
  else
    bad_policy(fmt("policy expected (string, table or function), got %s", t))
  end
  return out
end

--- Pick a speed from `list` by `policy`; returns entry, reason or nil, message.
function speeds.pick(list, policy)
  if type(list) ~= "table" then
    error(("bad argument #1 to 'pick' (speed list expected, got %s)"):format(type(list)), 2)
  end
  if policy == nil then policy = "max" end
  local ok, steps = pcall(compile, policy, {})
  if not ok then error(steps, 2) end
  local class = list.class
  local c = {}
  for i, e in ipairs(list) do
    if type(e) ~= "table" or type(e.write) ~= "number" then
      error(("bad argument #1 to 'pick' (entry %d has no write speed)"):format(i), 2)
    end
    c[i] = e
  end
  if #c == 0 then return nil, "no write speeds to choose from" end
  local reasons = {}
  for _, s in ipairs(steps) do
    local out, why
    if s.fn then
      out, why = s.fn(c, class)
      if out == nil then return nil, why or "the policy function chose nothing" end
      if type(out) ~= "table" then
        return nil, fmt("the policy function returned a %s, not an entry or a list", type(out))
      end
      if out.write then out = { out } end
      if #out == 0 then return nil, why or "the policy function chose nothing" end
      why = why or ("chosen by a function: " .. describe(out[1], class))
    else
      out, why = STEPS[s[1]](c, s[2], class)
      if not out then return nil, why end
    end
    c = out
    if why then reasons[#reasons + 1] = why end
  end
  local e = fastest(c)
  if #c > 1 or #reasons == 0 then reasons[#reasons + 1] = "the fastest left: " .. describe(e, class) end
  local src = e.source == "page_2a" and "mode page 2Ah" or e.source == "get_performance" and "GET PERFORMANCE"
  local reason = table.concat(reasons, "; ")
  if src then reason = reason .. " (from " .. src .. ")" end
  return e, reason
end

-- ---------------------------------------------------------------------------
-- Time estimates.  Within one nominal descriptor the speed is linear in LBA
-- (CLV: constant; CAV: a ramp), v(L) = v0 + k (L - L0) kB/s.  A sector takes
-- sector_bytes / (1000 v) seconds, so n sectors from L0 take
--   CLV: n * b / (1000 v0)        ramp: b / (1000 k) * ln(v(L0 + n) / v0).
-- A cap (the chosen write speed) clips the ramp where it crosses the cap.

local function segment_time(v0, k, n, b, cap)
  if n <= 0 then return 0 end
  local v1 = v0 + k * n
  if cap then
    if v0 >= cap and v1 >= cap then return n * b / (1000 * cap) end
    if v0 < cap and v1 > cap then
      local m = (cap - v0) / k
      return segment_time(v0, k, m, b) + (n - m) * b / (1000 * cap)
    end
    if v0 > cap and v1 < cap then
      local m = (v0 - cap) / -k
      return m * b / (1000 * cap) + segment_time(cap, k, n - m, b)
    end
  end
  if k == 0 or abs(v1 - v0) < 1e-9 * v0 then return n * b / (1000 * v0) end
  return b / (1000 * k) * math.log(v1 / v0)
end

local function check_curve(curve)
  for i, d in ipairs(curve) do
    if type(d) ~= "table" or type(d.start_lba) ~= "number" or type(d.end_lba) ~= "number"
        or type(d.start_performance) ~= "number" or type(d.end_performance) ~= "number" then
      error(("bad argument #1 to 'estimate' (descriptor %d is not a nominal performance descriptor)"):format(i), 3)
    end
  end
end

--- Seconds to write `bytes` from LBA 0 by the nominal performance curve,
-- no faster than entry.write when an entry is given.  A drive argument means
-- drive:write_performance() (and CD sectors count 2352 bytes at the channel
-- rate); when the drive has no curve, the entry's speed is taken as constant.
function speeds.estimate(drive_or_curve, bytes, entry)
  local t = type(drive_or_curve)
  if t ~= "table" and t ~= "userdata" then
    error(("bad argument #1 to 'estimate' (drive or performance curve expected, got %s)"):format(t), 2)
  end
  if type(bytes) ~= "number" or bytes < 0 or bytes ~= bytes then
    error(("bad argument #2 to 'estimate' (byte count >= 0 expected, got %s)")
      :format(type(bytes) == "number" and tostring(bytes) or type(bytes)), 2)
  end
  if entry ~= nil and (type(entry) ~= "table" or type(entry.write) ~= "number" or entry.write <= 0) then
    error("bad argument #3 to 'estimate' (speed list entry with a positive write speed expected)", 2)
  end
  local curve, b = drive_or_curve, SECTOR
  local is_curve = t == "table" and (drive_or_curve[1] ~= nil or next(drive_or_curve) == nil)
  if not is_curve then
    local msg, info
    curve, msg, info = drive_or_curve:write_performance()
    if not curve then
      -- no curve (GET PERFORMANCE unsupported): the entry's speed is all we know
      if not entry then return nil, msg, info end
      curve = {}
    end
    local prof = drive_or_curve:profile()
    if prof and (prof.class or media.class(prof.code or 0)) == "cd" then b = CD_RAW end
  end
  check_curve(curve)
  local cap = entry and entry.write
  local n = math.ceil(bytes / SECTOR)
  if n == 0 then return 0 end
  local zones = {}
  for i, d in ipairs(curve) do zones[i] = d end
  table.sort(zones, function(x, y) return x.start_lba < y.start_lba end)
  if #zones == 0 then
    if not cap then return nil, "no performance curve and no speed to assume" end
    return n * b / (1000 * cap)
  end
  local lba, secs, last_v = 0, 0, zones[1].start_performance
  for _, z in ipairs(zones) do
    if lba >= n then break end
    if z.start_lba > lba then           -- a gap: assume the previous zone's speed
      local m = math.min(z.start_lba, n) - lba
      secs = secs + segment_time(last_v, 0, m, b, cap)
      lba = lba + m
    end
    if lba >= n then break end
    local len = z.end_lba - z.start_lba
    local k = len > 0 and (z.end_performance - z.start_performance) / len or 0
    local stop = math.min(z.end_lba + 1, n)
    if stop > lba then
      local v0 = z.start_performance + k * (lba - z.start_lba)
      if v0 <= 0 then return nil, fmt("performance curve has speed %g at LBA %d", v0, lba) end
      secs = secs + segment_time(v0, k, stop - lba, b, cap)
      lba = stop
    end
    last_v = z.end_performance
  end
  if lba < n then                       -- beyond the curve: its last speed
    if last_v <= 0 then return nil, "performance curve ends at speed 0" end
    secs = secs + segment_time(last_v, 0, n - lba, b, cap)
  end
  return secs
end

-- ---------------------------------------------------------------------------
-- Apply a speed and verify.

local function close_to(got, asked)
  return got ~= nil and asked ~= nil and abs(got - asked) <= math.max(2, asked * format.TOLERANCE)
end

local function current_write(drive)
  local caps = drive:capabilities()
  if not caps then return nil end
  return caps.current_write_speed_selected or caps.current_write_speed
end

local function performance_top(drive)
  local curve = drive:write_performance()
  if not curve or #curve == 0 then return nil end
  local top = 0
  for _, d in ipairs(curve) do top = math.max(top, d.start_performance, d.end_performance) end
  return top
end

-- The write speeds as one string, to see whether setting a speed changed them.
local function list_signature(drive)
  local ws = drive:write_speeds()
  if not ws then return nil end
  local t = {}
  for i, d in ipairs(ws) do t[i] = tostring(d.write_speed) end
  return table.concat(t, ",")
end

local function streaming_end_lba(drive, entry, notes)
  if (entry.end_lba or 0) > 0 then return entry.end_lba end
  local ws = drive:write_speeds()
  for _, d in ipairs(ws or {}) do if (d.end_lba or 0) > 0 then return d.end_lba end end
  local curve = drive:write_performance()
  local top = 0
  for _, d in ipairs(curve or {}) do top = math.max(top, d.end_lba or 0) end
  if top > 0 then
    notes[#notes + 1] = fmt("End LBA taken from the performance curve: %d", top)
    return top
  end
  return nil
end

--- Set `entry`'s speed: SET STREAMING for DVD/BD, SET CD SPEED for CD or when
-- streaming is refused; then read back.  Returns true, report
-- ({ method, asked, got, obeyed, notes, end_lba }) or nil, message, info.
function speeds.apply(drive, entry)
  local dt = type(drive)
  if dt ~= "table" and dt ~= "userdata" then
    error(("bad argument #1 to 'apply' (drive expected, got %s)"):format(dt), 2)
  end
  if type(entry) ~= "table" or type(entry.write) ~= "number" or entry.write <= 0 then
    error("bad argument #2 to 'apply' (speed list entry with a positive write speed expected)", 2)
  end
  local class, prof, pinfo = drive_class(drive)
  if not class then return nil, prof, pinfo end
  local notes = {}
  local report = { asked = entry.write, notes = notes }
  local read = (entry.read and entry.read > 0) and entry.read or nil
  local before = list_signature(drive)
  local done, msg, info
  if class ~= "cd" then
    local end_lba = streaming_end_lba(drive, entry, notes)
    if not end_lba then
      notes[#notes + 1] = "no End LBA known (every descriptor says 0): SET STREAMING skipped"
    else
      local req = { start_lba = 0, end_lba = end_lba, write_size = entry.write, write_time = 1000,
        read_size = read or entry.write, read_time = 1000, rotation = entry.rotation or "clv",
        exact = entry.exact and true or false }
      done, msg, info = drive:set_streaming(req)
      if not done and end_lba > 0 and info and info.kind == "scsi" and info.sense_key == 5 then
        -- some drives take End LBA = capacity as beyond the medium: retry one lower
        notes[#notes + 1] = fmt("SET STREAMING with End LBA %d refused (%s); retried with %d", end_lba, msg,
          end_lba - 1)
        local again = {}
        for k, v in pairs(req) do again[k] = v end
        again.end_lba = end_lba - 1
        req = again
        done, msg = drive:set_streaming(req)
      end
      if done then
        report.method, report.end_lba = "set_streaming", req.end_lba
      else
        notes[#notes + 1] = fmt("SET STREAMING refused: %s; using SET CD SPEED", msg)
      end
    end
  end
  if not done then
    done, msg, info = drive:set_speed{ read = read or "max", write = entry.write,
      rotation = entry.rotation or "clv" }
    if not done then return nil, msg, info end
    report.method = "set_cd_speed"
  end
  -- Read back: page 2Ah's current write speed, and the performance curve.
  local cur, top = current_write(drive), performance_top(drive)
  report.current_write_speed, report.performance = cur, top
  if close_to(cur, entry.write) then
    report.got = cur
  elseif close_to(top, entry.write) then
    report.got = top
  else
    report.got = cur or top
  end
  report.obeyed = close_to(report.got, entry.write)
  if report.got == nil then
    notes[#notes + 1] = "could not read the speed back (no page 2Ah current speed, no performance curve)"
  elseif not report.obeyed then
    notes[#notes + 1] = fmt("the drive did not obey: asked %s, it reports %s", format.speed(entry.write, class),
      format.speed(report.got, class))
  end
  -- Some drives change their list once a speed is set (BenQ DQ60): say so.
  local after = list_signature(drive)
  if before and after and before ~= after then
    notes[#notes + 1] = "the drive's write speed list changed after setting; re-read it before the next choice"
  end
  return true, report
end

return speeds
