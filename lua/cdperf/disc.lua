--- cdperf.disc: the disc itself.  What the drive can do with it (GET CONFIGURATION
-- features), who made it (media ID: DVD+R/+RW ADIP, DVD-R/-RW pre-pit data, BD Disc
-- Information) and what a CD-R/RW says of itself (ATIP: disc type, manufacturer, the
-- speeds it is rated for).
--
-- Three layers, each usable alone:
--
--  * decoders: pure functions of the response bytes (decode_features, decode_adip,
--    decode_prepit, decode_di, decode_atip).  Each bounds-checks everything, never reads
--    past min(bytes received, the structure's own length + its header), and returns a
--    table or nil, message on bytes that cannot be the structure.  Strings taken from a
--    disc are cut at the first NUL (as the C tools print them with %.Ns) and every byte
--    outside printable ASCII becomes "?", so no text from a drive can break a line.
--  * readers on a drive's raw pass-through (drive:command): features(drive),
--    media_id(drive, opts), atip(drive); the Drive methods of the same names. Each
--    returns its table or nil, message, info.
--  * pure functions of a snapshot: mediainfo_text, names, matches, rating,
--    defect_management, verify_note.
--
-- And the encoders the emulator answers with (encode_*): what a decoder returns, an
-- encoder turns back into the bytes, so a model or a snapshot answers as the drive did.
-- @module cdperf.disc
-- @usage local m = drive:media_id()      -- or disc.media_id(drive)
-- if m then print(m.text, disc.mediainfo_text(m)) end   --> MKM-003-00   MKM/003

local disc = {}

local fmt, byte, char, pack = string.format, string.byte, string.char, string.pack

-- ---------------------------------------------------------------------------
-- Bytes.

local function be16(s, i)
  local a, b = byte(s, i, i + 1)
  return (a << 8) | b
end

local function be24(s, i)
  local a, b, c = byte(s, i, i + 2)
  return (a << 16) | (b << 8) | c
end

local function be32(s, i)
  local a, b, c, d = byte(s, i, i + 3)
  return (a << 24) | (b << 16) | (c << 8) | d
end

--- Bytes as lowercase hex digits (the form snapshots keep bytes in).
-- @tparam string s
-- @treturn string
function disc.hex(s)
  return (s:gsub(".", function(c) return fmt("%02x", byte(c)) end))
end

--- Hex digits as bytes, or nil when `h` is no even string of hex digits.
-- @param h
-- @treturn string|nil
function disc.unhex(h)
  if type(h) ~= "string" or #h % 2 ~= 0 or h:find("[^%x]") then return nil end
  return (h:gsub("%x%x", function(x) return char(tonumber(x, 16)) end))
end

-- A text field of a disc: `n` bytes from `i`, cut at the first NUL, anything but
-- printable ASCII as "?".
local function cstr(s, i, n)
  local t = s:sub(i, i + n - 1)
  local z = t:find("\0", 1, true)
  if z then t = t:sub(1, z - 1) end
  return (t:gsub("[^\32-\126]", "?"))
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local function bit(b, mask) return b & mask ~= 0 end

-- ---------------------------------------------------------------------------
-- GET CONFIGURATION (46h): the feature header and the feature descriptors.

--- MMC names of the features cdperf decodes (and a few it keeps raw).
disc.FEATURE_NAMES = {
  [0x0000] = "Profile List", [0x0001] = "Core", [0x0002] = "Morphing", [0x0003] = "Removable Medium",
  [0x0010] = "Random Readable", [0x001D] = "Multi-Read", [0x001E] = "CD Read", [0x001F] = "DVD Read",
  [0x0020] = "Random Writable", [0x0021] = "Incremental Streaming Writable", [0x0023] = "Formattable",
  [0x0024] = "Hardware Defect Management", [0x0026] = "Restricted Overwrite", [0x0028] = "MRW",
  [0x002B] = "DVD+R", [0x002D] = "CD Track at Once", [0x002E] = "CD Mastering",
  [0x002F] = "DVD-R/-RW Write", [0x0038] = "BD-R Pseudo-Overwrite", [0x0040] = "BD Read",
  [0x0041] = "BD Write", [0x0100] = "Power Management", [0x0105] = "Timeout",
  [0x0107] = "Real Time Streaming", [0x0108] = "Drive Serial Number",
}

-- Decoders of a feature's additional bytes `d` (feature byte 4 is d's byte 1); each sets
-- fields of `f` only for the bytes that are there.
local FEATURE = {}

FEATURE[0x0001] = function(f, d)
  if #d >= 4 then f.interface = be32(d, 1) end
  if #d >= 5 then f.dbe, f.inq2 = bit(d:byte(5), 1), bit(d:byte(5), 2) end
end

FEATURE[0x0023] = function(f, d)           -- Formattable
  if #d >= 1 then
    local b = d:byte(1)
    f.cert, f.qcert, f.expand, f.renosa = bit(b, 1), bit(b, 2), bit(b, 4), bit(b, 8)
  end
  if #d >= 5 then f.rrm = bit(d:byte(5), 1) end
end

FEATURE[0x0024] = function(f, d)           -- Hardware Defect Management
  if #d >= 1 then f.spare_area_information = bit(d:byte(1), 0x80) end   -- SSA
end

FEATURE[0x0028] = function(f, d)           -- MRW
  if #d >= 1 then
    local b = d:byte(1)
    f.cd_write, f.dvd_plus_read, f.dvd_plus_write = bit(b, 1), bit(b, 2), bit(b, 4)
  end
end

FEATURE[0x002B] = function(f, d)           -- DVD+R
  if #d >= 1 then f.write = bit(d:byte(1), 1) end
end

FEATURE[0x002F] = function(f, d)           -- DVD-R/-RW Write
  if #d >= 1 then
    local b = d:byte(1)
    f.buf, f.rdl, f.test_write, f.dvd_rw = bit(b, 0x40), bit(b, 8), bit(b, 4), bit(b, 2)
  end
end

-- BD Read/Write: the Class 0 version bitmaps (bit n: version n) of BD-RE, BD-R, BD-ROM.
FEATURE[0x0040] = function(f, d)
  if #d >= 1 then f.bca = bit(d:byte(1), 1) end
  if #d >= 6 then f.re = be16(d, 5) end
  if #d >= 14 then f.r = be16(d, 13) end
  if #d >= 22 then f.rom = be16(d, 21) end
end

FEATURE[0x0041] = function(f, d)
  if #d >= 1 then f.svnr = bit(d:byte(1), 1) end
  if #d >= 6 then f.re = be16(d, 5) end
  if #d >= 14 then f.r = be16(d, 13) end
end

