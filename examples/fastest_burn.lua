-- The fastest burn of an image: the speed that writes it soonest by the drive's own
-- performance curve (a faster setting is not always sooner: CAV only reaches its speed
-- at the rim), the time it takes, and the words each burner needs to ask for it.
--
--   lua5.4 examples/fastest_burn.lua IMAGE_OR_SIZE [DEVICE]
--
-- IMAGE_OR_SIZE: an image file, or a size such as 23G or 700MiB.  DEVICE as for
-- cdperf.open; without one, an emulated LG WH16NS40 with a blank BD-R.  Nothing is set:
-- the drive is only read, so it is opened read-only.
local cdperf = require "cdperf"
local format = cdperf.format

local what = arg[1] or error("usage: lua5.4 examples/fastest_burn.lua IMAGE_OR_SIZE [DEVICE]", 0)
local bytes
local image = io.open(what, "rb")
if image then
  bytes = image:seek("end")
  image:close()
else
  bytes = assert(format.parse_size(what))
end

local function open_drive(opts)
  if arg[2] then return cdperf.open(arg[2], opts) end
  local model = cdperf.emulator.deepcopy(cdperf.emulator.models.lg_wh16ns40_bdr)
  model.quirks = { requires_write = true }
  return cdperf.open(cdperf.emulator.new(model, { write = opts and opts.write }), opts)
end

local drive <close> = assert(open_drive())
local snap = cdperf.snapshot(drive)
local list, msg = cdperf.speeds.list(snap)
if not list then
  io.stderr:write(msg, "\n")
  os.exit(1)
end

-- fastest-for=SIZE in the words of `cdperf -p`
local entry, why = cdperf.speeds.pick(list, { fastest_for = bytes })
if not entry then
  io.stderr:write(why, "\n")     -- e.g. the image does not fit on the disc
  os.exit(1)
end
local seconds, detail = assert(cdperf.speeds.estimate(snap, bytes, entry))
print(("image:   %d bytes on %s"):format(bytes, snap.profile.name))
print("speed:   " .. format.speed(entry.write, list.class))
print("why:     " .. why)
print(("time:    %s (writing the data %s, overheads %s)"):format(format.duration(seconds),
  format.duration(detail.data_seconds or seconds), format.duration(detail.overhead_seconds or 0)))
local top = list[1]
if top ~= entry then
  print(("fastest: %s would take %s"):format(format.speed(top.write, list.class),
    format.duration((cdperf.speeds.estimate(snap, bytes, top)))))
end

-- What to tell each burner (cdperf.burners knows their units and rounding)
for _, tool in ipairs(cdperf.burners.tools) do
  local argv, info = cdperf.burners.argument(tool, entry, list.class, { list = list })
  if argv then
    print(("%-10s %-16s %s"):format(tool, table.concat(argv, " "), info.exact and "exact" or info.note))
  else
    print(("%-10s cannot: %s"):format(tool, info))
  end
end
