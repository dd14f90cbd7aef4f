--- cdperf: ask optical drives what speeds they support, and set them.
-- `require "cdperf"` gives `cdperf.core` (the C module), drives whose methods are the
-- core's plus those written in Lua here, and the submodules, loaded on first use:
-- `cdperf.media`, `cdperf.format`, `cdperf.speeds`, `cdperf.emulator`, `cdperf.policy`,
-- `cdperf.judge`, `cdperf.burners`, `cdperf.physics` and `cdperf.disc` (the others:
-- `require "cdperf.snapshot"`, ...).
--
-- **Devices.** `cdperf.open` takes `"/dev/sr0"` or `"/dev/sg1"` (Linux, SG_IO), `"D:"` or
-- `"\\\\.\\CdRom0"` (Windows), `"iscsi://[user[%password]@]host[:port]/iqn/lun"` (libiscsi, when
-- `cdperf.core.have_iscsi`; `?target_user=`/`&target_password=` for mutual CHAP),
-- `"emulated:MODEL"` (a built-in model, `cdperf.emulator.model_names()`),
-- `"emulated:FILE"` (a model file, a snapshot or a recording), `"replay:FILE"` (a
-- recording answered byte for byte), an emulator object, or any callable device
-- `function(cdb, direction, arg)`: direction `"in"` (arg = the allocation length),
-- `"out"` (arg = the parameter bytes) or `"none"`; it returns the data (a string; `""`
-- or `true` for "out"/"none") or `nil, sense_bytes` for CHECK CONDITION.
--
-- **Open options** (`opts`): `write = true` opens read-write, which Linux needs for SET CD
-- SPEED and SET STREAMING (`speeds.apply`, `measure.probe`, `measure.set_read_speed`);
-- `timeout_ms` (1..86400000, default 20000) per command; `name` (how `tostring(drive)`
-- names a callable device); `credentials` (an iSCSI CHAP credentials file, mode 600).
--
-- **Errors.** Misuse raises a Lua error naming the argument or field and what was expected:
-- `bad field 'exceptions' (expected nominal|entire|exceptions_only, got "al")`. Using a
-- closed drive raises. A failure of the drive, the OS or the data returns
-- `nil, message, info`: `message` is one line a person can act on, starting with the
-- command (`"GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE"`); `info`
-- is a table with `command` and `kind`:
--
-- * `"scsi"`: the drive answered CHECK CONDITION: `status`, `sense_key`, `asc`, `ascq`,
--   `sense` ("ILLEGAL REQUEST"), `text` ("INVALID COMMAND OPERATION CODE"), `sense_bytes`,
--   `information`, `deferred`
-- * `"os"`: the OS refused: `errno`, `code` ("EACCES", "EPERM", "ENODEV"); e.g. a SET
--   command on a drive not opened with `write = true` (Linux)
-- * `"host"`: SG_IO host or driver status: `host_status`, `driver_status`, `code`
--   ("DID_TIME_OUT"), `status`
-- * `"win32"`: `code`, the Windows error (GetLastError)
-- * `"iscsi"`: libiscsi failed (connection, login, a refused CHAP password): `code`
-- * `"credentials"`: missing, half or unsafe CHAP credentials (`errno`, `code` when the
--   file cannot be opened)
-- * `"device"`: a callable device raised or answered nonsense (also the emulator's
--   `requires_write` quirk refusing a SET command)
-- * `"decode"`: the answer cannot be what was asked for (too short, the wrong page, an
--   impossible curve)
-- * `"unsupported"`: nothing to ask (no write speeds from any source, an unknown
--   emulated model, a speed SET CD SPEED cannot carry)
-- * `"medium"`: no medium, or one without a CD/DVD/BD speed ladder, or too small for the
--   bytes (the Lua layer: `speeds.list`, `speeds.estimate`, `measure`)
-- * `"model"`: a model, snapshot or recording file with a bad field (`field`,
--   `expected`, `found`, `file`)
-- * `"clock"`, `"drive"`: a measurement with no measurable time, a drive that failed
--   while measuring (`cdperf.measure`)
--
-- Nothing is ever silently returned empty on failure: a snapshot keeps each failed part
-- in `snap.errors[part] = { message =, info = }`.
-- @module cdperf
-- @usage local cdperf = require "cdperf"
-- local drive <close> = assert(cdperf.open("emulated:lg_wh16ns40_bdr"))
-- local list = assert(cdperf.speeds.list(cdperf.snapshot(drive)))
-- print(cdperf.format.speed(list[1].write, list.class))   --> 12x BD (53952 kB/s)
local core = require "cdperf.core"

