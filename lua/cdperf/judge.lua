--- cdperf.judge: the one place that decides whether a value a drive (or a caller) gives
-- is physically possible.  A drive's claim is data, not truth: every speed, LBA, curve
-- and size passes here before anything picks, estimates or prints with it.  Functions
-- return a reason (a short phrase a person can read) when a value is impossible, nil
-- when it is fine; the callers drop or keep the value and say so in a note.
-- @module cdperf.judge

local media = require "cdperf.media"

local judge = {}

local fmt = string.format

--- The fastest speed any drive of the class reaches, in x, by role and class (the ladders of `cdperf.media`): no CD
-- recorder writes above 52x, no DVD recorder above 24x, no BD recorder above 16x, no
-- HD DVD recorder above 2x (4x allowed).  Reads: 72x CD (Kenwood's multi-beam TrueX,
-- the fastest CD reader sold), 24x DVD, 16x BD.  format.TOLERANCE of slack on top, for
-- the drives' own roundings.
judge.MAX_X = {
  write = { cd = 52, dvd = 24, bd = 16, hddvd = 4 },
  read = { cd = 72, dvd = 24, bd = 16, hddvd = 4 },
}
local SLACK = 1.02

--- The most sectors a medium of the class holds: CD 99 min (445,500), DVD+R DL
-- (4,173,824, DVD-R DL 4,171,712), BD XL quadruple layer 128 GB (62,500,864), HD DVD
-- triple layer 51 GB; with 2 % slack for End LBA = capacity and lead-out claims.
judge.MAX_SECTORS = { cd = 454410, dvd = 4257300, bd = 63750882, hddvd = 25500000 }

--- The largest byte count any disc holds (BD XL, 128 GB) with the same slack; a size
-- above it is no burn.
judge.MAX_BYTES = 63750882 * 2048

--- A value as a note shows it: finite numbers as Lua prints them, else a word.
-- @param v
-- @treturn string
function judge.show(v)
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "infinity" end
  if v == -math.huge then return "-infinity" end
  return tostring(math.tointeger(v) or v)
end

--- Why `v` is not a usable number ("NaN", "infinite", ...), or nil.
-- @param v
-- @treturn string|nil the reason
function judge.number(v)
  if type(v) ~= "number" then return "not a number (" .. type(v) .. ")" end
  if v ~= v then return "NaN" end
  if v == math.huge or v == -math.huge then return "infinite" end
  return nil
end

--- Why `kBps` cannot be a `role` ("write" | "read") speed of a `class` medium, or nil.
-- @param kBps
-- @tparam string class
-- @tparam string role
-- @tparam[opt] string unit "KiB/s" for a drive counting in KiB
-- @treturn string|nil the reason, e.g. "faster than any DVD writer (24x)"
function judge.speed(kBps, class, role, unit)
  local why = judge.number(kBps)
  if why then return why end
  if kBps == 0 then return "zero" end
  if kBps < 0 then return "negative" end
  if math.tointeger(kBps) == nil then return "not a whole number of kB/s" end
  local limit = judge.MAX_X[role or "write"][class]
  if limit then
    local kB = unit == "KiB/s" and kBps * 1.024 or kBps
    local one = media.ONE_X[class]
    if kB > limit * one * SLACK then
      return fmt("%.1fx, above the fastest any %s drive %ss (%gx)", kB / one, media.LABEL[class],
        role or "write", limit)
    end
  end
  return nil
end

--- Why `lba` cannot be an LBA on a `class` medium, or nil.
-- @param lba
-- @tparam string class
-- @treturn string|nil the reason
function judge.lba(lba, class)
  local why = judge.number(lba)
  if why then return why end
  if math.tointeger(lba) == nil then return "not a whole number" end
  if lba < 0 then return "negative" end
  local top = judge.MAX_SECTORS[class]
  if top and lba >= top then
    return fmt("beyond the end of any %s (%d sectors)", media.LABEL[class], top)
  end
  return nil
