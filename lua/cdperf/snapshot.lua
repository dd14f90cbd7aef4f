--- cdperf.snapshot: one read of everything a report needs, as plain data.
--
-- I/O stays here: every other function of the Lua layer (speeds.list, pick, estimate,
-- every format.*) works on the table this returns and sends nothing.  Each command goes
-- to the drive at most once, except where the drive itself asks for a repeat: a UNIT
-- ATTENTION is retried once, NOT READY "becoming ready" (04h/01h) is waited out for up
-- to opts.ready_timeout_ms, and when a medium change (28h) was reported after the
-- profile was read, the profile is read again and, if it changed, the medium's parts
-- are read once more.  Every part that failed is in `errors` with its message and info;
-- a failed part is absent, never an empty list.
--
-- The disc itself (cdperf.disc) is part of it (opts.disc = false leaves it out): features
-- (GET CONFIGURATION, every feature; no medium needed), media_id (one READ DVD
-- STRUCTURE, only for DVD-R/-RW, DVD+R/+RW, BD-R/RE) and atip (one READ TOC/PMA/ATIP,
-- only for CD-R/RW).  A medium without them leaves the part absent, with no error: it
-- has none.
--
-- The snapshot is also an emulator model (cdperf.emulator.new(snapshot) answers as the
-- drive did): inquiry, capabilities, write_speeds, performance and exceptions keep the
-- shapes the drive methods return, and `raw` keeps the GET PERFORMANCE bytes as hex.
-- @module cdperf.snapshot

local media = require "cdperf.media"
local disc = require "cdperf.disc"

local snapshot = {}

--- The `format` field of every snapshot: `"cdperf.snapshot"` (see `snapshot.is`).
-- @field FORMAT

--- The snapshot format's version, 1 (`version` of every snapshot).
-- @field VERSION
snapshot.FORMAT, snapshot.VERSION = "cdperf.snapshot", 1

local fmt = string.format

--- Every part, in the order they are read: `{ name =, opcode =, medium = (needs a
-- CD/DVD/BD medium), exceptions =, disc =, request = (the get_performance request),
-- profiles = (the media that have it) }`. opcode and request let the emulator answer a
-- failed part with the same sense. The names: inquiry, profile, capabilities,
-- write_speeds, write_performance, read_performance, write_exceptions, read_exceptions,
-- features, media_id, atip.
snapshot.PARTS = {
  { name = "inquiry", opcode = 0x12 },
  { name = "profile", opcode = 0x46 },
  { name = "capabilities", opcode = 0x5A },
  { name = "write_speeds", opcode = 0xAC, medium = true, request = { request_type = "write_speed" } },
  { name = "write_performance", opcode = 0xAC, medium = true,
    request = { performance_type = "write", exceptions = "nominal" } },
  { name = "read_performance", opcode = 0xAC, medium = true,
    request = { performance_type = "read", exceptions = "nominal" } },
  { name = "write_exceptions", opcode = 0xAC, medium = true, exceptions = true,
    request = { performance_type = "write", exceptions = "exceptions_only" } },
  { name = "read_exceptions", opcode = 0xAC, medium = true, exceptions = true,
    request = { performance_type = "read", exceptions = "exceptions_only" } },
  -- the disc itself; `profiles`: the media that have the part
  { name = "features", opcode = 0x46, disc = true, last = true },   -- read after the medium's parts
  { name = "media_id", opcode = 0xAD, medium = true, disc = true, profiles = {} },
  { name = "atip", opcode = 0x43, medium = true, disc = true, profiles = { [0x09] = true, [0x0A] = true } },
}
local PART = {}
for _, p in ipairs(snapshot.PARTS) do PART[p.name] = p end
for code in pairs(disc.MEDIA_ID_STRUCTURE) do PART.media_id.profiles[code] = true end

--- The parts read by default (what the report needs); `-f prcap` needs only the first
-- and the third.
snapshot.REPORT_PARTS = { "inquiry", "profile", "capabilities", "write_speeds", "write_performance",
  "read_performance", "features", "media_id", "atip" }

--- The disc's parts (opts.disc = false: a snapshot without them).
snapshot.DISC_PARTS = { "features", "media_id", "atip" }

local function is_unit_attention(info)
  return type(info) == "table" and info.kind == "scsi" and info.sense_key == 6
end

local function is_becoming_ready(info)
  return type(info) == "table" and info.kind == "scsi" and info.sense_key == 2 and info.asc == 0x04
    and info.ascq == 0x01
