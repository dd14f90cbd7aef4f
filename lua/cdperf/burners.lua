--- cdperf.burners: hand a chosen speed to the program that will burn the disc.
-- For each burner: the argv words that make it ask for a speed-list entry,
-- and the kB/s it will then send the drive.  Every rule below was read in the
-- tool's own source (file and function named at the rule); the arithmetic is
-- the tool's, including its rounding, so the answers are what goes on the wire.
--
--   burners.argument(tool, entry, class [, opts]) --> argv, info | nil, message
--   burners.requested(tool, entry, class [, opts]) --> kBps, command | nil, message
--
-- entry: a speed-list entry ({ write = kB/s, ... }) or "max" | "min".
-- opts:  { list = the drive's speed list (entries, in the drive's order),
--          profile = current profile code }; growisofs picks from the drive's
--          list, and "max"/"min" mean the list's ends, so both help.
-- info:  { exact =, note =, requested = kB/s or nil, command = }.  exact means
--        the tool sends exactly entry.write; if not, argv is the nearest the
--        tool can say and note says what it sends instead.
-- A tool that cannot write the class (growisofs CD, wodim BD) gives nil, message.
-- @module cdperf.burners

local media = require "cdperf.media"
local format = require "cdperf.format"

local burners = {}

--- The burners cdperf knows: `{ "growisofs", "xorriso", "cdrskin", "wodim", "cdrecord" }`.
burners.tools = { "growisofs", "xorriso", "cdrskin", "wodim", "cdrecord" }

local fmt, floor, abs = string.format, math.floor, math.abs

local SET_STREAMING, SET_CD_SPEED = "SET STREAMING", "SET CD SPEED"

-- ---------------------------------------------------------------------------
-- Arguments

local TOOL_SET = {}
for _, t in ipairs(burners.tools) do TOOL_SET[t] = true end

local function shown(v)
  if v == nil then return "nil" end
  if type(v) == "string" then return fmt("%q", v) end
  return type(v)
end

-- level: check_args -> API function -> its caller.
local function bad(argn, fname, what, got, level)
  error(("bad argument #%d to '%s' (%s expected, got %s)"):format(argn, fname, what, got), level or 4)
end

local function positive_int(v)
  local n = type(v) == "number" and math.tointeger(v)
  return n and n > 0 and n or nil
end

local function write_of(e)
  if type(e) ~= "table" then return nil end
  return positive_int(e.write or e.write_speed)
end

local function check_args(fname, tool, entry, class, opts)
  if not TOOL_SET[tool] then bad(1, fname, "tool " .. table.concat(burners.tools, "|"), shown(tool)) end
  if entry ~= "max" and entry ~= "min" then
    if type(entry) ~= "table" then
      bad(2, fname, "speed-list entry or \"max\"|\"min\"", shown(entry))
    elseif not positive_int(entry.write) then
      bad(2, fname, "entry with a positive integer write speed in kB/s",
        "write = " .. (type(entry.write) == "number" and tostring(entry.write) or shown(entry.write)))
    end
  end
  if class ~= "cd" and class ~= "dvd" and class ~= "bd" then
    bad(3, fname, "media class cd|dvd|bd", shown(class))
  end
  if opts == nil then return {} end
  if type(opts) ~= "table" then bad(4, fname, "options table", shown(opts)) end
  if opts.list ~= nil then
    if type(opts.list) ~= "table" then bad(4, fname, "opts.list a speed list", shown(opts.list)) end
    for i, e in ipairs(opts.list) do
      if not write_of(e) then
        bad(4, fname, ("opts.list[%d] with a positive integer write speed"):format(i), shown(e))
      end
    end
  end
  if opts.profile ~= nil and not positive_int(opts.profile) and opts.profile ~= 0 then
    bad(4, fname, "opts.profile a profile code", shown(opts.profile))
  end
  return opts
end

