--- cdperf.emulator: an MMC drive written in Lua, driven by a model table.
--
-- `emulator.new(model [, opts])` returns an object usable as a device: give it to
-- `cdperf.open`, or call `emu:command(cdb, direction, arg)` (or `emu(cdb, direction, arg)`)
-- yourself. direction is "in" (arg = allocation length, an integer), "out" (arg = the
-- parameter bytes, a string) or "none" (arg ignored). A good command returns the data
-- ("" for "out"/"none"), cut to the allocation length; a CHECK CONDITION returns nil and
-- 18 bytes of fixed-format sense (70h, key @2, additional length 10 @7, ASC @12, ASCQ @13;
-- for INVALID FIELD the sense-key-specific field pointer is filled in @15-17). Misuse by
-- the caller (bad cdb, wrong direction, wrong arg type, parameter bytes that disagree with
-- the CDB) raises a Lua error instead.
--
-- **Models.** A model uses the shapes the Drive methods return, so what goes in comes
-- back out (every field optional; `emulator.new` checks each with `cdperf.model_check`
-- and raises on a wrong one):
--
-- * `name`, `source` (the capture it was made from)
-- * `inquiry = { vendor =, product =, revision =, peripheral_type = }`
-- * `profile` (the current profile code; 0 no medium), `capacity` (sectors),
--   `supported_profiles = { codes }`
-- * `write_speeds` (write-speed descriptors), `performance = { read =, write = }`
--   (nominal descriptors), `exceptions = { read =, write = }`, `read_speeds` (kB/s the
--   drive may be set to for reading)
-- * `capabilities` (as `Drive:capabilities` returns it)
-- * `media_id`, `atip`, `features` (patches of the feature list:
--   `{ [0x0038] = { current = true } }`)
-- * `unsupported = { [0xAC] = true }`: opcodes answered ILLEGAL REQUEST 20h/00h
-- * `timing` (a clock for READ: `cdperf.emulator_clock`)
-- * `disc = { status = "blank" | "appendable" | "complete", sessions =, tracks =, used =,
--   erasable = }`: the disc in the drive (every field optional; sessions, tracks and used
--   need a status). Defaults: read-only media (08h, 10h, 40h) and media formatted for
--   overwriting (12h, 13h, 1Ah, 2Ah, 43h) complete, others blank; a model with `timing`
--   complete and wholly used whatever it says; sessions 2 when appendable, else 1
--   (appendable: the closed ones and the empty last one); tracks = sessions (the first
--   session holds the extra tracks; the empty session one empty track); used (sectors
--   recorded) 0 blank, the capacity complete, half of it (a multiple of 16) appendable;
--   erasable for the RW profiles. Tracks lie back to back from LBA 0 (no lead-in/lead-out
--   gaps). A blank disc has 1 session and 1 track; appendable 2 sessions or more; never
--   fewer tracks than sessions nor more used than the capacity (emulator.new raises).
-- * `quirks` (below)
--
-- A snapshot (`cdperf.snapshot`) is a model too: it answers as the drive did.
--
-- **Commands:** TEST UNIT READY 00h, REQUEST SENSE 03h, INQUIRY 12h, GET CONFIGURATION 46h
-- (header, Profile List 0000h, Core 0001h; for a model that names its supported_profiles
-- or features, the whole feature list cdperf.disc.derive_features makes of them, patched
-- by model.features), MODE SENSE(10) 5Ah page 2Ah/3Fh, GET PERFORMANCE ACh types 00h and
-- 03h, SET STREAMING B6h, SET CD SPEED BBh, READ TOC/PMA/ATIP 43h format 0100b (ATIP, from
-- model.atip, CD media only), READ DVD STRUCTURE ADh formats 0Eh (pre-pit, DVD-R/-RW),
-- 11h (ADIP, DVD+R/+RW), FFh (the list) and, media type 1, 00h (BD Disc Information), the
-- media ID from model.media_id (a disc whose ID fields are empty when it has none);
-- with model.timing, READ(10) 28h and READ(12) A8h. From model.disc: READ DISC
-- INFORMATION 51h (data type 000b, 34 bytes), READ TRACK INFORMATION 52h (by LBA, track
-- (FFh: the empty track) or session; 48 bytes), READ FORMAT CAPACITIES 23h (header and
-- the current/maximum descriptor: 01b blank, 10b otherwise, 11b no medium; no formattable
-- descriptors), READ CAPACITY 25h (the last recorded LBA, 0 on a blank disc), READ TOC
-- format 0000b (the recorded tracks, control 4, and the lead-out AAh; LBA or MSF; a disc
-- with none recorded: INVALID FIELD IN CDB). MODE SENSE(10) page 05h (Write Parameters:
-- TAO, track mode 4, Mode 1, audio pause 150) and MODE SELECT(10) 55h (PF=1, SP=0;
-- header, an optional 8-byte block descriptor of 2048-byte blocks, an optional page 05h
-- of length 32h with only changeable bits; else 26h/00h with the field, or 1Ah/00h for a
-- length that does not fit), stored until the emulator is gone; START STOP UNIT 1Bh
-- (LoEj=1: Start=0 ejects, Start=1 loads the model's medium, each with UNIT ATTENTION
-- 28h/00h; Start=1 with no medium: NOT READY 3Ah/00h), PREVENT ALLOW MEDIUM REMOVAL 1Eh,
-- SYNCHRONIZE CACHE 35h (NOT READY with no medium) and REZERO UNIT 01h: GOOD.
-- With no medium the disc commands answer NOT READY 3Ah/00h.
-- Anything else, or an opcode in model.unsupported: ILLEGAL REQUEST 20h/00h.
--
-- **Choices where MMC leaves room** (documented so specs can rely on them):
--
-- * GET PERFORMANCE Except=01b ("entire"): when the model lists exceptions for that
--   direction, the answer is the exception descriptors (6 bytes, header Except=1);
--   otherwise the nominal descriptors (16 bytes, header Except=0).
-- * GET PERFORMANCE with no medium: NOT READY 3Ah/00h, for type 00h and 03h alike.
-- * A pending UNIT ATTENTION (28h/00h after emu:load()/emu:eject(), 29h/00h at power on
--   with the power_on_unit_attention quirk) is reported once by the next command other
--   than INQUIRY, REQUEST SENSE and GET CONFIGURATION (which MMC exempts); REQUEST SENSE
--   returns it and clears it.
-- * REQUEST SENSE returns the pending unit attention, else the sense of the previous
--   command if it failed, else NO SENSE (all zero key/ASC/ASCQ).
-- * SET CD SPEED and SET STREAMING pick the largest supported speed <= the one asked
--   (the slowest when none is), from the write-speed descriptors of the medium (type 03h),
--   else page 2Ah's list; reads pick from model.read_speeds (optional list of kB/s) the
--   same way, or without it are clamped to the max read speed (0xFFFF = max).
--   The rotation becomes that of the chosen descriptor. Afterwards page 2Ah reports the
--   chosen speed (current write speed @20 and @28, current read @14, rotation @27), and
--   the nominal write (read) performance curve keeps its shape, scaled so its fastest
--   point equals the chosen write (read) speed. SET STREAMING with RDD restores the
--   model's speeds and curves. The Exact bit is accepted and not enforced.
-- * MODE SENSE page control: 0 current, 1 changeable (page 2Ah: zeros; page 05h: the
--   bits MODE SELECT may set), 2 default (the model's values), 3 saved -> ILLEGAL REQUEST
--   39h/00h. Page 3Fh (all pages) returns page 2Ah only, as before page 05h was added.
-- * READ DISC INFORMATION: URU set, Disc Type 00h, no OPC tables; Last Session Lead-in
--   Start / Last Possible Lead-out Start FFFFFFFFh on a complete disc; on a CD the next
--   session's lead-in as MSF (the ATIP's on a blank disc, default 97:24:00) and the
--   ATIP's lead-out (else the capacity as MSF); on DVD/BD the empty session's start and
--   the capacity, as LBAs.
-- * READ TRACK INFORMATION: track mode 4, data mode 1 (recorded) or Fh (blank, with the
--   Blank bit, NWA_V and the free blocks); media formatted for overwriting set Packet/Inc
--   and FP with fixed packet size 16 (DVD) or 32 (BD). An LBA outside every track: 21h/00h.
--
-- **Quirks** (model.quirks; the named misbehaviours of real drives; unknown keys raise an
-- error in new()):
--
-- * `header_length = "long"`: GET PERFORMANCE DataLength claims 2 descriptors more than
--   exist; `"short"`: DataLength counts one descriptor fewer than were sent; `"odd"`:
--   DataLength is 3 bytes more (not a multiple of the descriptor size), and 3 zero bytes
--   follow the descriptors; `"huge"`: DataLength = 0xFFFFFFFF
-- * `one_when_zero`: asked for 0 descriptors, GET PERFORMANCE announces and sends 1
-- * `no_get_performance`: GET PERFORMANCE is an invalid opcode (as unsupported[0xAC])
-- * `page_2a_cd_speeds`: page 2Ah lists CD speeds while a non-CD medium is loaded:
--   true = 8467 7056 5645 4234 2822 1411, or a list of kB/s
-- * `page_2a_zero`: every speed in page 2Ah (and its descriptors) is 0
-- * `page_2a_repeat_max`: every page 2Ah write-speed descriptor repeats the maximum
-- * `duplicate_descriptors`: the type 03h answer repeats its last descriptor once (Samsung)
-- * `end_lba_zero`: type 03h descriptors carry End LBA 0 (Lite-On)
-- * `list_changes_after_set`: after the first SET CD SPEED/SET STREAMING that is
--   accepted, the write-speed list doubles: every descriptor gets a twin at twice its
--   write speed, listed first (BenQ DQ60)
-- * `ignores_set_streaming`: SET STREAMING returns GOOD and changes nothing
-- * `streaming_end_lba_strict`: SET STREAMING End LBA > capacity - 1 -> ILLEGAL REQUEST
--   21h/00h LBA OUT OF RANGE (LG)
-- * `pad_to_allocation`: GET PERFORMANCE pads with 0xEE bytes up to the allocation
--   length (tgt)
-- * `ignore_max_descriptors`: GET PERFORMANCE returns all descriptors whatever bytes 8-9
--   say (tgt)
-- * `power_on_unit_attention`: UNIT ATTENTION 29h/00h pending when the emulator is created
-- * `block_descriptor`: MODE SENSE(10) sends an 8-byte block descriptor even with DBD
-- * `bad_field_not_ready`: INVALID FIELD IN CDB comes with sense key NOT READY (tgt)
-- * `tolerance_strict`: GET PERFORMANCE type 00h with a Tolerance other than 10b is INVALID
--   FIELD IN CDB (byte 1), as tgt answers; without it any Tolerance is answered as 10b, as
--   the drives of the captures answer dvd+rw-mediainfo's Tolerance 00b
-- * `dvd_structure_refused`: READ DVD STRUCTURE answers INVALID FIELD IN CDB (24h/00h,
--   byte 7) for every format (true) or for the formats listed (`{ 0x11 }`): drives that
--   keep their ADIP or pre-pit data to themselves
-- * `features_truncated`: GET CONFIGURATION stops after the Profile List and Core (true)
--   or after that many bytes (a number) while its header still counts the whole feature
--   list (drives and bridges that send only the start of a long answer)
-- * `requires_write`: SET CD SPEED and SET STREAMING fail unless the emulator was opened
--   read-write, as Linux refuses them on a handle opened without `write = true` (EPERM):
--   `cdperf.open("emulated:NAME", { write = true })` or
--   `emulator.new(model, { write = true })` opens it so. The command raises in the
--   emulator (the drive never sees it, it is not logged), so through `cdperf.open` the
--   failure is `nil`, "SET CD SPEED: device function failed: needs write access: ...",
--   `{ kind = "device" }` where a real Linux drive gives `kind = "os"`, `code = "EPERM"`
-- * the timing quirks of `cdperf.emulator_clock`: `caps_at = kBps` (never reads faster),
--   `minimum_speed = kBps` (a slower speed set is not applied), `obeys_after_next_read`
--
-- Every built-in model in lua/cdperf/models/ names the capture it was made from
-- (`model.source`).
-- @module cdperf.emulator
-- @usage local emulator = require "cdperf.emulator"
-- local model = emulator.deepcopy(emulator.models.lg_wh16ns40_bdr)
-- model.quirks = { requires_write = true, end_lba_zero = true }
-- local drive <close> = assert(cdperf.open(emulator.new(model, { write = true })))