end

local function invalid_opcode(info)
  return type(info) == "table" and info.kind == "scsi" and info.sense_key == 5 and info.asc == 0x20
end

local function no_medium(info)
  return type(info) == "table" and info.kind == "scsi" and info.asc == 0x3A
end

-- The device's display name: opts.device, else what tostring(drive) shows.
local function device_name(drive, opts)
  if opts.device ~= nil then return tostring(opts.device) end
  local ok, s = pcall(tostring, drive)
  if ok and type(s) == "string" then return s:match("^cdperf%.drive %((.*)%)$") or s end
  return "drive"
end

-- The core's monotonic clock (ms); whole seconds of os.time only without the core.
local function default_clock()
  local ok, core = pcall(require, "cdperf.core")
  if ok and type(core) == "table" and type(core.monotonic) == "function" then return core.monotonic() * 1000 end
  return os.time() * 1000
end
-- The core's sleep_ms: no shell to spawn (slow, and refused in sandboxes); a shell's sleep
-- only when the core cannot be loaded.
local function default_sleep(ms)
  local ok, core = pcall(require, "cdperf.core")
  if ok and type(core) == "table" and type(core.sleep_ms) == "function" then return core.sleep_ms(ms) end
  os.execute(fmt("sleep %.3f", ms / 1000))
end

local function check_opts(opts)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(fmt("bad argument #2 to 'snapshot' (options table expected, got %s)", type(opts)), 3)
  end
  local t = opts.ready_timeout_ms
  if t ~= nil and (math.type(t) ~= "integer" or t < 0) then
    error(fmt("bad field 'ready_timeout_ms' (expected an integer >= 0, got %s)", tostring(t)), 3)
  end
  if opts.parts ~= nil then
    if type(opts.parts) ~= "table" then
      error(fmt("bad field 'parts' (expected a list of part names, got %s)", type(opts.parts)), 3)
    end
    for _, name in ipairs(opts.parts) do
      if not PART[name] then
        local names = {}
        for i, p in ipairs(snapshot.PARTS) do names[i] = p.name end
        error(fmt("bad field 'parts' (unknown part %q; parts: %s)", tostring(name), table.concat(names, ", ")), 3)
      end
    end
  end
  if opts.disc ~= nil and type(opts.disc) ~= "boolean" then
    error(fmt("bad field 'disc' (expected a boolean, got %s)", type(opts.disc)), 3)
  end
  for _, k in ipairs { "clock", "sleep" } do
    if opts[k] ~= nil and type(opts[k]) ~= "function" then
      error(fmt("bad field '%s' (expected a function, got %s)", k, type(opts[k])), 3)
    end
  end
  return opts
end