-- The fastest or slowest entry of the list (first of equals, as in list order).
local function list_end(list, word)
  local best
  for _, e in ipairs(list or {}) do
    local w = write_of(e)
    if not best or (word == "max" and w > write_of(best)) or (word == "min" and w < write_of(best)) then
      best = e
    end
  end
  return best
end

-- "8", "2.4", "47.775": a decimal without trailing zeros.
local function decimal(v, places)
  local s = fmt("%." .. places .. "f", v)
  if places > 0 then s = s:gsub("0+$", ""):gsub("%.$", "") end
  return s
end

local function factor_of(write, class)
  return format.nominal(write, class)
end

local function x_text(n)
  return (math.tointeger(n) and tostring(math.tointeger(n))) or decimal(n, 1)
end

local function plan_result(argv, kBps, command, exact, note)
  return { argv = argv, kBps = kBps, command = command, exact = exact, note = note }
end

-- ---------------------------------------------------------------------------
-- growisofs (dvd+rw-tools 7.1).  growisofs.c main(): -speed=N (or -speed N) is
-- read with atof, any N > 0.  growisofs_mmc.cpp set_speed_B6h(): the drive's
-- slowest write-speed descriptor (GET PERFORMANCE 03h) is taken as 1x, or as
-- 16/12/8/6/4x when it exceeds 15/11/7/5/3 x _1x, 2.4x for DVD+R/+RW above
-- 2 x 1352, 2x from 2 x _1x up; _1x is KiB based (DVD_1X 1352, BD_1X 4390).
-- v0 = (int)(N / k * slowest + 0.5); the descriptor whose write speed is
-- nearest v0 (first of equals) goes out whole in SET STREAMING (its read and
-- write speed, its WRC, End LBA capacity - 1, times 1000 ms).  Without GET
-- PERFORMANCE, set_speed_BBh() does the same over mode page 2Ah's list (slowest
-- = 1x, or 2.4x on DVD+ above 2 x 1352, plusminus_pages_setup()) and sends
-- SET CD SPEED.  No descriptors: no command.  CD media: poor_mans_setup() and
-- growisofs.c refuse them ("media is not recognized as recordable DVD").

local GROW_1X = { dvd = 1352, bd = 4390 }

local function grow_k(minv, one, dvdplus, bbh)
  if bbh then return (dvdplus and minv > 2 * one) and 2.4 or 1 end
  if minv > 15 * one then return 16 end
  if minv > 11 * one then return 12 end
  if minv > 7 * one then return 8 end
  if minv > 5 * one then return 6 end
  if minv > 3 * one then return 4 end
  if dvdplus and minv > 2 * 1352 then return 2.4 end
  if minv >= 2 * one then return 2 end
  return 1
end

