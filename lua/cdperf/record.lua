--- cdperf.record: a drive becomes a file, and the file becomes a drive.
--
-- local rec = cdperf.record("/dev/sr0")      -- or a drive, an emulator, any callable device
-- rec:snapshot()                              -- one snapshot, read through the recorder
-- rec:save("my-drive.lua")                    -- the recording (docs/recording.md)
-- local drive = cdperf.open("replay:my-drive.lua")   -- answers as the drive did
--
-- The recorder is itself a device (`rec(cdb, direction, arg)`, as the emulator): it hands
-- each command to the drive and keeps the CDB, the direction, the allocation length or the
-- parameter bytes, the answer (data, or sense and status, or the error), and the time it
-- took.  An open drive (cdperf.open) or a device path is reached through drive:command, the
-- core's raw pass-through, so the recording holds the drive's exact bytes; a callable
-- device (the emulator, a test double) is called as it is.  Serial numbers never reach the
-- recording, nor the caller (see scrub below).
--
-- A recording is a Lua file that is data only: one `return { ... }` of literals.
-- record.load never runs it as code: a tokenizer first checks that the text is nothing but
-- a table constructor of literals (strings, numbers, true/false/nil, nested tables; no
-- names but field names, no calls, no operators but a minus sign before a number), and
-- only then is it loaded with load(text, name, "t", {}) (an empty environment), run in a
-- coroutine under an instruction limit (debug.sethook).  Model files and snapshots saved
-- as Lua load the same way (cdperf.emulator.load).
-- @module cdperf.record

local check = require "cdperf.model_check"

local record = {}

local fmt = string.format

--- The `format` field of a recording: `"cdperf.recording"`.
-- @field FORMAT

--- The recording format's version (1): a newer one is refused by `load`.
-- @field VERSION
record.FORMAT, record.VERSION = check.RECORDING_FORMAT, check.RECORDING_VERSION
--- The largest file `load` reads: 64 MiB (a recording of every command is far smaller).
record.MAX_FILE = 64 * 1024 * 1024
local MAX_DEPTH = 64                   -- nested tables in a loaded file

-- ---------------------------------------------------------------------------
-- Bytes and names

local function tohex(s)
  return (s:gsub(".", function(c) return fmt("%02x", c:byte()) end))
end
--- Bytes as lowercase hex digits (how recordings keep bytes).
-- @tparam string s
-- @treturn string
-- @function hex
record.hex = tohex

local function unhex(h)
  return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end
--- Hex digits as bytes (the digits are not checked: `cdperf.model_check` did).
-- @tparam string h
-- @treturn string
-- @function unhex
record.unhex = unhex

-- "AC 10 00 ..." for people
local function spaced(s)
  return (s:gsub(".", function(c) return fmt("%02X ", c:byte()) end):gsub(" $", ""))
end
--- Bytes as spaced upper-case hex for people: `"AC 10 00 ..."`.
-- @tparam string s
-- @treturn string
-- @function spaced
record.spaced = spaced

--- The names of the opcodes messages name: opcode -> `"GET PERFORMANCE"`, ...
-- @table OPCODES
record.OPCODES = {
  [0x00] = "TEST UNIT READY", [0x03] = "REQUEST SENSE", [0x12] = "INQUIRY", [0x1B] = "START STOP UNIT",
  [0x1E] = "PREVENT ALLOW MEDIUM REMOVAL", [0x25] = "READ CAPACITY", [0x28] = "READ(10)", [0x2A] = "WRITE(10)",
  [0x35] = "SYNCHRONIZE CACHE", [0x43] = "READ TOC/PMA/ATIP", [0x46] = "GET CONFIGURATION",
  [0x4A] = "GET EVENT STATUS NOTIFICATION", [0x51] = "READ DISC INFORMATION", [0x52] = "READ TRACK INFORMATION",
  [0x55] = "MODE SELECT(10)", [0x5A] = "MODE SENSE(10)", [0xA8] = "READ(12)", [0xAB] = "SERVICE ACTION IN(12)",
  [0xAC] = "GET PERFORMANCE", [0xAD] = "READ DISC STRUCTURE", [0xB6] = "SET STREAMING", [0xBB] = "SET CD SPEED",
  [0xBE] = "READ CD",
}

--- A recorder on a device: a path (opened raw; opts.write, timeout_ms, credentials as for
-- cdperf.open), "emulated:MODEL_OR_FILE", "replay:FILE", an open drive, an emulator or
-- any callable device.  opts.name: the device's name in the recording; opts.clock: a
-- function giving milliseconds; opts.on_exchange(exchange, n): called after each command.
-- Returns the recorder, or nil, message, info when the device cannot be opened.
-- @param device
-- @tparam[opt] table opts
-- @treturn Recorder
-- @return[2] nil, message, info
-- @function new

--- A device that answers with a recording (a file name or a recording table).  Each
-- recorded CDB gets its recorded answer; one recorded several times gets them in order
-- (then the last one again).  An unrecorded CDB gets ILLEGAL REQUEST (20h/00h when no
-- command with its opcode was recorded, else 24h/00h pointing at the first byte that
-- differs from the nearest recorded CDB, or 26h/00h when only the parameter bytes
-- differ) and opts.on_miss(message, miss) is called with a line that shows it and the
-- nearest recorded one (default: that line on stderr).  nil, message, info when the
-- recording cannot be loaded.
-- @param source a file name or a recording table
-- @tparam[opt] table opts `on_miss`, `name`
-- @treturn Replay
-- @return[2] nil, message, info
-- @function replay

