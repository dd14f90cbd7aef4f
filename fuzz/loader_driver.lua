--- fuzz/loader_driver.lua: the Lua side of the fuzz_loader harness (fuzz_lua.c built with
-- this driver).  Each input is the text of a file from a stranger: a model, a snapshot or
-- a recording (cdperf.record.parse, cdperf.model_check, cdperf.emulator.load).  Invariants,
-- each broken one a call of fuzz_violation() (abort):
--   * nothing raises: parse, the checks, and for what they accept emulator.new, replay,
--     a snapshot through either and the report on it;
--   * no code from the file runs: no string method is reached from the loaded chunk (the
--     string metatable is watched while it loads) and the global table is not touched;
--   * every refusal is one line that starts with the file's name, with an info table of
--     kind "model"; a refusal of a field names the field, what was expected and found;
--   * what the checks accept, emulator.new accepts (the check is the whole contract).
--
-- Run as a script (`lua5.4 fuzz/loader_driver.lua --seeds DIR DICT`, see mk/loader.mk) it
-- writes the seed corpus (recordings, snapshots and model files of the built-in models, and
-- files that hold code) to DIR and libFuzzer's dictionary of the format's words to DICT.

local record = require "cdperf.record"
local check = require "cdperf.model_check"

local NAME = "stranger.lua"

-- ---------------------------------------------------------------- seeds (script mode)
local script_args = rawget(_G, "arg")
if script_args and script_args[1] == "--seeds" then
  local out = assert(script_args[2], "usage: loader_driver.lua --seeds DIR DICT")
  local dict_path = assert(script_args[3], "usage: loader_driver.lua --seeds DIR DICT")
  assert(os.execute("mkdir -p '" .. out .. "'"))
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"
  local n = 0
  local function write(name, text)
    local f = assert(io.open(out .. "/" .. name, "wb"))
    f:write(text)
    f:close()
    n = n + 1
  end
  for _, name in ipairs(emulator.model_names()) do
    local m = emulator.models[name]
    write(name .. ".model", record.to_lua(m))
    local rec = assert(cdperf.record("emulated:" .. name))
    rec:snapshot()
    write(name .. ".recording", assert(rec:text()))
    local d = assert(cdperf.open("emulated:" .. name))
    write(name .. ".snapshot", record.to_lua(cdperf.snapshot(d, { exceptions = true })))
    d:close()
  end
  write("code.1", "return { x = ('a'):rep(1e9) }\n")
  write("code.2", "local t = {} for i = 1, 1e9 do t[i] = i end return t\n")
  write("code.3", "return { format = 'cdperf.recording', version = 1, exchanges = { { cdb = '00' .. '00' } } }\n")
  write("code.4", "--[==[ c ]==] return { [ [[k]] ] = -0x1p4, s = '\\x41\\z\n  \\u{48}', t = { { {} } } };\n")
  local words = { "return", "{", "}", "[", "]", "=", ",", ";", "-", "true", "false", "nil", "--", "--[[", "]]", "[[",
    "0x", "e+", "\\x", "\\z", "\\u{", '"', "'", "format", "version", "exchanges", "snapshot", "cdb", "direction",
    "alloc", "params", "data", "sense", "status", "ms", "error", "in", "out", "none", "cdperf.recording",
    "cdperf.snapshot", "write_speeds", "performance", "exceptions", "capabilities", "inquiry", "profile",
    "capacity", "quirks", "unsupported", "errors", "raw", "notes", "timing", "header_length", "end_lba",
    "write_speed", "read_speed", "start_lba", "start_performance", "end_performance", "lba", "time", "speed",
    "rotation_control", "write_rotation_control", "code", "message", "info", "sense_key", "asc", "ascq" }
  local dict = {}
  for i, w in ipairs(words) do dict[i] = ("w%d=%q"):format(i, w):gsub("\\\n", "\\n") end
  local f = assert(io.open(dict_path, "wb"))
  f:write(table.concat(dict, "\n"), "\n")
  f:close()
  print(("loader seeds: %d files in %s"):format(n, out))
  return