-- The speeds growisofs chooses among, and whether it uses the page 2Ah path.
local function grow_candidates(list)
  local perf, page = {}, {}
  for _, e in ipairs(list) do
    local w = write_of(e)
    if type(e) == "table" and e.source == "page_2a" then page[#page + 1] = w else perf[#perf + 1] = w end
  end
  if #perf > 0 then return perf, false end
  return page, true
end

-- What -speed=<text> makes growisofs send over `writes`: kB/s, v0, k.
local function grow_pick(writes, bbh, text, class, dvdplus)
  local minv = math.huge
  for _, w in ipairs(writes) do if w < minv then minv = w end end
  local k = grow_k(minv, GROW_1X[class], dvdplus, bbh)
  local v0 = floor(tonumber(text) / k * minv + 0.5)
  local best, dist
  for _, w in ipairs(writes) do
    if not dist or abs(v0 - w) < dist then best, dist = w, abs(v0 - w) end
  end
  return best, v0, k
end

-- DVD+ changes growisofs's scale; with no profile given try both readings.
local function grow_variants(class, profile)
  if class ~= "dvd" then return { false } end
  if profile then return { profile == 0x1A or profile == 0x1B } end
  return { false, true }
end

local function grow_plan(entry, class, opts)
  if class == "cd" then
    return nil, "growisofs writes only DVD and BD media; on a CD it stops: media is not recognized as recordable DVD"
  end
  local W = write_of(entry)
  local list = opts.list
  if not list or #list == 0 then
    if list then return nil, "growisofs sends no speed command: the drive listed no write speeds" end
    -- Without the drive's list assume the usual scale (slowest = a ladder step).
    local n = entry.nominal or factor_of(W, class)
    local text = n and x_text(n)
    if not text then
      for places = 1, 6 do
        text = decimal(W / media.ONE_X[class], places)
        if tonumber(text) > 0 then break end
      end
    end
    local command = entry.source == "page_2a" and SET_CD_SPEED or SET_STREAMING
    return plan_result({ "-speed=" .. text }, W, command, true,
      fmt("growisofs sends by %s the listed write speed nearest %sx %s: %d kB/s if the drive lists it",
        command, text, media.LABEL[class], W))
  end
  local writes, bbh = grow_candidates(list)
  local command = bbh and SET_CD_SPEED or SET_STREAMING
  local variants = grow_variants(class, opts.profile)
  -- Candidate -speed values: the ladder name, then W in growisofs's own unit.
  local texts, seen = {}, {}
  local function add(t) if t and tonumber(t) > 0 and not seen[t] then seen[t] = true; texts[#texts + 1] = t end end
  local n = entry.nominal or factor_of(W, class)
  if n then add(x_text(n)) end
  for places = 1, 6 do
    for _, plus in ipairs(variants) do
      local minv = math.huge
      for _, w in ipairs(writes) do if w < minv then minv = w end end
      add(decimal(W * grow_k(minv, GROW_1X[class], plus, bbh) / minv, places))
    end
  end
  add("1"); add("100")    -- always the slowest, always the fastest
  -- Prefer an exact one; among those the ladder name when it lands within 1 %
  -- of W, else the one whose v0 is nearest W (least sensitive to the list).
  local best_text, best_err, best_off
  for i, t in ipairs(texts) do
    local err, off = 0, 0
    for _, plus in ipairs(variants) do
      local got, v0 = grow_pick(writes, bbh, t, class, plus)
      err, off = math.max(err, abs(got - W)), math.max(off, abs(v0 - W))
    end
    if i == 1 and n and off <= format.TOLERANCE * W then off = 0 end
    if not best_err or err < best_err or (err == best_err and off < best_off) then
      best_text, best_err, best_off = t, err, off
    end
  end
  local got, v0 = grow_pick(writes, bbh, best_text, class, variants[1])
  local ks = {}
  for _, plus in ipairs(variants) do
    local _, _, k = grow_pick(writes, bbh, best_text, class, plus)
    if ks[#ks] ~= x_text(k) then ks[#ks + 1] = x_text(k) end
  end
  local scale = "its slowest speed counts as " .. table.concat(ks, "x (DVD-) or ") .. "x"
  if #ks > 1 then scale = scale .. " (DVD+)" end
  if best_err == 0 then
    return plan_result({ "-speed=" .. best_text }, got, command, true,
      fmt("growisofs picks the listed speed nearest %d kB/s (%s) and sends %d kB/s by %s", v0, scale, got, command))
  end
  local note = fmt("the drive does not list %d kB/s: growisofs sends only listed speeds; nearest is %d kB/s by %s",
    W, got, command)
  local other = grow_pick(writes, bbh, best_text, class, variants[#variants])
  if other ~= got then note = fmt("%s (%d kB/s on DVD+ media: give opts.profile)", note, other) end
  return plan_result({ "-speed=" .. best_text }, got, command, false, note)
end

local function grow_word(word, class, opts)
  if class == "cd" then return grow_plan({ write = 1 }, class, opts) end
  if opts.list then
    local e = list_end(opts.list, word)
    if not e then return grow_plan({ write = 1 }, class, opts) end
    local p, msg = grow_plan({ write = write_of(e), source = e.source }, class, opts)
    if p then p.note = fmt("%s: %s", word, p.note) end
    return p, msg
  end
  -- Nearest to 100 x is always the fastest, nearest to 1 x the slowest.
  local text = word == "max" and "100" or "1"
  return plan_result({ "-speed=" .. text }, nil, SET_STREAMING, true,
    fmt("growisofs sends the drive's %s listed write speed (the one nearest %sx)",
      word == "max" and "fastest" or "slowest", text))
end

-- ---------------------------------------------------------------------------
-- libburn, under xorriso and cdrskin (libburn 1.5.4).  drive.c
-- burn_drive_set_speed() -> mmc.c mmc_set_speed(): a write speed > 0 goes out
-- as given, by mmc_set_streaming() on DVD and BD profiles (SET STREAMING, WRC 0,
-- times 1000 ms) and SET CD SPEED on CD or when SET STREAMING fails (16 bits,
-- above 0xFFFF sent as 0xFFFF).  0 (max) and -1 (min): drive.c
-- burn_drive_get_best_speed() takes the fastest or slowest write speed of the
-- drive's list; with no list, 0x10000000 (SET STREAMING) or 0xFFFF (SET CD
-- SPEED) for max and 177 for min.

local function libburn_command(class) return class == "cd" and SET_CD_SPEED or SET_STREAMING end

local function libburn_send(w, class)
  if class == "cd" and w > 0xFFFF then return 0xFFFF end
  return w
end

local function libburn_word(word, class, opts)
  if not opts.list then return nil end
  local e = list_end(opts.list, word)
  if e then return libburn_send(write_of(e), class) end
  if word == "min" then return 177 end
  return class == "cd" and 0xFFFF or 0x10000000
end

local function libburn_exact(argv, sent, W, class, how)
  local command = libburn_command(class)
  if sent == W then
    return plan_result(argv, sent, command, true, fmt("%s: libburn sends %d kB/s by %s", how, sent, command))
  end
  return plan_result(argv, sent, command, false,
    fmt("%s: libburn sends %d kB/s by %s, not %d", how, sent, command, W))
end

-- xorriso (libisoburn 1.5.4).  opts_p_z.c Xorriso_option_speed(): -speed takes
-- "max"/"any"/"0", "min"/"-1", "none", or a number with suffix k (kB/s), m
-- (x 1000), c/d/b (x 176.4 / 1385 / 4495.625); no suffix: the medium's x; the
-- result is rounded up to an integer; above 2e9 it is refused.  write_run.c
-- Xorriso_make_write_options(): burn_drive_set_speed(drive, 0, speed) unless
-- "none".  kB/s with "k" say any speed exactly, so that is what we use.
local function xorriso_plan(entry, class, opts)
  if entry == "max" or entry == "min" then
    local sent = libburn_word(entry, class, opts)
    return plan_result({ "-speed", entry }, sent, libburn_command(class), true,
      fmt("libburn sends the %s write speed of the drive's list by %s",
        entry == "max" and "fastest" or "slowest", libburn_command(class)))
  end
  local W = write_of(entry)
  if W > 2e9 then return nil, fmt("xorriso refuses -speed above 2e9 kB/s (%d)", W) end
  return libburn_exact({ "-speed", W .. "k" }, libburn_send(W, class), W, class, "-speed " .. W .. "k")
end

-- cdrskin (libburn 1.5.4, cdrecord emulation).  cdrskin.c
-- Cdrskin_parse_arguments(): speed=X read with %lf; X must be >= 1, or 0 (min),
-- or -1/"any" (max, the default).  Cdrskin_adjust_speed(): kB/s =
-- (int)(X * f + a), f = 176.4 / 1385 / 4495.625 and a = 40 / 1 / 1 kB/s for
-- CD / DVD / BD (Cdrskin_libburn_*_speed_factoR and _addoN, chosen from the
-- profile in Cdrskin_grab_drive()), then burn_drive_set_speed(drive, k, k).
-- A decimal X that lands on the wanted kB/s always exists above the minimum.
local CDRSKIN = { cd = { 176.4, 40.0 }, dvd = { 1385.0, 1.0 }, bd = { 4495.625, 1.0 } }

local function cdrskin_sends(text, class)
  local f, a = CDRSKIN[class][1], CDRSKIN[class][2]
  return floor(tonumber(text) * f + a), tonumber(text) * f + a
end

local function cdrskin_plan(entry, class, opts)
  if entry == "max" or entry == "min" then
    local sent = libburn_word(entry, class, opts)
    return plan_result({ entry == "max" and "speed=-1" or "speed=0" }, sent, libburn_command(class), true,
      fmt("libburn sends the %s write speed of the drive's list by %s",
        entry == "max" and "fastest" or "slowest", libburn_command(class)))
  end
  local W = write_of(entry)
  local f, a = CDRSKIN[class][1], CDRSKIN[class][2]
  local text = "1"
  if W >= cdrskin_sends("1", class) then
    -- The shortest decimal whose product lands well inside [W, W + 1): the
    -- margin keeps it right under any double rounding of the C side.
    for places = 0, 6 do
      local scale = 10 ^ places
      local base = math.ceil((W - a) / f * scale) / scale
      local found
      for step = 0, 2 do
        local t = decimal(base + step / scale, places)
        local k, raw = cdrskin_sends(t, class)
        if k == W and raw - W > 1e-6 and W + 1 - raw > 1e-6 and tonumber(t) >= 1 then found = t; break end
      end
      if found then text = found; break end
    end
  end
  local how = fmt("speed=%s means (int)(%s x %s + %s)", text, text, decimal(f, 3), decimal(a, 0))
  if text == "1" and cdrskin_sends("1", class) ~= W then how = how .. ", the least cdrskin takes" end
  local n = entry.nominal or factor_of(W, class)
  if n and x_text(n) ~= text then
    how = fmt("%s (speed=%s would send %d)", how, x_text(n), cdrskin_sends(x_text(n), class))
  end
  return libburn_exact({ "speed=" .. text }, libburn_send(cdrskin_sends(text, class), class), W, class, how)
end

-- ---------------------------------------------------------------------------
-- wodim (cdrkit 1.1.11) and cdrecord (cdrtools 3.01).  speed=# is an integer
-- (getargs "speed#"), clamped to the drive's page 2Ah maximum in whole x unless
-- -force (wodim.c / cdrecord.c main()); no speed= uses CDR_SPEED or the
-- defaults file, else that maximum.
--
-- CD, both: drv_mmc.c speed_select_mmc(): N x 177 kB/s (16 bits) by SET CD
-- SPEED; mmc_set_speed() adds 177 while the drive answers 5/24h.
-- DVD, wodim: drv_mmc.c speed_select_mdvd(): SET STREAMING N x 1385 (End LBA 0,
-- WRC CLV), then speed_select_mmc() with 8N: SET CD SPEED 8N x 177 as well.
-- BD, wodim: identify_mmc() hands BD profiles to its CD driver; no BD writing.
-- DVD and BD, cdrecord: drv_dvd.c speed_select_dvd(), drv_dvdplus.c
-- speed_select_dvdplus(), drv_bd.c speed_select_bd(): N x 1390 (DVD) or
-- N x 4496 (BD) kB/s ("rounding down is guaranteed"), by scsi_mmc.c
-- speed_select_mdvd() -> SET STREAMING on MMC-3 drives, else SET CD SPEED.

local WHOLE_X = {
  wodim = { cd = { 177, SET_CD_SPEED }, dvd = { 1385, SET_STREAMING } },
  cdrecord = { cd = { 177, SET_CD_SPEED }, dvd = { 1390, SET_STREAMING }, bd = { 4496, SET_STREAMING } },
}

local function whole_x_sends(tool, class, n)
  local kBps = n * WHOLE_X[tool][class][1]
  if WHOLE_X[tool][class][2] == SET_CD_SPEED and kBps > 0xFFFF then kBps = 0xFFFF end
  return kBps
end

local function whole_x_plan(tool, entry, class, opts)
  local rule = WHOLE_X[tool][class]
  if not rule then
    return nil, "wodim does not write BD media: cdrkit has no BD driver (identify_mmc() treats BD as CD)"
  end
  local unit, command = rule[1], rule[2]
  if entry == "max" or entry == "min" then
    local e = opts.list and list_end(opts.list, entry)
    if e then
      local p = whole_x_plan(tool, { write = write_of(e) }, class, opts)
      p.note = fmt("%s: %s", entry, p.note)
      return p
    end
    if entry == "max" then
      return plan_result({}, nil, command, false,
        fmt("%s has no word for max: without speed= it asks the drive's page 2Ah maximum in whole x", tool))
    end
    return plan_result({ "speed=0" }, nil, command, false,
      fmt("%s has no word for min: speed=0 asks 0 kB/s, which the drive raises to a speed it has", tool))
  end
  local W = write_of(entry)
  local n = math.max(1, floor(W / unit + 0.5))
  local sent = whole_x_sends(tool, class, n)
  local also = ""
  if tool == "wodim" and class == "dvd" then
    also = fmt("; then SET CD SPEED %d", math.min(8 * n * 177, 0xFFFF))
  end
  local sends = fmt("speed=%d sends %d x %d = %d kB/s by %s%s", n, n, unit, sent, command, also)
  if sent == W then return plan_result({ "speed=" .. n }, sent, command, true, fmt("%s %s", tool, sends)) end
  return plan_result({ "speed=" .. n }, sent, command, false,
    fmt("%s says only whole multiples of %d kB/s, so %s cannot be said: %s", tool, unit, format.speed(W, class), sends))
end

-- ---------------------------------------------------------------------------

local PLANS = {
  growisofs = function(entry, class, opts)
    if entry == "max" or entry == "min" then return grow_word(entry, class, opts) end
    return grow_plan(entry, class, opts)
  end,
  xorriso = xorriso_plan,
  cdrskin = cdrskin_plan,
  wodim = function(entry, class, opts) return whole_x_plan("wodim", entry, class, opts) end,
  cdrecord = function(entry, class, opts) return whole_x_plan("cdrecord", entry, class, opts) end,
}

--- argv words that make `tool` ask for `entry` on a medium of `class`, and
-- { exact =, note =, requested =, command = }; nil, message if the tool
-- cannot write that class.
-- @tparam string tool one of `tools`
-- @param entry a speed-list entry, or "max" | "min"
-- @tparam string class the media class
-- @tparam[opt] table opts `list` (the drive's speed list, in its order), `profile`
-- @treturn {string,...} the argv words, e.g. `{ "-speed=4" }`
-- @treturn table `{ exact =, note =, requested =, command = }`
-- @return[2] nil
-- @treturn[2] string message
-- @raise on a bad argument
-- @usage local argv, info = burners.argument("growisofs", entry, "dvd")
function burners.argument(tool, entry, class, opts)
  opts = check_args("argument", tool, entry, class, opts)
  local p, msg = PLANS[tool](entry, class, opts)
  if not p then return nil, msg end
  return p.argv, { exact = p.exact, note = p.note, requested = p.kBps, command = p.command }
end

--- The kB/s `tool` sends the drive for argument(tool, entry, class, opts), and
-- the command ("SET STREAMING" | "SET CD SPEED"); nil, message if it sends
-- none.  "max"/"min" need opts.list: the tools pick from the drive's list.
-- @tparam string tool
-- @param entry
-- @tparam string class
-- @tparam[opt] table opts
-- @treturn integer kB/s
-- @treturn string the command
-- @return[2] nil
-- @treturn[2] string message
-- @raise on a bad argument
function burners.requested(tool, entry, class, opts)
  opts = check_args("requested", tool, entry, class, opts)
  if (entry == "max" or entry == "min") and not opts.list then
    bad(4, "requested", ("opts.list (the drive's speed list) with %q"):format(entry), shown(opts.list), 3)
  end
  local p, msg = PLANS[tool](entry, class, opts)
  if not p then return nil, msg end
  if not p.kBps then return nil, p.note end
  return p.kBps, p.command
end

return burners
