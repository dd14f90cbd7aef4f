-- cdperf.snapshot: one read of everything a report needs.  Each command at most once,
-- UNIT ATTENTION retried once, NOT READY "becoming ready" waited out, every failure in
-- errors (never an empty list in its place), and the snapshot itself an emulator model.

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local function sense(key, asc, ascq)
  return string.pack(">BBBI4BI4BBBI3", 0x70, 0, key, 0, 10, 0, asc, ascq, 0, 0)
end

local function hex(s)
  return (s:gsub(".", function(c) return ("%02X "):format(c:byte()) end))
end

describe_core("cdperf.snapshot", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"

  -- An emulator behind a device that logs every CDB and may fail chosen ones.
  local function logged(model, fail)
    local emu = emulator.new(model)
    local log = {}
    local device = function(cdb, dir, arg)
      log[#log + 1] = cdb
      if fail then
        local d, s = fail(cdb, #log, emu)
        if d ~= nil or s ~= nil then return d, s end
      end
      return emu(cdb, dir, arg)
    end
    return assert(cdperf.open(device)), log, emu
  end

  it("sends each command once for every built-in model", function()
    for _, name in ipairs(emulator.model_names()) do
      local drive, log = logged(emulator.models[name])
      local snap = cdperf.snapshot(drive)
      local seen = {}
      for _, cdb in ipairs(log) do
        assert(not seen[cdb], name .. ": CDB sent twice: " .. hex(cdb))
        seen[cdb] = true
      end
      assert.are.equal(#log, snap.commands)
      -- INQUIRY, GET CONFIGURATION (features and profile), page 2Ah, three GET PERFORMANCE,
      -- the media ID or the ATIP
      assert.is_true(#log <= 7, name .. ": " .. #log .. " commands")
      drive:close()
    end
  end)

  it("holds the parts, the raw GET PERFORMANCE bytes and plain data only (Capture F)", function()
    local drive = logged(emulator.models.samsung_sh224db_dvdpr)
    local snap = cdperf.snapshot(drive)
    assert.are.equal("cdperf.snapshot", snap.format)
    assert.are.equal(1, snap.version)
    assert.are.same({ code = 0x1B, name = "DVD+R", class = "dvd" }, snap.profile)
    assert.are.equal("CDDVDW SH-224DB", snap.inquiry.product)
    assert.are.equal(5, #snap.write_speeds)
    assert.are.equal(16620, snap.capabilities.current_write_speed_selected)
    assert.are.same({ { start_lba = 0, start_performance = 6924, end_lba = 2295103, end_performance = 16620 } },
      snap.performance.write)
    assert.are.equal((8 + 5 * 16) * 2, #snap.raw.write_speeds)
    assert.are.same({}, snap.errors)
    local function plain(v, path)
      local t = type(v)
      assert(t == "table" or t == "string" or t == "number" or t == "boolean", path .. " is a " .. t)
      if t == "table" then for k, x in pairs(v) do plain(x, path .. "." .. tostring(k)) end end
    end
    plain(snap, "snapshot")
  end)

  it("reads only the parts asked for (-f prcap: one command)", function()
    local drive, log = logged(emulator.models.lg_gsa4163b_cdr)
    local snap = cdperf.snapshot(drive, { parts = { "capabilities" } })
    assert.are.equal(1, #log)
    assert.are.equal(0x5A, log[1]:byte(1))
    assert.is_table(snap.capabilities)
    assert.is_nil(snap.profile)
    assert.is_nil(snap.write_speeds)
  end)

  it("does not ask for GET PERFORMANCE again after INVALID COMMAND OPERATION CODE", function()
    local drive, log = logged(emulator.models.lg_gsa4120b_no_getperf)
    local snap = cdperf.snapshot(drive, { exceptions = true })
    local gp = 0
    for _, cdb in ipairs(log) do if cdb:byte(1) == 0xAC then gp = gp + 1 end end
    assert.are.equal(1, gp)
    for _, part in ipairs { "write_speeds", "write_performance", "read_performance", "write_exceptions",
      "read_exceptions" } do
      assert.is_table(snap.errors[part], part)
      assert.are.equal(0x20, snap.errors[part].info.asc, part)
    end
    assert.is_nil(snap.write_speeds)
    assert.is_nil(snap.performance)
  end)

  it("retries a UNIT ATTENTION once and says so (a disc change before the read)", function()
    local drive, _, emu = logged(emulator.models.samsung_sh224db_dvdpr)
    emu:load()                                   -- queues UNIT ATTENTION 28h
    local snap = cdperf.snapshot(drive)
    assert.are.same({}, snap.errors)
    assert.are.equal(5, #snap.write_speeds)
    assert.truthy(snap.notes[1]:find("UNIT ATTENTION", 1, true))
    -- speeds.list on the snapshot: the drive's own list, not page 2Ah's fallback
    local list = assert(cdperf.speeds.list(snap))
    assert.are.equal("get_performance", list[1].source)
    assert.are.equal(2295103, list[1].end_lba)
  end)

  it("reads the medium again when it changed between commands", function()
    local drive, _, emu = logged(emulator.models.samsung_sh224db_dvdpr, function(cdb, n, emu)
      if n == 4 and cdb:byte(1) == 0xAC then
        emu:load(0x41, 12219392)                 -- a BD-R now: the next command sees 28h
        return nil, sense(6, 0x28, 0)
      end
    end)
    local snap = cdperf.snapshot(drive)
    assert.are.equal(0x41, snap.profile.code)
    local found = false
    for _, n in ipairs(snap.notes) do
      if n:find("the medium changed while the drive was read", 1, true) then found = true end
    end
    assert.is_true(found)
    assert.is_table(snap.write_speeds)
    assert.is_nil(emu.st.unit_attention)
  end)

  it("waits for a drive becoming ready, on the clock it is given", function()
    local now, slept = 0, 0
    local left = 3
    local drive = logged(emulator.models.samsung_sh224db_dvdpr, function(cdb)
      if cdb:byte(1) == 0x5A and left > 0 then
        left = left - 1
        return nil, sense(2, 0x04, 0x01)
      end
    end)
    local snap = cdperf.snapshot(drive, { ready_timeout_ms = 5000, clock = function() return now end,
      sleep = function(ms) now = now + ms; slept = slept + ms end })
    assert.is_table(snap.capabilities)
    assert.are.equal(750, slept)
    -- and gives up at the deadline, with the drive's answer in errors
    left, now = math.huge, 0
    drive = logged(emulator.models.samsung_sh224db_dvdpr, function(cdb)
      if cdb:byte(1) == 0x5A then return nil, sense(2, 0x04, 0x01) end
    end)
    snap = cdperf.snapshot(drive, { ready_timeout_ms = 1000, clock = function() return now end,
      sleep = function(ms) now = now + ms end })
    assert.are.equal(0x04, snap.errors.capabilities.info.asc)
    assert.truthy(table.concat(snap.notes, "\n"):find("still becoming ready after 1000 ms", 1, true))
  end)

  it("waits with the core's sleep_ms by default, spawning no shell", function()
    local core = require "cdperf.core"
    local sleep_ms, execute = core.sleep_ms, os.execute
    local now, asked = 0, {}
    local drive = logged(emulator.models.samsung_sh224db_dvdpr, function(cdb)
      if cdb:byte(1) == 0x5A then return nil, sense(2, 0x04, 0x01) end
    end)
    core.sleep_ms = function(ms) asked[#asked + 1] = ms; now = now + ms end
    os.execute = function() error("a shell was spawned") end   -- luacheck: ignore 122
    local ok, snap = pcall(cdperf.snapshot, drive, { ready_timeout_ms = 600, clock = function() return now end })
    core.sleep_ms, os.execute = sleep_ms, execute   -- luacheck: ignore 122
    assert(ok, snap)
    assert.are.same({ 250, 250, 100 }, asked)
    assert.are.equal(0x04, snap.errors.capabilities.info.asc)
  end)

  it("the default sleep really waits: the deadline passes on a monotonic clock", function()
    local measure = require "cdperf.measure"
    local clock, resolution = measure.default_clock()
    local execute = os.execute
    local drive = logged(emulator.models.samsung_sh224db_dvdpr, function(cdb)
      if cdb:byte(1) == 0x5A then return nil, sense(2, 0x04, 0x01) end
    end)
    os.execute = function() error("a shell was spawned") end   -- luacheck: ignore 122
    local t0 = clock()
    local ok, snap = pcall(cdperf.snapshot, drive,
      { ready_timeout_ms = 300, clock = function() return clock() * 1000 end })
    local elapsed = clock() - t0
    os.execute = execute   -- luacheck: ignore 122
    assert(ok, snap)
    assert.truthy(table.concat(snap.notes, "\n"):find("still becoming ready after 300 ms", 1, true))
    -- only a lower bound: a loaded machine may take longer, never less
    assert.is_true(elapsed >= 0.3 - resolution - 1e-6, ("waited %.3f s"):format(elapsed))
  end)

  it("keeps every failed part in errors, never an empty list in its place", function()
    local drive = logged(emulator.models.lg_wh16ns40_bdr, function(cdb)
      if cdb:byte(1) == 0xAC and cdb:byte(11) == 0 then return nil, sense(3, 0x11, 0) end
    end)
    local snap = cdperf.snapshot(drive)
    assert.is_nil(snap.performance)
    assert.is_table(snap.errors.write_performance)
    assert.are.equal("scsi", snap.errors.read_performance.info.kind)
    assert.is_string(snap.errors.read_performance.message)
    assert.are.equal(5, #snap.write_speeds)
  end)

  it("is an emulator model: a snapshot of its emulator is the same snapshot", function()
    for _, name in ipairs(emulator.model_names()) do
      local drive = logged(emulator.models[name])
      local snap = cdperf.snapshot(drive, { exceptions = true })
      drive:close()
      local again = assert(cdperf.open(emulator.new(snap)))
      local snap2 = cdperf.snapshot(again, { exceptions = true })
      snap.device, snap2.device = nil, nil
      assert.are.same(snap, snap2, name)
      again:close()
    end
  end)

  it("a failing drive object gives a failure, not a crash", function()
    local fake = { profile = function() error("fire") end, write_speeds = function() return nil end }
    local snap = cdperf.snapshot(fake)
    assert.are.equal("device", snap.errors.profile.info.kind)
    assert.are.equal("unsupported", snap.errors.inquiry.info.kind)
  end)

  it("raises on misuse", function()
    assert.has_error(function() cdperf.snapshot(nil) end, "bad argument #1 to 'snapshot' (drive expected, got nil)")
    local drive = logged(emulator.models.lg_wh16ns40_bdr)
    assert.has_error(function() cdperf.snapshot(drive, { parts = { "speeds" } }) end,
      "bad field 'parts' (unknown part \"speeds\"; parts: inquiry, profile, capabilities, write_speeds, "
      .. "write_performance, read_performance, write_exceptions, read_exceptions, features, media_id, atip)")
    assert.has_error(function() cdperf.snapshot(drive, { ready_timeout_ms = -1 }) end,
      "bad field 'ready_timeout_ms' (expected an integer >= 0, got -1)")
  end)
end)