end

-- ---------------------------------------------------------------- the harness
local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local report = require "cdperf.report"
local violation = fuzz_violation -- luacheck: ignore

local function one_line(s) return type(s) == "string" and s ~= "" and not s:find("\n") end

local function refusal(what, msg, info)
  if not one_line(msg) then violation(what .. ": a refusal that is not one line: " .. tostring(msg)) end
  if msg:sub(1, #NAME) ~= NAME then violation(what .. ": a refusal that does not name the file: " .. msg) end
  if type(info) ~= "table" or info.kind ~= "model" then violation(what .. ": a refusal without info.kind model") end
  if info.field ~= nil then
    if type(info.field) ~= "string" or type(info.expected) ~= "string" or type(info.found) ~= "string" then
      violation(what .. ": a field refusal without field, expected and found: " .. msg)
    end
    if info.field ~= "" and not msg:find("'" .. info.field .. "'", 1, true) then
      violation(what .. ": the message does not name the field " .. info.field .. ": " .. msg)
    end
  end
end

-- A drive through the whole Lua layer: nothing may raise.
local function exercise(device, what)
  local drive, msg = cdperf.open(device, { name = "fuzz" })
  if not drive then
    if not one_line(msg) then violation(what .. ": open failed without a message") end
    return
  end
  local ok, snap = pcall(cdperf.snapshot, drive, { exceptions = true })
  if not ok then violation(what .. ": snapshot raised: " .. tostring(snap)) end
  local rok, r = pcall(report.build, snap)
  if not rok then violation(what .. ": report.build raised: " .. tostring(r)) end
  local tok, t = pcall(report.text, r)
  if not tok then violation(what .. ": report.text raised: " .. tostring(t)) end
  drive:close()
end

local smt = getmetatable("")
local string_index = smt.__index
local ran
local watch = setmetatable({}, { __index = function(_, k)
  local info = debug.getinfo(2, "S")
  if info and info.source == "=" .. NAME then ran = k end
  return string_index[k]
end })

local globals_mt = getmetatable(_G)

return function(data)
  -- load, watching for code from the file
  ran = nil
  local touched = false
  smt.__index = watch
  setmetatable(_G, { __newindex = function(t, k, v) touched = true; rawset(t, k, v) end })
  local ok, t, msg, info = pcall(record.parse, data, NAME)
  setmetatable(_G, globals_mt)
  smt.__index = string_index
  if not ok then violation("record.parse raised: " .. tostring(t)) end
  if ran then violation("the file's code reached string." .. tostring(ran)) end
  if touched then violation("a global was set while the file loaded") end
  if t == nil then
    refusal("parse", msg, info)
    return
  end
  if type(t) ~= "table" then violation("record.parse returned a " .. type(t)) end

  local cok, kind, cmsg, cinfo = pcall(check.any, t, NAME)
  if not cok then violation("model_check raised: " .. tostring(kind)) end
  if not kind then
    refusal("check", cmsg, cinfo)
    return
  end
  if kind == "recording" then
    local rok, dev, rmsg = pcall(record.replay, t, { on_miss = function() end })
    if not rok then violation("replay raised on a checked recording: " .. tostring(dev)) end
    if not dev then violation("replay refused a checked recording: " .. tostring(rmsg)) end
    exercise(dev, "replay")
    if t.snapshot == nil then return end
    local m
    m, rmsg = record.model_of(t, NAME)
    if not m then violation("model_of refused a recording with a snapshot: " .. tostring(rmsg)) end
    t = m
  end
  local eok, emu = pcall(emulator.new, t)
  if not eok then
    -- emulator.new's own checks beyond model_check (model.timing, timing quirks) may
    -- refuse; they too must name the field
    local e = tostring(emu)
    if not (e:find("bad field '", 1, true) or e:find("bad quirk '", 1, true)) then
      violation("emulator.new raised on a checked model: " .. e)
    end
    return
  end
  exercise(emu, "emulator")
end
