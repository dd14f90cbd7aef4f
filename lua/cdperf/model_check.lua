--- cdperf.model_check: is this table a drive model, a snapshot or a recording that cdperf
-- can use?  Models, snapshots and recordings come from strangers (bug reports, files on
-- the web), so every field is checked before the emulator or the replay device reads it:
-- a wrong field is one error that names the file (or "model"), the field, what was
-- expected and what was found, e.g.
--
--   my_drive.lua: bad field 'write_speeds[2].write_speed' (expected an integer
--   0..4294967295, got -1)
--
-- Every check returns true, or nil, message, info with info = { kind = "model", file =,
-- field =, expected =, found = }.  Nothing here raises on any input.
--
-- The fields a model may have are those the emulator reads (see cdperf.emulator) and
-- those a snapshot carries (cdperf.snapshot: a snapshot is a model); the descriptor
-- tables take the fields the core's decoders return.  A field the emulator would not read
-- is an error too (a typo must not turn into a silent default): when the core's decoders
-- or the snapshot gain a field, add it here (spec/model_check_spec.lua and the round
-- trips in spec/record_spec.lua say so).
-- @module cdperf.model_check

local check = {}

local fmt = string.format

local U32, U16 = 0xFFFFFFFF, 0xFFFF
local MAX_LIST = 1000000 -- no drive sends more descriptors (65535 bytes / 6)

local PARTS = { "inquiry", "profile", "capabilities", "write_speeds", "write_performance", "read_performance",
  "write_exceptions", "read_exceptions" }
--- The part names of a snapshot's `errors` and `raw` today (a later snapshot may add
-- others): inquiry, profile, capabilities, write_speeds, write_performance,
-- read_performance, write_exceptions, read_exceptions.
-- @table PARTS
check.PARTS = PARTS

local QUIRKS = { "header_length", "one_when_zero", "no_get_performance", "page_2a_cd_speeds", "page_2a_zero",
  "page_2a_repeat_max", "duplicate_descriptors", "end_lba_zero", "list_changes_after_set", "ignores_set_streaming",
  "streaming_end_lba_strict", "pad_to_allocation", "ignore_max_descriptors", "power_on_unit_attention",
  "block_descriptor", "bad_field_not_ready" }
--- The emulator's own quirk names this module checks itself (the others: `cdperf.emulator.QUIRKS`).
-- @table QUIRKS
check.QUIRKS = QUIRKS

-- What was found, in a few words.
local function show(v)
  local t = type(v)
  if t == "nil" then return "nothing" end
  if t == "string" then
    local s = v
    if #s > 40 then s = s:sub(1, 37) .. "..." end
    return (fmt("%q", s):gsub("\\\n", "\\n"))
  end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "nan" end
    if v == math.huge or v == -math.huge then return (v > 0 and "" or "-") .. "inf" end
    return fmt("%.17g", v) .. " (a float)"
  end
  if t == "boolean" then return tostring(v) end
  if t == "table" then return "a table" end
  return "a " .. t
end
--- What was found, in a few words, as messages show it: `"nothing"`, `"-1"`,
-- `"1.5 (a float)"`, `"a table"`, a quoted string cut at 40 characters.
-- @param v
-- @treturn string
-- @function show
check.show = show

local Fail = {}   -- the error object that unwinds to the entry point
local REQUIRED = setmetatable({}, { __mode = "k" })   -- validators of fields that must be there

local function fail(path, expected, found, raw_found)
  error(setmetatable({ field = path, expected = expected, found = raw_found or show(found) }, Fail), 0)
end

local function sub(path, key)
  if type(key) == "string" and key:match("^[%a_][%w_]*$") then
    return path == "" and key or (path .. "." .. key)
  end
  return path .. "[" .. (type(key) == "string" and fmt("%q", key) or tostring(key)) .. "]"
end

-- Validators: function(value, path).  All optional unless wrapped in `required`.
local function int(lo, hi, what)
  local expected = what or fmt("an integer %d..%d", lo, hi)
  return function(v, path)
    if math.type(v) ~= "integer" or v < lo or v > hi then fail(path, expected, v) end
  end
end

local function bool(v, path)
  if type(v) ~= "boolean" then fail(path, "true or false", v) end
