--- fuzz/disc_driver.lua: the Lua side of the fuzz_disc harness (fuzz_lua.c built with this
-- driver, mk/disc.mk).  Each input goes to every decoder of cdperf.disc (GET CONFIGURATION
-- features, ADIP, pre-pit data, BD Disc Information, ATIP) and, as a drive's answer, to
-- the readers (disc.features, disc.media_id, disc.atip) through a drive whose command
-- returns slices of it.  A broken contract calls fuzz_violation() (abort):
--   * nothing raises;
--   * a decoder returns a table, or nil and a one-line message;
--   * a reader returns a table, or nil, a one-line message and an info table with a kind;
--   * every string a decoder returns is printable ASCII (no byte of a disc breaks a line),
--     every number an integer;
--   * what a decoder returns, its encoder turns into bytes the decoder reads back the same
--     (the emulator answers with the encoders);
--   * format.atip prints what decode_atip returns (wodim -atip's lines) without an error.
-- `lua5.4 fuzz/disc_driver.lua --seeds DIR` writes seed inputs (the encoders' answers for
-- the built-in models' media IDs, features and an ATIP) into DIR.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "fuzz"
if not package.path:find(here .. "/../lua/", 1, true) then
  package.path = here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua;" .. package.path
end
local disc = require "cdperf.disc"
local format = require "cdperf.format"

local fmt = string.format
local violation = rawget(_G, "fuzz_violation") or function(msg) error(msg, 0) end

local DECODERS = { "decode_features", "decode_adip", "decode_prepit", "decode_di", "decode_atip" }

-- Every string printable, every number an integer, tables at most `depth` deep.
local function check_value(v, path, depth)
  local t = type(v)
  if t == "string" then
    if v:find("[^\32-\126]") and not path:find("%.data$") then
      return fmt("%s holds a byte outside printable ASCII: %q", path, v)
    end
    if path:find("%.data$") and v:find("[^%x]") then return path .. " is not hex" end
  elseif t == "number" then
    if math.type(v) ~= "integer" then return fmt("%s is %s, not an integer", path, tostring(v)) end
  elseif t == "table" then
    if depth > 4 then return path .. " nests too deep" end
    for k, x in pairs(v) do
      local why = check_value(x, path .. "." .. tostring(k), depth + 1)
      if why then return why end
    end
  elseif t ~= "boolean" then
    return fmt("%s is a %s", path, t)
  end
  return nil
end

local function one_line(s) return type(s) == "string" and s ~= "" and not s:find("[\r\n]") end

-- Fields the round trip must keep.
local KEEP = {
  decode_adip = { "manufacturer", "media_type", "revision", "text", "source" },
  decode_prepit = { "manufacturer", "media_type", "text", "source" },
  decode_di = { "manufacturer", "media_type", "revision", "text", "source", "disc_type_id" },
  decode_atip = { "disc_type", "sub_type", "indicative_writing_power", "reference_speed", "unrestricted_use",
    "lead_in_lba", "lead_out_lba", "manufacturer", "clv_low", "clv_high", "lowest_speed", "highest_speed" },
}

local function round_trip(name, t)
  local bytes
  if name == "decode_features" then
    bytes = disc.encode_features(t, 0, 0)
  elseif name == "decode_atip" then
    bytes = disc.encode_atip(t)
  else
    bytes = disc.encode_media_id(t)
  end
  if type(bytes) ~= "string" then return name .. ": the encoder gave no bytes" end
  local again, msg = disc[name](bytes)
  if not again then return fmt("%s: its own encoding does not decode: %s", name, tostring(msg)) end
  if name == "decode_features" then
    local want = {}
    for _, c in ipairs(t.codes) do want[#want + 1] = c end
    table.sort(want)
    if table.concat(want, ",") ~= table.concat(again.codes, ",") then
      return fmt("features: codes %s came back as %s", table.concat(want, ","), table.concat(again.codes, ","))
    end
    if table.concat(t.profiles, ",") ~= table.concat(again.profiles, ",") then
      return "features: the profile list changed in a round trip"
    end
    for _, c in ipairs(want) do
      if c ~= 0 and (t[c].current ~= again[c].current or t[c].version ~= again[c].version) then
        return fmt("features: feature %04Xh changed in a round trip", c)
      end
    end
    return nil
  end
  for _, k in ipairs(KEEP[name]) do
    if t[k] ~= nil and t[k] ~= again[k] then
      return fmt("%s: %s %s came back as %s", name, k, tostring(t[k]), tostring(again[k]))
    end
  end
  if name == "decode_atip" then      -- the A1/A2/A3 bytes wodim -atip prints
    for _, k in ipairs { "a1", "a2", "a3" } do
      local want, got = table.concat(t[k] or {}, ","), table.concat(again[k] or {}, ",")
      if t[k] ~= nil and want ~= got then return fmt("decode_atip: %s %s came back as %s", k, want, got) end
    end
  end
  return nil
end

local function decode_all(data)
  for _, name in ipairs(DECODERS) do
    local ok, t, msg = pcall(disc[name], data)
    if not ok then return fmt("%s raised: %s", name, tostring(t)) end
    if t == nil then
      if not one_line(msg) then return fmt("%s failed without a one-line message: %s", name, tostring(msg)) end
    elseif type(t) ~= "table" then
      return fmt("%s returned a %s", name, type(t))
    else
      local why = check_value(t, name, 0)
      if why then return why end
      local rok, rwhy = pcall(round_trip, name, t)
      if not rok then return fmt("%s: the round trip raised: %s", name, tostring(rwhy)) end
      if rwhy then return rwhy end
      if name ~= "decode_features" and name ~= "decode_atip" then
        local mok, text = pcall(disc.mediainfo_text, t)
        if not mok then return "mediainfo_text raised: " .. tostring(text) end
        if text ~= nil and (type(text) ~= "string" or text:find("[^\32-\126]")) then
          return "mediainfo_text gave a line that is not printable: " .. tostring(text)
        end
      end
    end
  end
  return nil
end

-- A drive whose answers are slices of the input (first byte: how to answer).
local function fake_drive(data)
  local mode, body = data:byte(1) or 0, data:sub(2)
  local calls = 0
  return {
    command = function(_, cdb, direction, alloc)
      calls = calls + 1
      if type(cdb) ~= "string" or direction ~= "in" or math.type(alloc) ~= "integer" or alloc < 0 then
        violation("a reader sent a malformed command")
      end
      if calls > 2 then violation("a reader sent more than two commands") end
      if mode % 5 == 0 then
        return nil, fmt("CDB %02Xh: ILLEGAL REQUEST", cdb:byte(1)), { kind = "scsi" }
      end
      if mode % 5 == 1 then return 42 end
      if mode % 5 == 2 then return nil end
      return body:sub(1, alloc)
    end,
    profile = function() return { code = 0x1B } end,
  }
end

local function read_all(data)
  local checks = {
    { "features", function(d) return disc.features(d) end },
    { "media_id ADIP", function(d) return disc.media_id(d, 0x1B) end },
    { "media_id pre-pit", function(d) return disc.media_id(d, 0x14) end },
    { "media_id DI", function(d) return disc.media_id(d, 0x41) end },
    { "media_id (profile asked)", function(d) return disc.media_id(d) end },
    { "atip", function(d) return disc.atip(d) end },
  }
  for _, c in ipairs(checks) do
    local ok, t, msg, info = pcall(c[2], fake_drive(data))
    if not ok then return fmt("%s raised: %s", c[1], tostring(t)) end
    if t == nil then
      if not one_line(msg) then return fmt("%s failed without a one-line message: %s", c[1], tostring(msg)) end
      if type(info) ~= "table" or type(info.kind) ~= "string" then
        return fmt("%s failed without an info table with a kind: %s", c[1], msg)
      end
    elseif type(t) ~= "table" then
      return fmt("%s returned a %s", c[1], type(t))
    end
  end
  return nil
end

-- Snapshot-level functions on what the decoders gave.
local function snapshot_all(data)
  local f = disc.decode_features(data)
  local snap = { profile = { code = (data:byte(1) or 0) % 0x50 }, features = f, media_id = disc.decode_adip(data),
    atip = disc.decode_atip(data) }
  local ok, why = pcall(function()
    disc.defect_management(snap)
    disc.rating(snap)
    disc.matches(snap, "M?M-00*")
    disc.names(snap)
  end)
  if not ok then return "a snapshot function raised: " .. tostring(why) end
  -- wodim -atip's lines of whatever decoded: never an error, one line each
  local lines
  ok, lines = pcall(format.atip, snap.atip or {})
  if not ok then return "format.atip raised: " .. tostring(lines) end
  for _, l in ipairs(lines) do
    if type(l) ~= "string" or l:find("[\r\n]") then return "format.atip gave a line that is none: " .. tostring(l) end
  end
  return nil
end

local function run(data)
  local v = decode_all(data) or read_all(data) or snapshot_all(data)
  if v then violation(v) end
end

-- Seed inputs: the answers the emulator gives for the built-in models.
local function seeds(dir)
  local inputs = {
    disc.encode_media_id { source = "ADIP", manufacturer = "MKM", media_type = "003", revision = 0 },
    disc.encode_media_id { source = "ADIP", manufacturer = "CMC MAG", media_type = "M01" },
    disc.encode_media_id { source = "pre-pit", manufacturer = "TDK502", media_type = "sakuM3" },
    disc.encode_media_id { source = "DI", manufacturer = "VERBAT", media_type = "IMe" },
    disc.encode_atip { disc_type = "CD-RW", sub_type = 1, a1_valid = true, lowest_speed = 4, highest_speed = 10,
      lead_in = { minute = 97, second = 27, frame = 65 }, lead_out = { minute = 79, second = 59, frame = 72 } },
    disc.encode_atip { disc_type = "CD-R", lead_in = { minute = 97, second = 24, frame = 1 } },
    disc.encode_atip { disc_type = "CD-RW", sub_type = 2, a1_valid = true, a2_valid = true, a3_valid = true,
      a1 = { 0x68, 0x44, 0xA0 }, a2 = { 0x6A, 0x22, 0x33 }, a3 = { 1, 2, 3 },
      lead_in = { minute = 97, second = 22, frame = 25 } },
    disc.encode_features(disc.derive_features({ 0x43, 0x41, 0x40, 0x1B, 0x12, 0x09 }, 0x41), 0, 0),
    disc.encode_features(disc.derive_features({ 0x1B, 0x1A, 0x14, 0x0A }, 0x1B), 1, 0),
  }
  for i, s in ipairs(inputs) do
    for _, prefix in ipairs { "", "\3" } do
      local path = fmt("%s/seed-%02d%s", dir, i, prefix == "" and "" or "-answer")
      local f = assert(io.open(path, "wb"))
      f:write(prefix .. s)
      f:close()
    end
  end
end

if type(arg) == "table" and arg[1] == "--seeds" and arg[2] then
  seeds(arg[2])
  return
end

return run
