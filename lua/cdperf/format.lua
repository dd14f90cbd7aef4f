--- cdperf.format: units and text.  Two kinds of text live here:
--
--  * cdperf's own (x, nominal, speed, plot): exact, never truncated;
--  * emitters that imitate other tools' lines byte for byte (mediainfo,
--    list_speeds, prcap), because scripts scrape those formats.  They keep the
--    tools' own arithmetic, including cdrecord's truncation.
--
-- Plus plain(): JSON-ready copies of results (no functions, no cycles).
-- Speeds are kB/s (1 kB = 1000 bytes) unless a `unit` of `"KiB/s"` says otherwise;
-- `class` is a media class, `"cd"`, `"dvd"`, `"bd"` or `"hddvd"` (`cdperf.media`).
-- Functions raise on misuse (a speed that is no number, an unknown class).
-- @module cdperf.format
-- @usage print(format.speed(3324, "dvd"))     --> 2.4x DVD (3324 kB/s)
-- print(format.nominal(8467, "cd"))            --> 48
-- print(format.duration(772))                  --> 12:52

local media = require "cdperf.media"
local disc = require "cdperf.disc"

local format = {}

local fmt, floor, abs = string.format, math.floor, math.abs

--- Relative distance within which a measured speed is named after a ladder
-- step (0.01).  1 % covers every rounding seen (8467/8468 CD, 53940/53952 BD, 11079
-- DVD) and keeps CD multiples off the DVD ladder: 176.4 x 8 / 1385 = 1.0189.
format.TOLERANCE = 0.01

--- kB per KiB (1.024): DVD drives that count in KiB/s report multiples of 1352 (1385 kB/s / 1.024).
format.KIB = 1.024

local function check_number(v, argn, fname, what)
  if type(v) ~= "number" or v ~= v then
    error(("bad argument #%d to '%s' (%s expected, got %s)")
      :format(argn, fname, what or "number", type(v)), 3)
  end
  return v
end

local function check_table(v, fname, what)
  if type(v) ~= "table" then
    error(("bad argument #1 to '%s' (%s expected, got %s)"):format(fname, what, type(v)), 3)
  end
  return v
end

-- The peers' emitters print 32-bit wire values with %d; a value no wire carries is misuse.
local WIRE_MAX = 0xFFFFFFFF

local function wire_reason(v)
  if type(v) ~= "number" then return "not a number" end
  if v ~= v or v == math.huge or v == -math.huge then return "not finite" end
  if v < 0 or v > WIRE_MAX + 0.5 then return "outside 0..4294967295" end
  return nil
end

local function int(v)
  -- %d and %u need integers; the drive only ever gives integers, but callers
  -- may pass floats (5540.0).
  local i = math.tointeger(v)
  if i then return i end
  local why = wire_reason(v)
  if why then
    error(("bad value %s (a drive's field is a whole number 0..4294967295: %s)"):format(
      require("cdperf.judge").show(v), why), 0)
  end
  return floor(v + 0.5)
end

-- Whether every named field of `t` (nil allowed) is a value a drive can send.
local function wire_fields(t, names)
  if type(t) ~= "table" then return false end
  for _, k in ipairs(names) do
    if t[k] ~= nil and wire_reason(t[k]) then return false end
  end
  return true
end

-- kB/s of a speed given in `unit` ("kB/s" default, or "KiB/s").
local function to_kBps(kBps, unit)
  if unit == "KiB/s" then return kBps * format.KIB end
  return kBps
end

--- The exact factor of a speed: kBps / 1x of the class.
-- @tparam number kBps the speed
-- @tparam string class the media class
-- @tparam[opt="kB/s"] string unit or "KiB/s"
-- @treturn number the factor, e.g. 2.4 for 3324 kB/s on DVD
function format.x(kBps, class, unit)
  check_number(kBps, 1, "x", "speed in kB/s")
  return to_kBps(kBps, unit) / media.one_x(class, "x", 2)
end

--- The standard speed of the class this is (2.4, 8, 48, 12), or nil.
-- @tparam number kBps
-- @tparam string class
-- @tparam[opt="kB/s"] string unit
-- @treturn number|nil the ladder step within `TOLERANCE`, else nil
function format.nominal(kBps, class, unit)
  check_number(kBps, 1, "nominal", "speed in kB/s")
  local x = to_kBps(kBps, unit) / media.one_x(class, "nominal", 2)
  local best, dist
  for _, step in ipairs(media.LADDERS[class] or {}) do
    local d = abs(x - step) / step
    if d <= format.TOLERANCE and (not dist or d < dist) then best, dist = step, d end
  end
  return best
end

-- "2.4", "8", "12": ladder steps have at most one decimal.
local function factor_text(n)
  local i = math.tointeger(n) or (n == floor(n) and floor(n))
  if i then return tostring(i) end
  return fmt("%.1f", n)
end

