--- cdperf.physics: where a sector lies on the disc, how fast the disc turns
-- there, and how long a drive takes to write a run of sectors when asked for a
-- nominal speed.  Pure functions of numbers; no drive I/O.
--
-- Units: radius mm, track pitch um, linear velocity m/s, speeds kB/s (1 kB =
-- 1000 B, as MMC counts), times s, positions in sectors (LBA; fractions allowed).
--
-- The track is one spiral of constant pitch p, so each sector adds the same
-- area a = p * (its length along the track), and from radius r0 to r lie
-- n = pi (r^2 - r0^2) / a   sectors.
-- Writing at linear velocity v over dr takes 2 pi r dr / (p v) seconds, which
-- has a closed form for both ways a spindle runs:
--
-- * CLV, v = V:      t = pi (r1^2 - r0^2) / (p V)    (sectors / sector rate)
-- * CAV, v = w r:    t = 2 pi (r1 - r0) / (p w)       (turns / turns per second)
--
-- Every strategy below writes, at each radius, at min(V, w r) for one V and one
-- w per zone, so write_time is exact. Functions raise on misuse (a bad class, an LBA
-- off the disc, an unknown option), naming the argument or field.
-- @module cdperf.physics

local media = require "cdperf.media"

local physics = {}

local pi, sqrt, floor, abs, huge = math.pi, math.sqrt, math.floor, math.abs, math.huge
local min, max = math.min, math.max
local fmt = string.format
local TWO_PI = 2 * pi

--- Spindle limit in rpm.  Drives top out near 10,000 rpm (issue 18): a 52x
-- CD at the rim, a 16x DVD or a 12x BD at 58 mm need 9,200-10,300 rpm.
physics.LIMIT_RPM = 10000

--- The slowest spindle a writer is taken to have, in rpm: where a drive's fastest write
-- speed for the medium needs less at the rim (an 8x or 12x DVD, a 24x CD), the drive
-- still turns this fast at the hub.  Measured: the Plextor PX-712A starts its P-CAV at
-- 6.04x on DVD+R (12x) and 6.02x on DVD-R (8x), 8,390 and 8,360 rpm at 24 mm (CDFreaks,
-- "Memorex F16 DVD Writer" review, 2004, DVD+R/RW writing performance table).
physics.WRITE_MIN_RPM = 8400

-- Per class: r_inner = start of the data zone, r_limit = latest end of it,
-- r_lead_in = start of the lead-in, r_info = outer edge of the information
-- zone (no lead-out passes it; both nil for BD).  sector_bytes counts what 1x
-- counts.
local CLASS = {
  -- ECMA-130 (CD-ROM, 2nd ed. 1996), which CD-R follows: lead-in from radius
  -- 23 mm, program area from 25 mm (ATIP 00:00:00) to 58 mm at most, lead-out
  -- at least 0.5 mm wide; pitch 1.6 +- 0.1 um; 1.2-1.4 m/s; 75 sectors/s at 1x.
  -- LBA 0 is MSF 00:02:00, 150 sectors past the program area's start.
  cd = {
    sector_bytes = 2352, r_inner = 25.0, r_limit = 58.0, r_lead_in = 23.0, r_info = 58.5,
    offset = 150, max_layers = 1,
    default = { 359849 },         -- 80 min: ATIP lead-out start 79:59:74
    max_capacity = { 449849 },    -- the lead-out starts by MSF 99:59:74
  },
  -- ECMA-267 (DVD-ROM), ECMA-337 (+RW), ECMA-349 (+R): lead-in from radius
  -- 22.0-22.6 mm (22.6: the ~53,000 sectors a DVD-R's lead-in PSN 22FA0h-2FFFFh
  -- holds), data zone 24.0-58.0 mm, information zone to 58.5 mm; pitch 0.74 um;
  -- 1x 3.49 m/s single layer, 3.84 m/s dual layer, each +- 0.03 m/s.
  dvd = {
    sector_bytes = 2048, r_inner = 24.0, r_limit = 58.0, r_lead_in = 22.6, r_info = 58.5,
    offset = 0, max_layers = 2, pitch = 0.74, velocity = { 3.49, 3.84 }, tolerance = 0.03,
    default = { 2295104, 4173824 },   -- DVD+R, DVD+R DL (DVD-R: 2298496, DVD-R DL: 4171712)
  },
  -- Blu-ray Disc Association white papers (BD-R/RE format, BDXL): data zone
  -- 24.0-58.0 mm, pitch 0.32 um, every layer after the first runs back
  -- (opposite track path).  Sectors per layer: 25 GB 12,219,392 (4.917 m/s at
  -- 1x), BDXL 100 GB TL 48,878,592 / 3, BDXL 128 GB QL 62,500,864 / 4.
  bd = {
    sector_bytes = 2048, r_inner = 24.0, r_limit = 58.0,   -- no lead-in or lead-out to write
    offset = 0, max_layers = 4, pitch = 0.32,
    per_layer = { 12219392, 12219392, 16292864, 15625216 },
    default = { 12219392, 24438784, 48878592, 62500864 },
  },
}

