--- cdperf.speeds: one clean speed list from what a drive said, policies that pick a speed
-- from it, time estimates from the performance curve, and applying a speed with
-- verification.  list, pick and estimate are pure functions of a snapshot (or a list,
-- or a curve) and send nothing; given a drive they take one snapshot first.  apply is
-- the only function here that changes the drive.
--
-- An entry of the list is a table:
--
-- * `write`: kB/s; `read`: kB/s or nil
-- * `x`: the exact factor; `nominal`: the standard speed it is (8, 2.4) or nil
-- * `rotation`: `"clv"` or `"cav"`; `exact`: the Exact bit
-- * `end_lba`; `source`: `"get_performance"` or `"page_2a"`; `mixed_read_write`
-- * `unit = "KiB/s"` (only for a drive counting in KiB)
-- * `above_rating = true` (faster than the disc's own rating)
--
-- The policies of `pick` are those of `cdperf.policy` (the `-p` words of the command).
-- @module cdperf.speeds
-- @usage local snap = cdperf.snapshot(drive)
-- local list = assert(speeds.list(snap))
-- local entry, why = speeds.pick(list, "exact,at-most=8|min")
-- local secs = speeds.estimate(snap, 4.7e9, entry)
-- local rw <close> = assert(cdperf.open(device, { write = true }))
-- local ok, report = speeds.apply(rw, entry, snap)

local media = require "cdperf.media"
local format = require "cdperf.format"
local judge = require "cdperf.judge"
local snapshot = require "cdperf.snapshot"
local policy = require "cdperf.policy"
local disc = require "cdperf.disc"

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
  local n = format.nominal(kBps, "cd")
  return n ~= nil and abs(kBps / media.ONE_X.cd - n) / n <= CD_TOLERANCE
end

local function join_speeds(list, class)
  local t = {}
  for i, v in ipairs(list) do t[i] = format.speed(v, class) end
  return table.concat(t, ", ")
end

local function is_drive(x)
  if type(x) == "userdata" then return true end
  if type(x) ~= "table" or snapshot.is(x) then return false end
  local ok, f = pcall(function() return x.profile end)
  return ok and type(f) == "function"
end

-- A snapshot from a snapshot or a drive (read once); raises on anything else.
local function to_snapshot(x, fname)
  if snapshot.is(x) then return x end
  if is_drive(x) then return snapshot.take(x) end
  error(fmt("bad argument #1 to '%s' (drive or snapshot expected, got %s)", fname,
    type(x) == "table" and "a table that is neither" or type(x)), 3)
end

local function new_entry(class, write, read, rotation, exact, end_lba, source, mrw)
  return { write = write, read = read, x = format.x(write, class), nominal = format.nominal(write, class),
    rotation = rotation, exact = exact, end_lba = end_lba, source = source, mixed_read_write = mrw }
end

local function error_text(snap, part)
  local e = snap.errors and snap.errors[part]
  return e and e.message or "not read"
end

--- The clean write speed list of the medium, fastest first, with list.notes (what was
-- cleaned and why), list.class, list.unit, list.profile, list.capacity (sectors, when
-- known) and list.snapshot.  Takes a snapshot or a drive (snapshotted once).  Returns
-- nil, message, info when there is no medium or neither source answered.
--
-- Cleaning: GET PERFORMANCE type 03h first (speeds for this very medium), then mode page
-- 2Ah where plausible; impossible speeds (`cdperf.judge`), duplicates, CD speeds listed
-- for a DVD or BD, zeros and repeats are dropped, each with a note; a list in KiB/s
-- (multiples of 1352) is recognised; speeds above the disc's rating are marked.
-- @param x a snapshot or a drive
-- @treturn table the list of entries (see the module), fastest first, with `notes`,
-- `class`, `unit`, `profile`, `capacity`, `snapshot`, `rating`, `rating_source`
-- @return[2] nil
-- @treturn[2] string message ("no medium in the drive", ...)
-- @treturn[2] table info (`kind = "medium"`, `"unsupported"`, or the drive's failure)
-- @raise when x is neither a drive nor a snapshot
function speeds.list(x)
  local snap = to_snapshot(x, "list")
  local prof = snap.profile
  if not prof then
    local e = snap.errors and snap.errors.profile or {}
    return nil, e.message or "the medium's profile is unknown", e.info or { kind = "medium" }
  end
  local class = prof.class
  if not class then
    if prof.code == 0 then return nil, "no medium in the drive", { kind = "medium", profile = prof } end
    return nil, fmt("medium %s has no CD/DVD/BD speed ladder", prof.name or media.name(prof.code)),
      { kind = "medium", profile = prof }
  end
  local capacity = snapshot.capacity(snap)
  local list = { notes = {}, class = class, unit = "kB/s", profile = prof, capacity = capacity, snapshot = snap }
  local notes = list.notes
  local function note(...) notes[#notes + 1] = fmt(...) end

  -- 1. GET PERFORMANCE type 03h: speeds for this very medium.
  local ws = snap.write_speeds
  local gp, dups, seen, impossible, bad_read, bad_end = {}, {}, {}, {}, 0, {}
  if type(ws) ~= "table" then
    note("GET PERFORMANCE (write speeds) failed: %s; using mode page 2Ah", error_text(snap, "write_speeds"))
    ws = nil
  else
    local end0 = #ws > 0
    for i, d in ipairs(ws) do
      local why = type(d) ~= "table" and "not a descriptor" or judge.speed(d.write_speed, class, "write")
      if why then
        local shown = type(d) == "table" and judge.show(d.write_speed) or "?"
        impossible[#impossible + 1] = fmt("#%d %s (%s)", i, shown, why)
      else
        if (d.end_lba or 0) ~= 0 then end0 = false end
        local read = d.read_speed
        if read ~= nil and read ~= 0 and judge.speed(read, class, "read") then bad_read, read = bad_read + 1, nil end
        if read == 0 then read = nil end
        local end_lba = d.end_lba
        if end_lba ~= nil and judge.lba(end_lba, class) then
          bad_end[#bad_end + 1] = judge.show(end_lba)
          end_lba = nil
        end
        local rot = rotation_name(d.write_rotation_control)
        local key = table.concat({ d.write_speed, read or 0, rot, tostring(d.exact and true),
          tostring(d.mixed_read_write and true), end_lba or 0 }, "/")
        if seen[key] then
          dups[#dups + 1] = d.write_speed
        else
          seen[key] = true
          gp[#gp + 1] = new_entry(class, d.write_speed, read, rot, d.exact and true or false,
            end_lba, "get_performance", d.mixed_read_write and true or false)
        end
      end
    end
    if #impossible > 0 then
      note("dropped %d impossible write speed descriptor(s): %s", #impossible, table.concat(impossible, ", "))
    end
    if #dups > 0 then
      note("removed %d duplicate write speed descriptor(s): %s", #dups, join_speeds(dups, class))
    end
    if bad_read > 0 then note("ignored %d impossible read speed(s) in the write speed descriptors", bad_read) end
    if #bad_end > 0 then
      note("ignored End LBA(s) beyond any %s: %s", media.LABEL[class], table.concat(bad_end, ", "))
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
  local caps = snap.capabilities
  if type(caps) ~= "table" then
    if not ws then
      local e = snap.errors and (snap.errors.write_speeds or snap.errors.capabilities) or {}
      return nil, fmt("no write speeds: GET PERFORMANCE: %s; mode page 2Ah: %s", error_text(snap, "write_speeds"),
        error_text(snap, "capabilities")), e.info or { kind = "unsupported" }
    end
    note("mode page 2Ah failed: %s", error_text(snap, "capabilities"))
  else
    local cd_dropped, implausible, faster, zero2a, seen2a, rep, bad2a = {}, {}, {}, 0, {}, 0, {}
    local list2a = type(caps.write_speeds) == "table" and caps.write_speeds or {}
    for _, w in ipairs(list2a) do
      local v = type(w) == "table" and w.speed or nil
      local rot = rotation_name(type(w) == "table" and w.rotation_control or nil)
      if v == 0 then
        zero2a = zero2a + 1
      elseif judge.number(v) or math.tointeger(v) == nil or v < 0 then
        bad2a[#bad2a + 1] = judge.show(v)
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
        elseif not known and (not nom or judge.speed(v, class, "write")) then
          implausible[#implausible + 1] = v
        elseif not known and #gp > 0 and v > gp_max then
          faster[#faster + 1] = v
        elseif not known then
          list[#list + 1] = new_entry(class, v, nil, rot, false, nil, "page_2a", false)
        end
      end
    end
    if zero2a > 0 then note("dropped %d mode page 2Ah write speed(s) of 0", zero2a) end
    if #bad2a > 0 then note("dropped mode page 2Ah write speed(s) that are no speed: %s", table.concat(bad2a, ", ")) end
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

  -- 5. The disc's own rating (a CD-RW's ATIP speed range): faster speeds are marked.
  local rating, from = disc.rating(snap)
  if rating then
    list.rating, list.rating_source = rating, from
    local above = {}
    for _, e in ipairs(list) do
      if (e.nominal or e.x or 0) > rating + 1e-9 then
        e.above_rating = true
        above[#above + 1] = e.write
      end
    end
    if #above > 0 then
      note("%d speed(s) above the disc's rating of %gx (%s): %s", #above, rating, from, join_speeds(above, class))
    end
  end
  return list
end

-- ---------------------------------------------------------------------------
-- Policies (the grammar is cdperf.policy).  Each step narrows a candidate list;
-- the result is the fastest remaining candidate unless a step picked one.

local function factor(e)
  return e.nominal or e.x or 0
end

local function describe(e, class)
  if class and media.ONE_X[class] and e.write then return format.speed(e.write, class, e.unit) end
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

-- Each step: function(candidates, arg, ctx) -> subset, reason | nil, message
local STEPS = {}

STEPS.max = function(c, _, ctx)
  local e = fastest(c)
  return { e }, "the fastest: " .. describe(e, ctx.class)
end

STEPS.min = function(c, _, ctx)
  local e = slowest(c)
  return { e }, "the slowest: " .. describe(e, ctx.class)
end

STEPS.nearest = function(c, x, ctx)
  local e = nearest(c, x)
  return { e }, fmt("the nearest to %gx: %s", x, describe(e, ctx.class))
end

STEPS.fraction = function(c, f, ctx)
  local top = fastest(c)
  local e = nearest(c, factor(top) * f)
  return { e }, fmt("the nearest to %g of the fastest (%s): %s", f, describe(top, ctx.class), describe(e, ctx.class))
end

STEPS.at_most = function(c, x, ctx)
  local out = {}
  for _, e in ipairs(c) do if factor(e) <= x + 1e-9 then out[#out + 1] = e end end
  if #out == 0 then
    return nil, fmt("no speed at most %gx (slowest is %s)", x, describe(slowest(c), ctx.class))
  end
  return out, fmt("at most %gx", x)
end

STEPS.at_least = function(c, x, ctx)
  local out = {}
  for _, e in ipairs(c) do if factor(e) >= x - 1e-9 then out[#out + 1] = e end end
  if #out == 0 then
    return nil, fmt("no speed at least %gx (fastest is %s)", x, describe(fastest(c), ctx.class))
  end
  -- the slowest that is fast enough
  local e = slowest(out)
  return { e }, fmt("the slowest at least %gx: %s", x, describe(e, ctx.class))
end

STEPS.exact_only = function(c)
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

-- The disc's rating (cdperf.disc.rating): only speeds up to it; a disc that states none
-- leaves every speed.
STEPS.disc_rating = function(c, _, ctx)
  local rating, from = ctx.list and ctx.list.rating, ctx.list and ctx.list.rating_source
  if not rating and ctx.snapshot then rating, from = disc.rating(ctx.snapshot) end
  if not rating then return c, "the disc states no rating" end
  local out = {}
  for _, e in ipairs(c) do if factor(e) <= rating + 1e-9 then out[#out + 1] = e end end
  if #out == 0 then
    return nil, fmt("no speed within the disc's rating of %gx (%s); slowest is %s", rating, from,
      describe(slowest(c), ctx.class))
  end
  return out, fmt("no faster than the disc's rating of %gx (%s)", rating, from)
end

-- The disc's media ID (or a CD's ATIP manufacturer) matches a pattern: every speed stays;
-- else this alternative fails (a fallback "|" takes the next).
STEPS.media = function(c, pattern, ctx)
  local ok, what = disc.matches(ctx.snapshot, pattern)
  if ok then return c, fmt("media %s matches %s", what, pattern) end
  if #what == 0 then return nil, fmt("no media ID known to match %s", pattern) end
  return nil, fmt("media %s does not match %s", table.concat(what, " / "), pattern)
end

STEPS.source_kBps = function(c, n, ctx)
  local out = {}
  for _, e in ipairs(c) do if e.write <= n then out[#out + 1] = e end end
  if #out == 0 then
    local e = slowest(c)
    return { e }, fmt("every speed is faster than the source (%g kB/s); the slowest: %s", n, describe(e, ctx.class))
  end
  local e = fastest(out)
  return { e }, fmt("the fastest not faster than the source (%g kB/s): %s", n, describe(e, ctx.class))
end

-- Two estimates closer than this are a tie, and the slower speed wins it.
local TIE = 0.01

STEPS.fastest_for = function(c, bytes, ctx)
  local src = ctx.snapshot or ctx.list or {}
  local best, best_t, times = nil, nil, {}
  for i, e in ipairs(c) do
    local t, msg = speeds.estimate(src, bytes, e)
    if not t then return nil, fmt("cannot estimate %d bytes: %s", bytes, msg) end
    times[i] = t
  end
  for _, t in ipairs(times) do if not best_t or t < best_t then best_t = t end end
  for i, e in ipairs(c) do
    if times[i] <= best_t * (1 + TIE) and (not best or e.write < best.write) then best = e end
  end
  local top = fastest(c)
  local why = fmt("the fastest burn of %d bytes: %s, %s", bytes, describe(best, ctx.class),
    format.duration(best_t))
  if top ~= best then
    for i, e in ipairs(c) do
      if e == top then why = why .. fmt(" (%s would take %s)", describe(top, ctx.class), format.duration(times[i])) end
    end
  end
  return { best }, why
end

local function is_member(c, e)
  for _, x in ipairs(c) do if x == e then return true end end
  return false
end

-- A policy function's answer, checked: an entry or a list of entries of `c`.
local function call_function(fn, c, ctx)
  local out, why = fn(c, ctx)
  if out == nil then return nil, why or "the policy function chose nothing" end
  if type(out) ~= "table" then
    error(fmt("bad argument #2 to 'pick' (the policy function returned a %s, not an entry or a list)", type(out)), 0)
  end
  local list = out[1] ~= nil and out or { out }
  if out[1] == nil and out.write == nil and next(out) == nil then
    return nil, why or "the policy function chose nothing"
  end
  for i, e in ipairs(list) do
    if type(e) ~= "table" or type(e.write) ~= "number" then
      error(fmt("bad argument #2 to 'pick' (the policy function returned entry %d with no write speed)", i), 0)
    end
    if not is_member(c, e) then
      error(fmt("bad argument #2 to 'pick' (the policy function returned %s kB/s, "
        .. "not one of the candidates it was given)", tostring(e.write)), 0)
    end
  end
  if type(why) ~= "string" then why = "chosen by a function: " .. describe(list[1], ctx.class) end
  return list, why
end

local run_steps

local function run_step(s, c, ctx, reasons)
  if s.alternatives then
    local fails = {}
    for i, seq in ipairs(s.alternatives) do
      local sub = {}
      local out, msg = run_steps(seq, c, ctx, sub)
      if out then
        if i > 1 then reasons[#reasons + 1] = "fallback " .. i .. " (" .. table.concat(fails, "; ") .. ")" end
        for _, r in ipairs(sub) do reasons[#reasons + 1] = r end
        return out
      end
      fails[#fails + 1] = msg
    end
    return nil, table.concat(fails, "; and then: ")
  end
  local out, why
  if s.fn then
    out, why = call_function(s.fn, c, ctx)
  else
    out, why = STEPS[s[1]](c, s[2], ctx)
  end
  if not out then return nil, why end
  if why then reasons[#reasons + 1] = why end
  return out
end

function run_steps(seq, c, ctx, reasons)
  for _, s in ipairs(seq) do
    local out, msg = run_step(s, c, ctx, reasons)
    if not out then return nil, msg end
    c = out
  end
  return c
end

--- Pick a speed from `list` by `policy` (see cdperf.policy); returns entry, reason or
-- nil, message.  A policy function gets (candidates, context), context = { class =,
-- snapshot =, list = }, and returns an entry (or a list of entries) from candidates.
-- Several entries left at the end: the fastest of them.
-- @tparam table list a speed list (`speeds.list`) or any list of entries with `write`
-- @param[opt="max"] pol a policy: a string of words, a table, a list, `{ fallback = ... }`
-- or a function (see `cdperf.policy`)
-- @tparam[opt] table context extra fields for the context a policy function gets
-- @treturn table the entry
-- @treturn string the reason, e.g. `"at most 8x; the fastest left: 8x DVD (11080 kB/s) (from GET PERFORMANCE)"`
-- @return[2] nil
-- @treturn[2] string why nothing fits, e.g. `"no speed at most 2x (slowest is 4x DVD (5540 kB/s))"`
-- @raise on a bad policy (`bad argument #2 to 'pick' (unknown policy "fast" ...)`), or a
-- policy function that returns something not among its candidates
-- @usage local e = assert(speeds.pick(list, { at_most = 8, rotation = "cav" }))
-- local e2 = speeds.pick(list, function(c) return c[#c] end)   -- the slowest
function speeds.pick(list, pol, context)
  if type(list) ~= "table" then
    error(("bad argument #1 to 'pick' (speed list expected, got %s)"):format(type(list)), 2)
  end
  if context ~= nil and type(context) ~= "table" then
    error(("bad argument #3 to 'pick' (context table expected, got %s)"):format(type(context)), 2)
  end
  local ok, seq = pcall(policy.compile, pol)
  if not ok then error(seq, 2) end
  local ctx = { class = list.class, snapshot = list.snapshot, list = list }
  for k, v in pairs(context or {}) do ctx[k] = v end
  local c = {}
  for i, e in ipairs(list) do
    if type(e) ~= "table" or type(e.write) ~= "number" then
      error(("bad argument #1 to 'pick' (entry %d has no write speed)"):format(i), 2)
    end
    if judge.number(e.write) or e.write <= 0 then
      error(("bad argument #1 to 'pick' (entry %d has write speed %s)"):format(i, tostring(e.write)), 2)
    end
    c[i] = e
  end
  if #c == 0 then return nil, "no write speeds to choose from" end
  local reasons = {}
  local pok, out, msg = pcall(run_steps, seq, c, ctx, reasons)
  if not pok then error(out, 2) end
  if not out then return nil, msg end
  local e = fastest(out)
  if #out > 1 or #reasons == 0 then reasons[#reasons + 1] = "the fastest left: " .. describe(e, ctx.class) end
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

local function check_curve(curve, level)
  for i, d in ipairs(curve) do
    if type(d) ~= "table" or type(d.start_lba) ~= "number" or type(d.end_lba) ~= "number"
        or type(d.start_performance) ~= "number" or type(d.end_performance) ~= "number" then
      error(("bad argument #1 to 'estimate' (descriptor %d is not a nominal performance descriptor)"):format(i),
        level)
    end
  end
end

local function is_curve(t)
  if type(t) ~= "table" or snapshot.is(t) then return false end
  if t.class ~= nil or t.notes ~= nil then return false end      -- a speed list
  local first = t[1]
  return first == nil and next(t) == nil or (type(first) == "table" and first.write == nil)
end

local function curve_time(zones, n, b, cap)
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
      if v0 ~= v0 or v0 <= 0 then return nil, fmt("performance curve has speed %g at LBA %d", v0, lba) end
      -- the ramp ends at end_lba; its last sector goes at end_performance, never beyond it
      local ramp = math.min(stop, z.end_lba) - lba
      secs = secs + segment_time(v0, k, ramp, b, cap)
      if stop > z.end_lba then secs = secs + segment_time(z.end_performance, 0, 1, b, cap) end
      lba = stop
    end
    last_v = z.end_performance
  end
  if lba < n then                       -- beyond the curve: its last speed
    if last_v ~= last_v or last_v <= 0 then return nil, "performance curve ends at speed 0" end
    secs = secs + segment_time(last_v, 0, n - lba, b, cap)
  end
  return secs
end

-- The fastest write speed a speed list (or a snapshot's list, or a drive's) offers, or nil.
local function top_offered(source, snap)
  local list = source
  if not (type(source) == "table" and source.class and source[1] ~= nil) then
    if not snap then return nil end
    local ok, l = pcall(speeds.list, snap)
    if not ok or type(l) ~= "table" then return nil end
    list = l
  end
  local top
  for _, e in ipairs(list) do
    if type(e) == "table" and type(e.write) == "number" and e.write == e.write and e.write > 0
      and e.write < math.huge then
      top = math.max(top or 0, e.write)
    end
  end
  return top
end

--- Seconds to write `bytes` from LBA 0 by the nominal write performance curve, no
-- faster than entry.write when an entry is given; and a detail table { notes =,
-- curve = "drive"|"none", capacity = sectors or nil }.  The source is a snapshot, a
-- speed list (its snapshot), a curve (a list of nominal descriptors) or a drive
-- (snapshotted once).  CD sectors count 2352 bytes at the channel rate 1x counts.
-- Returns nil, message, info when the bytes do not fit or nothing gives a speed.
-- The first value is the stopwatch's figure where the medium is known (overheads,
-- physics, a verify pass; `cdperf.estimate`), else the curve's integral;
-- `detail.curve_seconds` keeps the integral.
-- @param source a snapshot, a speed list, a curve or a drive
-- @tparam number bytes bytes to write (>= 0)
-- @tparam[opt] table entry the speed (a list entry): no faster than `entry.write`
-- @treturn number seconds
-- @treturn table detail: `notes`, `curve`, `capacity`, `seconds`, `data_seconds`,
-- `curve_seconds`, `overheads`, `source`, `strategy`, `assumptions`, ... (see `cdperf.estimate`)
-- @return[2] nil
-- @treturn[2] string message, e.g. `"25000000000 bytes do not fit: ..."`
-- @treturn[2] table info (`kind = "medium"`, `"unsupported"`, `"decode"`)
-- @raise on a bad argument
function speeds.estimate(source, bytes, entry)
  local t = type(source)
  if t ~= "table" and t ~= "userdata" then
    error(("bad argument #1 to 'estimate' (drive, snapshot, speed list or performance curve expected, got %s)")
      :format(t), 2)
  end
  local why = judge.size(bytes)
  if why then
    error(("bad argument #2 to 'estimate' (byte count >= 0 expected, got %s: %s)")
      :format(type(bytes) == "number" and tostring(bytes) or type(bytes), why), 2)
  end
  if entry ~= nil and (type(entry) ~= "table" or judge.number(entry.write) or entry.write <= 0) then
    error("bad argument #3 to 'estimate' (speed list entry with a positive write speed expected)", 2)
  end
  local detail = { notes = {}, curve = "none" }
  local curve, b, class, capacity = {}, SECTOR, nil, nil
  local dm     -- defect management: the drive reads back what it writes
  local snap
  if is_curve(source) then
    check_curve(source, 3)
    curve = source
  else
    snap = source.snapshot or (not is_drive(source) and snapshot.is(source) and source) or nil
    if not snap and is_drive(source) then snap = snapshot.take(source) end
    if not snap and type(source) == "table" then
      -- a speed list without a snapshot: the entry's speed is all there is
      class, capacity = source.class, source.capacity
    elseif snap then
      class = snap.profile and snap.profile.class
      capacity = snapshot.capacity(snap)
      dm = disc.defect_management(snap)
      if snap.performance and type(snap.performance.write) == "table" then curve = snap.performance.write end
    end
    if class == "cd" then b = CD_RAW end
  end
  local zones, notes = judge.curve(curve, class, "write")
  for _, n in ipairs(notes) do detail.notes[#detail.notes + 1] = n end
  detail.capacity = capacity
  local n = math.ceil(bytes / SECTOR)
  if capacity and n > capacity then
    return nil, fmt("%d bytes do not fit: the medium holds %d sectors (%d bytes)", bytes, capacity,
      capacity * SECTOR), { kind = "medium", capacity = capacity }
  end
  if n == 0 then return 0, detail end
  local cap = entry and entry.write
  local secs, msg
  if #zones == 0 then
    if not cap then return nil, "no performance curve and no speed to assume", { kind = "unsupported" } end
    secs = n * b / (1000 * cap)
  else
    detail.curve = "drive"
    secs, msg = curve_time(zones, n, b, cap)
    if not secs then return nil, msg, { kind = "decode" } end
  end
  if judge.number(secs) or secs < 0 then
    return nil, fmt("no sensible time (%s) from the performance curve", tostring(secs)), { kind = "decode" }
  end
  -- the burn as a stopwatch sees it (physics, overheads): cdperf.estimate adds it to the detail;
  -- the fastest offered speed sets the spindle limit there
  detail = require("cdperf.estimate").finish(detail, { class = class, capacity = capacity, sectors = n,
    entry = entry, zones = zones, curve_seconds = secs, top_write = top_offered(source, snap) })
  if dm then
    -- verify after write: a second pass over every sector, at about the speed of the first
    detail.verify = true
    detail.notes[#detail.notes + 1] = disc.verify_note(dm)
    if type(detail.data_seconds) == "number" then
      detail.verify_seconds = detail.data_seconds
      if type(detail.seconds) == "number" then detail.seconds = detail.seconds + detail.data_seconds end
    end
    secs = secs * 2
  end
  -- The figure a stopwatch would show (overheads, physics) where the medium is known;
  -- detail.data_seconds keeps the data alone, detail.curve_seconds the curve's integral.
  detail.curve_seconds = detail.curve_seconds or secs
  if type(detail.seconds) == "number" and not judge.number(detail.seconds) and detail.seconds >= 0 then
    return detail.seconds, detail
  end
  return secs, detail
end

-- ---------------------------------------------------------------------------
-- Apply a speed and verify: the one function of the Lua layer that changes the drive.

local function close_to(got, asked)
  return got ~= nil and asked ~= nil and abs(got - asked) <= math.max(2, asked * format.TOLERANCE)
end

local function current_write(caps)
  if type(caps) ~= "table" then return nil end
  return caps.current_write_speed_selected or caps.current_write_speed
end

local function performance_top(curve)
  if type(curve) ~= "table" or #curve == 0 then return nil end
  local top = 0
  for _, d in ipairs(curve) do top = math.max(top, d.start_performance or 0, d.end_performance or 0) end
  return top
end

-- The write speeds as one string, to see whether setting a speed changed them.
local function list_signature(ws)
  if type(ws) ~= "table" then return nil end
  local t = {}
  for i, d in ipairs(ws) do t[i] = tostring(d.write_speed) end
  return table.concat(t, ",")
end

local function streaming_end_lba(snap, entry, notes)
  local class = snap.profile and snap.profile.class
  if (entry.end_lba or 0) > 0 and not judge.lba(entry.end_lba, class) then return entry.end_lba end
  for _, d in ipairs(snap.write_speeds or {}) do
    if (d.end_lba or 0) > 0 and not judge.lba(d.end_lba, class) then return d.end_lba end
  end
  local top = 0
  for _, d in ipairs((snap.performance or {}).write or {}) do
    if not judge.lba(d.end_lba, class) then top = math.max(top, d.end_lba or 0) end
  end
  if top > 0 then
    notes[#notes + 1] = fmt("End LBA taken from the performance curve: %d", top)
    return top
  end
  return nil
end

-- SET CD SPEED carries 16-bit speeds (0xFFFF = max), SET STREAMING 32-bit sizes.
local SET_CD_SPEED_MAX = 0xFFFE

local function check_entry_speed(entry, field)
  local v = entry[field]
  local why = judge.number(v) or (math.tointeger(v) == nil and "not a whole number of kB/s")
    or (v <= 0 and "not positive") or (v > 0xFFFFFFFF and "more than SET STREAMING can carry")
  if why then
    error(("bad argument #2 to 'apply' (entry.%s %s is no speed a drive can be set to: %s)")
      :format(field, judge.show(v), why), 3)
  end
end

--- Set `entry`'s speed: SET STREAMING for DVD/BD, SET CD SPEED for CD or when streaming
-- is refused; then read back.  `snap` (optional) is the snapshot the entry came from,
-- so the drive is not asked again for what it already said.  Returns true, report
-- ({ method, asked, got, obeyed, notes, end_lba }) or nil, message, info.
-- The only function of the Lua layer that changes the drive: open it with
-- `{ write = true }`, which Linux needs for both SET commands.
-- @param drive an open drive (read-write)
-- @tparam table entry a list entry (`write`, and `read`, `rotation`, `exact`, `end_lba` when known)
-- @tparam[opt] table snap the snapshot the entry came from
-- @treturn boolean true
-- @treturn table report: `method = "set_streaming"|"set_cd_speed"`, `asked`, `got`
-- (what the drive reports after), `obeyed` (within `format.TOLERANCE`), `notes`,
-- `end_lba`, `current_write_speed`, `performance`
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] table info (e.g. `kind = "os"`, `code = "EPERM"`: opened without `write = true`)
-- @raise on a bad argument (a speed no drive can be set to)
function speeds.apply(drive, entry, snap)
  if not is_drive(drive) then
    error(("bad argument #1 to 'apply' (drive expected, got %s)"):format(type(drive)), 2)
  end
  if type(entry) ~= "table" then
    error(("bad argument #2 to 'apply' (speed list entry expected, got %s)"):format(type(entry)), 2)
  end
  check_entry_speed(entry, "write")
  if entry.read ~= nil then check_entry_speed(entry, "read") end
  -- apply(drive, speeds.pick(list)) passes pick's reason along: not a snapshot, ignored
  if type(snap) == "string" then snap = nil end
  if snap ~= nil and not snapshot.is(snap) then
    error(("bad argument #3 to 'apply' (snapshot expected, got %s)"):format(type(snap)), 2)
  end
  snap = snap or snapshot.take(drive, { parts = { "profile", "write_speeds", "write_performance" } })
  local prof = snap.profile
  if not prof then
    local e = snap.errors.profile or {}
    return nil, e.message or "the medium's profile is unknown", e.info
  end
  local class = prof.class
  if not class then
    if prof.code == 0 then return nil, "no medium in the drive", { kind = "medium", profile = prof } end
    return nil, fmt("medium %s has no CD/DVD/BD speed ladder", prof.name), { kind = "medium", profile = prof }
  end
  local notes = {}
  local report = { asked = entry.write, notes = notes }
  local read = entry.read
  local before = list_signature(snap.write_speeds)
  local done, msg, info
  if class ~= "cd" then
    local end_lba = streaming_end_lba(snap, entry, notes)
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
    if entry.write > SET_CD_SPEED_MAX or (read and read > SET_CD_SPEED_MAX) then
      return nil, fmt("%d kB/s cannot be said with SET CD SPEED (at most %d kB/s)", math.max(entry.write, read or 0),
        SET_CD_SPEED_MAX), { kind = "unsupported" }
    end
    done, msg, info = drive:set_speed{ read = read or "max", write = entry.write,
      rotation = entry.rotation or "clv" }
    if not done then return nil, msg, info end
    report.method = "set_cd_speed"
  end
  -- Read back what changed: page 2Ah's current write speed, the curve, the list.
  local after = snapshot.take(drive, { parts = { "profile", "capabilities", "write_speeds", "write_performance" } })
  local cur, top = current_write(after.capabilities), performance_top((after.performance or {}).write)
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
  local sig = list_signature(after.write_speeds)
  if before and sig and before ~= sig then
    notes[#notes + 1] = "the drive's write speed list changed after setting; re-read it before the next choice"
  end
  return true, report
end

return speeds