--- The text a person reads: "2.4x DVD (3324 kB/s)", "3.3x DVD (4584 kB/s)".
-- Nominal speeds get their ladder name; others the exact factor rounded to
-- one decimal (never truncated).
-- @tparam number kBps
-- @tparam string class
-- @tparam[opt="kB/s"] string unit
-- @treturn string
function format.speed(kBps, class, unit)
  check_number(kBps, 1, "speed", "speed in kB/s")
  local one = media.one_x(class, "speed", 2)
  local n = format.nominal(kBps, class, unit)
  local xs = n and factor_text(n) or fmt("%.1f", to_kBps(kBps, unit) / one)
  local raw = math.tointeger(kBps) and tostring(math.tointeger(kBps)) or fmt("%.1f", kBps)
  return fmt("%sx %s (%s %s)", xs, media.LABEL[class], raw, unit or "kB/s")
end

--- Seconds as "7:04" or "1:02:03" (rounded to the second); "unbounded" for an infinite
-- time.  Negative or NaN seconds are misuse.
-- @tparam number seconds
-- @treturn string
function format.duration(seconds)
  check_number(seconds, 1, "duration", "seconds")
  if seconds < 0 then
    error(("bad argument #1 to 'duration' (seconds >= 0 expected, got %s)"):format(tostring(seconds)), 2)
  end
  if seconds == math.huge then return "unbounded" end
  local s = floor(seconds + 0.5)
  local h, m = s // 3600, (s % 3600) // 60
  if h > 0 then return fmt("%d:%02d:%02d", h, m, s % 60) end
  return fmt("%d:%02d", m, s % 60)
end

-- Byte multipliers of sizes: k M G T are powers of 1000, KiB MiB GiB TiB of 1024.
local SIZE_SUFFIX = { [""] = 1, B = 1, k = 1e3, K = 1e3, kB = 1e3, KB = 1e3, M = 1e6, MB = 1e6, G = 1e9,
  GB = 1e9, T = 1e12, TB = 1e12, KiB = 1024, MiB = 1024 ^ 2, GiB = 1024 ^ 3, TiB = 1024 ^ 4 }

--- Bytes of a size text ("4.7G", "700MiB", "4700372992"), or nil and what is wrong.
-- @tparam string|number text k M G T are powers of 1000, KiB MiB GiB TiB of 1024
-- @treturn integer bytes
-- @return[2] nil
-- @treturn[2] string what is wrong
function format.parse_size(text)
  if type(text) ~= "string" then return nil, ("size text expected, got %s"):format(type(text)) end
  local num, suf = text:match("^%s*([%d.]+[eE]?[+-]?%d*)%s*(%a*)%s*$")
  local n = tonumber(num or "")
  if not n then
    return nil, ("bad size %q (bytes, with k M G T or KiB MiB GiB TiB)"):format(text)
  end
  if not SIZE_SUFFIX[suf] then
    return nil, ("bad size %q: unknown unit %q (use k M G T or KiB MiB GiB TiB)"):format(text, suf)
  end
  local bytes = n * SIZE_SUFFIX[suf]
  local judge = require "cdperf.judge"
  local why = judge.size(bytes)
  if why then return nil, ("bad size %q: %s"):format(text, why) end
  return floor(bytes + 0.5)
end

-- ---------------------------------------------------------------------------
-- dvd+rw-mediainfo (dvd+rw-tools 7.1).  It divides by the integer 1385, or
-- 4495 when a BD profile (4xh) is mounted, and indents every line by one
-- space.  Continuation lines of "Write Performance:" pad the label with %-23s.

local function mediainfo_1x(class)
  if class ~= nil then media.one_x(class, "mediainfo", 2) end
  return class == "bd" and 4495 or 1385
end

local function flag(v) return v and v ~= 0 end

--- " Speed Descriptor#n:    FF/ENDLBA R@..x1385=..KB/s W@..x1385=..KB/s" lines
-- for write-speed descriptors (GET PERFORMANCE type 03h) as the API returns them.
-- @tparam table descriptors write-speed descriptors
-- @tparam string class
-- @treturn {string,...} lines
function format.mediainfo(descriptors, class)
  check_table(descriptors, "mediainfo", "table of write speed descriptors")
  local one = mediainfo_1x(class)
  local lines = {}
  for i, d in ipairs(descriptors) do
    -- Byte 0 rebuilt from the decoded bits: MRW 01h, Exact 02h, RDD 04h, WRC bits 3-4.
    local b0 = (flag(d.mixed_read_write) and 1 or 0) | (flag(d.exact) and 2 or 0)
      | (flag(d.restore_drive_defaults) and 4 or 0) | ((int(d.write_rotation_control or 0) & 3) << 3)
    local rv, wv = int(d.read_speed or 0), int(d.write_speed or 0)
    lines[#lines + 1] = fmt(" Speed Descriptor#%d:    %02x/%d R@%.1fx%d=%dKB/s W@%.1fx%d=%dKB/s",
      i - 1, b0, int(d.end_lba or 0), rv / one, one, rv, wv / one, one, wv)
  end
  return lines