-- CD: ECMA-130 allows 1.2-1.4 m/s and 1.6 +- 0.1 um.  Long discs run at the
-- lowest velocity and a finer pitch, so: 1.2 m/s, and the pitch that puts the
-- last sector on 58 mm (74 min: 1.60 um, 80 min: 1.49 um).  Discs holding less
-- than a 1.6 um / 1.2 m/s spiral keep that pitch and run faster (63 min:
-- 1.4 m/s); shorter ones end inside 58 mm at 1.4 m/s.
local CD_VELOCITY, CD_VELOCITY_MAX, CD_PITCH = 1200, 1400, 1.6e-3   -- mm/s, mm/s, mm

-- Overheads that no standard fixes (issue 18; all can be overridden).
-- OPC: a test burn in the power calibration area and the seeks to it and back.
local OPC_SECONDS = 2
-- CD lead-out: 90 s (Red Book); sessions after the first: 1 min lead-in (plus
-- the 2 s pregap) and 30 s lead-out (Orange Book multisession).
local CD_LEAD_IN_LATER, CD_LEAD_OUT_FIRST, CD_LEAD_OUT_LATER = 4500 + 150, 6750, 2250
-- DVD: the lead-out is at least 1.0 mm wide (ECMA-267) and reaches radius
-- 30 mm, so a player finds it on a nearly empty disc (issue 18's figure).
local DVD_LEAD_OUT_WIDTH, DVD_LEAD_OUT_MIN_RADIUS = 1.0, 30.0
-- Per track: CD TAO 1 link + 4 run-in + 2 run-out blocks, and a 150-sector
-- pregap before every track after the first; DVD pads a track to a 16-sector
-- ECC block, BD to a 32-sector cluster (at most).
local TRACK_SECTORS = { cd = 7, dvd = 16, bd = 32 }
local CD_PREGAP = 150
-- DVD+-R: closing the session (MMC CLOSE TRACK/SESSION; finalizing a DVD+R) takes more
-- than the lead-in and lead-out it writes: the drive stops streaming, seeks back to the
-- hub, changes the spindle speed, writes the control data / RMA and checks them.  No
-- standard fixes that time; this is measured: six Nero DAO burns of a full DVD+-R
-- (4,700,372,992 bytes; CDFreaks "Memorex F16 DVD Writer" review, 2004: Philips, NEC and
-- Plextor drives at 8x-16x) took 16-50 s (median 37 s) longer than the spiral, OPC,
-- lead-in and lead-out give; Tom's Hardware's "DVD-5 in just over four minutes" at 24x
-- and hardware.info's "about 5.5 minutes" at 18x leave 37-46 s.  Thin evidence (old
-- drives, one review); the estimate says so in its assumptions.
local DVD_FINALIZE_SECONDS = 35

--- The overheads of a session the estimates count: `opc_seconds` (power calibration,
-- 2 s), per class the lead-in and lead-out sizes and the sectors a track adds (`cd =
-- { lead_in_later =, lead_out_first =, lead_out_later =, track =, pregap = }`, `dvd =
-- { lead_out_width_mm =, lead_out_min_radius_mm =, track =, finalize_seconds = }`,
-- `bd = { track = }`); `dvd.finalize_seconds` (35 s) is the measured time a DVD+-R drive
-- spends closing a session beyond its lead-in and lead-out.
-- @table OVERHEAD
-- @field opc_seconds
-- @field cd
-- @field dvd
-- @field bd
physics.OVERHEAD = {
  opc_seconds = OPC_SECONDS,
  cd = { lead_in_later = CD_LEAD_IN_LATER, lead_out_first = CD_LEAD_OUT_FIRST,
         lead_out_later = CD_LEAD_OUT_LATER, track = TRACK_SECTORS.cd, pregap = CD_PREGAP },
  dvd = { lead_out_width_mm = DVD_LEAD_OUT_WIDTH, lead_out_min_radius_mm = DVD_LEAD_OUT_MIN_RADIUS,
          track = TRACK_SECTORS.dvd, finalize_seconds = DVD_FINALIZE_SECONDS },
  bd = { track = TRACK_SECTORS.bd },
}

local STRATEGIES = { auto = true, clv = true, zclv = true, pcav = true, cav = true }
local STRATEGY_NAMES = "auto|clv|zclv|pcav|cav"

local Geometry = { __name = "cdperf.physics.geometry" }

function Geometry:__tostring()
  return fmt("cdperf.physics.geometry (%s, %d layer%s%s, %d sectors, %.2f-%.2f mm)",
    media.LABEL[self.class], self.layers, self.layers > 1 and "s" or "",
    self.path and " " .. self.path:upper() or "", self.capacity, self.r_inner, self.r_outer)
end

-- ------------------------------------------------------------------------
-- Checks: each returns the value, or nil and a message; `need` raises at the
-- caller of the public function.

local function show(v)
  if type(v) == "string" then return fmt("%q", v) end
  if type(v) ~= "number" then return type(v) end
  if v ~= v then return "nan" end
  if math.type(v) == "integer" then return tostring(v) end
  if v == floor(v) and abs(v) < 2^53 then return fmt("%d", v) end
  return fmt("%.14g", v)