--- Read a drive once.  opts: exceptions (also read exception descriptors), disc (false:
-- leave out the disc's parts, features, media_id and atip), parts (a list
-- of part names: only those), ready_timeout_ms (wait for a drive becoming ready, default
-- 0), device (the name to show), clock/sleep (milliseconds; for tests: by default
-- cdperf.core.monotonic and cdperf.core.sleep_ms).
-- @param drive an open drive (or any table with the Drive methods)
-- @tparam[opt] table opts
-- @treturn table the snapshot: `{ format = "cdperf.snapshot", version = 1, device =,
-- inquiry =, profile = { code =, name =, class = }, capabilities =, write_speeds =,
-- performance = { read =, write = }, exceptions = { read =, write = } (when asked),
-- features =, media_id =, atip = (when the medium has them), raw = { [part] = hex },
-- errors = { [part] = { message =, info = } }, notes = { "..." }, commands = N }`; each
-- part has the shape the Drive method of the same name returns, a failed part is absent
-- and in `errors`. Never fails as a whole.
-- @raise on a bad argument or option
-- @usage local snap = cdperf.snapshot(drive, { exceptions = true })
-- for part, e in pairs(snap.errors) do print(part, e.message) end
function snapshot.take(drive, opts)
  local dt = type(drive)
  if dt ~= "userdata" and dt ~= "table" then
    error(fmt("bad argument #1 to 'snapshot' (drive expected, got %s)", dt), 2)
  end
  opts = check_opts(opts)
  local want = {}
  for _, name in ipairs(opts.parts or snapshot.REPORT_PARTS) do want[name] = true end
  if opts.exceptions then want.write_exceptions, want.read_exceptions = true, true end
  if opts.disc == false and not opts.parts then
    for _, name in ipairs(snapshot.DISC_PARTS) do want[name] = nil end
  end
  local clock, sleep = opts.clock or default_clock, opts.sleep or default_sleep
  local ready_ms = opts.ready_timeout_ms or 0

  local snap = { format = snapshot.FORMAT, version = snapshot.VERSION, device = device_name(drive, opts),
    errors = {}, notes = {}, raw = {}, commands = 0 }
  local notes = snap.notes
  local function note(...) notes[#notes + 1] = fmt(...) end
  local medium_changed, gp_unsupported = false, nil

  -- One request, with the retries the drive asks for.
  local function ask(label, fn)
    local ua_retried, deadline = false, nil
    while true do
      snap.commands = snap.commands + 1
      local ok, r, msg, info = pcall(fn)
      if not ok then
        -- a drive object that raises (a broken test double): a failure, not a crash
        return nil, tostring(r), { kind = "device" }
      end
      if r ~= nil then return r end
      if is_unit_attention(info) and not ua_retried then
        ua_retried = true
        note("%s: UNIT ATTENTION (%s); asked again", label, tostring(info.text or msg))
        if info.asc == 0x28 then medium_changed = true end
      elseif is_becoming_ready(info) and ready_ms > 0 then
        local now = clock()
        deadline = deadline or now + ready_ms
        if now >= deadline then
          note("%s: the drive was still becoming ready after %d ms", label, ready_ms)
          return nil, msg, info
        end
        sleep(math.min(250, deadline - now))
      else
        return nil, msg, info
      end
    end
  end

  local function method(name)
    local ok, f = pcall(function() return drive[name] end)
    if ok and type(f) == "function" then return f end
    if ok and type(f) == "table" and getmetatable(f) and getmetatable(f).__call then return f end
    return nil
  end

  local function fail(part, msg, info)
    snap.errors[part] = { message = tostring(msg or "failed"), info = type(info) == "table" and info or nil }
  end

  local function read_part(p)
    local name = p.name
    snap.errors[name] = nil
    if p.opcode == 0xAC and gp_unsupported then
      fail(name, "GET PERFORMANCE is not supported by the drive (not asked again)", gp_unsupported)
      return
    end
    local r, msg, info
    local gp = p.request and method("get_performance")
    if gp then
      r, msg, info = ask(name, function() return gp(drive, p.request) end)
      if r ~= nil then
        if type(r) ~= "table" or type(r.descriptors) ~= "table" then
          fail(name, "GET PERFORMANCE gave no descriptor list", { kind = "decode" })
          return
        end
        if type(r.raw) == "string" then snap.raw[name] = disc.hex(r.raw) end
        if r.truncated then note("%s: the drive's header claimed more data than it sent", name) end
        r = r.descriptors
      end
    else
      -- Drive objects without get_performance (test doubles): the convenience methods.
      local alt = { write_speeds = "write_speeds", write_performance = "write_performance",
        read_performance = "read_performance", write_exceptions = "exceptions", read_exceptions = "exceptions" }
      local f = method(alt[name] or name)
      if not f then
        fail(name, fmt("the drive object has no %s method", alt[name] or name), { kind = "unsupported" })
        return
      end
      local arg = name == "write_exceptions" and { performance_type = "write" } or nil
      if name == "media_id" then arg = { profile = snap.profile and snap.profile.code } end
      r, msg, info = ask(name, function() return f(drive, arg) end)
    end
    if r == nil then
      if name == "profile" and no_medium(info) then
        r = { code = 0 }
      else
        fail(name, msg, info)
        if p.opcode == 0xAC and invalid_opcode(info) then gp_unsupported = info end
        return
      end
    end
    if type(r) ~= "table" then
      fail(name, fmt("the drive gave a %s, not a table", type(r)), { kind = "decode" })
      return
    end
    if name == "profile" then
      local code = math.tointeger(r.code)
      if not code or code < 0 or code > 0xFFFF then
        fail(name, fmt("profile code %s is no MMC profile", tostring(r.code)), { kind = "decode" })
        return
      end
      local prof = media.profile(code)
      snap.profile = { code = code, name = prof.name, class = prof.class }
    elseif name == "write_performance" or name == "read_performance" then
      snap.performance = snap.performance or {}
      snap.performance[name == "write_performance" and "write" or "read"] = r
    elseif name == "write_exceptions" or name == "read_exceptions" then
      snap.exceptions = snap.exceptions or {}
      snap.exceptions[name == "write_exceptions" and "write" or "read"] = r
    else
      snap[name] = r
    end
  end

  local function read_medium_parts()
    local class = snap.profile and snap.profile.class
    for _, p in ipairs(snapshot.PARTS) do
      if p.medium and want[p.name] then
        if class and p.profiles and not p.profiles[snap.profile.code] then
          snap.errors[p.name], snap[p.name] = nil, nil    -- this medium has none
        elseif class then
          read_part(p)
        elseif snap.profile and snap.profile.code == 0 then
          snap.errors[p.name] = nil
        end
      end
    end
    if not class and snap.profile and snap.profile.code ~= 0 then
      note("%s is no CD, DVD or BD medium: its speeds were not read", snap.profile.name)
    end
  end

  -- The feature list's header carries the current profile: with features asked for, one
  -- GET CONFIGURATION answers both (the short profile query only when that read fails).
  local features_read = false
  for _, p in ipairs(snapshot.PARTS) do
    if p.name == "profile" and want.profile and want.features then
      read_part(PART.features)
      features_read = true
      local code = type(snap.features) == "table" and math.tointeger(snap.features.current_profile)
      if code and code >= 0 and code <= 0xFFFF then
        local prof = media.profile(code)
        snap.profile = { code = code, name = prof.name, class = prof.class }
      else
        read_part(p)
      end
    elseif not p.medium and not p.last and want[p.name] then
      read_part(p)
    end
  end
  -- The medium's parts need the profile; without a profile there is nothing to ask for.
  if want.profile or snap.profile then
    read_medium_parts()
  elseif not want.profile then
    for _, p in ipairs(snapshot.PARTS) do
      if p.medium and want[p.name] then
        fail(p.name, "not read: the profile was not asked for", { kind = "unsupported" })
      end
    end
  end

  for _, p in ipairs(snapshot.PARTS) do
    if p.last and want[p.name] and not (p.name == "features" and features_read) then read_part(p) end
  end

  -- A medium change reported after the profile was read: check the profile once more.
  if medium_changed and snap.profile then
    local before = snap.profile.code
    read_part(PART.profile)
    if snap.profile and snap.profile.code ~= before then
      note("the medium changed while the drive was read (profile %04Xh -> %04Xh); read again", before,
        snap.profile.code)
      snap.performance, snap.exceptions, snap.write_speeds = nil, nil, nil
      snap.media_id, snap.atip = nil, nil
      snap.raw = {}
      read_part(PART.capabilities)
      if want.features then read_part(PART.features) end
      read_medium_parts()
    end
  end
  if not snap.profile and want.profile and not snap.errors.profile then
    fail("profile", "no profile", { kind = "decode" })
  end
  if next(snap.raw) == nil then snap.raw = nil end
  return snap
end

--- Whether `t` is a snapshot (plain data) rather than a drive.
-- @param t any value
-- @treturn boolean
function snapshot.is(t)
  return type(t) == "table" and t.format == snapshot.FORMAT
end

--- The largest End LBA above `floor` among the descriptors of the lists that `usable`
-- accepts (of equal ones, the first), else `floor`.  The one scan behind every capacity
-- read from descriptors: `capacity` below, and the emulator's for a model without one
-- (each with its own `usable` and `floor`).
-- @tparam function usable `usable(d)`: whether descriptor `d`'s End LBA counts
-- @tparam number floor
-- @param ... descriptor lists (nil: none)
-- @treturn number
function snapshot.top_end_lba(usable, floor, ...)
  local top = floor
  for i = 1, select("#", ...) do
    for _, d in ipairs(select(i, ...) or {}) do
      if usable(d) and d.end_lba > top then top = d.end_lba end
    end
  end
  return top
end

--- The medium's capacity in sectors as the snapshot tells it (largest plausible End LBA + 1
-- of the write speeds or write performance, else the read performance), and where from.
-- @tparam table snap a snapshot
-- @treturn[1] integer sectors
-- @treturn[1] string `"write speeds"` or `"read performance"`
-- @return[2] nil when no End LBA says it
function snapshot.capacity(snap)
  local judge = require "cdperf.judge"
  local class = snap.profile and snap.profile.class
  local function plausible(d) return type(d) == "table" and not judge.lba(d.end_lba, class) end
  local perf = snap.performance or {}
  local t, from = snapshot.top_end_lba(plausible, 0, snap.write_speeds, perf.write), "write speeds"
  if t == 0 then t, from = snapshot.top_end_lba(plausible, 0, perf.read), "read performance" end
  if t == 0 then return nil end
  return t + 1, from
end

return snapshot
