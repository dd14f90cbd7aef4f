-- The fastest speed that is Exact or CAV, at most 8x; else the slowest speed.
-- Then set it and check that the drive obeyed.
--
--   lua5.4 examples/exact_or_cav.lua [DEVICE]
--
-- DEVICE: /dev/sr0, D:, emulated:MODEL, ... (cdperf.open); without one, an emulated LG
-- WH16NS40 BD burner that, like a real drive on Linux, refuses to set a speed unless it
-- was opened with write = true (the model switch requires_write).
local cdperf = require "cdperf"

local function open_drive(opts)
  if arg[1] then return cdperf.open(arg[1], opts) end
  local model = cdperf.emulator.deepcopy(cdperf.emulator.models.lg_wh16ns40_bdr)
  model.quirks = { requires_write = true }
  return cdperf.open(cdperf.emulator.new(model, { write = opts and opts.write }), opts)
end

-- The policy: a Lua function keeps the speeds that are Exact or CAV (the words can only
-- narrow to one of them), then `at-most=8` narrows, and the fastest left wins; when
-- nothing is left, the fallback "min" picks the slowest speed.
local function exact_or_cav(candidates)
  local out = {}
  for _, e in ipairs(candidates) do
    if e.exact or e.rotation == "cav" then out[#out + 1] = e end
  end
  if #out == 0 then return nil, "no Exact or CAV speed" end
  return out, "Exact or CAV speeds only"
end
local policy = { fallback = { { exact_or_cav, "at-most=8" }, "min" } }

-- Setting a speed needs a drive opened read-write (Linux: SET STREAMING and SET CD
-- SPEED fail with EPERM on a read-only handle).
local drive <close> = assert(open_drive { write = true })
local snap = cdperf.snapshot(drive)
local list = assert(cdperf.speeds.list(snap))
print("speeds: " .. #list .. " for " .. snap.profile.name)
for _, e in ipairs(list) do
  local shown = cdperf.format.speed(e.write, list.class)
  print(("  %-28s %s%s"):format(shown, e.rotation:upper(), e.exact and ", Exact" or ""))
end

local entry, why = assert(cdperf.speeds.pick(list, policy))
print("chosen: " .. cdperf.format.speed(entry.write, list.class))
print("why:    " .. why)

local ok, report, info = cdperf.speeds.apply(drive, entry, snap)
if not ok then
  io.stderr:write("apply: ", report, " (", info and info.kind or "?", ")\n")
  os.exit(1)
end
print(("set:    %s by %s, the drive reports %s: %s"):format(cdperf.format.speed(report.asked, list.class),
  report.method, report.got and cdperf.format.speed(report.got, list.class) or "nothing",
  report.obeyed and "obeyed" or "NOT obeyed"))
for _, note in ipairs(report.notes) do print("note:   " .. note) end
