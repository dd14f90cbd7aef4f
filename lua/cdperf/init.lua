--- cdperf: ask optical drives what speeds they support, and set them.
-- require "cdperf" gives cdperf.core (the C module), drives whose methods are the
-- core's plus those written in Lua here, and the submodules media, format, speeds, ...
local core = require "cdperf.core"

local cdperf = {
  _VERSION = core._VERSION,
  core = core,
}

-- The methods of drives opened through cdperf.open: a copy of the core's, extended
-- here; drives opened with cdperf.core.open keep the core's own.
local Drive = core.methods()
local open = core.class(Drive)
cdperf.Drive = Drive
cdperf.type = core.type
local submodules = { media = true, format = true, speeds = true, emulator = true, policy = true, judge = true,
  burners = true, physics = true, disc = true }

-- Submodules load on first use, so a script that only queries a drive pays for nothing else.
setmetatable(cdperf, {
  __index = function(t, k)
    if submodules[k] then
      local m = require("cdperf." .. k)
      rawset(t, k, m)
      return m
    end
  end,
})

local function copy_opts(opts, name)
  local o = {}
  if opts ~= nil then
    if type(opts) ~= "table" then
      error(("bad argument #2 to 'open' (table expected, got %s)"):format(type(opts)), 3)
    end
    for k, v in pairs(opts) do o[k] = v end
  end
  if o.name == nil then o.name = name end
  return o
end

--- Open a drive: a path, "emulated:MODEL" (or "emulated:FILE": a model file, a snapshot or a
-- recording), "replay:FILE" (a recording), an emulator object or a callable device.
function cdperf.open(device, opts)
  if type(device) == "string" then
    local model_name = device:match("^emulated:(.*)$")
    if model_name then
      local emulator = cdperf.emulator
      local model = emulator.models[model_name]
      local file = model == nil and io.open(model_name, "rb")
      if file then
        -- a model file, a snapshot or a recording (data only, checked: emulator.load)
        file:close()
        local msg, info
        model, msg, info = emulator.load(model_name)
        if not model then return nil, "open: " .. msg, info end
      elseif model == nil then
        return nil, ("open: unknown emulated model '%s' (known: %s)"):format(
          model_name, table.concat(emulator.model_names(), ", ")), { kind = "unsupported" }
      end
      return open(emulator.new(model), copy_opts(opts, device))
    end
    local replay_path = device:match("^replay:(.*)$")
    if replay_path then
      -- the recorded answers of a drive (cdperf.record)
      local dev, msg, info = require("cdperf.record").replay(replay_path)
      if not dev then return nil, "open: " .. msg, info end
      return open(dev, copy_opts(opts, device))
    end
    return open(device, opts)
  end
  if type(device) == "table" and type(device.command) == "function" then
    return open(device, copy_opts(opts, "emulator"))
  end
  return open(device, opts)
end

--- A recorder on a drive or device (cdperf.record): everything sent through it is kept
-- with the drive's exact answer; :save(path) writes the recording.
function cdperf.record(drive_or_device, opts)
  return require("cdperf.record").new(drive_or_device, opts)
end

--- One read of everything a report needs, as plain data (cdperf.snapshot module).
function cdperf.snapshot(drive, opts)
  return require("cdperf.snapshot").take(drive, opts)
end

--- Measured read speed across the medium: points, rotation, inner/outer (cdperf.measure).
function cdperf.measure(drive, opts)
  return require("cdperf.measure").measure(drive, opts)
end

--- Set each offered read speed, measure, and say obeyed|capped|ignored|refused (cdperf.measure).
function cdperf.probe(drive, list, opts)
  return require("cdperf.measure").probe(drive, list, opts)
end

--- The optical drives of this machine, sorted.
function cdperf.drives()
  local list = core.drives()
  table.sort(list)
  return list
end

local function descriptors(res, msg, info)
  if res == nil then return nil, msg, info end
  return res.descriptors
end

--- Write-speed descriptors (GET PERFORMANCE type 03h).
function Drive:write_speeds()
  return descriptors(self:get_performance { request_type = "write_speed" })
end

local function performance(self, kind, opts, exceptions)
  opts = opts or {}
  return descriptors(self:get_performance {
    performance_type = kind,
    exceptions = exceptions or opts.exceptions or "nominal",
    starting_lba = opts.starting_lba,
  })
end

--- Nominal read performance descriptors (or opts.exceptions = "entire").
function Drive:read_performance(opts)
  return performance(self, "read", opts)
end

--- Nominal write performance descriptors.
function Drive:write_performance(opts)
  return performance(self, "write", opts)
end

--- Exception descriptors; opts.performance_type = "read" (default) or "write".
function Drive:exceptions(opts)
  opts = opts or {}
  return performance(self, opts.performance_type or "read", opts, "exceptions_only")
end

--- The disc itself (cdperf.disc, on drive:command): drive:features() (GET CONFIGURATION,
-- every feature), drive:media_id([profile]) (ADIP, pre-pit or BD Disc Information) and
-- drive:atip() (a CD-R/RW's ATIP); each returns its table or nil, message, info.
for _, name in ipairs { "features", "media_id", "atip" } do
  Drive[name] = function(self, ...) return require("cdperf.disc")[name](self, ...) end
end

local profile_code = Drive.profile

--- The current profile with its MMC name and media class; code 0 = no medium.
function Drive:profile()
  local p, msg, info = profile_code(self)
  if p == nil then
    -- Some drives answer GET CONFIGURATION with MEDIUM NOT PRESENT instead of profile 0.
    if info and info.kind == "scsi" and info.asc == 0x3A then
      p = { code = 0 }
    else
      return nil, msg, info
    end
  end
  local media = cdperf.media
  p.name = media.name(p.code)
  p.class = media.class(p.code)
  return p
end

return cdperf