-- Real Time Streaming: the feature itself says GET PERFORMANCE and SET STREAMING are
-- there; the flags (MMC's SW, WSPD, MP2A, SCS, RBCB, SMP) say the rest.
FEATURE[0x0107] = function(f, d)
  f.get_performance, f.set_streaming = true, true
  if #d >= 1 then
    local b = d:byte(1)
    f.stream_writing = bit(b, 0x01)                 -- SW: WRITE(12) with the Streaming bit
    f.write_speed_descriptors = bit(b, 0x02)        -- WSPD: GET PERFORMANCE type 03h, WRC
    f.mode_page_2a_write_speeds = bit(b, 0x04)      -- MP2A
    f.set_cd_speed = bit(b, 0x08)                   -- SCS
    f.read_buffer_capacity_block = bit(b, 0x10)     -- RBCB
    f.set_minimum_performance = bit(b, 0x20)        -- SMP
  end
end

--- A GET CONFIGURATION answer: { current_profile =, profiles = { codes, drive order },
-- current_profiles = { codes with CurrentP }, codes = { feature codes, answer order },
-- [code] = { code =, name =, version =, persistent =, current =, data = hex, ...decoded },
-- data_length =, truncated = bool }.  `truncated`: the header counts more bytes than came,
-- or the last descriptor runs past them (it is left out).  nil, message when there is
-- no header.
-- @tparam string bytes
-- @treturn table
-- @return[2] nil
-- @treturn[2] string message
function disc.decode_features(bytes)
  if type(bytes) ~= "string" then return nil, fmt("GET CONFIGURATION: bytes expected, got %s", type(bytes)) end
  if #bytes < 8 then
    return nil, fmt("GET CONFIGURATION: %d bytes, less than the 8-byte feature header", #bytes)
  end
  local dl = be32(bytes, 1)
  local total = math.min(#bytes, dl + 4)
  local out = { current_profile = be16(bytes, 7), profiles = {}, current_profiles = {}, codes = {},
    data_length = dl, truncated = dl + 4 > #bytes }
  local pos = 9
  while pos + 3 <= total do
    local code, b2, add = be16(bytes, pos), bytes:byte(pos + 2), bytes:byte(pos + 3)
    if pos + 3 + add > total then
      out.truncated = true
      break
    end
    local d = bytes:sub(pos + 4, pos + 3 + add)
    if out[code] == nil then
      local f = { code = code, name = disc.FEATURE_NAMES[code], version = (b2 >> 2) & 0x0F,
        persistent = bit(b2, 2), current = bit(b2, 1), data = disc.hex(d) }
      if code == 0x0000 then
        for i = 1, #d - 3, 4 do
          local p = be16(d, i)
          out.profiles[#out.profiles + 1] = p
          if bit(d:byte(i + 2), 1) then out.current_profiles[#out.current_profiles + 1] = p end
        end
      elseif FEATURE[code] then
        FEATURE[code](f, d)
      end
      out[code] = f
      out.codes[#out.codes + 1] = code
    end
    pos = pos + 4 + add
  end
  if pos < total and pos + 3 > total then out.truncated = true end
  return out
end

-- A feature of a features table by code, whether the keys are integers or (from JSON) strings.
local function feature(features, code)
  if type(features) ~= "table" then return nil end
  local f = features[code]
  if f == nil then f = features[tostring(code)] end
  return type(f) == "table" and f or nil
end
--- A feature of a features table by code, whether the keys are integers or (from JSON) strings.
-- @tparam table features as `decode_features` returns them
-- @tparam integer code e.g. 0x0107
-- @treturn table|nil the feature
-- @function feature
disc.feature = feature

-- ---------------------------------------------------------------------------
-- Media ID: READ DVD STRUCTURE format 11h (ADIP, DVD+R/+RW), 0Eh (pre-pit, DVD-R/-RW),
-- READ DISC STRUCTURE media type 1 format 00h (Disc Information, BD).  Each has a 4-byte
-- header whose first two bytes count the bytes after them.

local function structure_bytes(what, bytes, need)
  if type(bytes) ~= "string" then return nil, fmt("%s: bytes expected, got %s", what, type(bytes)) end
  if #bytes < 4 then return nil, fmt("%s: %d bytes, less than the 4-byte header", what, #bytes) end
  local total = math.min(#bytes, be16(bytes, 1) + 2)
  if total < need then
    return nil, fmt("%s: %d bytes, too few for the media ID (%d needed)", what, total, need)
  end
  return total
end

-- The book type of ADIP byte 0 (disc category, high nibble).
local ADIP_CATEGORY = { [0x9] = "DVD+RW", [0xA] = "DVD+R", [0xD] = "DVD+RW DL", [0xE] = "DVD+R DL" }

--- DVD+R/+RW ADIP (format 11h): { manufacturer = "MKM", media_type = "003", revision = 0,
-- text = "MKM-003-00", source = "ADIP", book = "DVD+R", book_version = } (ADIP bytes 19-26,
-- 27-29, 30, as dvd+rw-mediainfo reads them).  An ADIP of zeros gives empty strings,
-- text "" and empty = true (tgt's blank DVD+R).
-- @tparam string bytes the READ DVD STRUCTURE answer, header included
-- @treturn table
-- @return[2] nil
-- @treturn[2] string message
function disc.decode_adip(bytes)
  local total, msg = structure_bytes("ADIP", bytes, 4 + 31)
  if not total then return nil, msg end
  local b0 = bytes:byte(5)
  local m = { manufacturer = cstr(bytes, 4 + 19 + 1, 8), media_type = cstr(bytes, 4 + 27 + 1, 3),
    revision = bytes:byte(4 + 30 + 1), source = "ADIP", book = ADIP_CATEGORY[b0 >> 4], book_version = b0 & 0x0F }
  if trim(m.manufacturer) == "" and trim(m.media_type) == "" then
    m.text, m.empty = "", true
  else
    m.text = fmt("%s-%s-%02d", trim(m.manufacturer), trim(m.media_type), m.revision)
  end
  return m
end

--- DVD-R/-RW pre-pit data (format 0Eh): field IDs 3 and 4 carry the manufacturer ID in two
-- 6-byte halves: { manufacturer = "TDK502", media_type = "sakuM3", text = "TDK502sakuM3",
-- source = "pre-pit" } (dvd+rw-mediainfo prints the halves with %6.6s%-6.6s).
-- @tparam string bytes
-- @treturn table
-- @return[2] nil
-- @treturn[2] string message
function disc.decode_prepit(bytes)
  local total, msg = structure_bytes("pre-pit data", bytes, 4 + 31)
  if not total then return nil, msg end
  local f3, f4 = bytes:byte(4 + 16 + 1), bytes:byte(4 + 24 + 1)
  if f3 ~= 3 or f4 ~= 4 then
    return nil, fmt("pre-pit data: no manufacturer ID (field IDs %d and %d where 3 and 4 belong)", f3, f4)
  end
  local m = { manufacturer = cstr(bytes, 4 + 17 + 1, 6), media_type = cstr(bytes, 4 + 25 + 1, 6),
    source = "pre-pit" }
  if bytes:byte(5) == 1 and total >= 4 + 10 then
    m.application_code, m.physical_code = bytes:byte(6), bytes:byte(7)
    m.last_recordable_address = be24(bytes, 8)
  end
  m.text = trim(m.manufacturer) .. trim(m.media_type)
  if m.text == "" then m.empty = true end
  return m
end

--- BD Disc Information (the first DI unit): { manufacturer = "VERBAT", media_type = "IMe",
-- revision = 0, text = "VERBAT-IMe-000", source = "DI", disc_type_id = "BDR" } (DI bytes
-- 100-105, 106-108, 111; 8-10).  nil, message unless the unit starts with "DI".
-- @tparam string bytes
-- @treturn table
-- @return[2] nil
-- @treturn[2] string message
function disc.decode_di(bytes)
  local total, msg = structure_bytes("Disc Information", bytes, 4 + 109)
  if not total then return nil, msg end
  if bytes:sub(5, 6) ~= "DI" then
    return nil, fmt("Disc Information: the unit starts with %s, not \"DI\"", disc.hex(bytes:sub(5, 6)))
  end
  local m = { manufacturer = cstr(bytes, 4 + 100 + 1, 6), media_type = cstr(bytes, 4 + 106 + 1, 3),
    source = "DI", disc_type_id = cstr(bytes, 4 + 8 + 1, 3) }
  if total >= 4 + 112 then m.revision = bytes:byte(4 + 111 + 1) end
  if trim(m.manufacturer) == "" and trim(m.media_type) == "" then
    m.text, m.empty = "", true
  else
    m.text = fmt("%s-%s-%03d", trim(m.manufacturer), trim(m.media_type), m.revision or 0)
  end
  return m
end

-- ---------------------------------------------------------------------------
-- ATIP: READ TOC/PMA/ATIP format 0100b.

-- Lead-in start (97:SS:Fx) -> disc manufacturer, as cdrecord's table has it (wodim's
-- diskid.c, the one libburn and cdrdao took theirs from): one row per manufacturer,
-- { index, name, second, frame, second, frame, ... }.  The index is the licensor's
-- manufacturer number, which wodim -atip prints as "Manuf. index".  A code names the ten
-- frames F0..F9.  Names stay ASCII (they go into JSON): cdrecord's "Datentr\xE4ger" is
-- "Datentraeger" here.  97:29/0x is Taeil's: cdrecord also lists it for Harmonic Hall
-- (50), after Taeil, so that entry never matches and is left out.
local ATIP_MAKERS = {
  { 1, "Auvistar Industry Co.,Ltd.", 28, 30, 46, 50 },
  { 2, "CIS Technology Inc.", 22, 40, 45, 40 },
  { 3, "CMC Magnetics Corporation", 26, 60, 46, 60 },
  { 4, "Computer Support Italy s.r.l.", 24, 20, 46, 30 },
  { 5, "FORNET INTERNATIONAL PTE LTD.", 26, 0, 45, 0 },
  { 6, "FUJI Photo Film Co., Ltd.", 26, 40, 46, 40 },
  { 7, "GIGASTORAGE CORPORATION", 28, 10, 49, 10 },
  { 8, "Hitachi Maxell, Ltd.", 25, 20, 47, 10 },
  { 9, "Kodak Japan Limited", 27, 40, 48, 10 },
  { 10, "Lead Data Inc.", 26, 50, 48, 60 },
  { 11, "Mitsubishi Chemical Corporation", 34, 20, 50, 20, 15, 20 },
  { 12, "Mitsui Chemicals, Inc.", 27, 50, 48, 50 },
  { 13, "Multi Media Masters & Machinary SA", 28, 20, 46, 20 },
  { 15, "OPTICAL DISC CORPRATION", 26, 30 },
  { 16, "Optical Disc Manufacturing Equipment", 21, 40 },
  { 17, "Pioneer Video Corporation", 27, 30, 48, 30 },
  { 18, "Plasmon Data systems Ltd.", 27, 10, 48, 20 },
  { 19, "POSTECH Corporation", 26, 10, 47, 40 },
  { 20, "Princo Corporation", 27, 20, 47, 20 },
  { 21, "Ricoh Company Limited", 27, 60, 48, 0 },
  { 22, "Ritek Co.", 31, 0, 47, 50, 15, 10 },
  { 23, "SKC Co., Ltd.", 26, 20 },
  { 24, "SONY Corporation", 24, 10 },
  { 25, "Taiyo Yuden Company Limited", 24, 0, 46, 0 },
  { 26, "TDK Corporation", 15, 0, 32, 0, 49, 0 },
  { 27, "Prodisc Technology Inc.", 32, 10, 47, 60 },
  { 30, "Xcitec Inc.", 25, 60, 45, 60 },
  { 31, "Matsushita Electric Industrial Co.,Ltd.", 23, 0, 49, 60 },
  { 32, "CDA Datentraeger Albrechts GmbH.", 30, 10, 50, 30 },
  { 32, "??? CDA Datentraeger Albrechts GmbH.", 20, 10 },          -- cdrecord's own guess
  { 33, "Doremi Media Co., Ltd.", 23, 10 },
  { 34, "DIGITAL STORAGE TECHNOLOGY CO.,LTD", 27, 0, 48, 40 },
  { 35, "Grand Advance Technology Ltd.", 16, 30, 31, 30, 51, 10 },
  { 36, "King Pro Mediatek Inc.", 28, 40, 49, 20 },
  { 37, "Taeil Media Co.,Ltd.", 29, 0 },
  { 38, "Vanguard Disc Inc.", 29, 10, 50, 10 },
  { 39, "Woongjin Media corp", 22, 0 },
  { 40, "INFODISC Technology Co., Ltd.", 25, 30, 51, 20 },
  { 41, "UNITECH JAPAN INC.", 24, 30, 45, 10 },
  { 42, "AMS Technology Inc.", 25, 50 },
  { 43, "Acer Media Technology, Inc.", 22, 60, 45, 20 },
  { 44, "AUDIO DISTRIBUTORS CO., LTD.", 23, 30 },
  { 45, "OPTROM.INC.", 23, 50 },
  { 46, "Nacar Media srl", 23, 20 },
  { 47, "Opti.Me.S. S.p.A.", 28, 0, 49, 30 },
  { 48, "Guann Yinn Co.,Ltd.", 24, 50, 45, 50 },
  { 49, "Customer Pressing Oosterhout", 23, 60 },
  { 50, "Harmonic Hall Optical Disc Ltd.", 24, 60 },
  { 51, "DELPHI TECHNOLOGY INC.", 28, 50 },
  { 52, "EXIMPO", 22, 30 },
  { 53, "Seantram Technology Inc.", 22, 10 },
  { 54, "kdg mediatech AG", 24, 40 },
  { 55, "Sound Sound Multi-Media Development Limited", 21, 50 },
  { 56, "Friendly CD-Tek Co.", 28, 60 },
  { 57, "Hile Optical Disc Technology Corp.", 29, 30, 51, 50 },
  { 58, "VIVA MAGNETICS LIMITED", 29, 40 },
  { 59, "Hong Kong Digital Technology Co., Ltd.", 22, 50, 46, 10 },
  { 60, "UNIDISC TECHNOLOGY CO.,LTD", 29, 20 },
  { 61, "TAROKO INTERNATIONAL CO.,LTD.", 18, 60 },
  { 62, "VIVASTAR AG", 25, 40 },
  { 63, "VICTOR COMPANY OF JAPAN, LIMITED", 23, 40, 49, 40 },
  { 64, "MPO", 25, 0 },
  { 65, "General Magnetics Ld", 29, 50 },
  { 66, "WEALTH FAIR INVESTMENT LIMITED", 18, 10 },
  { 67, "Bestdisc Technology Corporation", 21, 30 },
  { 68, "Advanced Digital Media", 22, 20, 42, 20 },
  { 69, "Moser Baer India Limited", 17, 0 },
  { 70, "NAN-YA Plastics Corporation", 15, 30 },
  { 71, "SHENZEN SG&GAST DIGITAL OPTICAL DISCS", 16, 20 },
}
-- The codes cdrecord guessed after the licensor stopped publishing (its "orange forum
-- embargo"); wodim -atip says so under the manufacturer.
local ATIP_GUESSED = { [2220] = true, [4220] = true, [2460] = true, [1700] = true, [1530] = true, [1620] = true,
  [4510] = true }
-- Old codes, each one exact lead-in start (97:SS/FF), looked up before the ranges: no
-- manufacturer one can trust (index 0, or 80-83 with cdrecord's hint).
local ATIP_OLD = {
  [2500] = { 80, "ILLEGAL OLD CODE: TDK ???" }, [2700] = { 81, "ILLEGAL OLD CODE: Old Ritek Co.???" },
  [3300] = { 82, "ILLEGAL OLD CODE: Old CDA Datentraeger Albrechts GmbH." },
  [4536] = { 83, "ILLEGAL OLD CODE: Old Kodak Photo CD" },
}
for _, code in ipairs { 2515, 2725, 3000, 3544, 3900, 4700, 4730, 4814, 4833, 4900, 5400, 5506, 5700 } do
  ATIP_OLD[code] = { 0, "Unknown old Manufacturer code" }
end
local MAKER = {}
for _, e in ipairs(ATIP_MAKERS) do
  for i = 3, #e, 2 do MAKER[e[i] * 100 + e[i + 1]] = e end
end

--- What cdrecord's ATIP table says of a CD-R/RW's lead-in start (minute, second, frame):
-- `{ index =, name =, guessed = true|nil, old = true|nil }`, or nil when it lists nothing
-- there.  index is the licensor's manufacturer number (wodim -atip's "Manuf. index");
-- `old`: an old code, whose name is no manufacturer one can trust; `guessed`: cdrecord
-- guessed the code.
-- @tparam integer m minute
-- @tparam integer s second
-- @tparam integer f frame
-- @treturn table|nil
function disc.atip_maker(m, s, f)
  if m ~= 97 or math.type(s) ~= "integer" or math.type(f) ~= "integer" then return nil end
  local old = ATIP_OLD[s * 100 + f]
  if old then return { index = old[1], name = old[2], old = true } end
  local code = s * 100 + f // 10 * 10
  local e = MAKER[code]
  if not e then return nil end
  return { index = e[1], name = e[2], guessed = ATIP_GUESSED[code] }
end

--- The manufacturer a CD-R/RW's lead-in start (minute, second, frame) names, or nil
-- (unlisted, or an old code: see `atip_maker`).
-- @tparam integer m minute
-- @tparam integer s second
-- @tparam integer f frame
-- @treturn string|nil
function disc.atip_manufacturer(m, s, f)
  local e = disc.atip_maker(m, s, f)
  if e and not e.old then return e.name end
  return nil
end

-- CLV recording speed codes of A1 (bits 6-4 lowest, 3-0 highest) by CD-RW disc sub-type:
-- standard speed (1-4x), High Speed (4-10x), Ultra Speed; as cdrecord and Linux read them.
local CLV_SPEEDS = {
  [0] = { [1] = 2, [2] = 4, [3] = 6, [4] = 8 },
  [1] = { [1] = 2, [2] = 4, [3] = 6, [4] = 10 },
  [2] = { [1] = 2, [2] = 4, [3] = 8, [6] = 16, [8] = 24, [9] = 32, [10] = 40, [11] = 48 },
}
--- The CLV recording speed codes of ATIP A1 by CD-RW sub-type (0 standard speed, 1 High
-- Speed, 2 Ultra Speed): `CLV_SPEEDS[sub_type][code]` = x.
-- @table CLV_SPEEDS
disc.CLV_SPEEDS = CLV_SPEEDS
local CDRW_CLASS = { [0] = "standard speed", [1] = "High Speed", [2] = "Ultra Speed" }

--- The LBA of an ATIP time (minutes 90 and up are the negative LBAs before 00:00:00).
-- @tparam integer m
-- @tparam integer s
-- @tparam integer f
-- @treturn integer
function disc.msf_lba(m, s, f)
  local n = (m * 60 + s) * 75 + f
  if m >= 90 then return n - 450150 end
  return n - 150
end

local function msf(bytes, i)
  local m, s, f = bytes:byte(i, i + 2)
  if s >= 60 or f >= 75 then return nil end
  return { minute = m, second = s, frame = f }
end

--- ATIP (READ TOC/PMA/ATIP format 0100b): { disc_type = "CD-R"|"CD-RW", erasable =,
-- sub_type =, speed_class =, indicative_writing_power =, reference_speed =, ddcd =,
-- unrestricted_use =, a1_valid =, a2_valid =, a3_valid =, lead_in = { minute =, second =,
-- frame = }, lead_in_lba =, lead_out = {...}, lead_out_lba =, manufacturer = (from the
-- lead-in start; nil when unlisted), clv_low =, clv_high = (A1 codes), lowest_speed =,
-- highest_speed = (x, CD-RW with valid A1 only), a1 =, a2 =, a3 = (each the three bytes of
-- those values, { b, b, b }, when the answer holds them, valid or not) }.  nil, message on
-- fewer than 15 bytes or a time that is none.
-- @tparam string bytes
-- @treturn table
-- @return[2] nil
-- @treturn[2] string message
function disc.decode_atip(bytes)
  if type(bytes) ~= "string" then return nil, fmt("ATIP: bytes expected, got %s", type(bytes)) end
  if #bytes < 4 then return nil, fmt("ATIP: %d bytes, less than the 4-byte header", #bytes) end
  local total = math.min(#bytes, be16(bytes, 1) + 2)
  if total < 15 then
    return nil, fmt("ATIP: %d bytes, too few for the lead-in and lead-out times (15 needed)", total)
  end
  local b4, b5, b6 = bytes:byte(5, 7)
  local a = { erasable = bit(b6, 0x40), sub_type = (b6 >> 3) & 7, indicative_writing_power = (b4 >> 4) & 7,
    ddcd = bit(b4, 8), reference_speed = b4 & 7, unrestricted_use = bit(b5, 0x40),
    a1_valid = bit(b6, 4), a2_valid = bit(b6, 2), a3_valid = bit(b6, 1) }
  a.disc_type = a.erasable and "CD-RW" or "CD-R"
  if a.erasable then a.speed_class = CDRW_CLASS[a.sub_type] end
  a.lead_in, a.lead_out = msf(bytes, 9), msf(bytes, 13)
  if not a.lead_in then
    return nil, fmt("ATIP: lead-in start %02d:%02d/%02d is no time", bytes:byte(9), bytes:byte(10), bytes:byte(11))
  end
  if not a.lead_out then
    return nil, fmt("ATIP: lead-out start %02d:%02d/%02d is no time", bytes:byte(13), bytes:byte(14), bytes:byte(15))
  end
  a.lead_in_lba = disc.msf_lba(a.lead_in.minute, a.lead_in.second, a.lead_in.frame)
  a.lead_out_lba = disc.msf_lba(a.lead_out.minute, a.lead_out.second, a.lead_out.frame)
  a.manufacturer = disc.atip_manufacturer(a.lead_in.minute, a.lead_in.second, a.lead_in.frame)
  if total >= 19 then
    local a1 = bytes:byte(17)
    a.clv_low, a.clv_high = (a1 >> 4) & 7, a1 & 0x0F
    local t = a.erasable and a.a1_valid and CLV_SPEEDS[a.sub_type]
    if t then a.lowest_speed, a.highest_speed = t[a.clv_low], t[a.clv_high] end
  end
  -- A1 at 16, A2 at 20, A3 at 24, three bytes each (the power and A2/A3 lines of wodim -atip)
  for n, at in ipairs { 16, 20, 24 } do
    if total >= at + 3 then a["a" .. n] = { bytes:byte(at + 1, at + 3) } end
  end
  return a
end

-- ---------------------------------------------------------------------------
-- Readers on the raw pass-through (drive:command).

local NAME = { [0x46] = "GET CONFIGURATION", [0xAD] = "READ DVD STRUCTURE", [0x43] = "READ TOC/PMA/ATIP" }

-- One command: data, or nil, message, info with the command's MMC name (the core names
-- raw commands "CDB XXh").
local function send(drive, cdb, alloc, label)
  local ok, f = pcall(function() return drive.command end)
  if not ok or (type(f) ~= "function" and not (type(f) == "table" and getmetatable(f)
      and getmetatable(f).__call)) then
    return nil, "the drive has no raw pass-through (drive:command)", { kind = "unsupported" }
  end
  local data, msg, info = f(drive, cdb, "in", alloc)
  local name = NAME[cdb:byte(1)]
  if data == nil then
    msg = tostring(msg or "failed"):gsub("^CDB %x%xh: ", "")
    if type(info) ~= "table" then info = { kind = "device" } end
    info.command = name
    return nil, fmt("%s%s: %s", name, label or "", msg), info
  end
  if type(data) ~= "string" then
    return nil, fmt("%s%s: the drive gave a %s, not bytes", name, label or "", type(data)),
      { kind = "decode", command = name }
  end
  return data
end

local function decode_failure(name, msg)
  return nil, msg, { kind = "decode", command = name }
end

--- The allocation length of the first GET CONFIGURATION (4096): enough for any drive's
-- list; read again when it is not.
disc.FEATURES_ALLOC = 4096
--- The largest GET CONFIGURATION cdperf asks for (65532 bytes).
disc.FEATURES_MAX = 65532

local function features_cdb(alloc)
  return pack(">BBI2BBBI2B", 0x46, 0x00, 0, 0, 0, 0, alloc, 0)
end

--- Every feature the drive has (GET CONFIGURATION, RT 00b), read in full: when the header
-- counts more than the first read could hold, asked once more for all of it.  `drive`
-- has :command (a drive).  Returns decode_features' table or nil, message, info.
-- @param drive an open drive
-- @treturn table
-- @return[2] nil, message, info
function disc.features(drive)
  local alloc = disc.FEATURES_ALLOC
  local data, msg, info = send(drive, features_cdb(alloc), alloc)
  if not data then return nil, msg, info end
  if #data >= 4 and #data >= alloc then
    local want = be32(data, 1) + 4
    if want > #data then
      local again = math.min(want, disc.FEATURES_MAX)
      again = again + again % 2
      if again > alloc then
        data, msg, info = send(drive, features_cdb(again), again)
        if not data then return nil, msg, info end
      end
    end
  end
  local f
  f, msg = disc.decode_features(data)
  if not f then return decode_failure("GET CONFIGURATION", msg) end
  return f
end

-- Which structure holds the media ID of a profile: { media type, format, allocation,
-- decoder, label, source }.  Allocations as dvd+rw-mediainfo asks (whole ADIP, 44, 128 bytes).
local ADIP = { 0, 0x11, 4 + 256, "decode_adip", " (ADIP, format 11h)", "ADIP" }
local PREPIT = { 0, 0x0E, 4 + 40, "decode_prepit", " (pre-pit, format 0Eh)", "pre-pit" }
local DI = { 1, 0x00, 128, "decode_di", " (BD Disc Information)", "DI" }
--- Which structure holds the media ID of a profile: profile code -> `{ media type,
-- format, allocation, decoder name, label, source }` (pre-pit for DVD-R/-RW, ADIP for
-- DVD+R/+RW, DI for BD-R/RE).
-- @table MEDIA_ID_STRUCTURE
disc.MEDIA_ID_STRUCTURE = {
  [0x11] = PREPIT, [0x13] = PREPIT, [0x14] = PREPIT, [0x15] = PREPIT, [0x16] = PREPIT, [0x17] = PREPIT,
  [0x1A] = ADIP, [0x1B] = ADIP, [0x2A] = ADIP, [0x2B] = ADIP,
  [0x41] = DI, [0x42] = DI, [0x43] = DI,
}

--- The READ DVD STRUCTURE CDB that reads the media ID of a profile, or nil.
-- @tparam integer profile
-- @treturn string|nil the CDB
-- @treturn integer the allocation length
function disc.media_id_cdb(profile)
  local s = disc.MEDIA_ID_STRUCTURE[profile]
  if not s then return nil end
  return pack(">BBI4BBI2BB", 0xAD, s[1], 0, 0, s[2], s[3], 0, 0), s[3]
end

--- The disc's media ID: ADIP for DVD+R/+RW, pre-pit data for DVD-R/-RW, Disc Information
-- for BD-R/RE.  opts.profile (or a profile code as `opts`) saves the
-- GET CONFIGURATION that asks which medium it is.  nil, message, info when the medium has
-- none (info.kind "medium") or the drive fails.
-- @param drive an open drive
-- @param[opt] opts a profile code or `{ profile = }`
-- @treturn table
-- @return[2] nil, message, info
function disc.media_id(drive, opts)
  local profile = type(opts) == "table" and opts.profile or opts
  if profile ~= nil and math.type(profile) ~= "integer" then
    error(fmt("bad argument #1 to 'media_id' (profile code expected, got %s)", tostring(profile)), 2)
  end
  if profile == nil then
    local ok, p, msg, info = pcall(function() return drive:profile() end)
    if not ok then return nil, tostring(p), { kind = "device" } end
    if not p then return nil, msg, info end
    profile = p.code
  end
  local s = disc.MEDIA_ID_STRUCTURE[profile]
  if not s then
    return nil, fmt("the medium (profile %04Xh) carries no media ID cdperf reads", profile),
      { kind = "medium", profile = profile }
  end
  local cdb, alloc = disc.media_id_cdb(profile)
  local data, msg, info = send(drive, cdb, alloc, s[5])
  if not data then return nil, msg, info end
  local m
  m, msg = disc[s[4]](data)
  if not m then return decode_failure("READ DVD STRUCTURE", msg) end
  return m
end

--- The READ TOC/PMA/ATIP CDB (format 0100b, 32 bytes) that reads a CD's ATIP.
disc.ATIP_CDB = pack(">BBBBBBBI2B", 0x43, 0x02, 0x04, 0, 0, 0, 0, 32, 0)

--- A CD-R/RW's ATIP (READ TOC/PMA/ATIP format 0100b): decode_atip's table, or nil,
-- message, info.
-- @param drive an open drive
-- @treturn table
-- @return[2] nil, message, info
function disc.atip(drive)
  local data, msg, info = send(drive, disc.ATIP_CDB, 32, " (ATIP)")
  if not data then return nil, msg, info end
  local a
  a, msg = disc.decode_atip(data)
  if not a then return decode_failure("READ TOC/PMA/ATIP", msg) end
  return a
end

-- ---------------------------------------------------------------------------
-- Pure functions of a snapshot (or any table with profile, features, media_id, atip).

local function profile_code(snap)
  local p = type(snap) == "table" and snap.profile
  if type(p) == "table" then p = p.code end
  return math.tointeger(p)
end

local function str_field(t, k)
  local v = type(t) == "table" and t[k] or nil
  return type(v) == "string" and v or nil
end

--- The media ID as dvd+rw-mediainfo prints it after " Media ID:" ("MKM/003",
-- "TDK502sakuM3", "VERBAT/IMe"), or nil.
-- @tparam table m a media ID
-- @treturn string|nil
function disc.mediainfo_text(m)
  local man, typ = str_field(m, "manufacturer"), str_field(m, "media_type")
  if not man or not typ then return nil end
  man, typ = cstr(man, 1, #man), cstr(typ, 1, #typ)
  if m.source == "ADIP" then return fmt("%.8s/%.3s", man, typ) end
  if m.source == "pre-pit" then return fmt("%6.6s%-6.6s", man, typ) end
  if m.source == "DI" then return fmt("%6.6s/%-3.3s", man, typ) end
  return nil
end

--- The names a policy's media=PATTERN is matched against: the media ID ("MKM-003-00"),
-- dvd+rw-mediainfo's form ("MKM/003"), manufacturer and type joined ("MKM-003"), and for
-- a CD the ATIP manufacturer's name.
-- @tparam table snap a snapshot
-- @treturn {string,...}
function disc.names(snap)
  local out = {}
  local m = type(snap) == "table" and snap.media_id
  if type(m) == "table" then
    local text = str_field(m, "text")
    if text and text ~= "" then out[#out + 1] = text end
    local mi = disc.mediainfo_text(m)
    if mi and trim(mi) ~= "" and trim(mi) ~= "/" then out[#out + 1] = trim(mi) end
    local man, typ = str_field(m, "manufacturer"), str_field(m, "media_type")
    if man and typ and trim(man) ~= "" then out[#out + 1] = trim(man) .. "-" .. trim(typ) end
  end
  local a = type(snap) == "table" and snap.atip
  if type(a) == "table" and str_field(a, "manufacturer") then out[#out + 1] = a.manufacturer end
  return out
end

--- A policy pattern as a Lua pattern: * any run, ? one character, the rest literal,
-- anchored, case-insensitive (both sides are lowered).
-- @tparam string glob
-- @treturn string
function disc.pattern(glob)
  local p = glob:lower():gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
  return "^" .. p .. "$"
end

--- Whether the disc's media ID (or ATIP manufacturer) matches the pattern; and the name
-- it matched, or the names it did not.
-- @tparam table snap a snapshot
-- @tparam string glob
-- @treturn boolean
-- @return the name it matched, or the list of names
function disc.matches(snap, glob)
  local pat = disc.pattern(glob)
  local names = disc.names(snap)
  for _, n in ipairs(names) do
    if n:lower():find(pat) then return true, n end
  end
  return false, names
end

--- The disc's own rating: the fastest it is made for, as an x factor of its class, and where
-- that was read; nil when the disc says nothing (only CD-RW ATIP carries a speed range).
-- @tparam table snap a snapshot
-- @treturn number|nil x
-- @treturn string where it was read, e.g. "ATIP of the CD-RW (High Speed): 4x..10x"
function disc.rating(snap)
  local a = type(snap) == "table" and snap.atip
  if type(a) ~= "table" then return nil end
  local hi = math.tointeger(a.highest_speed)
  if not hi or hi <= 0 then return nil end
  local lo = math.tointeger(a.lowest_speed)
  local range = lo and lo > 0 and lo < hi and fmt("%dx..%dx", lo, hi) or fmt("up to %dx", hi)
  return hi, fmt("ATIP of the %s%s: %s", tostring(a.disc_type or "CD"),
    type(a.speed_class) == "string" and (" (" .. a.speed_class .. ")") or "", range)
end

--- Whether the drive verifies what it writes (defect management): { active =, reason =,
-- stream_recording = (the drive can skip it: Real Time Streaming's SW bit; nil when
-- unknown) } for DVD-RAM (always), BD-RE and BD-R formatted with spare areas (feature
-- 0024h current; a BD-RE counts as formatted when the features were not read); nil for
-- other media.
-- @tparam table snap a snapshot
-- @treturn table|nil
function disc.defect_management(snap)
  local code = profile_code(snap)
  local f = type(snap) == "table" and type(snap.features) == "table" and snap.features or nil
  local hdm = feature(f, 0x0024)
  local rts = feature(f, 0x0107)
  local stream = nil
  if rts then stream = rts.stream_writing == true end
  if not rts and f and type(f.codes) == "table" then stream = false end   -- the whole list lacks it
  local current = hdm and hdm.current == true
  local reason
  if code == 0x12 then
    reason = "DVD-RAM: the drive checks every block it writes"
  elseif code == 0x43 and (current or not f) then
    reason = "a formatted BD-RE: the drive checks every block it writes"
  elseif (code == 0x41 or code == 0x42) and current then
    reason = "a BD-R formatted with spare areas: the drive checks every block it writes"
  elseif current and code then
    reason = "Hardware Defect Management (0024h) is current: the drive checks every block it writes"
  end
  if not reason then return nil end
  return { active = true, reason = reason, stream_recording = stream }
end

--- The note for an estimate under defect management: why the time counts a verify pass
-- and how to avoid it.
-- @tparam table dm as `defect_management` returns it
-- @treturn string
function disc.verify_note(dm)
  local how
  if dm.stream_recording == false then
    how = "this drive does not offer stream recording (Real Time Streaming without SW), so it cannot be turned off"
  else
    how = "stream recording skips it (xorriso -stream_recording on, cdrskin stream_recording=on; "
      .. "for BD, formatting without spare areas too)"
  end
  return fmt("verify after write (defect management): %s, so the time counts a second pass over every sector; %s",
    dm.reason, how)
end

-- ---------------------------------------------------------------------------
-- Encoders: what the emulator answers.  Each takes the table its decoder returns (or the
-- subset a model writes by hand) and gives the bytes.

local function padz(s, n)
  s = type(s) == "string" and s or ""
  if #s >= n then return s:sub(1, n) end
  return s .. string.rep("\0", n - #s)
end

local function int_or(v, d, lo, hi)
  v = math.tointeger(v)
  if v == nil or v < lo or v > hi then return d end
  return v
end

-- Feature data of a feature table: its `data` hex when it has it, else built from the
-- decoded flags (for the features cdperf decodes), else none.
local function feature_data(code, f)
  local d = disc.unhex(f.data)
  if d then return d end
  local function b(v, m) return v and m or 0 end
  if code == 0x0001 then
    return pack(">I4BBBB", int_or(f.interface, 2, 0, 0xFFFFFFFF), b(f.dbe, 1) | b(f.inq2, 2), 0, 0, 0)
  elseif code == 0x0023 then
    return char(b(f.cert, 1) | b(f.qcert, 2) | b(f.expand, 4) | b(f.renosa, 8), 0, 0, 0, b(f.rrm, 1), 0, 0, 0)
  elseif code == 0x0024 then
    return char(b(f.spare_area_information, 0x80), 0, 0, 0)
  elseif code == 0x0028 then
    return char(b(f.cd_write, 1) | b(f.dvd_plus_read, 2) | b(f.dvd_plus_write, 4), 0, 0, 0)
  elseif code == 0x002B then
    return char(b(f.write, 1), 0, 0, 0)
  elseif code == 0x002F then
    return char(b(f.buf, 0x40) | b(f.rdl, 8) | b(f.test_write, 4) | b(f.dvd_rw, 2), 0, 0, 0)
  elseif code == 0x0038 then
    return char(0, 0, 0, 0)
  elseif code == 0x0040 or code == 0x0041 then
    local first = code == 0x0040 and b(f.bca, 1) or b(f.svnr, 1)
    local rom = code == 0x0040 and int_or(f.rom, 0, 0, 0xFFFF) or 0
    return pack(">BBBBI2I2I2I2I2I2I2I2I2I2I2I2", first, 0, 0, 0, int_or(f.re, 0, 0, 0xFFFF), 0, 0, 0,
      int_or(f.r, 0, 0, 0xFFFF), 0, 0, 0, rom, 0, 0, 0)
  elseif code == 0x0107 then
    return char(b(f.stream_writing, 1) | b(f.write_speed_descriptors, 2) | b(f.mode_page_2a_write_speeds, 4)
      | b(f.set_cd_speed, 8) | b(f.read_buffer_capacity_block, 0x10) | b(f.set_minimum_performance, 0x20), 0, 0, 0)
  end
  return ""
end

--- One feature descriptor's bytes: code, version/persistent/current, length, data.
-- @tparam integer code
-- @tparam table f the feature
-- @treturn string
function disc.encode_feature(code, f)
  local d = feature_data(code, f):sub(1, 252)
  d = d .. string.rep("\0", (4 - #d % 4) % 4)
  local b2 = (int_or(f.version, 0, 0, 15) << 2) | (f.persistent and 2 or 0) | (f.current and 1 or 0)
  return pack(">I2BB", code, b2, #d) .. d
end

--- A whole GET CONFIGURATION answer from { current_profile =, profiles =, current_profiles =,
-- [code] = feature, ... } (the features in code order, Profile List built from `profiles`),
-- honouring RT (0 all, 1 current, 2 only `start`) and the starting feature.
-- @tparam table t a features table
-- @tparam[opt=0] integer rt
-- @tparam[opt=0] integer start
-- @treturn string
function disc.encode_features(t, rt, start)
  rt, start = rt or 0, start or 0
  local codes = {}
  for k, f in pairs(t) do
    local code = math.tointeger(k) or math.tointeger(tonumber(k))
    if code and code >= 0 and code <= 0xFFFF and type(f) == "table" then codes[#codes + 1] = code end
  end
  table.sort(codes)
  local current = {}
  for _, p in ipairs(type(t.current_profiles) == "table" and t.current_profiles or {}) do current[p] = true end
  local out = {}
  for _, code in ipairs(codes) do
    local f = feature(t, code)
    local take = (rt == 2 and code == start) or (rt ~= 2 and code >= start)
    if take and (rt ~= 1 or f.current) then
      if code == 0 and type(t.profiles) == "table" then
        local body = {}
        for _, p in ipairs(t.profiles) do
          p = int_or(p, nil, 0, 0xFFFF)
          if p then body[#body + 1] = pack(">I2BB", p, current[p] and 1 or 0, 0) end
        end
        body = table.concat(body):sub(1, 252)
        out[#out + 1] = pack(">I2BB", 0, 0x03, #body) .. body
      else
        out[#out + 1] = disc.encode_feature(code, f)
      end
    end
  end
  local payload = table.concat(out)
  return pack(">I4I2I2", 4 + #payload, 0, int_or(t.current_profile, 0, 0, 0xFFFF)) .. payload
end

-- Profile sets for deriving a drive's features.
local function set(...)
  local t = {}
  for _, v in ipairs { ... } do t[v] = true end
  return t
end
local CD, DVD, BD = set(0x08, 0x09, 0x0A), set(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x1A, 0x1B, 0x2A, 0x2B),
  set(0x40, 0x41, 0x42, 0x43)

--- The features a drive that supports the profiles `supported` has with profile `current`
-- loaded (0: none), as decode_features returns them; `opts`: no_get_performance (no Real
-- Time Streaming: it promises GET PERFORMANCE), page_2a_speeds (MP2A).  The emulator's
-- GET CONFIGURATION for a model that names its profiles; a model's `features` patch it.
-- @tparam {integer,...} supported profile codes
-- @tparam integer current
-- @tparam[opt] table opts
-- @treturn table
function disc.derive_features(supported, current, opts)
  opts = opts or {}
  local has, list, seen = {}, {}, {}
  for _, p in ipairs(supported) do
    p = int_or(p, nil, 0, 0xFFFF)
    if p and not seen[p] then seen[p] = true; list[#list + 1] = p; has[p] = true end
  end
  if current ~= 0 and not seen[current] then list[#list + 1] = current; has[current] = true end
  table.sort(list, function(a, b) return a > b end)
  local function any(t) for p in pairs(t) do if has[p] then return true end end return false end
  local t = { current_profile = current, profiles = list, current_profiles = current ~= 0 and { current } or {},
    codes = {} }
  local function add(code, current_, f)
    f = f or {}
    f.code, f.name, f.current = code, disc.FEATURE_NAMES[code], current_ and true or false
    f.version = f.version or 0
    t[code] = f
    t.codes[#t.codes + 1] = code
  end
  local always = { persistent = true }
  add(0x0000, true, { persistent = true })
  add(0x0001, true, { persistent = true, version = 2, interface = 2, inq2 = true })
  add(0x0002, true, { persistent = true, version = 1, data = "02000000" })
  add(0x0003, true, { persistent = true, data = "29000000" })
  local blocking = BD[current] and "0020" or DVD[current] and "0010" or "0001"
  add(0x0010, current ~= 0, { data = "00000800" .. blocking .. "0100" })
  if any(CD) then add(0x001D, CD[current]); add(0x001E, CD[current], { version = 2, data = "00000000" }) end
  if any(DVD) then add(0x001F, DVD[current], { version = 1, data = "00000000" }) end
  if has[0x12] or has[0x43] then add(0x0020, current == 0x12 or current == 0x43, { version = 1 }) end
  if any(set(0x09, 0x0A, 0x11, 0x14, 0x15, 0x1B, 0x2B, 0x41)) then
    add(0x0021, set(0x09, 0x0A, 0x11, 0x14, 0x15, 0x1B, 0x2B, 0x41)[current], { version = 1 })
  end
  local formattable = set(0x12, 0x13, 0x14, 0x1A, 0x2A, 0x41, 0x43)
  if any(formattable) then add(0x0023, formattable[current], { version = 1, cert = has[0x43], renosa = has[0x41] }) end
  if has[0x12] or has[0x41] or has[0x43] then
    add(0x0024, current == 0x12 or current == 0x43, { version = 1, spare_area_information = has[0x41] or has[0x43] })
  end
  if has[0x13] then add(0x0026, current == 0x13) end
  if has[0x0A] then
    add(0x0028, false, { version = 1, cd_write = true, dvd_plus_read = has[0x1A], dvd_plus_write = has[0x1A] })
  end
  if has[0x1A] then add(0x002A, current == 0x1A, { version = 1, data = "01000000" }) end
  if has[0x1B] then add(0x002B, current == 0x1B, { write = true }) end
  if has[0x09] then
    add(0x002D, CD[current] and current ~= 0x08, { version = 2, data = "5e000000" })
    add(0x002E, CD[current] and current ~= 0x08, { version = 1, data = "7f000000" })
  end
  if has[0x11] or has[0x14] then
    add(0x002F, set(0x11, 0x13, 0x14, 0x15, 0x16)[current],
      { version = 2, buf = true, test_write = true, dvd_rw = has[0x13] or has[0x14], rdl = has[0x15] })
  end
  if has[0x41] then add(0x0038, false) end
  if has[0x2B] then add(0x003B, current == 0x2B, { data = "01000000" }) end
  if any(BD) then add(0x0040, BD[current], { version = 1, re = 0x0006, r = 0x0002, rom = 0x0002 }) end
  if has[0x41] or has[0x43] then
    add(0x0041, current == 0x41 or current == 0x42 or current == 0x43, { version = 1, re = 0x0006, r = 0x0002 })
  end
  add(0x0100, true, always)
  add(0x0105, true, { persistent = true, data = "00000000" })
  if not opts.no_get_performance then
    add(0x0107, current ~= 0, { version = 4, stream_writing = has[0x12] or has[0x43], write_speed_descriptors = true,
      mode_page_2a_write_speeds = opts.page_2a_speeds and true or false, set_cd_speed = true,
      read_buffer_capacity_block = true })
  end
  table.sort(t.codes)
  return t
end

--- `base` (a features table) with a model's `patch` applied: { [code] = { fields } } merges
-- into that feature (adding it when absent), { [code] = { absent = true } } removes it.
-- @tparam table base
-- @tparam[opt] table patch
-- @treturn table
function disc.patch_features(base, patch)
  if type(patch) ~= "table" then return base end
  for k, p in pairs(patch) do
    local code = math.tointeger(k) or math.tointeger(tonumber(k))
    if code and code >= 0 and code <= 0xFFFF and type(p) == "table" then
      if p.absent then
        base[code] = nil
      else
        local f = base[code] or { code = code, name = disc.FEATURE_NAMES[code], version = 0, current = false }
        for fk, v in pairs(p) do f[fk] = v end
        base[code] = f
      end
    end
  end
  local codes = {}
  for k, f in pairs(base) do
    if math.type(k) == "integer" and type(f) == "table" then codes[#codes + 1] = k end
  end
  table.sort(codes)
  base.codes = codes
  return base
end

-- A READ DVD STRUCTURE answer: the 2-byte length, 2 reserved, the data.
local function structure(data)
  return pack(">I2I2", #data + 2, 0) .. data
end

--- The structure that carries `m` (a media_id table) for its source: ADIP (256 bytes),
-- pre-pit (fields 1-5, 40 bytes), DI (one 112-byte unit).
-- @tparam table m
-- @treturn string
function disc.encode_media_id(m)
  local rev = int_or(m.revision, 0, 0, 255)
  if m.source == "pre-pit" then
    local d = char(1, int_or(m.application_code, 0, 0, 255), int_or(m.physical_code, 0, 0, 255))
      .. pack(">I3", int_or(m.last_recordable_address, 0, 0, 0xFFFFFF)) .. char(0, 0)
      .. char(2) .. string.rep("\0", 7)
      .. char(3) .. padz(m.manufacturer, 6) .. "\0"
      .. char(4) .. padz(m.media_type, 6) .. "\0"
      .. char(5) .. string.rep("\0", 7)
    return structure(d)
  elseif m.source == "DI" then
    local d = "DI" .. char(1, 0x08, 0, 0, 0x40, 0) .. padz(m.disc_type_id or "BDR", 3)
      .. string.rep("\0", 100 - 11) .. padz(m.manufacturer, 6) .. padz(m.media_type, 3) .. char(0, 0, rev)
    return structure(d)
  end
  local book = ({ ["DVD+RW"] = 0x9, ["DVD+R"] = 0xA, ["DVD+RW DL"] = 0xD, ["DVD+R DL"] = 0xE })[m.book] or 0xA
  local d = char((book << 4) | int_or(m.book_version, 1, 0, 15)) .. string.rep("\0", 18)
    .. padz(m.manufacturer, 8) .. padz(m.media_type, 3) .. char(rev) .. string.rep("\0", 256 - 31)
  return structure(d)
end

local function msf_bytes(t, d)
  t = type(t) == "table" and t or d
  return char(int_or(t.minute, d.minute, 0, 255), int_or(t.second, d.second, 0, 59), int_or(t.frame, d.frame, 0, 74))
end

-- Three bytes of A1/A2/A3 values: the table's, else `d`.
local function values3(t, d)
  t = type(t) == "table" and t or {}
  return int_or(t[1], d[1], 0, 255), int_or(t[2], d[2], 0, 255), int_or(t[3], d[3], 0, 255)
end

--- The READ TOC/PMA/ATIP format 0100b answer for an atip table (24 bytes after the header).
-- A1's first byte comes from clv_low/clv_high (or the speeds) when given, else from a1.
-- @tparam table a
-- @treturn string
function disc.encode_atip(a)
  local erasable = a.erasable == true or a.disc_type == "CD-RW"
  local b4 = 0x80 | (int_or(a.indicative_writing_power, 4, 0, 7) << 4) | (a.ddcd and 8 or 0)
    | int_or(a.reference_speed, 0, 0, 7)
  local b5 = a.unrestricted_use and 0x40 or 0
  local b6 = 0x80 | (erasable and 0x40 or 0) | (int_or(a.sub_type, 0, 0, 7) << 3) | (a.a1_valid and 4 or 0)
    | (a.a2_valid and 2 or 0) | (a.a3_valid and 1 or 0)
  local a1, a1b, a1c = values3(a.a1, { 0, 0, 0x80 })
  -- A1's codes: as given, else the code of the speed in the sub-type's table, else a1's
  local function code(c, x, hi, d)
    c = int_or(c, nil, 0, hi)
    if c then return c end
    for k, v in pairs(CLV_SPEEDS[int_or(a.sub_type, 0, 0, 7)] or {}) do
      if v == x and k <= hi then return k end
    end
    return d
  end
  a1 = (a1 & 0x80) | (code(a.clv_low, a.lowest_speed, 7, (a1 >> 4) & 7) << 4)
    | code(a.clv_high, a.highest_speed, 15, a1 & 0x0F)
  local d = char(b4, b5, b6, 0) .. msf_bytes(a.lead_in, { minute = 97, second = 24, frame = 0 }) .. "\0"
    .. msf_bytes(a.lead_out, { minute = 79, second = 59, frame = 74 }) .. "\0"
    .. char(a1, a1b, a1c, 0) .. char(values3(a.a2, { 0, 0, 0 })) .. "\0" .. char(values3(a.a3, { 0, 0, 0 })) .. "\0"
  return structure(d)
end

return disc