end

-- The tool's own media names (its switch in dvd+rw-mediainfo.cpp).
local MEDIAINFO_NAMES = { [0x10] = "DVD-ROM", [0x11] = "DVD-R Sequential", [0x12] = "DVD-RAM",
  [0x13] = "DVD-RW Restricted Overwrite", [0x14] = "DVD-RW Sequential", [0x15] = "DVD-R Dual Layer Sequential",
  [0x16] = "DVD-R Dual Layer Jump", [0x1A] = "DVD+RW", [0x1B] = "DVD+R", [0x2A] = "DVD+RW Double Layer",
  [0x2B] = "DVD+R Double Layer", [0x40] = "BD-ROM", [0x41] = "BD-R SRM", [0x42] = "BD-R RRM", [0x43] = "BD-RE" }

--- The "INQUIRY:" and " Mounted Media:" lines of dvd+rw-mediainfo.
-- @tparam table inquiry as `Drive:inquiry` returns it
-- @tparam integer profile_code
-- @treturn {string,...} lines
function format.mediainfo_header(inquiry, profile_code)
  check_table(inquiry, "mediainfo_header", "inquiry table")
  local code = int(profile_code or 0)
  return {
    fmt("INQUIRY:                [%-8.8s][%-16.16s][%-4.4s]", inquiry.vendor or "", inquiry.product or "",
      inquiry.revision or ""),
    "GET [CURRENT] CONFIGURATION:",
    fmt(" Mounted Media:         %Xh, %s", code, MEDIAINFO_NAMES[code] or "unknown"),
  }
end

--- " Write Performance:     ..." lines for a nominal write performance curve.
-- @tparam table curve nominal descriptors
-- @tparam string class
-- @treturn {string,...} lines
function format.mediainfo_performance(curve, class)
  check_table(curve, "mediainfo_performance", "table of nominal descriptors")
  local one = mediainfo_1x(class)
  local lines = {}
  for i, d in ipairs(curve) do
    local label = i == 1 and "Write Performance:" or ""
    local sv, ev = int(d.start_performance), int(d.end_performance)
    if sv == ev then
      lines[#lines + 1] = fmt(" %-23s%.1fx%d=%dKB/s@[%d -> %d]", label, sv / one, one, sv,
        int(d.start_lba), int(d.end_lba))
    else
      lines[#lines + 1] = fmt(" %-23s%.1fx%d=%dKB/s@%d -> %.1fx%d=%dKB/s@%d", label,
        sv / one, one, sv, int(d.start_lba), ev / one, one, ev, int(d.end_lba))
    end
  end
  return lines
end