local cdperf = {
  _VERSION = core._VERSION,
  core = core,
}

--- The version of cdperf (the core's), e.g. `"0.1.0"`.
-- @field _VERSION

--- The C module, `require "cdperf.core"`.
-- @field core

--- What a value is, as `io.type` says for files (the core's `type`).
-- @param x any value
-- @treturn string|nil `"drive"`, `"closed drive"`, or nil for anything else
-- @function type

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
-- recording), "replay:FILE" (a recording), an emulator object or a callable device (see
-- the module's Devices). An emulated drive opened by name learns whether `opts.write`
-- was given (its quirk `requires_write` refuses SET commands otherwise, as Linux does).
-- @tparam string|table|function device the device
-- @tparam[opt] table opts `write` (boolean), `timeout_ms`, `name`, `credentials` (see the
-- module's Open options); any other field raises
-- @treturn Drive the open drive (use it as `local drive <close> = ...`)
-- @return[2] nil
-- @treturn[2] string message, e.g. `"open: /dev/sr0: Permission denied"`
-- @treturn[2] table info (`kind = "os"`, `"iscsi"`, `"unsupported"`, `"model"`, ...)
-- @raise on a bad argument or option
-- @usage local drive <close> = assert(cdperf.open("/dev/sr0"))              -- queries
-- local rw <close> = assert(cdperf.open("/dev/sr0", { write = true }))    -- also SET commands
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
      -- the emulator learns whether it was opened read-write (its requires_write quirk)
      local o = copy_opts(opts, device)
      return open(emulator.new(model, { write = o.write == true }), o)
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
-- @param drive_or_device an open drive, a device name or any device `cdperf.open` takes
-- @tparam[opt] table opts as `cdperf.record.new`
-- @return a `cdperf.record` Recorder, or nil, message, info
-- @usage local rec = cdperf.record("emulated:lg_wh16ns40_bdr")
-- rec:snapshot(); assert(rec:save("drive.lua"))
function cdperf.record(drive_or_device, opts)
  return require("cdperf.record").new(drive_or_device, opts)
end

--- One read of everything a report needs, as plain data (`cdperf.snapshot.take`): each
-- command sent at most once; what failed is in `snap.errors`.
-- @tparam Drive drive an open drive
-- @tparam[opt] table opts `parts` (a list of part names: only those), `exceptions = true`
-- (also the exception descriptors), `disc = false` (leave out features, media ID, ATIP),
-- `ready_timeout_ms` (wait for a drive becoming ready; default 0)
-- @treturn table the snapshot (see `cdperf.snapshot.take`)
function cdperf.snapshot(drive, opts)
  return require("cdperf.snapshot").take(drive, opts)
end

--- Measured read speed across the medium: points, rotation, inner/outer (`cdperf.measure.measure`).
-- @param drive an open drive, or a device `cdperf.open` takes
-- @tparam[opt] table opts `zones`, `full`, `read_size`, `progress`, `cancel`, `clock`
-- @treturn table `{ points = { { lba =, kBps = }, ... }, rotation =, inner_kBps =, outer_kBps =, ... }`
-- @return[2] nil, message, info
function cdperf.measure(drive, opts)
  return require("cdperf.measure").measure(drive, opts)
end

--- Set each offered read speed, measure, and say obeyed|capped|ignored|refused
-- (`cdperf.measure.probe`). The drive must be open with `{ write = true }`.
-- @param drive an open drive, or a device `cdperf.open` takes
-- @tparam[opt] table list read speeds (default: `measure.read_speeds` of the drive)
-- @tparam[opt] table opts as `cdperf.measure.probe`
-- @treturn table one row per speed: `{ entry =, requested =, measured_kBps =, verdict = }`
-- @return[2] nil, message, info
function cdperf.probe(drive, list, opts)
  return require("cdperf.measure").probe(drive, list, opts)
end

--- The optical drives of this machine, sorted: the /dev/srN devices on Linux, the drive
-- letters (`"D:"`) on Windows; an empty list when there are none.
-- @treturn {string,...}
function cdperf.drives()
  local list = core.drives()
  table.sort(list)
  return list
end

local function descriptors(res, msg, info)
  if res == nil then return nil, msg, info end
  return res.descriptors
end

--- Drives.
-- @type Drive

--- Write-speed descriptors (GET PERFORMANCE type 03h) for the medium in the drive.
-- @treturn table the descriptor list: `{ { write_speed =, read_speed =, end_lba =,
-- write_rotation_control =, exact =, mixed_read_write =, restore_drive_defaults = }, ... }`
-- @return[2] nil, message, info
-- @usage local ws = assert(drive:write_speeds())
-- print(ws[1].write_speed, ws[1].write_rotation_control, ws[1].end_lba)
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
-- @tparam[opt] table opts `exceptions` (`"nominal"` default, `"entire"`), `starting_lba`
-- @treturn table `{ { start_lba =, start_performance =, end_lba =, end_performance = }, ... }` (kB/s)
-- @return[2] nil, message, info
function Drive:read_performance(opts)
  return performance(self, "read", opts)
end

--- Nominal write performance descriptors: the curve of the write speed the drive is set to.
-- @tparam[opt] table opts `exceptions`, `starting_lba`, as `read_performance`
-- @treturn table the descriptor list
-- @return[2] nil, message, info
function Drive:write_performance(opts)
  return performance(self, "write", opts)
end

--- Exception descriptors; opts.performance_type = "read" (default) or "write".
-- @tparam[opt] table opts `performance_type`, `starting_lba`
-- @treturn table `{ { lba =, time = }, ... }` (time in 0.1 ms)
-- @return[2] nil, message, info
function Drive:exceptions(opts)
  opts = opts or {}
  return performance(self, opts.performance_type or "read", opts, "exceptions_only")
end

--- Every feature the drive has (GET CONFIGURATION, RT 00b, read in full; `cdperf.disc.features`).
-- @treturn table `{ current_profile =, profiles = { codes }, current_profiles =, codes =,
-- [0x0107] = { ... }, ... }` (see `cdperf.disc.decode_features`)
-- @return[2] nil, message, info
-- @function Drive:features

--- The disc's media ID (`cdperf.disc.media_id`): ADIP for DVD+R/+RW, pre-pit data for
-- DVD-R/-RW, Disc Information for BD-R/RE.
-- @param[opt] opts a profile code, or `{ profile = code }`, to save asking for it
-- @treturn table `{ manufacturer = "MKM", media_type = "003", revision = 0,
-- text = "MKM-003-00", source = "ADIP"|"pre-pit"|"DI" }`
-- @return[2] nil, message, info
-- @function Drive:media_id

--- A CD-R/RW's ATIP (READ TOC/PMA/ATIP format 0100b; `cdperf.disc.atip`).
-- @treturn table `{ disc_type = "CD-R"|"CD-RW", manufacturer =, lowest_speed =,
-- highest_speed =, ... }` (see `cdperf.disc.decode_atip`)
-- @return[2] nil, message, info
-- @function Drive:atip

-- The disc itself (cdperf.disc, on drive:command): drive:features() (GET CONFIGURATION,
-- every feature), drive:media_id([profile]) (ADIP, pre-pit or BD Disc Information) and
-- drive:atip() (a CD-R/RW's ATIP); each returns its table or nil, message, info.
for _, name in ipairs { "features", "media_id", "atip" } do
  Drive[name] = function(self, ...) return require("cdperf.disc")[name](self, ...) end
end

local profile_code = Drive.profile

--- The current profile with its MMC name and media class; code 0 = no medium (also
-- when the drive answers MEDIUM NOT PRESENT).
-- @treturn table `{ code = 0x41, name = "BD-R SRM", class = "bd" }` (class nil for a
-- medium without a CD/DVD/BD speed ladder)
-- @return[2] nil, message, info
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