--- The command's name ("GET PERFORMANCE") or "opcode XXh".
function record.opcode_name(cdb)
  local op = type(cdb) == "string" and cdb:byte(1)
  if not op then return "?" end
  return record.OPCODES[op] or fmt("opcode %02Xh", op)
end

-- ---------------------------------------------------------------------------
-- Writing: plain data as a Lua table constructor of literals.

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or repeat return then
  true until while]]):gmatch("%a+") do KEYWORDS[w] = true end

local ESC = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function quote(s)
  return '"' .. s:gsub('[%c\\"\128-\255]', function(c)
    return ESC[c] or fmt("\\x%02x", c:byte())
  end) .. '"'
end

local function number_text(v, path)
  if math.type(v) == "integer" then
    if v == math.mininteger then return "0x8000000000000000" end
    return tostring(v)
  end
  if v ~= v or v == math.huge or v == -math.huge then
    error(fmt("bad value at %s (a finite number expected, got %s)", path, tostring(v)), 0)
  end
  local s = fmt("%.14g", v)
  if tonumber(s) ~= v then s = fmt("%.17g", v) end
  if not s:find("[%.eEn]") then s = s .. ".0" end
  return s
end

-- Keys first in this order, then the others sorted (numbers before strings).
local ORDER = {}
for i, k in ipairs { "format", "version", "cdperf", "device", "comment", "name", "source", "inquiry", "snapshot",
  "exchanges", "cdb", "direction", "alloc", "params", "data", "sense", "error", "status", "ms" } do
  ORDER[k] = i
end

local function key_less(a, b)
  local oa, ob = ORDER[a] or math.huge, ORDER[b] or math.huge
  if oa ~= ob then return oa < ob end
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "boolean" then return (a and 1 or 0) < (b and 1 or 0) end
  return a < b
end

local function scalar_text(v, path)
  local t = type(v)
  if t == "string" then return quote(v) end
  if t == "number" then return number_text(v, path) end
  if t == "boolean" then return tostring(v) end
  error(fmt("bad value at %s (plain data expected, got a %s)", path, t), 0)
end

local function key_text(k, path)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
  return "[" .. scalar_text(k, path) .. "]"
end

