--- cdperf.estimate: how long a burn takes by the stopwatch.
--
-- speeds.estimate(source, bytes, entry) integrates the drive's nominal write curve (or
-- the entry's flat speed) over the data and returns that time, as it always has; at its
-- end it hands its result here, and finish() adds the burn as a stopwatch sees it to the
-- detail table:
--
--   detail.seconds          the whole burn: data + overheads
--   detail.data_seconds     writing the data alone
--   detail.overhead_seconds, detail.overheads = { opc =, lead_in =, lead_out =, tracks =, finalize = }
--   detail.source           "drive" (the drive's curve) | "physics" (cdperf.physics) |
--                           "flat" (the entry's speed: no geometry for the medium)
--   detail.strategy         what the spindle does: "clv" | "pcav" | "cav" | "zclv" (physics)
--   detail.reach_radius_mm, detail.reach_lba   where the chosen speed is first reached
--                           (nil: never; the notes say why)
--   detail.average_kBps     bytes over detail.seconds; detail.data_kBps over the data time
--   detail.max_rpm, detail.limit_rpm           (physics)
--   detail.assumptions      sentences that state what the figure assumes
--
-- estimate.burn(source, bytes, entry) returns detail.seconds, detail: the same call with
-- the stopwatch figure first.
--
-- The rules:
--   1. The drive's nominal write curve (GET PERFORMANCE) describes the speed the drive is
--      set to NOW, not every speed it offers.  It is used for the chosen speed when that
--      speed is no faster than the curve's top (within format.TOLERANCE): as it is when
--      the two match, capped at the chosen speed when it is slower (a drive asked for less
--      is taken to turn no faster than the curve shows; but a CAV descriptor for the slower
--      speed says how the drive spins for it, and rule 2 applies).  Without an entry the
--      curve is the current setting, as it is.  Where the curve asks more of the spindle
--      than physics.LIMIT_RPM (a flat 48x CD curve needs 22,000 rpm at the hub), it is
--      clipped to what the limit allows there.
--   2. Otherwise (no curve, or a curve for a slower setting) the physics of the medium:
--      cdperf.physics.write_time for the class and the capacity the drive reports, at the
--      entry's speed, with the descriptor's rotation control: 01b (CAV) = constant rpm
--      that reaches the speed at the rim; 00b = CLV up to the spindle limit, CAV inside
--      the radius where the limit binds (P-CAV).  The limit is physics.write_limit_rpm of
--      the fastest speed the drive offers for the medium: the rpm that reaches it at the
--      rim (a 16x DVD writer: CAV 6.6x-16x, as real ones burn), at least
--      physics.WRITE_MIN_RPM; physics.LIMIT_RPM when no list is known.
--   3. Overheads from the physics: OPC, lead-in and lead-out of a first, closed session
--      written from LBA 0 in one track (CD: 90 s lead-out; DVD: lead-in from 22.6 mm, a
--      lead-out to 30 mm at least, and 35 s of finalization measured on real burns; BD:
--      none), at the speeds the spindle gives there.  spec/data/burn_times.lua holds the
--      published burns the estimate is checked against (spec/burn_times_spec.lua).
--      With the drive's curve they run at a P-CAV fitted to it (the rpm of its first point).
--   4. A verify pass (a disc under defect management) is speeds.estimate's to add: it
--      doubles the data time there and says so in detail.notes.
--   5. Without a class (a bare curve), nothing is added: detail.seconds = the curve's time.
-- @module cdperf.estimate

local physics = require "cdperf.physics"
local media = require "cdperf.media"
local format = require "cdperf.format"

local estimate = {}

local fmt, max, min = string.format, math.max, math.min

local PHYSICS_CLASS = { cd = true, dvd = true, bd = true }
local clip

local function is_real(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

local function speed_text(kBps, class)
  kBps = math.floor(kBps + 0.5)
  local ok, s = pcall(format.speed, kBps, class)
  return ok and s or fmt("%.0f kB/s", kBps)
end

-- The disc: the capacity the drive told (else the standard one, or one just big enough).
local function geometry(class, capacity, n, notes)
  if capacity then
    local ok, g = pcall(physics.geometry, class, { capacity = capacity })
    if ok then return g end
    notes[#notes + 1] = fmt("no %s of %d sectors in the physics: %s", media.LABEL[class], capacity,
      tostring(g):gsub("^.-%((.*)%)$", "%1"))
  end
  local ok, g = pcall(physics.geometry, class)
  if ok and n <= g.capacity then
    notes[#notes + 1] = fmt("capacity unknown: assumed a standard %s of %d sectors", media.LABEL[class], g.capacity)
    return g
  end
  ok, g = pcall(physics.geometry, class, { capacity = n })
  if ok then
    notes[#notes + 1] = fmt("capacity unknown: assumed a %s that the data just fills (%d sectors)",
      media.LABEL[class], n)
    return g
  end
  return nil
end

-- Where a curve first reaches `target` kB/s: the LBA, or nil.
local function curve_reach(zones, target)
  for _, z in ipairs(zones) do
    local a, b = z.start_performance, z.end_performance
    if a >= target then return z.start_lba end
    if b >= target and b > a then
      return z.start_lba + (target - a) / (b - a) * (z.end_lba - z.start_lba)
    end
  end
  return nil
end

-- Where the physics first reaches `kBps` (min(V, w r) >= V): radius and LBA, or nil.
local function physics_reach(g, res, kBps, strategy)
  if res.max_kBps < kBps * (1 - 1e-6) then return nil end
  local L = g.layer[1]
  local r_first = L.r_first
  local r
  if strategy == "cav" then
    r = g.r_outer
  else
    local V = kBps / g.one_x_kBps * g.velocity_1x * 1000          -- mm/s
    local w = res.limit_rpm * 2 * math.pi / 60                    -- rad/s
    r = max(V / w, r_first)
  end
  local hi = max(L.r_first, L.r_last)
  if r > hi * (1 + 1e-12) then return r, nil end
  return r, physics.lba(g, min(r, hi), 1)
end

-- The curve (capped at `cap`) where it asks more of the spindle than physics.LIMIT_RPM:
-- clipped to what the limit allows there (CAV), integrated in 4096 steps.  Returns the
-- data seconds (the curve's own when it never passes the limit).
local STEPS = 4096
clip = function(g, zones, n, cap, secs, notes, class)
  local format_at = format.speed_at
  local w = physics.LIMIT_RPM * 2 * math.pi / 60
  local function limit_kBps(lba)
    return w * physics.radius(g, min(lba, g.capacity)) / (g.velocity_1x * 1000) * g.one_x_kBps
  end
  local over = 0
  for _, z in ipairs(zones) do
    for _, p in ipairs { { z.start_lba, z.start_performance }, { z.end_lba, z.end_performance } } do
      if p[1] <= n then
        local v = cap and min(p[2], cap) or p[2]
        over = max(over, v / limit_kBps(p[1]))
      end
    end
  end
  if over <= 1 + 1e-6 then return secs end
  local t, h = 0, n / STEPS
  for i = 0, STEPS - 1 do
    local lba = (i + 0.5) * h
    local v = format_at(zones, lba) or zones[#zones].end_performance
    if cap then v = min(v, cap) end
    v = min(v, limit_kBps(lba))
    t = t + h * g.kB_per_sector / v
  end
  notes[#notes + 1] = fmt("the curve asks for up to %.0f rpm, more than the %.0f rpm a spindle turns: clipped "
    .. "to the limit there (CAV, %s at the first sector)", over * physics.LIMIT_RPM, physics.LIMIT_RPM,
    speed_text(limit_kBps(0), class))
  return t
end

--- Complete speeds.estimate's detail (see the header).  ctx: class, capacity, sectors (n),
-- entry, zones (the cleaned curve), curve_seconds (the first value speeds.estimate returns).
-- @tparam table detail
-- @tparam table ctx
-- @treturn table detail
function estimate.finish(detail, ctx)
  local class, n, entry, zones = ctx.class, ctx.sectors, ctx.entry, ctx.zones or {}
  local secs = ctx.curve_seconds
  local notes = {}
  detail.assumptions = notes
  detail.seconds, detail.data_seconds, detail.overhead_seconds = secs, secs, 0
  detail.source = #zones > 0 and "drive" or "flat"
  if not PHYSICS_CLASS[class] or not is_real(secs) or n <= 0 then
    if not PHYSICS_CLASS[class] then
      notes[#notes + 1] = "medium class unknown: the curve's (or the entry's) time for the data alone"
    end
    return detail
  end
  local g = geometry(class, ctx.capacity, n, notes)
  if not g or n > g.capacity then
    notes[#notes + 1] = fmt("no disc geometry for %d sectors: the data time at the entry's speed alone", n)
    return detail
  end
  local want = entry and entry.write
  local top = 0
  for _, z in ipairs(zones) do top = max(top, z.start_performance, z.end_performance) end
  local tol = format.TOLERANCE
  -- a CAV descriptor slower than the curve says how the drive spins for it: physics
  local use_curve = #zones > 0 and (not want or want <= top * (1 + tol))
    and not (want and want < top * (1 - tol) and entry.rotation == "cav")
  local data, res, reach_lba, reach_r
  if use_curve then
    data = secs
    local target = min(want or top, top)
    if not want then
      notes[#notes + 1] = fmt("no speed chosen: the drive's curve for the speed it is set to (top %s)",
        speed_text(top, class))
    elseif want < top * (1 - tol) then
      notes[#notes + 1] = fmt("the drive's curve describes its current setting (top %s), not %s: taken capped "
        .. "at %s (assumes the drive turns no faster at the lower setting)", speed_text(top, class),
        speed_text(want, class), speed_text(want, class))
    else
      notes[#notes + 1] = fmt("the drive's curve is for this speed (top %s)", speed_text(top, class))
    end
    data = clip(g, zones, n, want, data, notes, class)
    -- overheads at a P-CAV fitted to the curve: the rpm of its first point, up to its speed
    local z1 = zones[1]
    local rpm = physics.rpm(g, min(max(z1.start_lba, 0), g.capacity), z1.start_performance)
    local ok
    ok, res = pcall(physics.write_time, g, 0, n, target, "pcav", { rpm = min(rpm, physics.LIMIT_RPM) })
    if not ok then res = nil end
    reach_lba = curve_reach(zones, target * (1 - 1e-9))
    if reach_lba and reach_lba <= g.capacity then reach_r = physics.radius(g, reach_lba) end
  else
    if #zones > 0 and want < top then
      notes[#notes + 1] = fmt("the drive's curve describes its current setting (top %s); %s is a CAV speed: "
        .. "the physics of the disc instead", speed_text(top, class), speed_text(want, class))
    elseif #zones > 0 then
      notes[#notes + 1] = fmt("the drive's curve describes its current setting (top %s), slower than %s: "
        .. "the physics of the disc instead", speed_text(top, class), speed_text(want, class))
    end
    local strategy = entry.rotation == "cav" and "cav" or "auto"
    -- the spindle: what the fastest offered speed needs at the rim (physics.write_limit_rpm);
    -- physics.LIMIT_RPM when the drive's list is unknown
    local limit
    if is_real(ctx.top_write) and ctx.top_write > 0 then
      limit = physics.write_limit_rpm(g, max(ctx.top_write, want))
    end
    local ok
    ok, res = pcall(physics.write_time, g, 0, n, want, strategy, { limit_rpm = limit })
    if not ok then
      notes[#notes + 1] = "the physics gave no time: " .. tostring(res)
      return detail
    end
    data = res.data_seconds
    detail.source, detail.strategy = "physics", res.strategy
    detail.max_rpm, detail.limit_rpm = res.max_rpm, res.limit_rpm
    reach_r, reach_lba = physics_reach(g, res, want, strategy)
    local geo = fmt("%s of %d sectors, %.1f-%.1f mm, %.2f m/s at 1x", media.LABEL[class], g.capacity, g.r_inner,
      g.r_outer, g.velocity_1x)
    if limit then
      notes[#notes + 1] = fmt("spindle limit %.0f rpm: what the fastest offered speed (%s) needs at %.0f mm, "
        .. "where real writers reach it (at least %.0f rpm)", limit, speed_text(max(ctx.top_write, want), class),
        g.r_limit, physics.WRITE_MIN_RPM)
    end
    if strategy == "cav" then
      notes[#notes + 1] = fmt("physics (%s): rotation control CAV: constant %.0f rpm, %s only at the rim", geo,
        res.max_rpm, speed_text(want, class))
    elseif res.strategy == "cav" then
      notes[#notes + 1] = fmt("physics (%s): at the %.0f rpm spindle limit %s is reached only at the rim: CAV "
        .. "throughout, %s to %s", geo, res.limit_rpm, speed_text(want, class), speed_text(res.min_kBps, class),
        speed_text(res.max_kBps, class))
    elseif res.strategy == "clv" then
      notes[#notes + 1] = fmt("physics (%s): CLV at %s throughout (%.0f rpm at most, under the %.0f rpm limit)",
        geo, speed_text(want, class), res.max_rpm, res.limit_rpm)
    elseif reach_r then
      notes[#notes + 1] = fmt("physics (%s): CLV at %s needs more than the %.0f rpm spindle limit inside %.1f mm: "
        .. "CAV there (P-CAV), from %s", geo, speed_text(want, class), res.limit_rpm, reach_r,
        speed_text(res.min_kBps, class))
    else
      notes[#notes + 1] = fmt("physics (%s): at the %.0f rpm spindle limit the disc never reaches %s: "
        .. "CAV throughout, %s to %s", geo, res.limit_rpm, speed_text(want, class), speed_text(res.min_kBps, class),
        speed_text(res.max_kBps, class))
    end
  end
  local o = res and res.overhead or { opc = 0, lead_in = 0, lead_out = 0, tracks = 0, finalize = 0 }
  local extra = o.opc + o.lead_in + o.lead_out + o.tracks + o.finalize
  detail.overheads = { opc = o.opc, lead_in = o.lead_in, lead_out = o.lead_out, tracks = o.tracks,
    finalize = o.finalize }
  detail.data_seconds, detail.overhead_seconds = data, extra
  detail.seconds = data + extra
  detail.reach_lba, detail.reach_radius_mm = reach_lba, reach_r
  local kB = n * g.kB_per_sector
  detail.average_kBps = detail.seconds > 0 and kB / detail.seconds or nil
  detail.data_kBps = data > 0 and kB / data or nil
  notes[#notes + 1] = fmt("overheads %.0f s: OPC %.0f s, lead-in %.0f s, lead-out %.0f s, track run-out %.1f s%s "
    .. "(a first session written from LBA 0 in one track, then closed)", extra, o.opc, o.lead_in, o.lead_out,
    o.tracks, o.finalize > 0 and fmt(", finalization %.0f s", o.finalize) or "")
  if o.finalize > 0 then
    notes[#notes + 1] = fmt("the %.0f s of finalization is measured, not derived: what real DVD+-R burns took beyond "
      .. "the spiral, OPC, lead-in and lead-out (few drives, 2004-2008 reviews)", o.finalize)
  end
  if reach_r == nil and not use_curve then
    notes[#notes + 1] = fmt("%s is never reached on this disc", speed_text(want, class))
  end
  return detail
end

--- speeds.estimate with the stopwatch figure first: detail.seconds, detail (or nil,
-- message, info as speeds.estimate).
-- @param source as `speeds.estimate`
-- @tparam number bytes
-- @tparam[opt] table entry
-- @treturn number seconds by the stopwatch
-- @treturn table detail
-- @return[2] nil, message, info
function estimate.burn(source, bytes, entry)
  local secs, detail, info = require("cdperf.speeds").estimate(source, bytes, entry)
  if not secs then return nil, detail, info end
  if type(detail) == "table" and detail.seconds then return detail.seconds, detail end
  return secs, detail
end

return estimate