--- " Current Write Speed:" and " Write Speed #n:" lines from mode page 2Ah.
-- Like the tool, prints nothing when any of those speeds is below 1352 kB/s
-- (it takes such a page for a CD-only list that means nothing for a DVD).
-- @tparam table caps as `Drive:capabilities` returns it
-- @tparam string class
-- @treturn {string,...} lines
function format.mediainfo_capabilities(caps, class)
  check_table(caps, "mediainfo_capabilities", "capabilities table")
  local one = mediainfo_1x(class)
  -- the tool reads the speed at page offset 28 only (MMC-3's "selected" speed)
  local cur = caps.current_write_speed_selected
  if type(cur) ~= "number" or cur < 1352 then return {} end
  for _, w in ipairs(caps.write_speeds or {}) do
    if type(w) ~= "table" or type(w.speed) ~= "number" or w.speed < 1352 then return {} end
  end
  local lines = { fmt(" Current Write Speed:   %.1fx%d=%dKB/s", int(cur) / one, one, int(cur)) }
  for i, w in ipairs(caps.write_speeds or {}) do
    lines[#lines + 1] = fmt(" Write Speed #%d:        %.1fx%d=%dKB/s", i - 1, int(w.speed) / one, one,
      int(w.speed))
  end
  return lines
end

-- The header of a GET PERFORMANCE answer kept in a snapshot's raw hex: DataLength, byte 4.
local function raw_header(hex)
  if type(hex) ~= "string" or #hex < 16 then return nil end
  local dl = tonumber(hex:sub(1, 8), 16)
  local b4 = tonumber(hex:sub(9, 10), 16)
  return dl, b4
end

-- Whether the tool would take a GET PERFORMANCE answer (16-byte descriptors) as sane:
-- it drops an answer whose DataLength - 4 is no multiple of 16.
local function mediainfo_sane(hex)
  local dl = raw_header(hex)
  if dl == nil then return true end           -- no raw bytes: the decoded list is all we have
  return dl >= 4 and (dl - 4) % 16 == 0
end

--- What dvd+rw-mediainfo prints for the parts of a snapshot that cdperf reads: its stdout
-- lines, its stderr lines, and whether it would exit with an error.  Its flow
-- (dvd+rw-mediainfo.cpp, main): INQUIRY, GET CONFIGURATION, exit on no or non-DVD/BD
-- media; page 2Ah lines; "GET [CURRENT] PERFORMANCE:" and the Write Performance lines
-- only when GET PERFORMANCE gave a sane, non-empty answer; the Speed Descriptor lines.
-- @tparam table snap a snapshot
-- @treturn {string,...} stdout lines
-- @treturn {string,...} stderr lines
-- @treturn boolean whether the tool would exit with an error
function format.mediainfo_report(snap)
  check_table(snap, "mediainfo_report", "snapshot")
  local out, err = {}, {}
  local function add(t) for _, l in ipairs(t) do out[#out + 1] = l end end
  local inq = type(snap.inquiry) == "table" and snap.inquiry or {}
  out[1] = fmt("INQUIRY:                [%-8.8s][%-16.16s][%-4.4s]", tostring(inq.vendor or ""),
    tostring(inq.product or ""), tostring(inq.revision or ""))
  local prof = snap.profile
  if type(prof) ~= "table" or math.tointeger(prof.code) == nil then
    err[1] = ":-( GET CONFIGURATION failed"
    return out, err, true
  end
  out[2] = "GET [CURRENT] CONFIGURATION:"
  local code = math.tointeger(prof.code)
  if code == 0 then
    err[1] = ":-( no media mounted, exiting..."
    return out, err, true
  end
  local hi = code & 0xF0
  if hi ~= 0x10 and hi ~= 0x20 and hi ~= 0x40 then
    err[1] = ":-( non-DVD media mounted, exiting..."
    return out, err, true
  end
  -- the tool's GET CONFIGURATION asks for current features only: BD-R POW (0038h) among
  -- them makes the medium "BD-R SRM+POW"
  local name = MEDIAINFO_NAMES[code] or "unknown"
  local pow = code == 0x41 and disc.feature(snap.features, 0x0038)
  if pow and pow.current == true then name = "BD-R SRM+POW" end
  out[3] = fmt(" Mounted Media:         %Xh, %s", code, name)
  -- " Media ID:" right after it, as the tool reads it: BD Disc Information on BD, ADIP
  -- (11h) on DVD+R/+RW, pre-pit data (0Eh) on DVD-R/-RW (not DVD-RAM)
  local mid = type(snap.media_id) == "table" and snap.media_id or nil
  if mid then
    local plus, dash = name:sub(4, 4) == "+", name:sub(4, 4) == "-" and name:sub(7, 7) ~= "M"
    local src = mid.source
    if (hi == 0x40 and src == "DI") or (plus and src == "ADIP") or (dash and src == "pre-pit") then
      local text = disc.mediainfo_text(mid)
      if text then out[#out + 1] = " Media ID:              " .. text end
    end
  end
  local class = hi == 0x40 and "bd" or "dvd"
  local raw = type(snap.raw) == "table" and snap.raw or {}
  -- A snapshot from a file may hold values no drive sends: those descriptors are left out.
  local function wire_only(list, names, what)
    if type(list) ~= "table" then return nil end
    local t = {}
    for i, d in ipairs(list) do
      if wire_fields(d, names) then
        t[#t + 1] = d
      else
        err[#err + 1] = fmt(":-( cdperf: %s #%d holds values no drive sends; left out", what, i - 1)
      end
    end
    return t
  end
  local caps = snap.capabilities
  if type(caps) == "table" and wire_fields(caps, { "current_write_speed_selected" })
      and wire_only(caps.write_speeds or {}, { "speed" }, "page 2Ah write speed") then
    local ok, lines = pcall(format.mediainfo_capabilities, caps, class)
    if ok then add(lines) else err[#err + 1] = ":-( cdperf: page 2Ah holds values no drive sends" end
  end
  local perf = type(snap.performance) == "table" and wire_only(snap.performance.write,
    { "start_lba", "start_performance", "end_lba", "end_performance" }, "write performance descriptor") or nil
  if type(perf) == "table" and #perf > 0 and mediainfo_sane(raw.write_performance) then
    local _, b4 = raw_header(raw.write_performance)
    if b4 and b4 & 2 == 0 then err[#err + 1] = ":-( reported write performance might be bogus" end
    out[#out + 1] = "GET [CURRENT] PERFORMANCE:"
    add(format.mediainfo_performance(perf, class))
  end
  local ws = wire_only(snap.write_speeds, { "write_speed", "read_speed", "end_lba", "write_rotation_control" },
    "speed descriptor")
  if type(ws) == "table" and mediainfo_sane(raw.write_speeds) then
    if #ws == 0 then
      err[#err + 1] = ":-( empty GET PERFORMACE descriptor"      -- sic, the tool's spelling
    else
      add(format.mediainfo(ws, class))
    end
  end
  return out, err, false
end

-- ---------------------------------------------------------------------------
-- xorriso -list_speeds (libisoburn): "Write speed  : " then " %5dk , %4.1fx%s"
-- where the factor is kB/s * 1000 / (176400 | 1385000 | 4495625) and the
-- suffix C, D or B.  Then "Write speed L:" (lowest) and "Write speed H:".

local XORRISO = { cd = { 176400.0, "C" }, dvd = { 1385000.0, "D" }, bd = { 4495625.0, "B" },
  hddvd = { 1385000.0, "D" } }

local function write_of(item)
  if type(item) == "number" then return item end
  return item.write or item.write_speed or item.speed
end

--- xorriso -list_speeds lines for a speed list (clean entries, descriptors or numbers).
-- @tparam table list entries, write-speed descriptors or kB/s numbers
-- @tparam string class
-- @treturn {string,...} lines
function format.list_speeds(list, class)
  check_table(list, "list_speeds", "speed list")
  media.one_x(class, "list_speeds", 2)
  local factor, unit = XORRISO[class][1], XORRISO[class][2]
  local lines, low, high = {}, nil, nil
  local function line(label, v)
    return fmt("Write speed %s: %s", label, fmt(" %5dk , %4.1fx%s", v, v * 1000.0 / factor, unit))
  end
  for i, item in ipairs(list) do
    local v = write_of(item)
    if type(v) ~= "number" then
      error(("bad argument #1 to 'list_speeds' (entry %d has no write speed)"):format(i), 2)
    end
    v = int(v)
    lines[#lines + 1] = line(" ", v)
    if not high or v > high then high = v end
    if not low or v < low then low = v end
  end
  if high then
    lines[#lines + 1] = line("L", low)
    lines[#lines + 1] = line("H", high)
  end
  return lines
end

-- ---------------------------------------------------------------------------
-- wodim / cdrecord -prcap, the speed part of "Drive capabilities, per MMC-3
-- page 2A".  Its x figures are integer divisions by 176 and 1385 (truncated).

local ROTCTL = { [0] = "CLV/PCAV", "CAV", "reserved(2)", "reserved(3)" }

local function rotctl(v)
  if v == "cav" then return ROTCTL[1] end
  if v == nil or v == "clv" then return ROTCTL[0] end
  return ROTCTL[int(v) & 3]
end

local function prcap_speed(label, v)
  v = int(v)
  return fmt("  %s: %5d kB/s (CD %3dx, DVD %2dx)", label, v, v // 176, v // 1385)
end

--- -prcap lines from drive:capabilities(): speeds, rotation, buffer, write speed table.
-- @tparam table caps as `Drive:capabilities` returns it
-- @treturn {string,...} lines
function format.prcap(caps)
  check_table(caps, "prcap", "capabilities table")
  local lines = {}
  local function add(s) lines[#lines + 1] = s end
  if caps.max_read_speed then add(prcap_speed("Maximum read  speed", caps.max_read_speed)) end
  if caps.current_read_speed then add(prcap_speed("Current read  speed", caps.current_read_speed)) end
  if caps.max_write_speed then add(prcap_speed("Maximum write speed", caps.max_write_speed)) end
  local cur = caps.current_write_speed_selected or caps.current_write_speed
  if cur then add(prcap_speed("Current write speed", cur)) end
  if caps.rotation_control ~= nil then add(fmt("  Rotational control selected: %s", rotctl(caps.rotation_control))) end
  if caps.buffer_size_kb then add(fmt("  Buffer size in KB: %d", int(caps.buffer_size_kb))) end
  if caps.copy_management_revision then
    add(fmt("  Copy management revision supported: %d", int(caps.copy_management_revision)))
  end
  if caps.write_speeds then
    add(fmt("  Number of supported write speeds: %d", #caps.write_speeds))
    for i, w in ipairs(caps.write_speeds) do
      local n = int(w.speed or 0)
      add(fmt("  Write speed # %d: %5d kB/s %s (CD %3dx, DVD %2dx)", i - 1, n, rotctl(w.rotation_control),
        n // 176, n // 1385))
    end
  end
  return lines
end

-- ---------------------------------------------------------------------------
-- wodim / cdrecord -atip: "ATIP info from disk:" and its lines (print_atip in wodim's
-- drv_mmc.c), then the manufacturer's lines (pr_manufacturer in diskid.c).  They are read
-- from the answer's bytes, as wodim reads them: the table goes through disc.encode_atip,
-- so a model's ATIP prints as the emulator answers it.

local CDR_SUBTYPES = { [0] = "Normal Rewritable (CLV) media", "High speed Rewritable (CAV) media",
  "Medium Type A, low Beta category (A-)", "Medium Type A, high Beta category (A+)",
  "Medium Type B, low Beta category (B-)", "Medium Type B, high Beta category (B+)",
  "Medium Type C, low Beta category (C-)", "Medium Type C, high Beta category (C+)" }
local CDRW_SUBTYPES = {}
for k, v in pairs(CDR_SUBTYPES) do CDRW_SUBTYPES[k] = v end
CDRW_SUBTYPES[2], CDRW_SUBTYPES[3] = "Ultra High speed Rewritable media", "Ultra High speed+ Rewritable media"

local EMBARGO = {
  guessed = { "Manufacturer is guessed because of the orange forum embargo.",
    "The orange forum likes to get money for recent information.",
    "The information for this media may not be correct." },
  unknown = { "Manufacturer is unknown because of the orange forum embargo.",
    "As the orange forum likes to get money for recent information,",
    "it may be that this media does not use illegal manufacturer coding." },
}

-- Fields the encoder would clamp or replace: a value there that no ATIP carries is misuse.
local ATIP_FIELDS = { indicative_writing_power = 7, reference_speed = 7, sub_type = 7, clv_low = 7, clv_high = 15 }
local MSF_FIELDS = { minute = 255, second = 59, frame = 74 }

local function atip_check(a)
  local function check(v, name, hi)
    local i = math.tointeger(v)
    if v ~= nil and (i == nil or i < 0 or i > hi) then
      error(("bad field '%s' (expected an integer 0..%d, got %s)"):format(name, hi, tostring(v)), 4)
    end
  end
  for k, hi in pairs(ATIP_FIELDS) do check(a[k], k, hi) end
  for _, t in ipairs { "lead_in", "lead_out" } do
    if a[t] ~= nil then
      if type(a[t]) ~= "table" then error(("bad field '%s' (expected a table, got %s)"):format(t, type(a[t])), 4) end
      for k, hi in pairs(MSF_FIELDS) do check(a[t][k], t .. "." .. k, hi) end
    end
  end
  for _, t in ipairs { "a1", "a2", "a3" } do
    if a[t] ~= nil then
      if type(a[t]) ~= "table" then error(("bad field '%s' (expected a table, got %s)"):format(t, type(a[t])), 4) end
      for i = 1, 3 do check(a[t][i], t .. "[" .. i .. "]", 255) end
    end
  end
end

-- "  1T speed low:  4" and its like; a code the table has no speed for is "reserved".
local function atip_speed(label, code, speeds)
  local x = speeds[code] or 0
  if x == 0 then return fmt("%s: %2d (reserved val %2d)", label, 0, code) end
  return fmt("%s: %2d", label, x)
end

-- The dye, the manufacturer's index and name from the lead-in start (pr_manufacturer).
local function atip_maker_lines(m, s, f, erasable)
  local dye = f % 10 < 5 and "Long strategy type (Cyanine, AZO or similar)"
    or "Short strategy type (Phthalocyanine or similar)"
  if erasable then dye = "Phase change" end
  local e = disc.atip_maker(m, s, f)
  local index, name, embargo
  if not e then
    dye, index, name, embargo = "unknown dye (reserved id code)", -1, "unknown (not in table)", EMBARGO.unknown
  else
    index, name, embargo = e.index, e.name, e.guessed and EMBARGO.guessed
    if e.old and erasable then
      index, name = 0, "Illegal Manufacturer code"
    elseif e.old then
      dye = "unknown dye (old id code)"
    end
  end
  -- cdrecord's table is Latin-1; cdperf's names are ASCII (see cdperf.disc)
  local lines = { "Disk type:    " .. dye, fmt("Manuf. index: %d", index),
    "Manufacturer: " .. name:gsub("Datentraeger", "Datentr\xE4ger") }
  if m == 97 and embargo then     -- another minute: maybe a DVD's garbage, wodim says no more
    for _, l in ipairs(embargo) do lines[#lines + 1] = l end
  end
  return lines
end

--- wodim -atip's lines for an ATIP (`disc.decode_atip`'s table, or a model's `atip`, whose
-- missing fields take `disc.encode_atip`'s defaults): "ATIP info from disk:", the writing
-- power, reference speed (CD-RW, or one given), unrestricted use, erasable, sub-type
-- (when not 0), lead-in and lead-out starts (LBA and MSF), the 1T and 2T speed ranges
-- (A1 and A2 valid and not zero; Ultra Speed codes where A2 is valid), the power lines
-- and A1/A2/A3 values (each when valid), then the dye, "Manuf. index:" and "Manufacturer:"
-- from the lead-in start (with wodim's embargo note for guessed and unknown 97:xx codes).
-- An ATIP whose lead-in and lead-out are both 00:00/00 gives no lines: wodim takes it for
-- none (some Yamaha drives answer so).
-- @tparam table a an ATIP table
-- @treturn {string,...} lines
-- @raise on a field no ATIP can carry (`bad field 'sub_type' (expected an integer 0..7, got 9)`)
function format.atip(a)
  check_table(a, "atip", "ATIP table")
  atip_check(a)
  local bytes = disc.encode_atip(a)
  local function b(i) return bytes:byte(i + 1) end      -- MMC's byte numbers
  if b(8) | b(9) | b(10) | b(12) | b(13) | b(14) == 0 then return {} end
  local erasable, sub = b(6) & 0x40 ~= 0, (b(6) >> 3) & 7
  local valid1, valid2, valid3 = b(6) & 4 ~= 0, b(6) & 2 ~= 0, b(6) & 1 ~= 0
  local ref = b(4) & 7
  local lines = { "ATIP info from disk:", fmt("  Indicated writing power: %d", (b(4) >> 4) & 7) }
  local function add(l) lines[#lines + 1] = l end
  if erasable or ref ~= 0 then add(fmt("  Reference speed: %d", disc.CLV_SPEEDS[0][ref] or 0)) end
  add("  Is " .. (b(5) & 0x40 ~= 0 and "" or "not ") .. "unrestricted")
  add("  Is " .. (erasable and "" or "not ") .. "erasable")
  if sub ~= 0 then add(fmt("  Disk sub type: %s (%d)", (erasable and CDRW_SUBTYPES or CDR_SUBTYPES)[sub], sub)) end
  -- the lead-in's LBA is negative from minute 90; the lead-out's never is
  local m, s, f = b(8), b(9), b(10)
  add(fmt("  ATIP start of lead in:  %d (%02d:%02d/%02d)", (m * 60 + s) * 75 + f - (m < 90 and 150 or 450150), m, s, f))
  add(fmt("  ATIP start of lead out: %d (%02d:%02d/%02d)", (b(12) * 60 + b(13)) * 75 + b(14) - 150,
    b(12), b(13), b(14)))
  local speeds = disc.CLV_SPEEDS[0]
  -- the 1T (A1) and 2T (A2) speed range: low in bits 6-4, high in bits 3-0; none when both 0
  local function speed_range(tag, v)
    local low, high = (v >> 4) & 7, v & 0x0F
    if low ~= 0 or high ~= 0 then
      add(atip_speed("  " .. tag .. " speed low", low, speeds) .. atip_speed(" " .. tag .. " speed high", high, speeds))
    end
  end
  if valid1 then
    if erasable and sub == 1 then speeds = disc.CLV_SPEEDS[1] end
    if valid2 and (sub == 2 or sub == 3) then speeds = disc.CLV_SPEEDS[2] end
    speed_range("1T", b(16))
  end
  if valid2 then speed_range("2T", b(20)) end
  if valid1 then
    add(fmt("  power mult factor: %d %d", (b(17) >> 4) & 7, (b(17) >> 1) & 7))
    if erasable then add(fmt("  recommended erase/write power: %d", (b(18) >> 4) & 7)) end
    add(fmt("  A1 values: %02X %02X %02X", b(16), b(17), b(18)))
  end
  if valid2 then add(fmt("  A2 values: %02X %02X %02X", b(20), b(21), b(22))) end
  if valid3 then add(fmt("  A3 values: %02X %02X %02X", b(24), b(25), b(26))) end
  for _, l in ipairs(atip_maker_lines(m, s, f, erasable)) do add(l) end
  return lines
end

--- What wodim -atip prints for a snapshot: its stdout lines, its stderr lines (without
-- its "wodim: "), and whether it would exit with an error.  A snapshot with an ATIP: its
-- lines.  No medium: "No disk / Wrong disk!", an error.  A CD-ROM, DVD or BD (no ATIP
-- read): no lines, as wodim prints none.  An ATIP that could not be read: its error (wodim
-- would go on to print the lead-in and lead-out of READ DISC INFORMATION, which cdperf
-- does not read), as is a profile that could not be read.
-- @tparam table snap a snapshot
-- @treturn {string,...} stdout lines
-- @treturn {string,...} stderr lines
-- @treturn boolean whether it failed
function format.atip_report(snap)
  check_table(snap, "atip_report", "snapshot")
  local errors = type(snap.errors) == "table" and snap.errors or {}
  local function why(part)
    local e = errors[part]
    if type(e) == "table" then e = e.message end
    return (tostring(e or "not read"):gsub("[\r\n].*", ""))
  end
  if type(snap.atip) == "table" then
    local ok, lines = pcall(format.atip, snap.atip)
    if ok then return lines, {}, false end
    return {}, { "the snapshot's ATIP holds values no drive sends: " .. tostring(lines):gsub("[\r\n].*", "") }, true
  end
  local code = type(snap.profile) == "table" and math.tointeger(snap.profile.code)
  if code == 0 then return {}, { "No disk / Wrong disk!" }, true end
  if errors.atip ~= nil then return {}, { why("atip") }, true end
  if not code then return {}, { "profile: " .. why("profile") }, true end
  return {}, {}, false
end

-- ---------------------------------------------------------------------------
-- A terminal plot of a nominal performance curve: speed (x factor) against LBA.

local function curve_speed_at(curve, lba)
  local last
  for _, d in ipairs(curve) do
    if lba < d.start_lba then break end
    last = d
    if lba <= d.end_lba then
      if d.end_lba == d.start_lba then return d.start_performance end
      return d.start_performance + (d.end_performance - d.start_performance)
        * (lba - d.start_lba) / (d.end_lba - d.start_lba)
    end
  end
  return last and last.end_performance or nil
end

--- Lines of an ASCII plot of `curve` (opts: width = 60, height = 10).
-- @tparam table curve nominal descriptors
-- @tparam string class
-- @tparam[opt] table opts `width`, `height`
-- @treturn {string,...} lines
function format.plot(curve, class, opts)
  check_table(curve, "plot", "table of nominal descriptors")
  local one = media.one_x(class, "plot", 2)
  opts = opts or {}
  local width, height = opts.width or 60, opts.height or 10
  if #curve == 0 then return { "(no performance curve)" } end
  local sorted = {}
  for i, d in ipairs(curve) do sorted[i] = d end
  table.sort(sorted, function(a, b) return a.start_lba < b.start_lba end)
  local first, top, vmax = sorted[1].start_lba, 0, 0
  for _, d in ipairs(sorted) do
    top = math.max(top, d.end_lba)
    vmax = math.max(vmax, d.start_performance, d.end_performance)
  end
  if vmax <= 0 then return { "(performance curve is all zero)" } end
  local span = math.max(top - first, 1)
  local rows = {}
  for r = 1, height do rows[r] = {} for c = 1, width do rows[r][c] = " " end end
  for c = 1, width do
    local lba = first + span * (c - 1) / math.max(width - 1, 1)
    local v = curve_speed_at(sorted, lba) or 0
    local r = height - floor(v / vmax * (height - 1) + 0.5)
    rows[r][c] = "*"
  end
  local lines = {}
  for r = 1, height do
    local v = vmax * (height - r) / (height - 1)
    local label = (r == 1 or r == height or r == (height + 1) // 2) and fmt("%5.1fx", v / one) or "      "
    lines[#lines + 1] = label .. " |" .. table.concat(rows[r]):gsub("%s+$", "")
  end
  lines[#lines + 1] = "       +" .. ("-"):rep(width)
  local left, right = tostring(first), tostring(top)
  lines[#lines + 1] = "        " .. left .. (" "):rep(math.max(1, width - #left - #right)) .. right
  lines[#lines + 1] = ("        LBA (%s, 1x = %s kB/s)"):format(media.LABEL[class], tostring(one))
  return lines
end

-- ---------------------------------------------------------------------------
-- JSON-ready data.

--- A deep copy holding only strings, numbers, booleans and tables: functions,
-- userdata and non-finite numbers are dropped; a cycle raises.  A table with
-- both a list part and named fields (a speed list with .notes) becomes
-- { items = { ...list... }, <named fields> } so that JSON keeps both.
-- @param value any value
-- @return the copy
-- @raise on a cycle
function format.plain(value)
  local seen = {}
  local function copy(v, path)
    local t = type(v)
    if t == "string" or t == "boolean" then return v end
    if t == "number" then
      if v ~= v or v == math.huge or v == -math.huge then return nil end
      return v
    end
    if t ~= "table" then return nil end
    if seen[v] then error(("bad argument #1 to 'plain' (cycle at %s)"):format(path), 0) end
    seen[v] = true
    local n, out, named = #v, {}, false
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then named = true break end
    end
    local list = out
    if n > 0 and named then list = {}; out.items = list end
    for i = 1, n do list[i] = copy(v[i], path .. "[" .. i .. "]") end
    for k, x in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then
        local key = type(k) == "string" and k or (type(k) == "number" and tostring(k)) or nil
        if key then out[key] = copy(x, path .. "." .. key) end
      end
    end
    seen[v] = nil
    return out
  end
  return copy(value, "value")
end

--- JSON text of plain data (see plain), indented, with every object's keys in sorted
-- order so that two runs can be diffed.  dkjson loads on first use.
-- @param doc plain data
-- @treturn string JSON text
function format.json(doc)
  local json = require "dkjson"
  local keys, seen = {}, {}
  local function collect(t)
    for k, v in pairs(t) do
      if type(k) == "string" and not seen[k] then seen[k] = true; keys[#keys + 1] = k end
      if type(v) == "table" then collect(v) end
    end
  end
  if type(doc) == "table" then collect(doc) end
  table.sort(keys)
  return json.encode(doc, { indent = true, keyorder = keys })
end

--- A speed list (speeds.list) as plain data: { speeds = {...}, notes = {...}, unit = }.
-- @tparam table list a speed list
-- @treturn table
function format.speed_table(list)
  check_table(list, "speed_table", "speed list")
  local out = { speeds = {}, notes = format.plain(list.notes or {}), unit = list.unit or "kB/s",
    class = list.class }
  for i, e in ipairs(list) do out.speeds[i] = format.plain(e) end
  return out
end

--- The speed (kB/s) a nominal performance curve gives at `lba`: linear within a
-- descriptor, the last descriptor's end speed past the curve, nil before it.
-- @tparam table curve nominal descriptors, sorted by LBA
-- @tparam number lba
-- @treturn number|nil kB/s
-- @function speed_at
format.speed_at = curve_speed_at

return format