local emulator = {}

local pack, unpack = string.pack, string.unpack

local MODEL_NAMES = {
  "lg_gsa4083n_dvdrw",
  "liteon_sohw1673s_dvdpr",
  "nec_nd3540a_dvdprw",
  "samsung_shs182m_dvdram",
  "optiarc_ad7590s_dvdpr_dl",
  "samsung_sh224db_dvdpr",
  "lg_gsa4163b_cdr",
  "ihas124f_cdr",
  "lg_wh16ns40_bdr",
  "lg_wh16ns40_bdr_written",
  "lg_wh16ns40_empty",
  "lg_gsa4120b_no_getperf",
}

-- Models load on first use: a report on one model (or on a real drive) pays for none
-- of the others.  pairs() sees only the loaded ones; model_names() lists them all.
local KNOWN_MODEL = {}
for _, name in ipairs(MODEL_NAMES) do KNOWN_MODEL[name] = true end
-- Recordings of real devices (cdperf.record) shipped as models: emulator.models[name] is
-- the recording's snapshot as a model; kept apart from MODEL_NAMES (the captures' models).
local RECORDED_MODEL_NAMES = {
  "tgt_dvdrom_scsi_generic", "tgt_dvdpr_blank_scsi_generic", "tgt_dvdrom_scsi_block", "tgt_dvdpr_blank_scsi_block",
  "qemu_scsi_cd", "qemu_ide_cd",
}
local RECORDED = {}
for _, name in ipairs(RECORDED_MODEL_NAMES) do RECORDED[name] = true end
local recorded_models = {}
--- The built-in models by name (`lg_wh16ns40_bdr`, `nec_nd3540a_dvdprw`, ...; the list:
-- `model_names()`), each loaded on first use: `pairs` sees only the loaded ones.
-- `cdperf.open("emulated:NAME")` opens one.
-- @table models
emulator.models = setmetatable({}, {
  __index = function(t, name)
    if RECORDED[name] then
      if not recorded_models[name] then
        local record = require "cdperf.record"
        local path = assert(package.searchpath("cdperf.models." .. name, package.path))
        recorded_models[name] = assert(record.load_model(path))
        recorded_models[name].name = name
      end
      return recorded_models[name]
    end
    if not KNOWN_MODEL[name] then return nil end
    local m = require("cdperf.models." .. name)
    rawset(t, name, m)
    return m
  end,
})

--- The built-in models made from recordings of real devices (cdperf.record), sorted.
function emulator.recorded_model_names()
  local names = {}
  for i, name in ipairs(RECORDED_MODEL_NAMES) do names[i] = name end
  table.sort(names)
  return names
end

--- A model file, a snapshot or a recording (a file of data: cdperf.record.load) as a
-- model, checked field by field; or nil, message, info.
function emulator.load(path)
  if type(path) ~= "string" then
    error(string.format("bad argument #1 to 'load' (file name expected, got %s)", type(path)), 2)
  end
  return require("cdperf.record").load_model(path)
end

--- Every built-in model's name, sorted (and the names of models added to `models`).
-- @treturn {string,...}
function emulator.model_names()
  local names = {}
  for i, name in ipairs(MODEL_NAMES) do names[i] = name end
  for name in pairs(emulator.models) do
    if not KNOWN_MODEL[name] then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

local KNOWN_QUIRKS = {
  header_length = true, one_when_zero = true, no_get_performance = true,
  page_2a_cd_speeds = true, page_2a_zero = true, page_2a_repeat_max = true,
  duplicate_descriptors = true, end_lba_zero = true, list_changes_after_set = true,
  ignores_set_streaming = true, streaming_end_lba_strict = true, pad_to_allocation = true,
  ignore_max_descriptors = true, power_on_unit_attention = true, block_descriptor = true,
  bad_field_not_ready = true, dvd_structure_refused = true, features_truncated = true,
  requires_write = true, tolerance_strict = true,
}
local emulator_clock = require "cdperf.emulator_clock"   -- time, READ(10)/(12), timing quirks
for k in pairs(emulator_clock.QUIRKS) do KNOWN_QUIRKS[k] = true end
--- The quirk names new() accepts (a set: name -> true; cdperf.model_check reads them).
emulator.QUIRKS = KNOWN_QUIRKS
local model_check = require "cdperf.model_check"
local HEADER_LENGTHS = { long = true, short = true, odd = true, huge = true }
local CD_SPEEDS = { 8467, 7056, 5645, 4234, 2822, 1411 }