end

--- Why `bytes` cannot be a size to burn, or nil.
-- @param bytes
-- @treturn string|nil the reason
function judge.size(bytes)
  local why = judge.number(bytes)
  if why then return why end
  if bytes < 0 then return "negative" end
  if bytes > judge.MAX_BYTES then
    return fmt("%.4g bytes, more than any disc holds (%d bytes)", bytes, judge.MAX_BYTES)
  end
  return nil
end

--- A performance curve (nominal descriptors) cleaned for `class`: zones with impossible
-- speeds or LBAs dropped, zones sorted and overlaps cut, and a curve that spans nothing
-- (every zone "LBA 0 .. 0") dropped whole.  Returns the clean curve (possibly empty) and a
-- list of notes, one per kind of cleaning, each naming what it dropped.
-- @tparam table curve nominal descriptors
-- @tparam string class
-- @tparam string role "write" or "read"
-- @tparam[opt] string label how notes name the curve
-- @treturn table the cleaned zones
-- @treturn {string,...} notes: what was dropped or cut, and why
function judge.curve(curve, class, role, label)
  local notes, clean = {}, {}
  label = label or (role or "write") .. " performance"
  if type(curve) ~= "table" then return clean, notes end
  local bad = {}
  for i, d in ipairs(curve) do
    local why
    if type(d) ~= "table" then
      why = "not a descriptor"
    else
      why = judge.lba(d.start_lba, class) and ("start LBA " .. judge.lba(d.start_lba, class))
        or judge.lba(d.end_lba, class) and ("end LBA " .. judge.lba(d.end_lba, class))
        or judge.speed(d.start_performance, class, role) and
          ("start speed " .. judge.show(d.start_performance) .. ": " .. judge.speed(d.start_performance, class, role))
        or judge.speed(d.end_performance, class, role) and
          ("end speed " .. judge.show(d.end_performance) .. ": " .. judge.speed(d.end_performance, class, role))
        or (d.end_lba < d.start_lba and fmt("LBA %d .. %d runs backwards", d.start_lba, d.end_lba))
        or nil
    end
    if why then
      bad[#bad + 1] = fmt("#%d (%s)", i, why)
    else
      clean[#clean + 1] = { start_lba = d.start_lba, start_performance = d.start_performance,
        end_lba = d.end_lba, end_performance = d.end_performance }
    end
  end
  if #bad > 0 then
    notes[#notes + 1] = fmt("dropped %d %s descriptor(s): %s", #bad, label, table.concat(bad, ", "))
  end
  table.sort(clean, function(a, b)
    if a.start_lba ~= b.start_lba then return a.start_lba < b.start_lba end
    return a.end_lba < b.end_lba
  end)
  -- Overlapping zones: the later zone starts where the earlier one ends.
  local out, cut = {}, 0
  for _, z in ipairs(clean) do
    local prev = out[#out]
    if prev and z.start_lba <= prev.end_lba then
      if z.end_lba <= prev.end_lba then
        cut = cut + 1
        z = nil
      else
        local span = z.end_lba - z.start_lba
        local new_start = prev.end_lba + 1
        local v = z.start_performance + (z.end_performance - z.start_performance) * (new_start - z.start_lba) / span
        z.start_lba, z.start_performance = new_start, math.floor(v + 0.5)
        cut = cut + 1
      end
    end
    if z then out[#out + 1] = z end
  end
  if cut > 0 then notes[#notes + 1] = fmt("cut %d overlapping %s zone(s)", cut, label) end
  local span = 0
  for _, z in ipairs(out) do span = span + (z.end_lba - z.start_lba) end
  if #out > 0 and span == 0 then
    local z = out[1]
    notes[#notes + 1] = fmt("ignored the %s curve: it spans no sectors (LBA %d .. %d)", label, z.start_lba, z.end_lba)
    out = {}
  end
  return out, notes
end

return judge
