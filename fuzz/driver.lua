--- fuzz/driver.lua: the Lua side of fuzz_lua.c. Returns run(data): every byte
-- the hostile device and the call sequence need is taken from data, in order.
-- Contract checked on every call made with valid arguments: a drive method or a
-- decoder returns its result, or nil, a one-line message and an info table
-- ({ kind =, command = }); it never raises (except "attempt to use a closed
-- drive" after close). fuzz_violation(msg) aborts the process.
local core = require "cdperf.core"
local have_lua_layer, cdperf = pcall(require, "cdperf")
local emulator, model_names
if have_lua_layer then
  local ok, emu = pcall(require, "cdperf.emulator")
  if ok then
    emulator = emu
    model_names = emu.model_names()
    table.sort(model_names)
  end
end
local violation = fuzz_violation -- luacheck: ignore
local sub, byte_at, char = string.sub, string.byte, string.char
local type, pcall, tostring = type, pcall, tostring

local REQUESTS = {
  { request_type = "write_speed" },
  { performance_type = "read", exceptions = "nominal" },
  { performance_type = "read", exceptions = "entire" },
  { performance_type = "read", exceptions = "exceptions_only" },
  { performance_type = "write", exceptions = "nominal" },
  { performance_type = "write", exceptions = "entire" },
  { performance_type = "write", exceptions = "exceptions_only", starting_lba = 0xFFFFFFFF },
}
local ODD_VALUES = { 42, 1.5, {}, true, false, print, "x" }

local function is_int(v) return math.type(v) == "integer" end

local function check_failure(what, msg, info)
  if type(msg) ~= "string" or msg == "" or msg:find("\n") then
    violation(what .. ": failure without a one-line message: " .. tostring(msg))
  end
  if type(info) ~= "table" or type(info.kind) ~= "string" or type(info.command) ~= "string" then
    violation(what .. ": failure without an info table: " .. msg)
  end
end

local function check_perf(what, r)
  if type(r.descriptors) ~= "table" or type(r.raw) ~= "string" or type(r.header) ~= "table" then
    violation(what .. ": malformed result")
  end
  if #r.raw > 65535 or #r.raw < 8 then violation(what .. ": raw of " .. #r.raw .. " bytes") end
  local size = r.kind == "exception" and 6 or 16
  if 8 + #r.descriptors * size > #r.raw then violation(what .. ": more descriptors than bytes") end
  if not is_int(r.header.data_length) or r.header.data_length < 0 or r.header.data_length > 0xFFFFFFFF then
    violation(what .. ": bad data_length")
  end
  for _, d in ipairs(r.descriptors) do
    for k, v in pairs(d) do
      if type(v) ~= "boolean" and not (is_int(v) and v >= 0 and v <= 0xFFFFFFFF) then
        violation(what .. ": field " .. tostring(k) .. " = " .. tostring(v))
      end
    end
  end
end

local function check_caps(what, c)
  -- An MMC-1/2 page has no write speed table: the field is absent then.
  if c.write_speeds == nil then return end
  if type(c.write_speeds) ~= "table" or #c.write_speeds > 64 then violation(what .. ": write_speeds") end
  for _, e in ipairs(c.write_speeds) do
    if not (is_int(e.speed) and e.speed <= 0xFFFF and is_int(e.rotation_control) and e.rotation_control <= 3) then
      violation(what .. ": bad write speed entry")
    end
  end
end

local function check_inquiry(what, q)
  for k, cap in pairs { vendor = 8, product = 16, revision = 4 } do
    local s = q[k]
    if type(s) ~= "string" or #s > cap or s:find("[^\32-\126]") or s:find(" $") then
      violation(what .. ": bad " .. k .. " " .. tostring(s))
    end
  end
end

local function check_sense(what, s)
  if not (is_int(s.sense_key) and s.sense_key <= 15 and is_int(s.asc) and s.asc <= 255
          and is_int(s.ascq) and s.ascq <= 255 and type(s.sense) == "string") then
    violation(what .. ": bad sense table")
  end
end

return function(data)
  local pos, n = 1, #data
  local function byte()
    local b = byte_at(data, pos) or 0
    pos = pos + 1
    return b
  end
  local function take(len)
    local s = sub(data, pos, pos + len - 1)
    pos = pos + len
    return s
  end

  local emu
  local head = byte()
  if emulator and head & 1 == 1 then
    emu = emulator.new(emulator.models[model_names[byte() % #model_names + 1]])
  end

  local drive, depth, raw = nil, 0, false
  -- The hostile device: each command consumes a control byte and its payload.
  local function answer(cdb, direction, arg)
    if type(cdb) ~= "string" or #cdb < 6 or #cdb > 16 then violation("device got a bad cdb") end
    if direction == "in" then
      if not is_int(arg) or arg < 0 or arg > 65535 then violation("device got a bad allocation length") end
    elseif direction == "out" then
      if type(arg) ~= "string" then violation("device got no parameter bytes") end
    elseif direction ~= "none" then
      violation("device got direction " .. tostring(direction))
    end
    local c = byte()
    local mode = c & 15
    if mode < 5 then                 -- any bytes, any length
      return take((byte() << 8) | byte())
    elseif mode < 8 then             -- the emulator's answer, perhaps mutated
      if not emu then return take(byte()) end
      local ok, d, s = pcall(emu, cdb, direction, arg)
      if not ok then
        -- a CDB from drive:command is the input's, and the emulator may refuse it
        if raw then error(d, 0) end
        violation("emulator raised on a CDB the core built: " .. tostring(d))
      end
      if type(d) == "string" then
        if c & 16 ~= 0 then d = sub(d, 1, byte() * 4) end
        if c & 32 ~= 0 and #d > 0 then
          local at = byte() % #d + 1
          d = sub(d, 1, at - 1) .. char(byte()) .. sub(d, at + 1)
        end
        if c & 64 ~= 0 then d = d .. take(byte()) end
      end
      return d, s
    elseif mode == 8 then            -- CHECK CONDITION with any sense bytes
      return nil, take(byte() % 48)
    elseif mode == 9 then
      error("device on fire " .. take(byte() % 8):gsub("[\r\n]", "?"), 0)
    elseif mode == 10 then
      error(setmetatable({}, { __tostring = function() error("nested") end }))
    elseif mode == 11 then
      return ODD_VALUES[byte() % #ODD_VALUES + 1], ODD_VALUES[byte() % #ODD_VALUES + 1]
    elseif mode == 12 then
      return nil
    elseif mode == 13 then
      return coroutine.yield(c)      -- inside or outside a coroutine
    elseif mode == 14 then
      -- Now and then longer than any allocation (up to 91803 bytes, which costs a decode of
      -- thousands of descriptors), else up to 768 bytes: the big ones cut executions tenfold.
      local b = byte()
      return (take(1) .. "\0\255"):rep(b & 7 == 0 and b * 120 + 1 or b + 1)
    end
    -- mode 15: re-entrant use of the drive from inside its own device, then bytes.
    local what = byte() % 4
    if what == 1 and drive then
      drive:close()                  -- closed in the middle of its own command
    elseif what == 2 and drive and depth < 3 then
      depth = depth + 1
      pcall(drive.get_performance, drive, { request_type = "write_speed" })
      depth = depth - 1
    elseif what == 3 then
      collectgarbage("step")
    else
      return true
    end
    return take((byte() << 8) | byte())
  end

  local device = answer
  if byte() & 1 == 1 then device = setmetatable({}, { __call = function(_, ...) return answer(...) end }) end
  local name = "fuzz"
  -- Drives of the Lua layer when it loaded (its methods on top of the core's), else the core's.
  local open = cdperf and cdperf.open or core.open
  drive = open(device, { name = name, write = true })
  if not drive then violation("open of a callable failed") end

  local function call(what, checker, f, ...)
    local ok, r, msg, info = pcall(f, ...)
    if not ok then
      -- The drive may have been closed before the call or by its device during it.
      if not drive:is_open() and tostring(r):find("attempt to use a closed drive", 1, true) then return end
      if tostring(r):find("not enough memory", 1, true) then return end
      violation(what .. " raised: " .. tostring(r))
    end
    if r == nil then
      check_failure(what, msg, info)
    elseif checker then
      -- (command returns a string; every other method a table)
      if type(r) ~= "table" and what ~= "command" then violation(what .. " returned " .. type(r)) end
      checker(what, r)
    elseif r ~= true then
      violation(what .. " returned " .. tostring(r))
    end
  end

  local steps = 0
  while pos <= n and steps < 64 do
    steps = steps + 1
    local op = byte()
    -- (op % 17 as before drive:command came, so that saved inputs take their old paths;
    -- the raw pass-through is kind 16 with op odd)
    local kind = op % 17
    if kind == 16 and op % 2 == 1 then kind = 17 end
    local in_coroutine = op & 0x80 ~= 0
    local function step()
      if kind < 7 then
        call("get_performance", check_perf, drive.get_performance, drive, REQUESTS[kind + 1])
      elseif kind == 7 then
        call("inquiry", check_inquiry, drive.inquiry, drive)
      elseif kind == 8 then
        call("profile", function(what, p)
          if not is_int(p.code) or p.code > 0xFFFF then violation(what .. ": code") end
        end, drive.profile, drive)
      elseif kind == 9 then
        call("capabilities", check_caps, drive.capabilities, drive)
      elseif kind == 10 then
        local b = byte()
        call("set_speed", nil, drive.set_speed, drive, {
          read = b & 1 == 1 and "max" or (byte() << 8 | byte()),
          write = b & 2 == 2 and "max" or (byte() << 8 | byte()),
          rotation = b & 4 == 4 and "cav" or (b & 8 == 8 and 3 or nil),
        })
      elseif kind == 11 then
        local b = byte()
        local function u32() return string.unpack(">I4", take(4) .. "\0\0\0\0") end
        call("set_streaming", nil, drive.set_streaming, drive, {
          start_lba = u32(), end_lba = u32(), read_size = u32(), read_time = u32(),
          write_size = u32(), write_time = u32(), rotation = b & 3,
          restore_defaults = b & 4 ~= 0, exact = b & 8 ~= 0, random_access = b & 16 ~= 0,
          persistent = b & 32 ~= 0,
        })
      elseif kind == 12 then
        call("test_unit_ready", nil, drive.test_unit_ready, drive)
      elseif kind == 13 then
        call("request_sense", check_sense, drive.request_sense, drive)
      elseif kind == 14 then
        local which, bytes = byte(), take(byte())
        if which % 4 == 0 then
          call("decode_performance", check_perf, core.decode_performance, bytes, REQUESTS[which % 7 + 1])
        elseif which % 4 == 1 then
          call("decode_capabilities", check_caps, core.decode_capabilities, bytes)
        elseif which % 4 == 2 then
          call("decode_inquiry", check_inquiry, core.decode_inquiry, bytes)
        else
          call("decode_sense", check_sense, core.decode_sense, bytes)
        end
        local key, asc, ascq = byte() - 128, byte() - 16, byte()
        local ok, kname = pcall(core.sense_text, key, asc, ascq)
        if not ok or type(kname) ~= "string" then violation("sense_text") end
      elseif kind == 15 then
        local b = byte()
        if b % 3 == 0 then
          drive:close()
          if tostring(drive) ~= "cdperf.drive (closed)" or drive:is_open() then violation("close") end
        elseif b % 3 == 1 then
          drive = nil -- dropped: the collector closes it
          collectgarbage("step")
          name = "fuzz" .. b
          drive = open(device, { name = name })
        else
          if tostring(drive) ~= (drive:is_open() and "cdperf.drive (" .. name .. ")" or "cdperf.drive (closed)") then
            violation("tostring " .. tostring(drive))
          end
        end
      elseif kind == 17 then
        -- The raw pass-through with a CDB and an argument from the input.
        local b = byte()
        local cdb = take(6 + byte() % 11)
        if #cdb >= 6 then
          local dir = ({ "in", "out", "none" })[b % 3 + 1]
          local arg = dir == "in" and ((byte() << 8) | byte()) or (dir == "out" and take(byte()) or nil)
          raw = true
          call("command", function(what, r)
            if type(r) ~= "string" then violation(what .. " returned " .. type(r)) end
            if dir ~= "in" and r ~= "" then violation(what .. ": data for direction " .. dir) end
            if dir == "in" and #r > arg then violation(what .. ": more data than the allocation") end
          end, drive.command, drive, cdb, dir, arg, b & 8 ~= 0 and 1 + byte() or nil)
          raw = false
        end
      else
        -- The Lua layer on top of the hostile drive (only when it loaded).
        if cdperf and drive:is_open() then
          call("write_speeds", function() end, drive.write_speeds, drive)
          call("read_performance", function() end, drive.read_performance, drive)
        end
      end
    end
    if in_coroutine then
      local co = coroutine.create(step)
      local ok, err = coroutine.resume(co)
      if not ok then violation("step raised in a coroutine: " .. tostring(err)) end
      -- A yield from the device cannot cross the C call: the step ran to its end.
      if coroutine.status(co) ~= "dead" then violation("a device yield suspended a C method") end
    else
      step()
    end
  end
  if byte() & 1 == 1 and drive then drive:close() end
end