local OP = {
  TEST_UNIT_READY = 0x00, REQUEST_SENSE = 0x03, INQUIRY = 0x12, GET_CONFIGURATION = 0x46,
  MODE_SENSE10 = 0x5A, GET_PERFORMANCE = 0xAC, SET_STREAMING = 0xB6, SET_CD_SPEED = 0xBB,
  READ_TOC = 0x43, READ_DVD_STRUCTURE = 0xAD,
  READ_DISC_INFORMATION = 0x51, READ_TRACK_INFORMATION = 0x52, READ_FORMAT_CAPACITIES = 0x23,
  START_STOP_UNIT = 0x1B, PREVENT_ALLOW = 0x1E, SYNCHRONIZE_CACHE = 0x35, REZERO_UNIT = 0x01,
  MODE_SELECT10 = 0x55,
}
-- the direction each known opcode moves data in
local DIRECTION = {
  [0x00] = "none", [0x03] = "in", [0x12] = "in", [0x46] = "in", [0x5A] = "in",
  [0xAC] = "in", [0xB6] = "out", [0xBB] = "none", [0x43] = "in", [0xAD] = "in",
  [0x51] = "in", [0x52] = "in", [0x23] = "in", [0x1B] = "none", [0x1E] = "none", [0x35] = "none",
  [0x01] = "none", [0x55] = "out",
}

-- Sense keys
local NO_SENSE, NOT_READY, ILLEGAL_REQUEST, UNIT_ATTENTION = 0, 2, 5, 6

local deepcopy = require "cdperf.deepcopy"
local disc = require "cdperf.disc"
local snapshot = require "cdperf.snapshot"
--- A copy of v with every table in it copied too (specs and benchmarks copy models with it).
emulator.deepcopy = deepcopy

-- Fixed-format sense data, 18 bytes. field: byte index of a bad CDB field (sets SKSV,
-- C/D=1) or, negative, -1 - byte index of a bad parameter-list field (SKSV, C/D=0).
local function sense_bytes(key, asc, ascq, field)
  local sks = 0
  if field then
    if field >= 0 then sks = 0xC00000 | field else sks = 0x800000 | (-1 - field) end
  end
  return pack(">BBBI4BI4BBBI3", 0x70, 0, key, 0, 10, 0, asc, ascq, 0, sks)
end
--- Fixed-format sense data, 18 bytes, as the emulator answers (for test doubles).
-- @tparam integer key sense key
-- @tparam integer asc
-- @tparam integer ascq
-- @tparam[opt] integer field byte index of a bad CDB field (sets SKSV, C/D=1) or, negative,
-- -1 - byte index of a bad parameter-list field (SKSV, C/D=0)
-- @treturn string 18 bytes
-- @usage local device = function(cdb) return nil, emulator.sense_bytes(2, 0x3A, 0) end  -- no medium
-- @function sense_bytes
emulator.sense_bytes = sense_bytes

local function be16(v) return pack(">I2", v & 0xFFFF) end
local function be32(v) return pack(">I4", v & 0xFFFFFFFF) end

