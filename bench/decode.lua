--- Benchmark 1: decoding GET PERFORMANCE responses as large as a 65535-byte buffer holds,
-- by cdperf.core (C) and by a pure-Lua decoder (string.unpack) that builds the same tables.
local util = require "bench.util"

local pack, unpack = string.pack, string.unpack

local M = {}

local HEADER = 8
local MAX_TRANSFER = 65535

--- A write-speed response (type 03h) with n descriptors; the header tells the truth.
function M.write_speed_response(n)
  local parts = {}
  for i = 0, n - 1 do
    local flags = (i & 1) | ((i % 3 == 0) and 2 or 0) | ((i % 7 == 0) and 4 or 0) | ((i % 4) << 3)
    parts[#parts + 1] = pack(">BBBBI4I4I4", flags, 0, 0, 0,
      2295103 - i, 1385 * (1 + i % 16) + i, 1385 * (1 + i % 24) + (i * 7919) % 1000)
  end
  local body = table.concat(parts)
  return pack(">I4BBBB", 4 + #body, 0, 0, 0, 0) .. body
end

--- An exceptions-only response (Except bit set) with n 6-byte descriptors.
function M.exception_response(n)
  local parts = {}
  for i = 0, n - 1 do
    parts[#parts + 1] = pack(">I4I2", i * 211 + (i % 13), (i * 37) % 65536)
  end
  local body = table.concat(parts)
  return pack(">I4BBBB", 4 + #body, 0x01, 0, 0, 0) .. body
end

--- A pure-Lua decoder: the layout rules of mmc.c (mmc_perf_parse) and the table shapes of
-- cdperf.c (push_perf_result), written with string.unpack.
function M.lua_decode(raw, request)
  local len = #raw
  if len < HEADER then
    return nil, ("decode_performance: response shorter than the 8-byte performance header (got %d bytes)")
      :format(len)
  end
  local data_length, flags = unpack(">I4B", raw)
  local except, write = flags & 1 ~= 0, flags & 2 ~= 0
  local write_speed = request.request_type == "write_speed"
  local kind, size
  if write_speed then
    kind, size = "write_speed", 16
  elseif except then
    kind, size = "exception", 6
  else
    kind, size = "nominal", 16
  end
  local claimed = data_length + 4
  local used = claimed < len and claimed or len
  if used < HEADER then used = HEADER end
  local count = (used - HEADER) // size
  local truncated = claimed > len or (used - HEADER) % size ~= 0
  if not write_speed then
    local exc = request.exceptions or "nominal"
    if exc == "nominal" and except then
      return nil, "decode_performance: drive answered a nominal performance request with exception "
        .. "descriptors (Except bit set)"
    end
    if exc == "exceptions_only" and not except and count > 0 then
      return nil, "decode_performance: drive answered an exceptions-only request with nominal "
        .. "descriptors (Except bit clear)"
    end
  end
  local list, pos = {}, HEADER + 1
  if kind == "write_speed" then
    for i = 1, count do
      local b0, end_lba, rd, wr = unpack(">Bxxx I4 I4 I4", raw, pos)
      list[i] = {
        mixed_read_write = b0 & 1 ~= 0,
        exact = b0 & 2 ~= 0,
        restore_drive_defaults = b0 & 4 ~= 0,
        write_rotation_control = (b0 >> 3) & 3,
        end_lba = end_lba, read_speed = rd, write_speed = wr,
      }
      pos = pos + 16
    end
  elseif kind == "exception" then
    for i = 1, count do
      local lba, time = unpack(">I4 I2", raw, pos)
      list[i] = { lba = lba, time = time }
      pos = pos + 6
    end
  else
    for i = 1, count do
      local sl, sp, el, ep = unpack(">I4 I4 I4 I4", raw, pos)
      list[i] = { start_lba = sl, start_performance = sp, end_lba = el, end_performance = ep }
      pos = pos + 16
    end
  end
  return {
    header = { data_length = data_length, except = except, write = write },
    descriptors = list,
    kind = kind,
    raw = used < len and raw:sub(1, used) or raw,
    truncated = truncated,
  }
end

--- A function that builds tables shaped like `res` (a decoded result) from plain integers,
-- without reading any bytes: what building the result costs by itself.
function M.floor(res)
  local n, kind, raw = #res.descriptors, res.kind, res.raw
  local h = res.header
  local dl, ex, wr, tr = h.data_length, h.except, h.write, res.truncated
  if kind == "write_speed" then
    return function()
      local list = {}
      for i = 1, n do
        list[i] = { mixed_read_write = false, exact = true, restore_drive_defaults = false,
          write_rotation_control = 1, end_lba = i, read_speed = i, write_speed = i }
      end
      return { header = { data_length = dl, except = ex, write = wr }, descriptors = list, kind = kind,
        raw = raw, truncated = tr }
    end
  elseif kind == "exception" then
    return function()
      local list = {}
      for i = 1, n do list[i] = { lba = i, time = i } end
      return { header = { data_length = dl, except = ex, write = wr }, descriptors = list, kind = kind,
        raw = raw, truncated = tr }
    end
  end
  return function()
    local list = {}
    for i = 1, n do list[i] = { start_lba = i, start_performance = i, end_lba = i, end_performance = i } end
    return { header = { data_length = dl, except = ex, write = wr }, descriptors = list, kind = kind,
      raw = raw, truncated = tr }
  end
end

--- A Lua-function device that answers every GET PERFORMANCE with `raw`, cut to the
-- allocation length, and counts the commands.
local function serving_device(raw)
  local dev = { commands = 0, allocs = {} }
  dev.fn = function(_, _, alloc)
    dev.commands = dev.commands + 1
    dev.allocs[#dev.allocs + 1] = alloc
    if #raw > alloc then return raw:sub(1, alloc) end
    return raw
  end
  return dev
end

local function case(core, name, raw, request, opts)
  local r = { name = name, bytes = #raw }
  local c_fn = function() return core.decode_performance(raw, request) end
  local lua_fn = function() return M.lua_decode(raw, request) end

  -- Equal once, before anything is timed.
  local c_res = assert(c_fn())
  local l_res = assert(lua_fn())
  r.descriptors = #c_res.descriptors
  r.equal, r.diff = util.equal(c_res, l_res)

  -- Through a Lua-function device: drive:get_performance, both commands included.
  local dev = serving_device(raw)
  local drive = assert(core.open(dev.fn, { name = "bench" }))
  local dev_fn = function() return drive:get_performance(request) end
  local d_res = assert(dev_fn())
  r.device_equal, r.device_diff = util.equal(c_res, d_res)
  r.device_commands = dev.commands
  r.device_allocs = table.concat(dev.allocs, ", ")

  -- The floor under any decoder that returns these tables: building them from values
  -- already at hand (Lua table constructors, no decoding at all).
  local floor_fn = M.floor(c_res)

  local med, _, reps = util.alternate({ c = c_fn, lua = lua_fn, device = dev_fn, floor = floor_fn },
    { "c", "lua", "device", "floor" }, opts.rounds, opts.target)
  r.c, r.lua, r.device, r.floor = med.c, med.lua, med.device, med.floor
  r.reps = reps
  r.ratio = med.lua / med.c
  r.device_ratio = med.lua / med.device

  -- Lua heap growth for one decode (result table included, collector stopped).
  r.heap_c = util.heap_delta(c_fn)
  r.heap_lua = util.heap_delta(lua_fn)
  r.heap_device = util.heap_delta(dev_fn)
  drive:close()
  return r
end

--- Runs the decoding benchmark; opts = { rounds =, target = seconds per sample }.
function M.run(core, opts)
  local ws_n = (MAX_TRANSFER - HEADER) // 16
  local ex_n = (MAX_TRANSFER - HEADER) // 6
  local res = { hwm_before = util.proc_status("VmHWM") }
  res.cases = {
    case(core, ("write speeds, %d descriptors"):format(ws_n), M.write_speed_response(ws_n),
      { request_type = "write_speed" }, opts),
    case(core, ("exceptions, %d descriptors"):format(ex_n), M.exception_response(ex_n),
      { exceptions = "exceptions_only" }, opts),
  }
  res.hwm_after = util.proc_status("VmHWM")
  res.rss_after = util.proc_status("VmRSS")
  return res
end

return M