--- Plain data (strings, numbers, booleans, tables) as Lua text that record.parse reads
-- back: `return { ... }` with sorted keys, one field per line, and every table that holds
-- no table on one line.  opts.header: comment lines to put first.  Raises on a function,
-- a cycle or a non-finite number.
function record.to_lua(value, opts)
  opts = opts or {}
  local out = {}
  for _, l in ipairs(opts.header or {}) do out[#out + 1] = "-- " .. l .. "\n" end
  local seen = {}
  local function emit(v, indent, path)
    if type(v) ~= "table" then return scalar_text(v, path) end
    if seen[v] then error(fmt("bad value at %s (a cycle)", path), 0) end
    seen[v] = true
    local n, keys, flat = #v, {}, true
    for k, x in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
      if type(x) == "table" then flat = false end
    end
    table.sort(keys, key_less)
    local items = {}
    local inner = indent .. "  "
    for i = 1, n do items[#items + 1] = emit(v[i], inner, path .. "[" .. i .. "]") end
    for _, k in ipairs(keys) do
      local kp = type(k) == "string" and (path .. "." .. k) or (path .. "[" .. tostring(k) .. "]")
      items[#items + 1] = key_text(k, kp) .. " = " .. emit(v[k], inner, kp)
    end
    seen[v] = nil
    if #items == 0 then return "{}" end
    if flat then return "{ " .. table.concat(items, ", ") .. " }" end
    return "{\n" .. inner .. table.concat(items, ",\n" .. inner) .. ",\n" .. indent .. "}"
  end
  out[#out + 1] = "return " .. emit(value, "", "value") .. "\n"
  return table.concat(out)
end

-- ---------------------------------------------------------------------------
-- Reading: a tokenizer that admits only a table constructor of literals.

local Refuse = {}
local function refuse(line, msg)
  error(setmetatable({ line = line, msg = msg }, Refuse), 0)
end

local SPACE = { [" "] = true, ["\t"] = true, ["\r"] = true, ["\f"] = true, ["\v"] = true }

local function tokens(text)
  local toks, i, n, line = {}, 1, #text, 1
  local function push(t, v) toks[#toks + 1] = { t = t, v = v, line = line } end
  -- at i: "[" followed by "="* and "[": the level, else nil
  local function long_open(at)
    local eq = text:match("^%[(=*)%[", at)
    return eq and #eq or nil
  end
  local function long_close(from, level, what)
    local close = "]" .. string.rep("=", level) .. "]"
    local s, e = text:find(close, from, true)
    if not s then refuse(line, "unfinished long " .. what) end
    for _ in text:sub(from, s - 1):gmatch("\n") do line = line + 1 end
    return e + 1
  end
  while i <= n do
    local c = text:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif SPACE[c] then
      i = i + 1
    elseif c == "-" and text:sub(i + 1, i + 1) == "-" then
      local level = text:sub(i + 2, i + 2) == "[" and long_open(i + 2)
      if level then
        i = long_close(i + 4 + level, level, "comment")
      else
        local e = text:find("\n", i, true)
        i = e or n + 1
      end
    elseif c == "[" then
      local level = long_open(i)
      if level then
        local from = i + 2 + level
        i = long_close(from, level, "string")
        push("string")
      elseif text:sub(i + 1, i + 1) == "=" then
        refuse(line, "invalid long string delimiter")
      else
        push("[")
        i = i + 1
      end
    elseif c == '"' or c == "'" then
      local j = i + 1
      while true do
        local d = text:sub(j, j)
        if d == "" or d == "\n" or d == "\r" then refuse(line, "unfinished string") end
        if d == c then break end
        if d == "\\" then
          local e = text:sub(j + 1, j + 1)
          if e == "\n" or e == "\r" then
            line = line + 1
            local f = text:sub(j + 2, j + 2)
            j = j + ((f == "\n" or f == "\r") and f ~= e and 3 or 2)
          elseif e == "z" then
            j = j + 2
            while true do
              local f = text:sub(j, j)
              if f == "\n" then line = line + 1 elseif not SPACE[f] then break end
              j = j + 1
            end
          else
            j = j + 2
          end
        else
          j = j + 1
        end
      end
      push("string")
      i = j + 1
    elseif c:match("%d") or (c == "." and text:sub(i + 1, i + 1):match("%d")) then
      -- as Lua's lexer reads a numeral: hex digits, dots, exponents with a sign
      local j, expo = i + 1, "[eE]"
      if c == "0" and text:sub(j, j):match("[xX]") then j, expo = j + 1, "[pP]" end
      while true do
        local d = text:sub(j, j)
        if d:match(expo) then
          j = j + 1
          if text:sub(j, j):match("[%+%-]") then j = j + 1 end
        elseif d:match("[%x%.]") and d ~= "" then
          j = j + 1
        else
          break
        end
      end
      if text:sub(j, j):match("[%a_]") then j = j + 1 end
      local numeral = text:sub(i, j - 1)
      if not tonumber(numeral) then refuse(line, fmt("malformed number near '%s'", numeral)) end
      push("number", numeral)
      i = j
    elseif c:match("[%a_]") then
      local name = text:match("^[%w_]+", i)
      push(KEYWORDS[name] and name or "name", name)
      i = i + #name
    elseif c:match("%p") then
      -- { } [ ] = , ; - are the grammar's; any other sign is left to it to refuse
      push(c)
      i = i + 1
    else
      refuse(line, fmt("unexpected byte %d (only a table of literals may be here)", c:byte()))
    end
  end
  push("<eof>")
  return toks
end

local function what(tok)
  if tok.t == "<eof>" then return "the end of the file" end
  if tok.t == "name" then return "the name '" .. tok.v .. "'" end
  if tok.t == "string" then return "a string" end
  if tok.t == "number" then return "a number" end
  if KEYWORDS[tok.t] then return "'" .. tok.t .. "'" end
  return "'" .. tok.t .. "'"
end

-- return { fields } [;] <eof>, every value a literal or a table of them
local function grammar(toks)
  local pos = 1
  local function peek(k) return toks[pos + (k or 0)] end
  local function take() pos = pos + 1; return toks[pos - 1] end
  local function expect(t, where)
    local tok = take()
    if tok.t ~= t then refuse(tok.line, fmt("'%s' expected %s, found %s", t, where, what(tok))) end
  end
  local table_
  local function literal(tok, where, as_key)
    if tok.t == "string" or tok.t == "number" or tok.t == "true" or tok.t == "false" then return end
    if tok.t == "nil" and not as_key then return end
    if tok.t == "-" and peek().t == "number" then take(); return end
    refuse(tok.line, fmt("a literal expected %s, found %s (a data file holds no code)", where, what(tok)))
  end
  local function value(depth, where)
    local tok = take()
    if tok.t == "{" then return table_(depth + 1, tok) end
    literal(tok, where)
  end
  function table_(depth, open)
    if depth > MAX_DEPTH then refuse(open.line, fmt("tables nested more than %d deep", MAX_DEPTH)) end
    while peek().t ~= "}" do
      local tok = peek()
      if tok.t == "[" then
        take()
        literal(take(), "as a key", true)
        expect("]", "after the key")
        expect("=", "after the key")
        value(depth, "after '='")
      elseif tok.t == "name" and peek(1).t == "=" then
        take(); take()
        value(depth, "after '" .. tok.v .. " ='")
      else
        value(depth, "in the table")
      end
      local sep = peek()
      if sep.t == "," or sep.t == ";" then
        take()
      elseif sep.t ~= "}" then
        refuse(sep.line, fmt("',' or '}' expected in the table opened on line %d, found %s", open.line, what(sep)))
      end
    end
    take()
  end
  local first = take()
  if first.t ~= "return" then
    refuse(first.line, fmt("'return' expected, found %s (a data file is one `return { ... }`)", what(first)))
  end
  local open = take()
  if open.t ~= "{" then refuse(open.line, fmt("'{' expected after 'return', found %s", what(open))) end
  table_(1, open)
  if peek().t == ";" then take() end
  local tail = take()
  if tail.t ~= "<eof>" then
    refuse(tail.line, fmt("the end of the file expected after the table, found %s", what(tail)))
  end
  return #toks
end

--- Text of a data file -> its table, or nil, message, info.  name names it in messages.
-- Never runs code: see the top of this file.
function record.parse(text, name)
  name = tostring(name or "data")
  if type(text) ~= "string" then
    return nil, fmt("%s: text expected, got %s", name, type(text)), { kind = "model", file = name }
  end
  if #text > record.MAX_FILE then
    return nil, fmt("%s: %d bytes, more than a data file may have (%d)", name, #text, record.MAX_FILE),
      { kind = "model", file = name }
  end
  local ok, count = pcall(function() return grammar(tokens(text)) end)
  if not ok then
    if getmetatable(count) == Refuse then
      return nil, fmt("%s:%d: %s", name, count.line, count.msg), { kind = "model", file = name, line = count.line }
    end
    return nil, fmt("%s: %s", name, tostring(count)), { kind = "model", file = name }
  end
  local chunk, err = load(text, "=" .. name, "t", {})
  if not chunk then return nil, tostring(err), { kind = "model", file = name } end
  -- belt and braces: the checked text only builds tables, so this limit is never reached
  local co = coroutine.create(chunk)
  debug.sethook(co, function() error("the file ran too long: it holds more than data", 0) end, "", 16 * count + 1000)
  local rok, v = coroutine.resume(co)
  if not rok then return nil, fmt("%s: %s", name, tostring(v)), { kind = "model", file = name } end
  if type(v) ~= "table" then
    return nil, fmt("%s: expected a table, got %s", name, type(v)), { kind = "model", file = name }
  end
  return v
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, tostring(err), { kind = "os" } end
  local text = f:read(record.MAX_FILE + 1)
  f:close()
  if text == nil then text = "" end
  if #text > record.MAX_FILE then
    return nil, fmt("%s: more than %d bytes: no data file cdperf wrote is that large", path, record.MAX_FILE),
      { kind = "model", file = path }
  end
  return text
end

--- A data file -> its table and what it is ("recording", "snapshot" or "model"), checked
-- field by field (cdperf.model_check); or nil, message, info.
function record.load(path)
  if type(path) ~= "string" then
    error(fmt("bad argument #1 to 'load' (file name expected, got %s)", type(path)), 2)
  end
  local text, err, info = read_file(path)
  if not text then return nil, err, info end
  local t
  t, err, info = record.parse(text, path)
  if not t then return nil, err, info end
  local kind
  kind, err, info = check.any(t, path)
  if not kind then return nil, err, info end
  return t, kind
end

local function basename(path)
  return (path:match("([^/\\]+)$") or path):gsub("%.lua$", "")
end

--- A model from a recording: its snapshot, with a name and a source.
function record.model_of(rec, name)
  local deepcopy = require "cdperf.deepcopy"
  if type(rec.snapshot) ~= "table" then
    return nil, fmt("%s: bad field 'snapshot' (expected a snapshot to emulate the drive from, got nothing; "
      .. "replay:%s answers the recorded commands)", name, name),
      { kind = "model", file = name, field = "snapshot", expected = "a snapshot", found = "nothing" }
  end
  local m = deepcopy(rec.snapshot)
  m.name = m.name or basename(name)
  m.source = m.source or fmt("recording %s of %s (cdperf %s)%s", basename(name), tostring(rec.device or "a drive"),
    tostring(rec.cdperf or "?"), rec.comment and (": " .. rec.comment) or "")
  -- the profile as the other models give it: the code (a snapshot's table also works)
  if type(m.profile) == "table" then m.profile = m.profile.code end
  return m
end

--- A model file, a snapshot or a recording -> a model (checked, and one emulator.new
-- takes: the checks other modules add to it, model.timing say, ran too); or nil,
-- message, info.
function record.load_model(path)
  local t, kind, info = record.load(path)
  if not t then return nil, kind, info end
  local m = t
  if kind == "recording" then
    local msg
    m, msg, info = record.model_of(t, path)
    if not m then return nil, msg, info end
  end
  local ok, err = pcall(require("cdperf.emulator").new, m)
  if not ok then
    err = tostring(err):gsub("^[^\n]-:%d+: ", "")
    if err:sub(1, #path + 2) ~= path .. ": " then err = path .. ": " .. err end
    return nil, err, { kind = "model", file = path }
  end
  return m
end

-- ---------------------------------------------------------------------------
-- Serial numbers stay out: the answers that carry one have it replaced by zero bytes
-- (lengths kept), and a snapshot's fields whose name says "serial" are left out.
--   INQUIRY standard data bytes 36-55 (vendor specific), VPD pages 80h (unit serial
--   number) and 83h (device identification); GET CONFIGURATION feature 0108h (logical
--   unit serial number); SERVICE ACTION IN(12) READ MEDIA SERIAL NUMBER; READ DISC
--   STRUCTURE formats 80h-82h (AACS volume identifier, media serial number, media ID).

local function zero(data, from, to)
  from, to = math.max(from, 1), math.min(to, #data)
  if from > to then return data end
  return data:sub(1, from - 1) .. string.rep("\0", to - from + 1) .. data:sub(to + 1)
end

--- An answer with its serial numbers replaced by zero bytes (lengths kept): INQUIRY
-- standard data bytes 36-55, VPD pages 80h and 83h, GET CONFIGURATION feature 0108h,
-- READ MEDIA SERIAL NUMBER, READ DISC STRUCTURE formats 80h-82h.
-- @tparam string cdb the command
-- @tparam string data its answer
-- @treturn string the answer, scrubbed
function record.scrub(cdb, data)
  if type(data) ~= "string" or #data == 0 then return data end
  local op = cdb:byte(1)
  if op == 0x12 then
    if (cdb:byte(2) or 0) & 1 == 0 then return zero(data, 37, 56) end
    local page = cdb:byte(3)
    if page == 0x80 or page == 0x83 then return zero(data, 5, #data) end
  elseif op == 0x46 then
    local at = 9
    while at + 3 <= #data do
      local code, len = string.unpack(">I2", data, at), data:byte(at + 3)
      if code == 0x0108 then data = zero(data, at + 4, at + 3 + len) end
      at = at + 4 + len
    end
  elseif op == 0xAB and ((cdb:byte(2) or 0) & 0x1F) == 0x01 then
    return zero(data, 5, #data)
  elseif op == 0xAD then
    local f = cdb:byte(8) or 0
    if f >= 0x80 and f <= 0x82 then return zero(data, 5, #data) end
  end
  return data
end

local function scrub_table(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do
    if not (type(k) == "string" and k:lower():find("serial", 1, true)) then t[k] = scrub_table(x) end
  end
  return t
end
--- A copy of a table without the fields whose name says "serial" (at any depth).
-- @param v a table (anything else is returned as it is)
-- @return the copy
-- @function scrub_table
record.scrub_table = scrub_table

-- ---------------------------------------------------------------------------
-- The recorder

local function default_clock()
  local ok, system = pcall(require, "system")
  if ok and type(system) == "table" and type(system.monotime) == "function" then
    return function() return system.monotime() * 1000 end
  end
  return function() return os.clock() * 1000 end
end

local function check_command(cdb, direction, arg)
  if type(cdb) ~= "string" or #cdb == 0 then
    error(fmt("bad argument #1 to 'command' (cdb string expected, got %s)", type(cdb)), 3)
  end
  if direction == "in" then
    if math.type(arg) ~= "integer" or arg < 0 then
      error(fmt("bad argument #3 to 'command' (allocation length expected for \"in\", got %s)", tostring(arg)), 3)
    end
  elseif direction == "out" then
    if type(arg) ~= "string" then
      error(fmt("bad argument #3 to 'command' (parameter bytes expected for \"out\", got %s)", type(arg)), 3)
    end
  elseif direction ~= "none" then
    error(fmt("bad argument #2 to 'command' (expected in|out|none, got %s)", tostring(direction)), 3)
  end
end

-- A callable device: its answer as { data =, sense =, status =, error = } plus what to
-- hand back (`back`, a packed list) when it is not one a drive can give.
local function callable_forward(dev)
  return function(cdb, direction, arg)
    local r = table.pack(pcall(dev, cdb, direction, arg))
    if not r[1] then return { error = tostring(r[2]), raise = r[2] } end
    local data, sense = r[2], r[3]
    if type(data) == "string" then
      if direction == "in" then return { data = data:sub(1, arg), status = 0 } end
      return { status = 0 }
    elseif data == nil and type(sense) == "string" then
      return { sense = sense, status = 2 }
    elseif data == true and direction ~= "in" then
      return { status = 0 }
    end
    local msg = data == nil and fmt("device function returned nil without sense bytes (got %s)", type(sense))
      or fmt("device function returned %s", type(data))
    return { error = msg, back = table.pack(table.unpack(r, 2, r.n)) }
  end
end

-- An open cdperf drive: each command through drive:command, the raw pass-through.
local function drive_forward(drive)
  return function(cdb, direction, arg)
    local data, msg, info = drive:command(cdb, direction, direction ~= "none" and arg or nil)
    if data ~= nil then
      if direction == "in" then return { data = data, status = 0 } end
      return { status = 0 }
    end
    info = type(info) == "table" and info or {}
    if info.kind == "scsi" and info.status == 2 and type(info.sense_bytes) == "string" and #info.sense_bytes > 0 then
      return { sense = info.sense_bytes, status = 2 }
    end
    local text = tostring(msg):gsub("^CDB %x%xh: ", "")
    return { error = text, raise = text, status = math.type(info.status) == "integer" and info.status ~= 0
      and info.status or nil }
  end
end

local Recorder = {}
Recorder.__index = Recorder
Recorder.__name = "cdperf.recorder"

function Recorder.__call(self, cdb, direction, arg) return self:command(cdb, direction, arg) end

function Recorder.__tostring(self)
  return fmt("cdperf.recorder (%s, %d commands)", self.name, #self._exchanges)
end

--- A recorder (`record.new`): itself a device (`rec(cdb, direction, arg)`), and a
-- `<close>` variable; `tostring(rec)` is `"cdperf.recorder (NAME, N commands)"`.
-- @type Recorder

--- Send one command through the recorder (the device interface).
-- @tparam string cdb
-- @tparam string direction
-- @param arg
-- @return what the device answered
function Recorder:command(cdb, direction, arg)
  check_command(cdb, direction, arg)
  local t0 = self._clock()
  local r = self._forward(cdb, direction, arg)
  local ms = math.max(0, self._clock() - t0)
  local ex = { cdb = tohex(cdb), direction = direction, ms = math.floor(ms * 1000 + 0.5) / 1000 }
  if direction == "in" then ex.alloc = arg elseif direction == "out" then ex.params = tohex(arg) end
  if r.data then r.data = record.scrub(cdb, r.data) end
  if r.error then
    ex.error, ex.status = r.error, r.status
  elseif r.sense then
    ex.sense, ex.status = tohex(r.sense:sub(1, 252)), r.status or 2
  else
    ex.status = 0
    if direction == "in" then ex.data = tohex(r.data or "") end
  end
  local list = self._exchanges
  list[#list + 1] = ex
  if self._on_exchange then self._on_exchange(ex, #list) end
  if r.raise ~= nil then error(r.raise, 0) end
  if r.back then return table.unpack(r.back, 1, r.back.n) end
  if r.sense then return nil, r.sense end
  if direction == "in" then return r.data end
  return ""
end

--- The exchanges so far, oldest first (copies): `{ cdb = hex, direction =, alloc =,
-- params =, data =, sense =, status =, ms =, error = }` (docs/recording.md).
-- @treturn table
function Recorder:exchanges()
  local t = {}
  for i, ex in ipairs(self._exchanges) do
    local c = {}
    for k, v in pairs(ex) do c[k] = v end
    t[i] = c
  end
  return t
end

--- A cdperf drive whose commands go through the recorder.
-- @tparam[opt] table opts as `cdperf.open`
-- @return the drive, or nil, message, info
function Recorder:open(opts)
  local o = { name = self.name }
  for k, v in pairs(opts or {}) do o[k] = v end
  return require("cdperf").open(self, o)
end

--- One snapshot read through the recorder (cdperf.snapshot; opts as there, exceptions
-- read too unless opts.exceptions == false); kept for save().
function Recorder:snapshot(opts)
  local o = { exceptions = true, device = self.name }
  for k, v in pairs(opts or {}) do o[k] = v end
  local drive, msg, info = self:open()
  if not drive then return nil, msg, info end
  local ok, snap = pcall(require("cdperf.snapshot").take, drive, o)
  drive:close()
  if not ok then error(snap, 0) end
  snap = scrub_table(snap)
  self._snapshot = snap
  return snap
end

--- The recording as a table (takes a snapshot first when none was taken).
-- opts.comment: a line for whoever reads the file (what went wrong, say).
function Recorder:recording(opts)
  opts = opts or {}
  if not self._snapshot then
    local snap, msg, info = self:snapshot(opts.snapshot)
    if not snap then return nil, msg, info end
  end
  local deepcopy = require "cdperf.deepcopy"
  local core_ok, core = pcall(require, "cdperf.core")
  local snap = deepcopy(self._snapshot)
  local rec = {
    format = record.FORMAT, version = record.VERSION,
    cdperf = core_ok and type(core) == "table" and tostring(core._VERSION) or nil,
    device = self.name, comment = opts.comment,
    inquiry = type(snap.inquiry) == "table" and deepcopy(snap.inquiry) or nil,
    snapshot = snap, exchanges = self:exchanges(),
  }
  local ok, msg, info = check.recording(rec, "recording")
  if not ok then return nil, "cannot record: " .. msg, info end
  return rec
end

--- The recording as the text of a file.
function Recorder:text(opts)
  local rec, msg, info = self:recording(opts)
  if not rec then return nil, msg, info end
  local inq, prof = rec.snapshot.inquiry, rec.snapshot.profile
  local drive = inq and fmt("%s %s %s", tostring(inq.vendor), tostring(inq.product), tostring(inq.revision))
    or "(no INQUIRY answer)"
  local medium = type(prof) == "table" and (prof.code == 0 and "no medium" or tostring(prof.name)) or "profile unknown"
  return record.to_lua(rec, { header = {
    fmt("cdperf recording (format %s %d, described in docs/recording.md): a drive's exact", record.FORMAT,
      record.VERSION),
    "answers to the commands cdperf sent it, and the snapshot cdperf read.  Data only: read it",
    "with cdperf.emulator.load(FILE) or cdperf.open(\"replay:FILE\"), never with dofile.",
    fmt("Drive: %s; %s; %d commands.", drive, medium, #rec.exchanges),
    "luacheck: no max line length",
  } })
end

--- Write the recording to path: true, or nil, message, info.
-- @tparam string path
-- @tparam[opt] table opts `comment`
-- @treturn boolean true
-- @return[2] nil, message, info
function Recorder:save(path, opts)
  if type(path) ~= "string" then
    error(fmt("bad argument #1 to 'save' (file name expected, got %s)", type(path)), 2)
  end
  local text, msg, info = self:text(opts)
  if not text then return nil, msg, info end
  local f, err = io.open(path, "wb")
  if not f then return nil, tostring(err), { kind = "os" } end
  local ok, werr = f:write(text)
  local cok, cerr = f:close()
  if not ok or not cok then return nil, fmt("%s: %s", path, tostring(werr or cerr)), { kind = "os" } end
  return true
end

--- Close the drive the recorder opened itself (a device path); idempotent.
function Recorder:close()
  if self._owned then
    self._owned:close()
    self._owned = nil
  end
end
Recorder.__close = Recorder.close
Recorder.__gc = Recorder.close

local function is_callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

-- "emulated:..." / "replay:..." -> the Lua device, or nil (a real device), or nil, msg, info
local function lua_device(name, opts)
  local emu_name = name:match("^emulated:(.*)$")
  if emu_name then
    local emulator = require "cdperf.emulator"
    local model = emulator.models[emu_name]
    if model == nil then
      local m, msg, info = record.load_model(emu_name)
      if not m then return nil, msg, info end
      model = m
    end
    return emulator.new(model)
  end
  local path = name:match("^replay:(.*)$")
  if path then return record.replay(path, opts) end
  return false
end

-- record.new and record.replay: their doc comments are at the top of the file.
function record.new(device, opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(fmt("bad argument #2 to 'record' (options table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  for _, k in ipairs { "clock", "on_exchange" } do
    if opts[k] ~= nil and type(opts[k]) ~= "function" then
      error(fmt("bad field '%s' (expected a function, got %s)", k, type(opts[k])), 2)
    end
  end
  local self = setmetatable({ _exchanges = {}, _clock = opts.clock or default_clock(),
    _on_exchange = opts.on_exchange }, Recorder)
  local dt = type(device)
  if dt == "string" then
    local dev, msg, info = lua_device(device, opts)
    if dev == nil then return nil, msg, info end
    local core = require "cdperf.core"
    self.name = opts.name or (type(core.display_name) == "function" and core.display_name(device) or device)
    if dev then
      self._forward = callable_forward(dev)
      self.device = dev
    else
      local drive
      drive, msg, info = core.open(device, { write = opts.write, timeout_ms = opts.timeout_ms,
        credentials = opts.credentials })
      if not drive then return nil, msg, info end
      if type(drive.command) ~= "function" then
        drive:close()
        return nil, "record: this build of cdperf.core has no drive:command (the raw pass-through)",
          { kind = "unsupported" }
      end
      self._owned = drive
      self._forward = drive_forward(drive)
      self.device = drive
    end
  elseif dt == "userdata" and type(device.command) == "function" then
    local ok, s = pcall(tostring, device)
    self.name = opts.name or (ok and s:match("^cdperf%.drive %((.*)%)$")) or "drive"
    self._forward = drive_forward(device)
    self.device = device
  elseif is_callable(device) then
    self.name = opts.name or (type(device) == "table" and device.name and ("emulated:" .. tostring(device.name)))
      or "device"
    self._forward = callable_forward(device)
    self.device = device
  elseif dt == "table" and type(device.command) == "function" then
    self.name = opts.name or "device"
    self._forward = callable_forward(function(...) return device:command(...) end)
    self.device = device
  else
    error(fmt("bad argument #1 to 'record' (device path, drive or callable device expected, got %s)", dt), 2)
  end
  return self
end

-- ---------------------------------------------------------------------------
-- Replay

local Replay = {}
Replay.__index = Replay
Replay.__name = "cdperf.replay"

function Replay.__call(self, cdb, direction, arg) return self:command(cdb, direction, arg) end
function Replay.__tostring(self) return fmt("cdperf.replay (%s)", self.name) end

local function key_of(cdb, direction, params)
  return cdb .. "\0" .. direction .. (direction == "out" and ("\0" .. params) or "")
end

local function first_difference(a, b)
  for i = 1, math.max(#a, #b) do
    if a:byte(i) ~= b:byte(i) then return i - 1 end
  end
  return nil
end

local function describe_command(cdb, direction, arg)
  local extra = direction == "in" and fmt(", %d bytes", arg) or direction == "out" and fmt(", %d parameter bytes", #arg)
    or ""
  return fmt("%s (%s, %s%s)", spaced(cdb), record.opcode_name(cdb), direction, extra)
end

-- The recorded command nearest to this one, and the sense and words for the miss.
function Replay:_miss(cdb, direction, arg)
  local emulator = require "cdperf.emulator"
  local best, best_score
  for _, e in ipairs(self._order) do
    local score = (e.direction ~= direction and 1000 or 0) + math.abs(#e.cdb - #cdb) * 8
    for i = 1, math.min(#e.cdb, #cdb) do
      if e.cdb:byte(i) ~= cdb:byte(i) then score = score + (i == 1 and 100 or 1) end
    end
    if direction == "out" and e.direction == "out" and e.params ~= arg then score = score + 1 end
    if not best_score or score < best_score then best, best_score = e, score end
  end
  local text = fmt("%s: no recorded answer to %s", self.name, describe_command(cdb, direction, arg))
  local sense
  if not best then
    text = text .. "; the recording holds no commands"
    sense = emulator.sense_bytes(5, 0x20, 0x00)
  else
    local diff = first_difference(best.cdb, cdb)
    text = text .. fmt("; the nearest recorded is %s", describe_command(best.cdb, best.direction, best.arg))
    if diff then
      text = text .. fmt(", which differs at byte %d", diff)
    elseif best.direction == direction and direction == "out" then
      local pd = first_difference(best.params, arg) or 0
      text = text .. fmt(", with other parameter bytes from byte %d", pd)
    end
    local same_op = false
    for _, e in ipairs(self._order) do if e.cdb:byte(1) == cdb:byte(1) then same_op = true break end end
    if not same_op then
      sense = emulator.sense_bytes(5, 0x20, 0x00)                 -- INVALID COMMAND OPERATION CODE
    elseif diff then
      sense = emulator.sense_bytes(5, 0x24, 0x00, math.min(diff, 0xFFFF))   -- INVALID FIELD IN CDB
    else
      local pd = direction == "out" and best.params and first_difference(best.params, arg) or 0
      sense = emulator.sense_bytes(5, 0x26, 0x00, -1 - math.min(pd, 0xFFFF))  -- IN PARAMETER LIST
    end
  end
  local miss = { cdb = tohex(cdb), direction = direction, message = text,
    nearest = best and tohex(best.cdb) or nil }
  self._misses[#self._misses + 1] = miss
  if self._on_miss then self._on_miss(text, miss) end
  return nil, sense
end

--- A replay device (`record.replay`, `cdperf.open("replay:FILE")`): answers as the
-- recorded drive did; `tostring` is `"cdperf.replay (NAME)"`.
-- @type Replay

--- Answer one command with the recorded bytes (the device interface).
-- @tparam string cdb
-- @tparam string direction
-- @param arg
-- @return the recorded answer: data, or nil and sense bytes
function Replay:command(cdb, direction, arg)
  check_command(cdb, direction, arg)
  self._log[#self._log + 1] = cdb
  local key = key_of(cdb, direction, arg)
  local queue = self._index[key]
  if not queue then return self:_miss(cdb, direction, arg) end
  local n = self._next[key] or 1
  self._next[key] = n + 1
  local e = queue[math.min(n, #queue)]
  e.used = true
  if e.error then error(e.error, 0) end
  if e.sense then return nil, e.sense end
  if direction == "in" then
    local data = e.data or ""
    if #data > arg then data = data:sub(1, arg) end
    return data
  end
  return ""
end

--- The unrecorded commands asked so far: { cdb =, direction =, message =, nearest = }.
function Replay:misses()
  local t = {}
  for i, m in ipairs(self._misses) do t[i] = m end
  return t
end

--- The CDBs asked, oldest first.
function Replay:log()
  local t = {}
  for i, c in ipairs(self._log) do t[i] = c end
  return t
end

--- How many recorded exchanges were never answered.
function Replay:unused()
  local n = 0
  for _, e in ipairs(self._all) do if not e.used then n = n + 1 end end
  return n
end

--- Start over: repeated CDBs are answered from their first recording again.
function Replay:rewind()
  self._next, self._log, self._misses = {}, {}, {}
  for _, e in ipairs(self._all) do e.used = nil end
end

-- (record.replay: its doc comment is at the top of the file)
function record.replay(source, opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(fmt("bad argument #2 to 'replay' (options table expected, got %s)", type(opts)), 2)
  end
  opts = opts or {}
  if opts.on_miss ~= nil and type(opts.on_miss) ~= "function" then
    error(fmt("bad field 'on_miss' (expected a function, got %s)", type(opts.on_miss)), 2)
  end
  local rec, name
  if type(source) == "string" then
    name = "replay:" .. source
    local kind, info
    rec, kind, info = record.load(source)
    if not rec then return nil, kind, info end
    if kind ~= "recording" then
      return nil, fmt("%s: bad field 'format' (expected %q: a recording, got %s)", source, record.FORMAT,
        kind == "snapshot" and "a snapshot; emulated:" .. source .. " emulates it" or "a model; emulated:"
          .. source .. " emulates it"),
        { kind = "model", file = source, field = "format", expected = record.FORMAT, found = kind }
    end
  elseif type(source) == "table" then
    name = "replay"
    local ok, msg, info = check.recording(source, "recording")
    if not ok then return nil, msg, info end
    rec = source
  else
    error(fmt("bad argument #1 to 'replay' (file name or recording expected, got %s)", type(source)), 2)
  end
  local self = setmetatable({ name = opts.name or name, _index = {}, _order = {}, _all = {}, _next = {},
    _log = {}, _misses = {}, recording = rec }, Replay)
  self._on_miss = opts.on_miss or function(text) io.stderr:write("cdperf: ", text, "\n") end
  local seen = {}
  for _, x in ipairs(rec.exchanges) do
    local e = { cdb = unhex(x.cdb), direction = x.direction, params = x.params and unhex(x.params),
      data = x.data and unhex(x.data), sense = x.sense and unhex(x.sense), error = x.error }
    e.arg = x.direction == "in" and x.alloc or e.params
    local key = key_of(e.cdb, e.direction, e.params)
    local q = self._index[key]
    if not q then
      q = {}
      self._index[key] = q
    end
    q[#q + 1] = e
    self._all[#self._all + 1] = e
    if not seen[key] then
      seen[key] = true
      self._order[#self._order + 1] = e
    end
  end
  return self
end

return record
