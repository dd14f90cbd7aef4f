--- Benchmark 2: per-call overhead of drive:write_speeds() through a Lua-function device that
-- returns a fixed 8-descriptor reply, and what the call is made of.
local util = require "bench.util"

local pack = string.pack

local M = {}

--- The fixed reply: 8 write-speed descriptors of a 24x DVD+R drive (CLV, End LBA 2295103).
function M.reply()
  local speeds = { 33240, 27700, 22160, 16620, 11080, 8310, 5540, 3324 }
  local parts = {}
  for i, w in ipairs(speeds) do parts[i] = pack(">BBBBI4I4I4", 0, 0, 0, 0, 2295103, 16620, w) end
  local body = table.concat(parts)
  return pack(">I4BBBB", 4 + #body, 0, 0, 0, 0) .. body
end

--- Runs the overhead benchmark; opts = { rounds =, target = }.
function M.run(cdperf, opts)
  local core = cdperf.core
  local reply = M.reply()
  local calls = 0
  local function device(_, _, alloc)
    calls = calls + 1
    if #reply > alloc then return reply:sub(1, alloc) end
    return reply
  end
  local drive = assert(cdperf.open(device, { name = "bench-8" }))
  local first = assert(drive:write_speeds())
  local res = { descriptors = #first }
  calls = 0
  drive:write_speeds()
  res.commands = calls

  local cdb = "\xAC" .. ("\0"):rep(11)
  local req = { request_type = "write_speed" }
  local fns = {
    write_speeds = function() return drive:write_speeds() end,
    get_performance = function() return drive:get_performance(req) end,
    decode = function() return core.decode_performance(reply, req) end,
    device = function() return device(cdb, "in", 1032) end,
  }
  local med = util.alternate(fns, { "write_speeds", "get_performance", "decode", "device" },
    opts.rounds, opts.target)
  for k, v in pairs(med) do res[k] = v * 1e6 end -- microseconds per call
  drive:close()
  return res
end

return M