end

local function need(v, msg)
  if v == nil then error(msg, 3) end
  return v
end

local function is_real(v) return type(v) == "number" and v == v and v > -huge and v < huge end

local function check_geom(g, fname)
  if getmetatable(g) == Geometry then return g end
  return nil, fmt("bad argument #1 to '%s' (geometry expected, got %s)", fname, type(g))
end

local function check_lba(g, lba, fname, n)
  if is_real(lba) and lba >= 0 and lba <= g.capacity then return lba end
  return nil, fmt("bad argument #%d to '%s' (LBA 0..%d expected, got %s)", n, fname, g.capacity, show(lba))
end

local function check_speed(v, fname, n)
  if is_real(v) and v > 0 then return v end
  return nil, fmt("bad argument #%d to '%s' (speed in kB/s > 0 expected, got %s)", n, fname, show(v))
end

local function check_strategy(s, fname, n)
  if s == nil then return "auto" end
  if STRATEGIES[s] then return s end
  return nil, fmt("bad argument #%d to '%s' (strategy %s expected, got %s)", n, fname, STRATEGY_NAMES, show(s))
end

local function check_opts(opts, fields, fname, n)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    return nil, fmt("bad argument #%d to '%s' (table expected, got %s)", n, fname, type(opts))
  end
  for k in pairs(opts) do
    if not fields[k] then
      local names = {}
      for name in pairs(fields) do names[#names + 1] = name end
      table.sort(names)
      return nil, fmt("bad field %s (unknown field; expected %s)",
        type(k) == "string" and "'" .. k .. "'" or "of type " .. type(k), table.concat(names, "|"))
    end
  end
  return opts
end

local function bad_field(name, expected, v)
  return nil, fmt("bad field '%s' (expected %s, got %s)", name, expected, show(v))
end

local function field_int(opts, name, lo, hi)
  local v = opts[name]
  if v == nil then return false end   -- absent
  local i = math.tointeger(v)
  if i and i >= lo and i <= hi then return i end
  return bad_field(name, fmt("an integer %d..%d", lo, hi), v)
end

local function field_positive(opts, name)
  local v = opts[name]
  if v == nil then return false end
  if type(v) == "number" and v == v and v > 0 then return v end
  return bad_field(name, "a number > 0", v)
end

-- false (none), or a finite number >= 0
local function field_amount(opts, name, what)
  local v = opts[name]
  if v == nil then return true end     -- the default
  if v == false or (is_real(v) and v >= 0) then return v end
  return bad_field(name, "false or " .. what .. " >= 0", v)
end

local function field_bool(opts, name, default)
  local v = opts[name]
  if v == nil then return default end
  if type(v) == "boolean" then return v end
  return bad_field(name, "a boolean", v)
end

-- ------------------------------------------------------------------------
-- Geometry

-- Sector area a (mm^2), pitch (mm), 1x velocity (mm/s) and whether the
-- density was fitted so that n_fit sectors end on r_limit; nil if they cannot.
local function density(class, c, n_fit, layers)
  local area = pi * (c.r_limit ^ 2 - c.r_inner ^ 2)
  local sps = media.ONE_X[class] * 1000 / c.sector_bytes
  if class == "cd" then
    local a = area / n_fit
    local v, p = CD_VELOCITY, a * sps / CD_VELOCITY
    if p > CD_PITCH then p = CD_PITCH; v = a * sps / p end
    if v > CD_VELOCITY_MAX then   -- the sparsest spiral ECMA-130 allows ends inside
      return CD_VELOCITY_MAX / sps * p, p, CD_VELOCITY_MAX, false
    end
    return a, p, v, true
  end
  local p = c.pitch / 1000
  if class == "dvd" then
    local v_nom, tol = c.velocity[layers] * 1000, c.tolerance * 1000
    local v = area / n_fit * sps / p
    if v < v_nom - tol then return nil end
    if v <= v_nom + tol then return v / sps * p, p, v, true end
    return v_nom / sps * p, p, v_nom, false   -- fewer sectors (formatted, spares): the nominal density
  end
  local n_std = c.per_layer[layers]
  if n_fit > n_std then return nil end
  local a = area / n_std
  return a, p, a / p * sps, n_fit == n_std
end

local function max_capacity(class, c, layers)
  if class == "cd" then return c.max_capacity[1] end
  if class == "dvd" then
    local sps = media.ONE_X.dvd * 1000 / c.sector_bytes
    local a_min = (c.velocity[layers] - c.tolerance) * 1000 / sps * c.pitch / 1000
    return layers * floor(pi * (c.r_limit ^ 2 - c.r_inner ^ 2) / a_min)
  end
  return layers * c.per_layer[layers]
end

local GEOMETRY_FIELDS = { capacity = true, layers = true, path = true, layer0 = true }

--- The disc of `class` ("cd" | "dvd" | "bd") as a spiral.  opts:
--
-- * `capacity`: sectors (last LBA + 1), as the drive reports it; default the
--   standard blank (80-min CD, DVD+R, BD-R 25 GB per layer)
-- * `layers`: 1 (CD), 1-2 (DVD), 1-4 (BD); default from the capacity
-- * `path`: "otp" (default: every recordable DL disc, all BD) | "ptp" (DVD only)
-- * `layer0`: sectors on layer 0 of a 2-layer DVD (the layer break); default half
--
-- The density is fitted so the last LBA lands on the data zone's outer limit
-- when the standard's tolerance allows it; a smaller capacity (a formatted or
-- spared disc) keeps the nominal density and ends inside.
-- @tparam string class
-- @tparam[opt] table opts
-- @treturn table the geometry `g` the other functions take (`class`, `capacity`,
-- `layers`, `r_inner`, `r_outer`, ...; `tostring(g)` describes it)
-- @raise on a bad class or option
function physics.geometry(class, opts)
  local c = CLASS[class]
  if not c then
    error(fmt("bad argument #1 to 'geometry' (media class cd|dvd|bd expected, got %s)",
      class == nil and "nil" or show(class)), 2)
  end
  opts = need(check_opts(opts, GEOMETRY_FIELDS, "geometry", 2))
  local layers = need(field_int(opts, "layers", 1, c.max_layers)) or nil
  local cap = opts.capacity
  local top = max_capacity(class, c, layers or c.max_layers)
  if cap == nil then
    cap = c.default[layers or 1]
  else
    local i = math.tointeger(cap)
    if not (i and i >= 1 and i <= top) then
      need(bad_field("capacity", fmt("sectors 1..%d on %s", top, layers
        and fmt("a %d-layer %s", layers, media.LABEL[class]) or "any " .. media.LABEL[class]), cap))
    end
    cap = i
  end
  if not layers then
    layers = 1
    while cap > max_capacity(class, c, layers) do layers = layers + 1 end
  end
  if layers > cap then need(bad_field("layers", fmt("an integer 1..%d for %d sectors", cap, cap), layers)) end

  local path = opts.path
  if path ~= nil and path ~= "otp" and path ~= "ptp" then need(bad_field("path", "otp|ptp", path)) end
  if path == "ptp" and class ~= "dvd" then
    need(bad_field("path", "otp (" .. media.LABEL[class] .. " layers after the first run back)", path))
  end
  if layers == 1 then path = nil else path = path or "otp" end

  local sizes = {}
  if opts.layer0 ~= nil then
    if class ~= "dvd" or layers ~= 2 then
      need(bad_field("layer0", "nil (only a 2-layer DVD has a layer break to set)", opts.layer0))
    end
    local l0 = math.tointeger(opts.layer0)
    local lo = path == "otp" and (cap + 1) // 2 or 1   -- OTP: layer 1 runs back inside layer 0
    if not (l0 and l0 >= lo and l0 <= cap - 1) then
      need(bad_field("layer0", fmt("sectors %d..%d", lo, cap - 1), opts.layer0))
    end
    sizes = { l0, cap - l0 }
  else
    local base, rest = cap // layers, cap % layers
    for i = 1, layers do sizes[i] = base + (i <= rest and 1 or 0) end
  end

  local n_fit = 0
  for i, n in ipairs(sizes) do
    if i == 1 or path == "ptp" or i % 2 == 1 then
      n_fit = max(n_fit, n + (i == 1 and c.offset or 0))
    end
  end
  local a, p, v1, fitted = density(class, c, n_fit, layers)
  if not a then
    need(bad_field("capacity", fmt("sectors 1..%d on a %d-layer %s", max_capacity(class, c, layers),
      layers, media.LABEL[class]), cap))
  end

  local list, first, prev_sq, r_outer = {}, 0, nil, 0
  for i, n in ipairs(sizes) do
    local inward = path == "otp" and i % 2 == 0
    local r0sq = inward and prev_sq or c.r_inner ^ 2 + (i == 1 and c.offset or 0) * a / pi
    local r1sq = r0sq + (inward and -n or n) * a / pi
    if inward then r1sq = max(r1sq, c.r_inner ^ 2) end   -- round-off only: sizes never grow inward
    list[i] = { index = i, first_lba = first, sectors = n, direction = inward and "in" or "out",
                r_first = sqrt(r0sq), r_last = sqrt(r1sq) }
    r_outer = max(r_outer, list[i].r_first, list[i].r_last)
    first, prev_sq = first + n, r1sq
  end

  return setmetatable({
    class = class, layers = layers, path = path, capacity = cap, fitted = fitted,
    one_x_kBps = media.ONE_X[class], sector_bytes = c.sector_bytes,
    kB_per_sector = c.sector_bytes / 1000,
    sectors_per_second_1x = media.ONE_X[class] * 1000 / c.sector_bytes,
    pitch_um = p * 1000, velocity_1x = v1 / 1000, sector_area_mm2 = a,
    r_inner = c.r_inner, r_limit = c.r_limit, r_lead_in = c.r_lead_in, r_info = c.r_info,
    r_outer = r_outer, layer = list,
  }, Geometry)