local function pad(s, n)
  s = tostring(s or "")
  if #s > n then return s:sub(1, n) end
  return s .. string.rep(" ", n - #s)
end

local function is_cd(profile) return profile >= 0x08 and profile <= 0x0A end

local function copy_medium(model)
  return {
    write_speeds = deepcopy(model.write_speeds or {}),
    performance = { read = deepcopy((model.performance or {}).read or {}),
                    write = deepcopy((model.performance or {}).write or {}) },
  }
end

local Emu = {}
Emu.__index = Emu
Emu.__name = "cdperf.emulator"

function Emu.__call(self, cdb, direction, arg)
  return self:command(cdb, direction, arg)
end

function Emu.__tostring(self)
  return string.format("cdperf.emulator (%s)", self.name or "custom model")
end

local function reset_speeds(st, model)
  local caps = model.capabilities or {}
  st.current_read_speed = caps.current_read_speed or caps.max_read_speed or 0
  st.current_write_speed = caps.current_write_speed_selected or caps.current_write_speed or 0
  st.current_write_speed_old = caps.current_write_speed or st.current_write_speed
  st.rotation = caps.rotation_control or 0
  local m = copy_medium(model)
  st.performance = m.performance
end

-- A snapshot's failed parts, as the CDB that asked for each: opcode, and for GET
-- PERFORMANCE the Type (byte 10) and, for type 00h, Write and Except (byte 1).
local PART_CDB = {
  inquiry = { 0x12 }, profile = { 0x46 }, capabilities = { 0x5A },
  write_speeds = { 0xAC, 3 },
  write_performance = { 0xAC, 0, "write", 0 }, read_performance = { 0xAC, 0, "read", 0 },
  write_exceptions = { 0xAC, 0, "write", 2 }, read_exceptions = { 0xAC, 0, "read", 2 },
  features = { 0x46 }, media_id = { 0xAD }, atip = { 0x43 },
}

local function part_of(cdb)
  local op = cdb:byte(1)
  -- GET CONFIGURATION: RT 00b (every feature) is the features part, else the profile
  if op == 0x46 then return (cdb:byte(2) & 3) == 0 and "features" or "profile" end
  -- READ TOC/PMA/ATIP: only format 0100b (ATIP) is the atip part
  if op == 0x43 and cdb:byte(3) & 0x0F ~= 4 then return nil end
  if op ~= 0xAC then
    for name, p in pairs(PART_CDB) do if p[1] == op then return name end end
    return nil
  end
  local typ, b1 = cdb:byte(11), cdb:byte(2)
  if typ == 3 then return "write_speeds" end
  if typ ~= 0 then return nil end
  local dir = (b1 & 0x04) ~= 0 and "write" or "read"
  local except = b1 & 3
  if except == 0 then return dir .. "_performance" end
  if except == 2 then return dir .. "_exceptions" end
  return nil
end

-- A snapshot (cdperf.snapshot) read as a model: its profile table becomes the code, the
-- capacity comes from the End LBAs, failed parts answer with the sense they had, and
-- GET PERFORMANCE answers with the bytes the drive sent.
local function snapshot_model(model)
  if type(model.profile) == "table" then model.profile = model.profile.code end
  if model.capacity == nil then
    -- not snapshot.capacity's judgement: every list, and any integer End LBA below 7FFFFFFFh
    -- (End LBA 0 alone: 1 sector), plausible for the medium or not
    local perf = model.performance or {}
    model.capacity = snapshot.top_end_lba(function(d)
      return math.type(d.end_lba) == "integer" and d.end_lba < 0x7FFFFFFF
    end, -1, model.write_speeds, perf.write, perf.read) + 1
  end
  local failures = {}
  for part, e in pairs(model.errors or {}) do
    local info = type(e) == "table" and e.info or nil
    if PART_CDB[part] then
      if type(info) == "table" and info.kind == "scsi" and math.type(info.sense_key) == "integer" then
        failures[part] = { info.sense_key, info.asc or 0, info.ascq or 0 }
      else
        -- not a drive's answer (an OS or decode failure): the nearest a drive can say
        failures[part] = { 4, 0x44, 0x00 }
      end
    end
  end
  model.failures = failures
  local raw = {}
  for part, h in pairs(model.raw or {}) do raw[part] = disc.unhex(h) end
  model.raw_answers = raw
  model.errors, model.raw, model.notes, model.commands, model.format, model.version, model.device =
    nil, nil, nil, nil, nil, nil, nil
  return model
end

--- Create an emulated drive from a model or a snapshot. The model is copied; it is never changed.
-- @tparam table model a model (see the module) or a snapshot
-- @tparam[opt] table opts `write = true`: the emulator counts as opened read-write (for
-- the `requires_write` quirk; `cdperf.open("emulated:NAME", { write = true })` passes
-- its option along); no other option
-- @treturn Emu the emulator
-- @raise on a bad model field, an unknown quirk or a bad option
function emulator.new(model, opts)
  if type(model) ~= "table" then
    error(string.format("bad argument #1 to 'new' (model table expected, got %s)", type(model)), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("bad argument #2 to 'new' (options table expected, got %s)", type(opts)), 2)
  end
  for k, v in pairs(opts or {}) do
    if k ~= "write" then
      error(string.format("bad argument #2 to 'new' (unknown option '%s'; known: write)", tostring(k)), 2)
    end
    if type(v) ~= "boolean" then
      error(string.format("bad field 'write' (expected a boolean, got %s)", type(v)), 2)
    end
  end
  for k in pairs(type(model.quirks) == "table" and model.quirks or {}) do
    if not KNOWN_QUIRKS[k] then error(string.format("unknown quirk '%s' in model", tostring(k)), 2) end
  end
  -- every field checked before anything reads it (cdperf.model_check)
  local checked, why = model_check.model(model, type(model.name) == "string" and ("model " .. model.name) or "model")
  if not checked then error(why, 2) end
  model = snapshot_model(deepcopy(model))
  model.quirks = model.quirks or {}
  model.unsupported = model.unsupported or {}
  model.capabilities = model.capabilities or {}
  model.exceptions = model.exceptions or {}
  model.inquiry = model.inquiry or {}
  for k in pairs(model.quirks) do
    if not KNOWN_QUIRKS[k] then error(string.format("unknown quirk '%s' in model", tostring(k)), 2) end
  end
  emulator_clock.check(model, 2)
  local rw = model.quirks.requires_write
  if rw ~= nil and type(rw) ~= "boolean" then
    error(string.format("bad quirk 'requires_write' (expected a boolean, got %s)", type(rw)), 2)
  end
  local hl = model.quirks.header_length
  if hl ~= nil and not HEADER_LENGTHS[hl] then
    error(string.format("bad quirk 'header_length' (expected long|short|odd|huge, got %s)",
      tostring(hl)), 2)
  end
  local dm = model.disc
  if type(dm) == "table" then
    -- how the disc's fields fit together (each alone was checked by cdperf.model_check)
    local function bad(what) error(string.format("bad field 'disc' (%s)", what), 3) end
    local status = dm.status
    local s = dm.sessions or (status == "appendable" and 2 or 1)
    local t = dm.tracks or s
    if not status and (dm.sessions or dm.tracks or dm.used) then
      bad("sessions, tracks and used need a status")
    end
    if status == "blank" and (s ~= 1 or t ~= 1 or (dm.used or 0) ~= 0) then
      bad("a blank disc has 1 session, 1 track and nothing used")
    end
    if status == "appendable" and s < 2 then bad("an appendable disc has 2 sessions or more") end
    if t < s then bad("fewer tracks than sessions") end
    if dm.used and dm.used > (model.capacity or 0) then bad("used is more than the capacity") end
  end
  local st = {
    profile = model.profile or 0,
    capacity = model.capacity or 0,
    write_speeds = deepcopy(model.write_speeds or {}),
    list_changed = false,
    commands = 0,
  }
  reset_speeds(st, model)
  if model.quirks.power_on_unit_attention then st.unit_attention = { 0x29, 0x00 } end
  local self = setmetatable({ model = model, name = model.name, st = st, _log = {},
    write = opts ~= nil and opts.write == true }, Emu)
  return self
end

--- Convenience: an emulator for a built-in model, or nil, message.
-- @tparam string name
-- @tparam[opt] table opts as `new`
-- @treturn Emu
-- @return[2] nil, message
function emulator.open_model(name, opts)
  local m = emulator.models[name]
  if not m then
    return nil, string.format("unknown model '%s' (known: %s)", tostring(name),
      table.concat(emulator.model_names(), ", "))
  end
  return emulator.new(m, opts)
end

--- An emulator: a device (`emu(cdb, direction, arg)`) with state. `emu.model` is its own
-- copy of the model, `emu.name` the model's name (or nil), `emu.write` whether it counts
-- as opened read-write; `tostring(emu)` is `"cdperf.emulator (NAME)"`.
-- @type Emu

--- The CDBs it has answered, oldest first (a copy).
-- @treturn {string,...}
function Emu:log()
  local t = {}
  for i, v in ipairs(self._log) do t[i] = v end
  return t
end

--- Forget the logged CDBs.
function Emu:clear_log() self._log = {} end

--- A copy of the state: `{ profile, capacity, current_read_speed, current_write_speed,
-- rotation, write_speeds, performance, list_changed, unit_attention = {asc, ascq} or nil,
-- last_set_cd_speed = {read, write, rotation} or nil, last_streaming = {...decoded
-- descriptor...} or nil, last_sense = the 18 sense bytes REQUEST SENSE would return, or
-- nil, commands = n }`.
-- @treturn table
function Emu:state()
  local st = deepcopy(self.st)
  st.current_write_speed_old = nil
  return st
end

--- Insert a medium (default: the model's), reset the speeds to the model's, queue UNIT
-- ATTENTION 28h/00h.
-- @tparam[opt] integer profile
-- @tparam[opt] integer capacity sectors
function Emu:load(profile, capacity)
  local st, model = self.st, self.model
  if profile ~= nil and math.type(profile) ~= "integer" then
    error("bad argument #1 to 'load' (integer profile expected)", 2)
  end
  if capacity ~= nil and math.type(capacity) ~= "integer" then
    error("bad argument #2 to 'load' (integer capacity expected)", 2)
  end
  st.profile = profile or model.profile or 0
  st.capacity = capacity or model.capacity or 0
  st.write_speeds = deepcopy(model.write_speeds or {})
  st.list_changed = false
  st.speeds_set = nil
  reset_speeds(st, model)
  st.unit_attention = { 0x28, 0x00 }
end

--- Remove the medium (profile 0), queue UNIT ATTENTION 28h/00h.
function Emu:eject()
  self.st.profile = 0
  self.st.unit_attention = { 0x28, 0x00 }
end

-- --------------------------------------------------------------------------------------
-- Command handlers: each returns data (string) or nil, key, asc, ascq [, field]

local function invalid_field(byte) return nil, ILLEGAL_REQUEST, 0x24, 0x00, byte end

local function cut(data, n)
  if #data > n then return data:sub(1, n) end
  return data
end

local handlers = {}

handlers[OP.TEST_UNIT_READY] = function(self)
  if self.st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
  return ""
end

handlers[OP.REQUEST_SENSE] = function(self, cdb, alloc)
  local st = self.st
  local alloc_cdb = cdb:byte(5)
  local s
  if st.unit_attention then
    s = sense_bytes(UNIT_ATTENTION, st.unit_attention[1], st.unit_attention[2])
    st.unit_attention = nil
  elseif st.last_sense then
    s = st.last_sense
    st.last_sense = nil
  else
    s = sense_bytes(NO_SENSE, 0, 0)
  end
  return cut(s, math.min(alloc, alloc_cdb))
end

handlers[OP.INQUIRY] = function(self, cdb, alloc)
  local evpd, page = cdb:byte(2) & 1, cdb:byte(3)
  if evpd ~= 0 then return invalid_field(1) end
  if page ~= 0 then return invalid_field(2) end
  local q = self.model.inquiry
  local data = string.char((q.peripheral_type or 5) & 0x1F, 0x80, 0x05, 0x02, 31, 0, 0, 0)
    .. pad(q.vendor, 8) .. pad(q.product, 16) .. pad(q.revision, 4)
  local n = unpack(">I2", cdb, 4)
  return cut(data, math.min(alloc, n))
end

-- The drive's features: a model's own whole list (model.features with `profiles`, as a
-- snapshot keeps it), else those disc.derive_features makes of model.supported_profiles,
-- patched by model.features; a model that names neither has only Profile List and Core.
local function features_of(self)
  local st, model = self.st, self.model
  local mf = type(model.features) == "table" and model.features or nil
  local profiles = model.supported_profiles or (model.profile and model.profile ~= 0 and { model.profile }) or {}
  if mf and type(mf.profiles) == "table" then
    local t = deepcopy(mf)
    t.current_profile = st.profile
    return t
  end
  if model.supported_profiles or mf then
    return disc.patch_features(disc.derive_features(profiles, st.profile, {
      no_get_performance = model.unsupported[OP.GET_PERFORMANCE] or model.quirks.no_get_performance,
      page_2a_speeds = #(model.capabilities.write_speeds or {}) > 0 }), mf)
  end
  local list, seen = {}, {}
  for _, p in ipairs(profiles) do
    if not seen[p] then seen[p] = true; list[#list + 1] = p end
  end
  if st.profile ~= 0 and not seen[st.profile] then list[#list + 1] = st.profile end
  table.sort(list, function(a, b) return a > b end)
  -- Profile List (0000h) and Core (0001h, version 2, ATAPI, INQ2): persistent, current
  return { current_profile = st.profile, profiles = list, current_profiles = { st.profile },
    [0x0000] = { current = true, persistent = true },
    [0x0001] = { current = true, persistent = true, version = 2, interface = 2, inq2 = true } }
end

handlers[OP.GET_CONFIGURATION] = function(self, cdb, alloc)
  local rt = cdb:byte(2) & 0x03
  local start = unpack(">I2", cdb, 3)
  if rt == 3 then return invalid_field(1) end
  local data = disc.encode_features(features_of(self), rt, start)
  local cut_at = self.model.quirks.features_truncated
  if cut_at == true then
    -- the header and the first two descriptors (Profile List, Core)
    cut_at = 8
    for _ = 1, 2 do
      if #data >= cut_at + 4 then cut_at = cut_at + 4 + data:byte(cut_at + 4) end
    end
  end
  if math.type(cut_at) == "integer" and cut_at >= 0 then data = data:sub(1, cut_at) end
  return cut(data, math.min(alloc, (unpack(">I2", cdb, 8))))
end

-- The media ID structure asked for is refused by the dvd_structure_refused quirk.
local function structure_refused(q, format)
  local r = q.dvd_structure_refused
  if r == true then return true end
  if type(r) ~= "table" then return false end
  for _, f in ipairs(r) do if f == format then return true end end
  return false
end

handlers[OP.READ_DVD_STRUCTURE] = function(self, cdb, alloc)
  local st, model = self.st, self.model
  local media_type, format = cdb:byte(2) & 0x0F, cdb:byte(8)
  local n = unpack(">I2", cdb, 9)
  if structure_refused(model.quirks, format) then return invalid_field(7) end
  if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
  local class = st.profile <= 0xFFFF and require("cdperf.media").class(st.profile)
  if (media_type == 0 and class ~= "dvd") or (media_type == 1 and class ~= "bd") or media_type > 1 then
    return nil, ILLEGAL_REQUEST, 0x30, 0x02           -- CANNOT READ MEDIUM - INCOMPATIBLE FORMAT
  end
  local s = disc.MEDIA_ID_STRUCTURE[st.profile]
  local data
  if s and format == s[2] then
    local m = deepcopy(type(model.media_id) == "table" and model.media_id or {})
    m.source = s[6]
    data = disc.encode_media_id(m)
  elseif format == 0xFF then
    -- the structure list: format, readable (40h), the structure's length
    local list = ""
    if s and not structure_refused(model.quirks, s[2]) then
      list = string.char(s[2], 0x40) .. be16(#disc.encode_media_id({ source = s[6] }) - 2)
    end
    data = be16(#list + 2) .. "\0\0" .. list
  else
    return invalid_field(7)
  end
  return cut(data, math.min(alloc, n))
end

handlers[OP.READ_TOC] = function(self, cdb, alloc)
  local st = self.st
  if cdb:byte(3) & 0x0F == 0 then return handlers.read_toc(self, cdb, alloc) end
  if cdb:byte(3) & 0x0F ~= 4 then return invalid_field(2) end      -- TOC and ATIP only
  if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
  local a = self.model.atip
  -- no ATIP (not a CD, or a model that has none): INVALID FIELD IN CDB, no field pointer
  if not is_cd(st.profile) or type(a) ~= "table" then return nil, ILLEGAL_REQUEST, 0x24, 0x00 end
  return cut(disc.encode_atip(a), math.min(alloc, (unpack(">I2", cdb, 8))))
end

-- Page 2Ah as bytes; pc = page control (0 current, 1 changeable, 2 default)
local function page_2a(self, pc)
  local st, model, q = self.st, self.model, self.model.quirks
  local caps = model.capabilities
  local speeds = {}
  for i, e in ipairs(caps.write_speeds or {}) do
    speeds[i] = { speed = e.speed or 0, rotation_control = e.rotation_control or 0 }
  end
  if q.page_2a_cd_speeds and st.profile ~= 0 and not is_cd(st.profile) then
    local list = type(q.page_2a_cd_speeds) == "table" and q.page_2a_cd_speeds or CD_SPEEDS
    speeds = {}
    for i, s in ipairs(list) do speeds[i] = { speed = s, rotation_control = 0 } end
  end
  local max_read = caps.max_read_speed or 0
  local max_write = caps.max_write_speed or (speeds[1] and speeds[1].speed) or 0
  if q.page_2a_cd_speeds and st.profile ~= 0 and not is_cd(st.profile) then
    max_write = speeds[1] and speeds[1].speed or 0
  end
  local cur_read, cur_write, cur_old, rot = st.current_read_speed, st.current_write_speed,
    st.current_write_speed_old, st.rotation
  if pc == 2 then
    cur_read = caps.current_read_speed or max_read
    cur_write = caps.current_write_speed_selected or caps.current_write_speed or 0
    cur_old = caps.current_write_speed or cur_write
    rot = caps.rotation_control or 0
  end
  if q.page_2a_repeat_max then
    for _, e in ipairs(speeds) do e.speed = max_write end
  end
  if q.page_2a_zero then
    max_read, max_write, cur_read, cur_write, cur_old = 0, 0, 0, 0, 0
    for _, e in ipairs(speeds) do e.speed = 0 end
  end
  local n = #speeds
  local len = 32 + 4 * n
  if pc == 1 then
    return string.char(0x2A, len - 2) .. string.rep("\0", len - 2)
  end
  local desc = {}
  for i, e in ipairs(speeds) do
    desc[i] = string.char(0, e.rotation_control & 3) .. be16(e.speed)
  end
  return string.char(0x2A, len - 2, 0x3F, 0x37, 0x71, 0x7F, 0x29, 0x03)
    .. be16(max_read) .. be16(0x0100) .. be16(caps.buffer_size_kb or 0) .. be16(cur_read)
    .. string.char(0, 0) .. be16(max_write) .. be16(cur_old) .. be16(1)
    .. string.char(0, 0, 0, rot & 3) .. be16(cur_write) .. be16(n) .. table.concat(desc)
end

handlers[OP.MODE_SENSE10] = function(self, cdb, alloc)
  local dbd = cdb:byte(2) & 0x08
  local pc, page, subpage = cdb:byte(3) >> 6, cdb:byte(3) & 0x3F, cdb:byte(4)
  if page ~= 0x2A and page ~= 0x3F and page ~= 0x05 then return invalid_field(2) end
  if pc == 3 then return nil, ILLEGAL_REQUEST, 0x39, 0x00 end
  if subpage ~= 0 and not (page == 0x3F and subpage == 0xFF) then return invalid_field(3) end
  local bd = ""
  if dbd == 0 or self.model.quirks.block_descriptor then
    -- density code 0, number of blocks, block length 2048
    bd = pack(">BI3BI3", 0, math.min(self.st.capacity, 0xFFFFFF), 0, 2048)
  end
  local body = page == 0x05 and handlers.page_05(self, pc) or page_2a(self, pc)
  local total = 8 + #bd + #body
  local data = be16(total - 2) .. string.char(0, 0, 0, 0) .. be16(#bd) .. bd .. body
  return cut(data, math.min(alloc, (unpack(">I2", cdb, 8))))
end

local function encode_nominal(d)
  return pack(">I4I4I4I4", d.start_lba or 0, d.start_performance or 0, d.end_lba or 0,
    d.end_performance or 0)
end

local function encode_exception(d)
  return pack(">I4I2", d.lba or 0, d.time or 0)
end

local function encode_write_speed(d, end_lba_zero)
  local b0 = (d.mixed_read_write and 0x01 or 0) | (d.exact and 0x02 or 0)
    | (d.restore_drive_defaults and 0x04 or 0) | (((d.write_rotation_control or 0) & 3) << 3)
  return pack(">BBBBI4I4I4", b0, 0, 0, 0, end_lba_zero and 0 or (d.end_lba or 0),
    d.read_speed or 0, d.write_speed or 0)
end

local function is_unsupported(self, op)
  return self.model.unsupported[op] or (op == OP.GET_PERFORMANCE and self.model.quirks.no_get_performance)
end

handlers[OP.GET_PERFORMANCE] = function(self, cdb, alloc)
  local st, model, q = self.st, self.model, self.model.quirks
  local b1 = cdb:byte(2)
  local start_lba = unpack(">I4", cdb, 3)
  local max = unpack(">I2", cdb, 9)
  local typ = cdb:byte(11)
  local items, size, encode, flags = {}, 16, encode_nominal, 0
  if typ == 0x00 then
    -- Tolerance (bits 4-3): MMC defines 10b only; real drives answer the others too
    -- (dvd+rw-mediainfo asks with 00b and the captures show their answers), tgt refuses them
    if (b1 >> 3) & 3 ~= 2 and q.tolerance_strict then return invalid_field(1) end
    local except = b1 & 3
    if except == 3 then return invalid_field(1) end
    if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
    local dir = (b1 & 0x04) ~= 0 and "write" or "read"
    flags = (b1 & 0x04) ~= 0 and 0x02 or 0
    local exc = model.exceptions[dir] or {}
    if except == 2 or (except == 1 and #exc > 0) then
      flags = flags | 0x01
      size, encode = 6, encode_exception
      for _, e in ipairs(exc) do
        if (e.lba or 0) >= start_lba then items[#items + 1] = e end
      end
    else
      for _, d in ipairs(st.performance[dir]) do
        if (d.end_lba or 0) >= start_lba then items[#items + 1] = d end
      end
    end
  elseif typ == 0x03 then
    if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
    for _, d in ipairs(st.write_speeds) do items[#items + 1] = d end
    if q.duplicate_descriptors and #items > 0 then items[#items + 1] = items[#items] end
    local elz = q.end_lba_zero
    encode = function(d) return encode_write_speed(d, elz) end
  else
    return invalid_field(10)
  end
  local n_all = #items
  local n_send = math.min(n_all, max)
  if q.ignore_max_descriptors then n_send = n_all end
  local zero_desc = false
  if max == 0 and q.one_when_zero then
    n_send, n_all = 1, 1
    zero_desc = #items == 0
  end
  local body = {}
  for i = 1, n_send do
    body[i] = zero_desc and string.rep("\0", size) or encode(items[i])
  end
  body = table.concat(body)
  local dl = 4 + size * n_all
  local hl = q.header_length
  if hl == "long" then
    dl = 4 + size * (n_all + 2)
  elseif hl == "short" then
    dl = 4 + size * math.max(n_send - 1, 0)
  elseif hl == "odd" then
    dl = dl + 3
    body = body .. "\0\0\0"
  elseif hl == "huge" then
    dl = 0xFFFFFFFF
  end
  local data = be32(dl) .. string.char(flags, 0, 0, 0) .. body
  if q.pad_to_allocation and #data < alloc then
    data = data .. string.rep("\xEE", alloc - #data)
  end
  return cut(data, alloc)
end

-- supported speeds for setting: list of { speed =, rotation = }
local function write_choices(self)
  local st, caps = self.st, self.model.capabilities
  local list = {}
  if st.profile ~= 0 then
    for _, d in ipairs(st.write_speeds) do
      list[#list + 1] = { speed = d.write_speed or 0, rotation = d.write_rotation_control or 0 }
    end
  end
  if #list == 0 then
    for _, e in ipairs(caps.write_speeds or {}) do
      list[#list + 1] = { speed = e.speed or 0, rotation = e.rotation_control or 0 }
    end
  end
  if #list == 0 and caps.max_write_speed then
    list[1] = { speed = caps.max_write_speed, rotation = caps.rotation_control or 0 }
  end
  return list
end


-- the largest choice <= asked (preferring rotation rot on ties), else the slowest
local function choose(list, asked, rot)
  local best, slowest
  for _, e in ipairs(list) do
    if e.speed <= asked then
      if not best or e.speed > best.speed or (e.speed == best.speed and e.rotation == rot) then
        best = e
      end
    end
    if not slowest or e.speed < slowest.speed then slowest = e end
  end
  return best or slowest
end

-- read speeds: the model's read_speeds list if any, else anything up to the max read speed
local function read_choice(self, asked)
  local m = self.model
  if m.read_speeds and #m.read_speeds > 0 then
    local list = {}
    for i, s in ipairs(m.read_speeds) do list[i] = { speed = s, rotation = 0 } end
    return choose(list, asked)
  end
  local max = m.capabilities.max_read_speed
  if not max or max == 0 then return nil end
  return { speed = math.min(asked, max), rotation = 0 }
end

local function scale_curve(orig, speed)
  local top = 0
  for _, d in ipairs(orig) do
    top = math.max(top, d.start_performance or 0, d.end_performance or 0)
  end
  local out = {}
  for i, d in ipairs(orig) do
    local c = deepcopy(d)
    if top > 0 then
      c.start_performance = ((d.start_performance or 0) * speed + top // 2) // top
      c.end_performance = ((d.end_performance or 0) * speed + top // 2) // top
    end
    out[i] = c
  end
  return out
end

local function list_change(self)
  local st = self.st
  if not self.model.quirks.list_changes_after_set or st.list_changed then return end
  st.list_changed = true
  local new = {}
  for _, d in ipairs(st.write_speeds) do
    local twin = deepcopy(d)
    twin.write_speed = (d.write_speed or 0) * 2
    new[#new + 1] = twin
  end
  for _, d in ipairs(st.write_speeds) do new[#new + 1] = d end
  st.write_speeds = new
end

-- apply a write and/or read speed (nil = leave as is)
local function apply_speeds(self, write, read, rot)
  local st, model = self.st, self.model
  st.speeds_set = true     -- the recorded answers (a snapshot's raw bytes) no longer hold
  local orig = model.performance or {}
  if write then
    local c = choose(write_choices(self), write, rot)
    if c then
      st.current_write_speed, st.current_write_speed_old, st.rotation = c.speed, c.speed, c.rotation
      st.performance.write = scale_curve(orig.write or {}, c.speed)
    end
  end
  if read then
    local c = read_choice(self, read)
    if c then
      st.current_read_speed = c.speed
      st.performance.read = scale_curve(orig.read or {}, c.speed)
    end
  end
  list_change(self)
end

handlers[OP.SET_CD_SPEED] = function(self, cdb)
  local rot = cdb:byte(2) & 3
  local read, write = unpack(">I2I2", cdb, 3)
  local caps = self.model.capabilities
  if read == 0xFFFF then read = caps.max_read_speed or 0xFFFF end
  if write == 0xFFFF then write = math.huge end
  apply_speeds(self, write, read, rot)
  self.st.last_set_cd_speed = { read = read, write = write == math.huge and 0xFFFF or write, rotation = rot }
  return ""
end

handlers[OP.SET_STREAMING] = function(self, cdb, param)
  local st, q = self.st, self.model.quirks
  local typ = cdb:byte(9)
  local len = unpack(">I2", cdb, 10)
  if typ ~= 0 then return invalid_field(8) end
  if len ~= 28 then return invalid_field(9) end
  if #param ~= len then
    error(string.format("SET STREAMING: %d parameter bytes sent, the CDB announces %d", #param, len), 0)
  end
  if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
  local b0, start_lba, end_lba, rsize, rtime, wsize, wtime = unpack(">Bxxx I4I4I4I4I4I4", param)
  local d = {
    random_access = b0 & 1 ~= 0, exact = b0 & 2 ~= 0, restore_defaults = b0 & 4 ~= 0,
    rotation = (b0 >> 3) & 3, start_lba = start_lba, end_lba = end_lba,
    read_size = rsize, read_time = rtime, write_size = wsize, write_time = wtime,
  }
  if q.ignores_set_streaming then st.last_streaming = d; return "" end
  if q.streaming_end_lba_strict and end_lba > st.capacity - 1 then
    return nil, ILLEGAL_REQUEST, 0x21, 0x00
  end
  if d.restore_defaults then
    reset_speeds(st, self.model)
    st.last_streaming = d
    return ""
  end
  if start_lba > end_lba then return nil, ILLEGAL_REQUEST, 0x26, 0x00, -1 - 4 end
  if (rsize ~= 0 and rtime == 0) then return nil, ILLEGAL_REQUEST, 0x26, 0x00, -1 - 16 end
  if (wsize ~= 0 and wtime == 0) then return nil, ILLEGAL_REQUEST, 0x26, 0x00, -1 - 24 end
  local write = wtime ~= 0 and wsize * 1000 // wtime or nil
  local read = rtime ~= 0 and rsize * 1000 // rtime or nil
  apply_speeds(self, write, read, d.rotation)
  st.last_streaming = d
  return ""
end


-- --------------------------------------------------------------------------------------
-- The disc: status, sessions, tracks (model.disc, else derived from the profile)

-- read-only media, and media formatted for overwriting in place: complete by default
local ROM_PROFILE = { [0x08] = true, [0x10] = true, [0x40] = true }
local OVERWRITE_PROFILE = { [0x12] = true, [0x13] = true, [0x1A] = true, [0x2A] = true, [0x43] = true }
local ERASABLE_PROFILE = { [0x0A] = true, [0x12] = true, [0x13] = true, [0x14] = true, [0x17] = true,
  [0x1A] = true, [0x2A] = true, [0x43] = true }

-- The disc's defaults for a profile: a model's own `disc` fields win (when its medium is
-- loaded), the rest derived. Returns nil with no medium.
local function disc_layout(self)
  local st, model = self.st, self.model
  local p = st.profile
  if p == 0 then return nil end
  local d = (p == model.profile and type(model.disc) == "table") and model.disc or {}
  local cap = st.capacity
  local status = d.status or ((ROM_PROFILE[p] or OVERWRITE_PROFILE[p]) and "complete" or "blank")
  local used = d.used
  -- a timed model reads its whole capacity (cdperf.emulator_clock): its disc is complete
  if model.timing then status, used = "complete", cap end
  local sessions = d.sessions or (status == "appendable" and 2 or 1)
  local tracks = math.max(d.tracks or sessions, sessions)
  used = used or (status == "complete" and cap) or (status == "blank" and 0) or ((cap // 2) & ~15)
  used = math.min(used, cap)
  local erasable = d.erasable
  if erasable == nil then erasable = ERASABLE_PROFILE[p] == true end
  -- recorded tracks, contiguous from LBA 0 (no lead-in/lead-out gaps between sessions);
  -- the first session holds the tracks the others (one each) do not
  local closed = status == "complete" and sessions or sessions - 1
  local recorded = status == "complete" and tracks or (status == "appendable" and tracks - 1 or 0)
  local list, start = {}, 0
  for i = 1, recorded do
    local size = used // recorded
    if i == recorded then size = used - start end
    list[i] = { number = i, session = math.max(1, i - (recorded - closed)), start = start, size = size,
      recorded = true }
    start = start + size
  end
  if status ~= "complete" then
    -- the empty (invisible) track of the empty last session: where the next write goes
    list[#list + 1] = { number = tracks, session = sessions, start = used, size = cap - used }
  end
  return { status = status, sessions = sessions, tracks = tracks, used = used, capacity = cap,
    erasable = erasable, list = list, recorded = recorded, cd = is_cd(p),
    overwrite = OVERWRITE_PROFILE[p] == true, bd = p >= 0x40 and p <= 0x43, plus_r = p == 0x1B or p == 0x2B }
end

local function not_ready() return nil, NOT_READY, 0x3A, 0x00 end

-- LBA as MSF bytes (0, M, S, F), the 150-frame pre-gap counted (MMC-6 Table "LBA to MSF")
local function msf4(lba)
  local f = lba + 150
  return string.char(0, (f // 4500) & 0xFF, (f // 75) % 60, f % 75)
end

-- READ DISC INFORMATION 51h (MMC-6 6.21), data type 000b: standard disc information,
-- 34 bytes, no OPC tables
handlers[OP.READ_DISC_INFORMATION] = function(self, cdb, alloc)
  local n = unpack(">I2", cdb, 8)
  if cdb:byte(2) & 0x07 ~= 0 then return invalid_field(1) end
  local d = disc_layout(self)
  if not d then return not_ready() end
  -- state of last session (bits 3-2): 00b empty, 11b complete; disc status (1-0):
  -- 00b empty, 01b incomplete (appendable), 10b complete
  local lss, ds = 0, 0
  if d.status == "appendable" then ds = 1 elseif d.status == "complete" then lss, ds = 3, 2 end
  local first_last = d.tracks
  for _, t in ipairs(d.list) do
    if t.session == d.sessions then first_last = t.number; break end
  end
  local lead_in, lead_out
  if d.status == "complete" then
    lead_in, lead_out = "\xFF\xFF\xFF\xFF", "\xFF\xFF\xFF\xFF"        -- no more sessions
  elseif d.cd then
    -- MSF: the next session's lead-in (the ATIP's on a blank disc), the ATIP's lead-out
    local a = type(self.model.atip) == "table" and self.model.atip or {}
    local function msf_of(t, dflt)
      t = type(t) == "table" and t or dflt
      return string.char(0, (t.minute or 0) & 0xFF, (t.second or 0) & 0xFF, (t.frame or 0) & 0xFF)
    end
    lead_in = d.used == 0 and msf_of(a.lead_in, { minute = 97, second = 24, frame = 0 }) or msf4(d.used)
    lead_out = type(a.lead_out) == "table" and msf_of(a.lead_out) or msf4(d.capacity)
  else
    -- DVD/BD: the empty session's start and the end of the recordable area, as LBAs
    lead_in, lead_out = be32(d.used), be32(d.capacity)
  end
  local data = be16(32)
    .. string.char((d.erasable and 0x10 or 0) | (lss << 2) | ds, 1, d.sessions & 0xFF, first_last & 0xFF,
      d.tracks & 0xFF, 0x20, 0x00, d.sessions >> 8, first_last >> 8, d.tracks >> 8)
    .. "\0\0\0\0" .. lead_in .. lead_out .. string.rep("\0", 8) .. "\0\0"
  return cut(data, math.min(alloc, n))
end

-- READ TRACK INFORMATION 52h (MMC-6 6.26): 48 bytes (data length 002Eh)
local function track_info(d, t)
  local fixed = d.overwrite and (d.bd and 32 or 16) or 0
  local b6 = (t.recorded and 0x01 or 0x4F)               -- data mode 1; blank: Blank, Fh
  if d.overwrite then b6 = b6 | 0x30 end                  -- Packet/Inc, FP
  -- DVD+R: a closed track is a reserved one (RT); RT 0 with Blank 0 is the invisible track
  if d.plus_r and t.recorded then b6 = b6 | 0x80 end
  local b7 = t.recorded and (t.size > 0 and 0x02 or 0) or 0x01     -- LRA_V; NWA_V
  return be16(46) .. string.char(t.number & 0xFF, t.session & 0xFF, 0, 0x04, b6, b7)
    .. be32(t.start) .. be32(t.recorded and 0 or t.start) .. be32(t.recorded and 0 or t.size)
    .. be32(fixed) .. be32(t.size) .. be32(t.recorded and t.size > 0 and t.start + t.size - 1 or 0)
    .. string.char(t.number >> 8, t.session >> 8, 0, 0) .. string.rep("\0", 12)
end

handlers[OP.READ_TRACK_INFORMATION] = function(self, cdb, alloc)
  local typ, open = cdb:byte(2) & 0x03, cdb:byte(2) & 0x04 ~= 0
  local v, n = unpack(">I4", cdb, 3), unpack(">I2", cdb, 8)
  if typ == 3 then return invalid_field(1) end
  local d = disc_layout(self)
  if not d then return not_ready() end
  local found
  for _, t in ipairs(d.list) do
    if typ == 0 and v >= t.start and v < t.start + t.size then found = t; break end
    if typ == 1 and (t.number == v or (v == 0xFF and not t.recorded)
        or (open and not t.recorded and t.number >= v)) then found = t; break end
    if typ == 2 and t.session == v then found = t; break end
  end
  if not found then
    if typ == 0 then return nil, ILLEGAL_REQUEST, 0x21, 0x00 end  -- LBA OUT OF RANGE
    return invalid_field(2)
  end
  return cut(track_info(d, found), math.min(alloc, n))
end

-- READ TOC/PMA/ATIP 43h (MMC-6 6.25) format 0000b, the TOC: the recorded tracks and the
-- lead-out (AAh), control 4 (data track); none recorded: INVALID FIELD IN CDB
function handlers.read_toc(self, cdb, alloc)
  local d = disc_layout(self)
  if not d then return not_ready() end
  local msf, first = cdb:byte(2) & 0x02 ~= 0, cdb:byte(7)
  if d.recorded == 0 then return nil, ILLEGAL_REQUEST, 0x24, 0x00 end
  if first > d.recorded and first ~= 0xAA then return invalid_field(6) end
  local function addr(lba) return msf and msf4(lba) or be32(lba) end
  local out = {}
  for i = 1, d.recorded do
    local t = d.list[i]
    if t.number >= first then out[#out + 1] = string.char(0, 0x14, t.number, 0) .. addr(t.start) end
  end
  out[#out + 1] = string.char(0, 0x14, 0xAA, 0) .. addr(d.used)
  local body = table.concat(out)
  local data = be16(#body + 2) .. string.char(1, d.recorded) .. body
  return cut(data, math.min(alloc, (unpack(">I2", cdb, 8))))
end

-- READ FORMAT CAPACITIES 23h (MMC-6 6.23): the capacity list header and the current/maximum
-- capacity descriptor only (no formattable descriptors): 01b unformatted (a blank disc),
-- 10b formatted, 11b no medium (with the capacity the emulator last had), 2048-byte blocks
handlers[OP.READ_FORMAT_CAPACITIES] = function(self, cdb, alloc)
  local d = disc_layout(self)
  local typ = not d and 3 or (d.status == "blank" and 1 or 2)
  local data = "\0\0\0\8" .. be32(self.st.capacity) .. string.char(typ) .. "\0\8\0"
  return cut(data, math.min(alloc, (unpack(">I2", cdb, 8))))
end

-- READ CAPACITY 25h (MMC-6 6.18): the last recorded LBA (0 when no session is complete:
-- a blank disc), 2048-byte blocks
local function read_capacity(self, _, alloc)
  local d = disc_layout(self)
  if not d then return not_ready() end
  return cut(pack(">I4I4", math.max(d.used - 1, 0) & 0xFFFFFFFF, 2048), alloc)
end

-- START STOP UNIT 1Bh (SBC/MMC-6): LoEj=1 Start=0 ejects, LoEj=1 Start=1 loads the model's
-- medium (when none is in); Start=1 with no medium after that: NOT READY 3Ah/00h; else
-- (spin down, power conditions) GOOD, nothing changes
handlers[OP.START_STOP_UNIT] = function(self, cdb)
  local b4 = cdb:byte(5)
  if b4 & 0x02 ~= 0 and (b4 >> 4) == 0 then
    if b4 & 0x01 == 0 then
      if self.st.profile ~= 0 then self:eject() end
    elseif self.st.profile == 0 and (self.model.profile or 0) ~= 0 then
      self:load()
    end
  end
  -- nothing to spin up (or load) in an empty drive
  if b4 & 0x01 ~= 0 and (b4 >> 4) == 0 and self.st.profile == 0 then return not_ready() end
  return ""
end

-- PREVENT ALLOW MEDIUM REMOVAL 1Eh, SYNCHRONIZE CACHE 35h (nothing is cached), REZERO
-- UNIT 01h: GOOD (SYNCHRONIZE CACHE with no medium: NOT READY)
handlers[OP.PREVENT_ALLOW] = function() return "" end
handlers[OP.SYNCHRONIZE_CACHE] = function(self)
  if self.st.profile == 0 then return not_ready() end
  return ""
end
handlers[OP.REZERO_UNIT] = function() return "" end

-- Write Parameters mode page 05h (MMC-6 7.5): 52 bytes, page length 32h. Defaults: Write
-- Type 01h (TAO), Track Mode 4, Data Block Type 8 (Mode 1), Audio Pause Length 150.
local PAGE_05_DEFAULT = string.char(0x05, 0x32, 0x01, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 150)
  .. string.rep("\0", 36)
-- the bits a MODE SELECT may change (the changeable values, page control 01b)
local PAGE_05_MASK = string.char(0x05, 0x32, 0x7F, 0xFF, 0x0F, 0xFF, 0, 0x3F, 0xFF, 0)
  .. string.rep("\xFF", 42)

function handlers.page_05(self, pc)
  if pc == 1 then return PAGE_05_MASK end
  if pc == 2 then return PAGE_05_DEFAULT end
  return self.st.page_05 or PAGE_05_DEFAULT
end

-- MODE SELECT(10) 55h (MMC-6 6.11): PF=1, SP=0; the 8-byte header, no block descriptor or
-- one of 8 bytes (block length 2048), then none or page 05h (page length 32h, only
-- changeable bits set); anything else INVALID FIELD IN PARAMETER LIST 26h/00h with its field
handlers[OP.MODE_SELECT10] = function(self, cdb, param)
  local len = unpack(">I2", cdb, 8)
  if cdb:byte(2) & 0x11 ~= 0x10 then return invalid_field(1) end
  if #param ~= len then
    error(string.format("MODE SELECT(10): %d parameter bytes sent, the CDB announces %d", #param, len), 0)
  end
  local function bad(i) return nil, ILLEGAL_REQUEST, 0x26, 0x00, -1 - i end
  if len == 0 then return "" end
  if len < 8 then return nil, ILLEGAL_REQUEST, 0x1A, 0x00 end      -- PARAMETER LIST LENGTH ERROR
  local bdl = unpack(">I2", param, 7)
  if bdl ~= 0 and bdl ~= 8 then return bad(6) end
  if 8 + bdl > len then return nil, ILLEGAL_REQUEST, 0x1A, 0x00 end
  if bdl == 8 and unpack(">I3", param, 14) ~= 2048 then return bad(13) end
  local at = 9 + bdl
  if at > len then return "" end
  if param:byte(at) & 0x3F ~= 0x05 then return bad(at - 1) end
  if at + 1 > len or param:byte(at + 1) ~= 0x32 then return bad(at) end
  if at + 51 ~= len then return nil, ILLEGAL_REQUEST, 0x1A, 0x00 end
  local page = param:sub(at, at + 51)
  for i = 3, 52 do
    local b = page:byte(i)
    if b & ~PAGE_05_MASK:byte(i) ~= 0 then return bad(at + i - 2) end
  end
  self.st.page_05 = "\x05" .. page:sub(2)                  -- PS cleared: not savable
  return ""
end

emulator_clock.install(handlers, DIRECTION, Emu)
handlers[emulator_clock.OP.READ_CAPACITY] = read_capacity

local CDB_LEN = { [0] = 6, [1] = 10, [2] = 10, [4] = 16, [5] = 12 }
local UA_EXEMPT = { [OP.INQUIRY] = true, [OP.REQUEST_SENSE] = true, [OP.GET_CONFIGURATION] = true }

--- Seconds on the emulator's clock (`cdperf.emulator_clock`): 0 at creation, moved on
-- only by the work the drive does and by `advance`.
-- @treturn number
-- @function Emu:now

--- A function returning the emulator's clock (for `cdperf.measure`'s clock option).
-- @treturn function
-- @function Emu:clock

--- Move the clock on (idle time: the spindle keeps turning).
-- @tparam number seconds >= 0
-- @function Emu:advance

--- Answer one command.
-- @tparam string cdb 6, 10, 12 or 16 bytes
-- @tparam string direction "in", "out" or "none"
-- @param arg the allocation length ("in") or the parameter bytes ("out")
-- @treturn string the data (`""` for "out"/"none")
-- @return[2] nil
-- @treturn[2] string 18 bytes of sense
-- @raise on misuse, and for SET CD SPEED/SET STREAMING under `requires_write` without write access
function Emu:command(cdb, direction, arg)
  if type(cdb) ~= "string" then
    error(string.format("bad argument #1 to 'command' (cdb string expected, got %s)", type(cdb)), 2)
  end
  if #cdb ~= 6 and #cdb ~= 10 and #cdb ~= 12 and #cdb ~= 16 then
    error(string.format("bad argument #1 to 'command' (cdb of 6, 10, 12 or 16 bytes expected, got %d)",
      #cdb), 2)
  end
  local op = cdb:byte(1)
  local want = CDB_LEN[op >> 5]
  if DIRECTION[op] and want ~= #cdb then
    error(string.format("bad argument #1 to 'command' (opcode %02Xh takes a %d-byte cdb, got %d)",
      op, want, #cdb), 2)
  end
  if direction == "in" then
    if math.type(arg) ~= "integer" or arg < 0 then
      error(string.format("bad argument #3 to 'command' (allocation length expected for \"in\", got %s)",
        tostring(arg)), 2)
    end
  elseif direction == "out" then
    if type(arg) ~= "string" then
      error(string.format("bad argument #3 to 'command' (parameter bytes expected for \"out\", got %s)",
        type(arg)), 2)
    end
  elseif direction ~= "none" then
    error(string.format("bad argument #2 to 'command' (expected in|out|none, got %s)", tostring(direction)), 2)
  end
  if DIRECTION[op] and DIRECTION[op] ~= direction then
    error(string.format("bad argument #2 to 'command' (opcode %02Xh transfers %q, got %q)",
      op, DIRECTION[op], direction), 2)
  end

  -- Linux sends SET CD SPEED and SET STREAMING only on a handle opened read-write (else
  -- EPERM, before the drive sees them): the requires_write quirk does the same.
  if (op == OP.SET_CD_SPEED or op == OP.SET_STREAMING) and self.model.quirks.requires_write and not self.write then
    error("needs write access: open the drive with cdperf.open(DEVICE, { write = true }) "
      .. "(an emulator object: emulator.new(model, { write = true })); Linux refuses "
      .. (op == OP.SET_CD_SPEED and "SET CD SPEED" or "SET STREAMING") .. " on a read-only handle (EPERM)", 0)
  end

  local st = self.st
  self._log[#self._log + 1] = cdb
  st.commands = st.commands + 1
  local data, key, asc, ascq, field
  local part = part_of(cdb)
  local failure = part and self.model.failures[part]
  if is_unsupported(self, op) or not handlers[op] then
    data, key, asc, ascq = nil, ILLEGAL_REQUEST, 0x20, 0x00
  elseif st.unit_attention and not UA_EXEMPT[op] then
    data, key, asc, ascq = nil, UNIT_ATTENTION, st.unit_attention[1], st.unit_attention[2]
    st.unit_attention = nil
  elseif failure then
    data, key, asc, ascq = nil, failure[1], failure[2], failure[3]
  elseif part and self.model.raw_answers[part] and not st.speeds_set and direction == "in"
      and st.profile == self.model.profile then
    data = cut(self.model.raw_answers[part], arg)
  else
    local ok
    ok, data, key, asc, ascq, field = pcall(handlers[op], self, cdb, arg)
    if not ok then error(data, 2) end
  end
  if data then
    if op ~= OP.REQUEST_SENSE then st.last_sense = nil end
    if direction ~= "in" then return "" end
    return data
  end
  if key == ILLEGAL_REQUEST and asc == 0x24 and self.model.quirks.bad_field_not_ready then
    key = NOT_READY
  end
  local s = sense_bytes(key, asc, ascq, field)
  st.last_sense = s
  return nil, s
end

return emulator