end

local function str(max)
  max = max or 65535
  return function(v, path)
    if type(v) ~= "string" then fail(path, "a string", v) end
    if #v > max then fail(path, fmt("a string of at most %d bytes", max), nil, fmt("%d bytes", #v)) end
  end
end

local function one_of(list)
  local set, names = {}, {}
  for i, x in ipairs(list) do
    set[x] = true
    names[i] = type(x) == "string" and fmt("%q", x) or tostring(x)
  end
  local expected = #names == 1 and names[1] or ("one of " .. table.concat(names, ", "))
  return function(v, path)
    if not set[v] then fail(path, expected, v) end
  end
end

local function number(lo, hi)
  return function(v, path)
    if type(v) ~= "number" or v ~= v or v < lo or v > hi then
      fail(path, fmt("a number %s..%s", tostring(lo), tostring(hi)), v)
    end
  end
end

local function hex(min_bytes, max_bytes)
  local expected = fmt("hex digits (%d to %d bytes)", min_bytes, max_bytes)
  return function(v, path)
    if type(v) ~= "string" then fail(path, expected, v) end
    if v:find("[^%x]") then fail(path, expected, nil, fmt("a non-hex character %q", v:match("[^%x]"))) end
    if #v % 2 ~= 0 then fail(path, expected, nil, fmt("an odd number of digits (%d)", #v)) end
    if #v // 2 < min_bytes or #v // 2 > max_bytes then fail(path, expected, nil, fmt("%d bytes", #v // 2)) end
  end
end
--- A validator of hex digits for `min_bytes` to `max_bytes` bytes.
-- @tparam integer min_bytes
-- @tparam integer max_bytes
-- @treturn function `validator(value, path)`, which raises a check failure
-- @function hex
check.hex = hex

local function is_list(t)
  local n = #t
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false, k end
  end
  return true
end

local function list(item, max)
  max = max or MAX_LIST
  return function(v, path)
    if type(v) ~= "table" then fail(path, "a list", v) end
    local ok, key = is_list(v)
    if not ok then fail(path, "a list (keys 1..n)", nil, "a table with the key " .. show(key)) end
    if #v > max then fail(path, fmt("a list of at most %d entries", max), nil, fmt("%d entries", #v)) end
    for i = 1, #v do item(v[i], path .. "[" .. i .. "]") end
  end
end