end

-- The layer holding position `lba` (a layer's end belongs to the next one,
-- the disc's end to the last).
local function layer_at(g, lba)
  local list = g.layer
  for i = #list, 2, -1 do
    if lba >= list[i].first_lba then return list[i] end
  end
  return list[1]
end

-- Radius of position `loc` (sectors from the layer's first LBA; may lie past
-- either end, for lead-in and lead-out).
local function r_at(g, L, loc)
  local sq = L.r_first ^ 2 + (L.direction == "in" and -loc or loc) * g.sector_area_mm2 / pi
  return sqrt(max(sq, 0))
end

--- Radius (mm) of position `lba` (0..capacity; the capacity is the end of the
-- last sector), and the layer number.
-- @tparam table g a geometry
-- @tparam number lba
-- @treturn number mm
-- @treturn integer the layer, 1..
function physics.radius(g, lba)
  need(check_geom(g, "radius"))
  need(check_lba(g, lba, "radius", 2))
  local L = layer_at(g, lba)
  return r_at(g, L, lba - L.first_lba), L.index
end

--- Position (fractional LBA) at `radius` mm on `layer` (default 1), within
-- that layer's data.
-- @tparam table g a geometry
-- @tparam number radius mm
-- @tparam[opt=1] integer layer
-- @treturn number the position (fractional LBA)
function physics.lba(g, radius, layer)
  need(check_geom(g, "lba"))
  local L = g.layer[layer == nil and 1 or layer]
  if not L then
    error(fmt("bad argument #3 to 'lba' (layer 1..%d expected, got %s)", g.layers, show(layer)), 2)
  end
  local lo, hi = min(L.r_first, L.r_last), max(L.r_first, L.r_last)
  -- a hair of slack: radius() of a layer's ends may round past them
  if not (is_real(radius) and radius >= lo * (1 - 1e-12) and radius <= hi * (1 + 1e-12)) then
    error(fmt("bad argument #2 to 'lba' (radius %.6g..%.6g mm expected, got %s)", lo, hi, show(radius)), 2)
  end
  local loc = (radius ^ 2 - L.r_first ^ 2) * pi / g.sector_area_mm2
  loc = L.direction == "in" and -loc or loc
  return L.first_lba + max(0, min(loc, L.sectors))   -- only round-off can reach past the ends
end

local function velocity(g, kBps) return kBps / g.one_x_kBps * g.velocity_1x * 1000 end   -- mm/s
local function kBps_of(g, v) return v / (g.velocity_1x * 1000) * g.one_x_kBps end

--- Revolutions per minute when the head at `lba` moves at `kBps`.
-- @tparam table g a geometry
-- @tparam number lba
-- @tparam number kBps
-- @treturn number rpm
function physics.rpm(g, lba, kBps)
  need(check_geom(g, "rpm"))
  need(check_lba(g, lba, "rpm", 2))
  need(check_speed(kBps, "rpm", 3))
  local L = layer_at(g, lba)
  return velocity(g, kBps) / (TWO_PI * r_at(g, L, lba - L.first_lba)) * 60
end

-- ------------------------------------------------------------------------
-- Drive behaviour

local SPEED_FIELDS = { limit_rpm = true, rpm = true, zones = true }
local WRITE_FIELDS = { limit_rpm = true, rpm = true, zones = true, opc = true, lead_in = true,
  lead_out = true, close = true, session = true, tracks = true, verify = true, overhead = true,
  finalize = true }

-- Smallest radius of the positions first..last.
local function min_radius(g, first, last)
  local r = huge
  for _, L in ipairs(g.layer) do
    local a, b = max(first, L.first_lba), min(last, L.first_lba + L.sectors)
    if a <= b then
      r = min(r, r_at(g, L, a - L.first_lba), r_at(g, L, b - L.first_lba))
    end
  end
  return r
end

-- Z-CLV zones: { lba =, v = mm/s }, ascending.  Default: `count` zones of
-- equal length, each at the ladder speed the CAV it stands for reaches at the
-- zone's innermost sector (drives calibrate their write strategies per step).
local function make_zones(g, V, w_cav, spec)
  local zones, v1 = {}, g.velocity_1x * 1000
  if type(spec) == "table" then
    local prev = -1
    for i, z in ipairs(spec) do
      local ok = type(z) == "table" and is_real(z.lba) and z.lba >= 0 and z.lba <= g.capacity
        and z.lba > prev and is_real(z.kBps) and z.kBps > 0
      if not ok then
        return nil, fmt("bad field 'zones' (expected a list of { lba =, kBps = } with LBAs ascending "
          .. "in 0..%d and speeds > 0; entry %d is not)", g.capacity, i)
      end
      zones[i], prev = { lba = z.lba, v = velocity(g, z.kBps) }, z.lba
    end
    if #zones == 0 then return bad_field("zones", "a zone count or a non-empty list", "an empty table") end
    return zones
  end
  local count = spec or 4
  local ladder = media.LADDERS[g.class]
  for j = 1, count do
    local first, last = g.capacity * (j - 1) // count, g.capacity * j // count
    local x = min(V, w_cav * min_radius(g, first, last)) / v1
    local step
    for _, s in ipairs(ladder) do
      if s <= x * (1 + 1e-9) then step = s end
    end
    zones[j] = { lba = first, v = (step or x) * v1 }
  end
  return zones
end

-- The speed model: at radius r in a zone with speed Z the drive writes at
-- min(V, Z, w r) mm/s.  Returns nil and a message on a bad field.
local function make_model(g, nominal, strategy, opts)
  local limit, err = field_positive(opts, "limit_rpm")
  if limit == nil then return nil, err end
  local rpm
  rpm, err = field_positive(opts, "rpm")
  if rpm == nil then return nil, err end
  if rpm and strategy ~= "pcav" then return bad_field("rpm", "nil (only the pcav strategy takes an rpm)", rpm) end
  if opts.zones ~= nil and strategy ~= "zclv" then
    return bad_field("zones", "nil (only the zclv strategy takes zones)", opts.zones)
  end
  limit = limit or physics.LIMIT_RPM
  local V = velocity(g, nominal)
  local w_lim = limit * TWO_PI / 60
  local m = { V = V, w = w_lim, strategy = strategy, limit = limit }
  if strategy == "pcav" then
    m.w = min(w_lim, (rpm or limit) * TWO_PI / 60)
  elseif strategy == "cav" then
    m.w = min(w_lim, V / g.r_outer)   -- the nominal speed at the disc's outermost sector
  elseif strategy == "zclv" then
    local spec = opts.zones
    if spec ~= nil and type(spec) ~= "table" then
      spec = math.tointeger(spec)
      if not (spec and spec >= 1 and spec <= 1000) then
        return bad_field("zones", "a zone count 1..1000 or a list of { lba =, kBps = }", opts.zones)
      end
    end
    m.zones, err = make_zones(g, V, min(w_lim, V / g.r_outer), spec)
    if not m.zones then return nil, err end
  end
  return m
end

local function zone_v(m, lba)
  local zones = m.zones
  if not zones then return m.V end
  local v = zones[1].v
  for i = 2, #zones do
    if lba >= zones[i].lba then v = zones[i].v else break end
  end
  return min(m.V, v)
end

--- The speed (kB/s) the drive really writes at position `lba` when asked
-- for `nominal_kBps`, and the rpm there.  strategy:
--
-- * "clv": the nominal speed everywhere; where that would pass the spindle
--   limit the disc turns at the limit instead (so it becomes P-CAV)
-- * "auto": the same as "clv" (the fastest the limit allows; default)
-- * "pcav": CAV at opts.rpm (default the limit) until the nominal speed is
--   reached, CLV after it
-- * "cav": constant rpm that reaches the nominal speed at the outermost
--   sector of the disc (what drives report with rotation control 01b)
-- * "zclv": CLV zones stepping up: opts.zones = a count (default 4, equal
--   lengths, ladder speeds under the CAV curve) or a list of
--   { lba =, kBps = } as a drive's performance descriptors give
--
-- opts.limit_rpm (default physics.LIMIT_RPM) caps every strategy.
-- @tparam table g a geometry
-- @tparam number lba
-- @tparam number nominal_kBps
-- @tparam[opt="auto"] string strategy
-- @tparam[opt] table opts `limit_rpm`, `rpm`, `zones`
-- @treturn number kB/s
-- @treturn number rpm
function physics.speed_at(g, lba, nominal_kBps, strategy, opts)
  need(check_geom(g, "speed_at"))
  need(check_lba(g, lba, "speed_at", 2))
  need(check_speed(nominal_kBps, "speed_at", 3))
  strategy = need(check_strategy(strategy, "speed_at", 4))
  opts = need(check_opts(opts, SPEED_FIELDS, "speed_at", 5))
  local m = need(make_model(g, nominal_kBps, strategy, opts))
  local L = layer_at(g, lba)
  local r = r_at(g, L, lba - L.first_lba)
  local v = min(zone_v(m, lba), m.w * r)
  return kBps_of(g, v), v / (TWO_PI * r) * 60
end

-- Seconds to write radius lo..hi at min(V, w r).
local function span_time(lo, hi, V, w, p)
  local rc = V / w          -- inside rc the spindle limits (CAV), outside the speed (CLV)
  local t = 0
  if lo < rc then t = t + TWO_PI * (min(hi, rc) - lo) / (p * w) end
  if hi > rc then
    local l = max(lo, rc)
    t = t + pi * (hi * hi - l * l) / (p * V)
  end
  return t
end

-- Seconds to write positions a..b (a <= b, sectors from L's first LBA; they
-- may lie past either end, for lead-in and lead-out), cut where a zone starts.
-- The speed depends on the position alone, so times of adjacent runs add up:
-- writing more data never makes the whole shorter.  `stats`, when given,
-- collects the speed range, top angular velocity and which regimes ran.
local function run_time(g, m, L, a, b, stats)
  local p, cuts = g.pitch_um / 1000, { a, b }
  for _, z in ipairs(m.zones or {}) do
    local loc = z.lba - L.first_lba
    if loc > a and loc < b then cuts[#cuts + 1] = loc end
  end
  table.sort(cuts)
  local t = 0
  for i = 1, #cuts - 1 do
    local x, y = cuts[i], cuts[i + 1]
    if y > x then
      -- past the layer's ends the nearest zone of this layer runs on
      local Z = zone_v(m, L.first_lba + max(0, min(x, L.sectors - 1)))
      local rx, ry = r_at(g, L, x), r_at(g, L, y)
      local lo, hi = min(rx, ry), max(rx, ry)
      t = t + span_time(lo, hi, Z, m.w, p)
      if stats then
        local rc = Z / m.w
        stats.v_min, stats.v_max = min(stats.v_min, Z, m.w * lo), max(stats.v_max, min(Z, m.w * hi))
        stats.w_max = max(stats.w_max, min(Z, m.w * lo) / lo)
        -- with a margin: "cav" puts rc on the outermost sector itself
        stats.cav = stats.cav or lo < rc * (1 - 1e-9)
        stats.clv = stats.clv or hi > rc * (1 + 1e-9)
      end
    end
  end
  return t
end

-- Position on layer L (sectors from its first LBA) of radius r.
local function loc_at(g, L, r)
  local loc = (r * r - L.r_first ^ 2) * pi / g.sector_area_mm2
  return L.direction == "in" and -loc or loc
end

--- Seconds to write `sectors` sectors from `from_lba` when asked for
-- `nominal_kBps`, with the overheads of a session.  strategy and opts as
-- speed_at, and:
--
-- * `opc` = seconds | false: power calibration (default 2)
-- * `lead_in`, `lead_out` = sectors | false: instead of the standard sizes
-- * `close` = false: leave the session open (no lead-in/out, no finalization)
-- * `finalize` = seconds | false: closing the session beyond its lead-in and lead-out
--   (default: DVD 35 s, measured, see physics.OVERHEAD; CD and BD 0)
-- * `session` = n: default 1 when from_lba is 0, else 2
-- * `tracks` = n: per-track run-in/run-out, pregaps (default 1)
-- * `verify` = true: write, then read back (defect management
--   on BD-R/RE, DVD-RAM): data takes about twice as long
-- * `overhead` = false: data only
--
-- Lead-in and lead-out are written where they lie, at the speed the strategy
-- gives there: CD lead-in from radius 23 mm (first session) or 4500 + 150
-- sectors, CD lead-out 6750 / 2250 sectors; DVD lead-in from radius 22.6 mm,
-- lead-out 1 mm wide and to radius 30 mm at least; BD-R writes neither.
-- @tparam table g a geometry
-- @tparam number from_lba
-- @tparam number sectors
-- @tparam number nominal_kBps
-- @tparam[opt="auto"] string strategy
-- @tparam[opt] table opts
-- @treturn table `{ seconds =, data_seconds =, overhead_seconds =,
-- overhead = { opc =, lead_in =, lead_out =, tracks =, finalize = },
-- average_kBps =, data_kBps =, min_kBps =, max_kBps =, max_rpm =,
-- strategy = what the drive does ("clv"|"pcav"|"cav"|"zclv"), requested =,
-- from_lba =, sectors =, nominal_kBps =, limit_rpm = }`
function physics.write_time(g, from_lba, sectors, nominal_kBps, strategy, opts)
  need(check_geom(g, "write_time"))
  need(check_lba(g, from_lba, "write_time", 2))
  local room = g.capacity - from_lba
  if not (is_real(sectors) and sectors >= 0 and sectors <= room) then
    error(fmt("bad argument #3 to 'write_time' (sector count 0..%s expected, got %s)", show(room), show(sectors)), 2)
  end
  need(check_speed(nominal_kBps, "write_time", 4))
  local requested = need(check_strategy(strategy, "write_time", 5))
  opts = need(check_opts(opts, WRITE_FIELDS, "write_time", 6))
  local m = need(make_model(g, nominal_kBps, requested, opts))
  local opc = need(field_amount(opts, "opc", "seconds"))
  local lead_in = need(field_amount(opts, "lead_in", "sectors"))
  local lead_out = need(field_amount(opts, "lead_out", "sectors"))
  local finalize = need(field_amount(opts, "finalize", "seconds"))
  local close = need(field_bool(opts, "close", true))
  local verify = need(field_bool(opts, "verify", false))
  local with_overhead = need(field_bool(opts, "overhead", true))
  local session = need(field_int(opts, "session", 1, 1 << 30)) or (from_lba == 0 and 1 or 2)
  local tracks = need(field_int(opts, "tracks", 1, 1 << 30)) or 1
  local to = from_lba + sectors

  local stats = { v_min = huge, v_max = 0, w_max = 0, cav = false, clv = false }
  local data = 0
  for _, L in ipairs(g.layer) do
    local a, b = max(from_lba, L.first_lba), min(to, L.first_lba + L.sectors)
    if b > a then data = data + run_time(g, m, L, a - L.first_lba, b - L.first_lba, stats) end
  end
  if sectors == 0 then
    local L = layer_at(g, from_lba)
    local r = r_at(g, L, from_lba - L.first_lba)
    local v = min(zone_v(m, from_lba), m.w * r)
    stats.v_min, stats.v_max, stats.w_max = v, v, v / r
    stats.cav, stats.clv = v < zone_v(m, from_lba), v >= zone_v(m, from_lba)
  end
  local actual = m.strategy
  if actual ~= "zclv" then
    actual = (stats.cav and stats.clv) and "pcav" or stats.cav and "cav" or "clv"
  end
  if verify then data = data * 2 end

  local o = { opc = 0, lead_in = 0, lead_out = 0, tracks = 0, finalize = 0 }
  if sectors > 0 and with_overhead then
    local c = CLASS[g.class]
    o.opc = opc == true and OPC_SECONDS or opc or 0
    local L1 = layer_at(g, from_lba)
    local f = from_lba - L1.first_lba
    local Le = layer_at(g, to - 1)          -- the last sector's layer
    local e = to - Le.first_lba
    if close and lead_in ~= false then
      local n = type(lead_in) == "number" and lead_in
        or g.class == "cd" and session > 1 and CD_LEAD_IN_LATER
      if n then
        o.lead_in = run_time(g, m, L1, f - n, f)
      elseif g.class ~= "bd" and session == 1 then
        -- BD-R has no lead-in to write; later DVD sessions' intros are drive-sized (pass lead_in)
        local L = g.layer[1]
        o.lead_in = run_time(g, m, L, loc_at(g, L, c.r_lead_in), 0)
      end
    end
    -- the last track's run-out and padding, then the lead-out after it
    local t = e + tracks * TRACK_SECTORS[g.class] + (g.class == "cd" and (tracks - 1) * CD_PREGAP or 0)
    o.tracks = run_time(g, m, Le, e, t)
    if close and lead_out ~= false then
      local n = type(lead_out) == "number" and lead_out
        or g.class == "cd" and (session == 1 and CD_LEAD_OUT_FIRST or CD_LEAD_OUT_LATER)
      if n then
        o.lead_out = run_time(g, m, Le, t, t + n)
      elseif g.class == "dvd" then
        local r_end = r_at(g, Le, e)
        local r_to
        if Le.direction == "out" then
          r_to = max(r_end, min(max(r_end + DVD_LEAD_OUT_WIDTH, DVD_LEAD_OUT_MIN_RADIUS), c.r_info))
        else
          r_to = min(r_end, max(r_end - DVD_LEAD_OUT_WIDTH, c.r_lead_in))
        end
        o.lead_out = run_time(g, m, Le, t, max(t, loc_at(g, Le, r_to)))
      end
    end
  end
  if sectors > 0 and with_overhead and close then
    o.finalize = finalize == true and (g.class == "dvd" and DVD_FINALIZE_SECONDS or 0) or finalize or 0
  end
  local extra = o.opc + o.lead_in + o.lead_out + o.tracks + o.finalize
  local total = data + extra
  local kB = sectors * g.kB_per_sector
  return {
    seconds = total, data_seconds = data, overhead_seconds = extra, overhead = o,
    average_kBps = total > 0 and kB / total or 0, data_kBps = data > 0 and kB / data or 0,
    min_kBps = kBps_of(g, stats.v_min), max_kBps = kBps_of(g, stats.v_max),
    max_rpm = stats.w_max / TWO_PI * 60,
    strategy = actual, requested = requested, from_lba = from_lba, sectors = sectors,
    nominal_kBps = nominal_kBps, limit_rpm = m.limit,
  }
end

--- The spindle limit (rpm) for writing on `g` with a drive whose fastest write speed for
-- the medium is `top_kBps`: the rpm that speed needs at the data zone's outer limit
-- (58 mm), so the drive reaches its rated speed at the rim and no sooner, as real
-- writers do (CAV 16x DVD from 6.6x at the hub: NEC ND-3540A 6.75x -> 15.96x, CDFreaks
-- 2004; 48x CD from about 20x), but no less than physics.WRITE_MIN_RPM.  A 16x DVD
-- writer turns 9,190 rpm, a 24x one 13,780, a 48x CD writer 9,480 (80-min disc).
-- @tparam table g a geometry
-- @tparam number top_kBps
-- @treturn number rpm
function physics.write_limit_rpm(g, top_kBps)
  need(check_geom(g, "write_limit_rpm"))
  need(check_speed(top_kBps, "write_limit_rpm", 2))
  return max(velocity(g, top_kBps) / (TWO_PI * g.r_limit) * 60, physics.WRITE_MIN_RPM)
end

--- Sectors that `bytes` fill (2048 user bytes each, or `sector_bytes`).
-- @tparam number bytes
-- @tparam[opt=2048] integer sector_bytes
-- @treturn integer
function physics.sectors(bytes, sector_bytes)
  if not (is_real(bytes) and bytes >= 0) then
    error(fmt("bad argument #1 to 'sectors' (byte count >= 0 expected, got %s)", show(bytes)), 2)
  end
  if sector_bytes ~= nil and not (math.tointeger(sector_bytes) and sector_bytes > 0) then
    error(fmt("bad argument #2 to 'sectors' (sector size in bytes > 0 expected, got %s)", show(sector_bytes)), 2)
  end
  local n = -((-bytes) // (sector_bytes or 2048))
  return math.tointeger(n) or n
end

return physics
