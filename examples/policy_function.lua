-- A policy written as a Lua function: the slowest speed that still burns SIZE bytes
-- within BUDGET seconds (slower burns are kinder to cheap discs), by the drive's own
-- performance curve; none fast enough: the fastest.
--
--   lua5.4 examples/policy_function.lua [DEVICE]
--
-- DEVICE as for cdperf.open; without one, an emulated LG WH16NS40 with a blank BD-R.
-- Edit SIZE and BUDGET.
local cdperf = require "cdperf"
local speeds, format = cdperf.speeds, cdperf.format

local SIZE = 20e9            -- bytes to burn
local BUDGET = 15 * 60       -- seconds

-- A policy function gets the candidates left (speed list entries) and a context
-- { class =, snapshot =, list = }; it returns one of the candidates (or a list of them)
-- and a reason, or nil and why it chose nothing.
local function within_budget(candidates, context)
  local best, best_time
  for _, e in ipairs(candidates) do
    local t = speeds.estimate(context.snapshot, SIZE, e)
    if t and t <= BUDGET and (not best or e.write < best.write) then best, best_time = e, t end
  end
  if not best then return nil, ("no speed burns %d bytes within %s"):format(SIZE, format.duration(BUDGET)) end
  return best, ("the slowest within %s: %s"):format(format.duration(BUDGET), format.duration(best_time))
end

local function open_drive(opts)
  if arg[1] then return cdperf.open(arg[1], opts) end
  local model = cdperf.emulator.deepcopy(cdperf.emulator.models.lg_wh16ns40_bdr)
  model.quirks = { requires_write = true }
  return cdperf.open(cdperf.emulator.new(model, { write = opts and opts.write }), opts)
end

local drive <close> = assert(open_drive())
local snap = cdperf.snapshot(drive)
local list = assert(speeds.list(snap))
-- the function, and "max" when it picks nothing
local entry, why = assert(speeds.pick(list, { fallback = { within_budget, "max" } }))
print(("%d bytes within %s"):format(SIZE, format.duration(BUDGET)))
for _, e in ipairs(list) do
  local t = speeds.estimate(snap, SIZE, e)
  print(("  %s %-24s %s"):format(e == entry and "*" or " ", format.speed(e.write, list.class),
    t and format.duration(t) or "-"))
end
print("why: " .. why)