-- A table with these fields (name -> validator); `required` lists the ones that must
-- be there (default: those whose validator was made by required()).
local function fields(spec, required, open)
  local names = {}
  for k in pairs(spec) do names[#names + 1] = k end
  table.sort(names)
  local known = table.concat(names, ", ")
  return function(v, path)
    if type(v) ~= "table" then fail(path, "a table", v) end
    for k, x in pairs(v) do
      local f = spec[k]
      if f then
        f(x, sub(path, k))
      elseif open then
        open(x, sub(path, k), k)
      else
        fail(sub(path, k), "no such field (known: " .. known .. ")", x)
      end
    end
    for _, k in ipairs(required or names) do
      if v[k] == nil and (required or REQUIRED[spec[k]]) then spec[k](nil, sub(path, k)) end
    end
  end
end

local function map(key, value, key_expected)
  return function(v, path)
    if type(v) ~= "table" then fail(path, "a table", v) end
    for k, x in pairs(v) do
      if not key(k) then fail(sub(path, k), key_expected, nil, "the key " .. show(k)) end
      value(x, sub(path, k))
    end
  end
end

-- Plain data (strings, numbers, booleans, tables), nested at most `depth` deep.
local function plain(depth)
  local function walk(v, path, d)
    local t = type(v)
    if t == "string" or t == "boolean" or t == "number" then return end
    if t ~= "table" then fail(path, "plain data (strings, numbers, booleans, tables)", v) end
    if d > depth then fail(path, fmt("plain data nested at most %d deep", depth), nil, "deeper") end
    for k, x in pairs(v) do
      if type(k) ~= "string" and type(k) ~= "number" and type(k) ~= "boolean" then
        fail(path, "keys that are strings, numbers or booleans", nil, "a " .. type(k) .. " key")
      end
      walk(x, sub(path, k), d + 1)
    end
  end
  return function(v, path) walk(v, path, 1) end
end

local function scalar(v, path)
  local t = type(v)
  if t ~= "string" and t ~= "number" and t ~= "boolean" then fail(path, "a string, number or boolean", v) end
end

local function either(a, b, expected)
  return function(v, path)
    local ok = pcall(a, v, path)
    if ok then return end
    local ok2, e = pcall(b, v, path)
    if ok2 then return end
    if type(v) ~= "table" then fail(path, expected, v) end
    error(e, 0)
  end
end

local function required(f, expected)
  local r = function(v, path)
    if v == nil then fail(path, expected, nil) end
    f(v, path)
  end
  REQUIRED[r] = true
  return r
end

-- ---------------------------------------------------------------------------
-- The model, field by field.

local u32, u16 = int(0, U32), int(0, U16)
local rotation = int(0, 3)

local WRITE_SPEED = fields {
  write_speed = u32, read_speed = u32, end_lba = u32, write_rotation_control = rotation,
  exact = bool, mixed_read_write = bool, restore_drive_defaults = bool,
}
local NOMINAL = fields { start_lba = u32, start_performance = u32, end_lba = u32, end_performance = u32 }
local EXCEPTION = fields { lba = u32, time = u16 }
local CAPABILITIES = fields {
  max_read_speed = u16, current_read_speed = u16, max_write_speed = u16, current_write_speed = u16,
  current_write_speed_selected = u16, buffer_size_kb = u16, rotation_control = rotation,
  copy_management_revision = u16,
  write_speeds = list(fields { speed = u16, rotation_control = rotation }, 16383),
  -- what the core's decoder adds
  page_length = u16, claimed_write_speeds = u16, truncated = bool,
}
local INQUIRY = fields {
  peripheral_type = int(0, 31), peripheral_qualifier = int(0, 7), vendor = str(255), product = str(255),
  revision = str(255),
}
--- The validator of an INQUIRY table (`{ peripheral_type =, peripheral_qualifier =,
-- vendor =, product =, revision = }`), for `run`-style checks by other modules.
-- @function INQUIRY
check.INQUIRY = INQUIRY

local PROFILE = either(int(0, U16),
  fields({ code = required(int(0, U16), "an integer 0..65535"), name = str(255), class = str(255) }, { "code" }),
  "a profile code 0..65535 or a table { code =, name =, class = }")

local quirk_check = {}
for _, q in ipairs(QUIRKS) do quirk_check[q] = bool end
quirk_check.header_length = one_of { "long", "short", "odd", "huge" }
quirk_check.page_2a_cd_speeds = either(bool, list(u16, 16383), "true, false or a list of kB/s 0..65535")
-- Quirks other modules add to the emulator (cdperf.emulator.QUIRKS; cdperf.emulator_clock's
-- timing quirks): plain values here, their own checks in emulator.new.
local function other_quirk(v, path, k)
  local ok, emulator = pcall(require, "cdperf.emulator")
  local known = ok and type(emulator) == "table" and type(emulator.QUIRKS) == "table" and emulator.QUIRKS[k]
  if not known then
    local names = {}
    for _, q in ipairs(QUIRKS) do names[#names + 1] = q end
    if ok and type(emulator) == "table" and type(emulator.QUIRKS) == "table" then
      for q in pairs(emulator.QUIRKS) do if not quirk_check[q] then names[#names + 1] = q end end
    end
    table.sort(names)
    fail(path, "a known quirk (" .. table.concat(names, ", ") .. ")", nil, "the unknown quirk " .. show(k))
  end
  plain(4)(v, path)
end
local QUIRK_CHECK = fields(quirk_check, nil, other_quirk)

-- errors and raw are keyed by part name: the parts of today (PARTS) and any a later
-- snapshot adds (an identifier), so that a newer snapshot still loads.
local function part_name(k)
  return type(k) == "string" and #k <= 64 and k:match("^[%a_][%w_]*$") ~= nil
end
local PART_NAMES = "a part name (" .. table.concat(PARTS, ", ") .. ", ...)"

local INFO = fields({ kind = str(255), sense_key = int(0, 15), asc = int(0, 255), ascq = int(0, 255),
  status = int(0, 255), command = str(255), message = str(), text = str(), sense = str(255) }, nil, scalar)

local SNAPSHOT_FORMAT, SNAPSHOT_VERSION = "cdperf.snapshot", 1

local MODEL_FIELDS = {
  -- a model (cdperf.emulator)
  name = str(255), source = str(), inquiry = INQUIRY, profile = PROFILE, capacity = int(0, U32 + 1),
  write_speeds = list(WRITE_SPEED),
  performance = fields { read = list(NOMINAL), write = list(NOMINAL) },
  exceptions = fields { read = list(EXCEPTION), write = list(EXCEPTION) },
  capabilities = CAPABILITIES,
  unsupported = map(function(k) return math.type(k) == "integer" and k >= 0 and k <= 255 end, bool,
    "an opcode 0..255"),
  quirks = QUIRK_CHECK,
  supported_profiles = list(u16, 65535),
  read_speeds = list(u16, 65535),
  -- the disc (cdperf.emulator: READ DISC/TRACK INFORMATION, READ TOC, READ CAPACITY ...);
  -- how the fields fit together is checked in emulator.new
  disc = fields { status = one_of { "blank", "appendable", "complete" }, sessions = int(1, 99),
    tracks = int(1, 99), used = int(0, U32 + 1), erasable = bool },
  -- a snapshot (cdperf.snapshot) is a model too
  format = one_of { SNAPSHOT_FORMAT },
  version = int(1, SNAPSHOT_VERSION, fmt("snapshot version 1..%d", SNAPSHOT_VERSION)),
  device = str(),
  errors = map(part_name, fields({ message = required(str(), "a message"), info = INFO }, { "message" }),
    PART_NAMES),
  notes = list(str()),
  raw = map(part_name, hex(0, 65535), PART_NAMES),
  commands = int(0, math.maxinteger),
  features = plain(8), media_id = plain(8), atip = plain(8),
  -- cdperf.emulator_clock's model.timing: plain data here, its own check in emulator.new
  timing = plain(4),
}
local MODEL = fields(MODEL_FIELDS)

local function run(validator, v, where)
  local ok, e = pcall(validator, v, "")
  if ok then return true end
  where = where or "model"
  if getmetatable(e) ~= Fail then
    -- a validator bug must not crash the caller: still a refusal with a field
    e = setmetatable({ field = "?", expected = "a valid value", found = tostring(e) }, Fail)
  end
  local msg
  if e.field == "" then
    msg = fmt("%s: expected %s, got %s", where, e.expected, e.found)
  else
    msg = fmt("%s: bad field '%s' (expected %s, got %s)", where, e.field, e.expected, e.found)
  end
  return nil, msg, { kind = "model", file = where, field = e.field, expected = e.expected, found = e.found }
end

--- A model or a snapshot (every field); where names it in messages (a file name, "model").
function check.model(m, where)
  if type(m) ~= "table" then return run(function(v, p) fail(p, "a model table", v) end, m, where) end
  return run(MODEL, m, where)
end

--- A snapshot: a model whose format is "cdperf.snapshot".
function check.snapshot(s, where)
  return run(function(v, path)
    if type(v) ~= "table" then fail(path, "a snapshot table", v) end
    MODEL(v, path)
    if v.format ~= SNAPSHOT_FORMAT then fail(sub(path, "format"), fmt("%q", SNAPSHOT_FORMAT), v.format) end
  end, s, where)
end

-- ---------------------------------------------------------------------------
-- Recordings (cdperf.record, docs/recording.md).

--- The `format` of a recording: `"cdperf.recording"`.
-- @field RECORDING_FORMAT

--- The newest recording format version this cdperf reads: 1.
-- @field RECORDING_VERSION
check.RECORDING_FORMAT, check.RECORDING_VERSION = "cdperf.recording", 1

local DIRECTIONS = one_of { "in", "out", "none" }

local EXCHANGE_FIELDS = {
  cdb = required(hex(1, 260), "the CDB as hex digits"), direction = required(DIRECTIONS, "in, out or none"),
  alloc = int(0, U32), params = hex(0, U32), data = hex(0, U32), sense = hex(0, 252),
  status = int(0, 255), ms = number(0, 1000000000), error = str(),
}
local EXCHANGE_BASE = fields(EXCHANGE_FIELDS)

local function exchange(v, path)
  EXCHANGE_BASE(v, path)
  local d = v.direction
  if d == "in" then
    if v.alloc == nil then fail(sub(path, "alloc"), "an allocation length (direction \"in\")", nil) end
    if v.params ~= nil then fail(sub(path, "params"), "no parameter bytes for direction \"in\"", v.params) end
  elseif d == "out" then
    if v.params == nil then fail(sub(path, "params"), "the parameter bytes (direction \"out\")", nil) end
    if v.alloc ~= nil then fail(sub(path, "alloc"), "no allocation length for direction \"out\"", v.alloc) end
  else
    if v.params ~= nil then fail(sub(path, "params"), "nothing for direction \"none\"", v.params) end
    if v.alloc ~= nil then fail(sub(path, "alloc"), "nothing for direction \"none\"", v.alloc) end
  end
  local answers = (v.data and 1 or 0) + (v.sense and 1 or 0) + (v.error and 1 or 0)
  if answers > 1 then
    fail(sub(path, v.error and "error" or "sense"), "one answer: data, sense or error", nil, "more than one")
  end
  if v.data then
    if d ~= "in" then fail(sub(path, "data"), "no data for direction \"" .. d .. "\"", v.data) end
    if #v.data // 2 > v.alloc then
      fail(sub(path, "data"), fmt("at most the allocation length (%d bytes)", v.alloc), nil,
        fmt("%d bytes", #v.data // 2))
    end
  end
  local status = v.status
  if v.sense then
    if status == nil or status == 0 then
      fail(sub(path, "status"), "a status other than GOOD with sense data", status)
    end
  elseif not v.error and status ~= nil and status ~= 0 then
    fail(sub(path, "status"), "0 (GOOD) without sense data or an error", status)
  end
end
--- One exchange of a recording (cdb, direction, alloc or params, one answer, status).
-- @tparam table v
-- @tparam[opt] string where the file name for messages
-- @treturn boolean true
-- @return[2] nil, message, info
-- @function exchange
check.exchange = function(v, where) return run(exchange, v, where) end

local RECORDING_FIELDS = {
  format = required(one_of { check.RECORDING_FORMAT }, fmt("%q", check.RECORDING_FORMAT)),
  version = required(int(1, check.RECORDING_VERSION, fmt("format version 1..%d (a newer cdperf wrote this file)",
    check.RECORDING_VERSION)), "a format version"),
  cdperf = str(255), device = str(), comment = str(), inquiry = INQUIRY,
  snapshot = function(v, path)
    MODEL(v, path)
    if v.format ~= SNAPSHOT_FORMAT then fail(sub(path, "format"), fmt("%q", SNAPSHOT_FORMAT), v.format) end
  end,
  exchanges = required(list(exchange), "a list of exchanges"),
}
local RECORDING = fields(RECORDING_FIELDS)

--- A recording (cdperf.record).
function check.recording(r, where)
  if type(r) ~= "table" then return run(function(v, p) fail(p, "a recording table", v) end, r, where) end
  return run(RECORDING, r, where)
end

--- Whatever the table says it is: "recording", "snapshot" or "model" (no format field),
-- checked; or nil, message, info.
function check.any(t, where)
  if type(t) ~= "table" then
    return run(function(v, p) fail(p, "a table (a model, a snapshot or a recording)", v) end, t, where)
  end
  if t.format == check.RECORDING_FORMAT then
    local ok, msg, info = check.recording(t, where)
    if not ok then return nil, msg, info end
    return "recording"
  end
  if t.format ~= nil and t.format ~= SNAPSHOT_FORMAT then
    return run(function(_, p)
      fail(sub(p, "format"), fmt("%q, %q or nothing (a model)", check.RECORDING_FORMAT, SNAPSHOT_FORMAT), t.format)
    end, t, where)
  end
  local ok, msg, info = check.model(t, where)
  if not ok then return nil, msg, info end
  return t.format and "snapshot" or "model"
end

return check
