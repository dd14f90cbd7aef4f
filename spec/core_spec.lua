-- cdperf.core: GET PERFORMANCE as the Windows driver builds it, decoders,
-- buffer sizing, validation, errors and the handle's life cycle.
local cdperf = require "cdperf"
local core = require "cdperf.core"
local h = require "spec.helpers"

local unhex, hex = h.unhex, h.hex

-- A device that answers GET PERFORMANCE with reply(cdb, alloc) and fails anything else.
local function perf_device(reply)
  return h.recording_device(function(cdb, direction, arg)
    if cdb:byte(1) == 0xAC then return reply(cdb, arg, direction) end
    return nil, h.fixed_sense(5, 0x20, 0)
  end)
end

local function ws(n, flags)
  local t = {}
  for i = 1, n do t[i] = h.write_speed(flags or 0, 2295103, 8310, 22160 - i) end
  return t
end

describe("cdperf.core GET PERFORMANCE CDB", function()
  -- Expected bytes as the Windows sample driver builds them (DESIGN.md 4).
  local cases = {
    { { performance_type = "read", exceptions = "nominal" }, "AC 10 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "read", exceptions = "entire" }, "AC 11 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "read", exceptions = "exceptions_only" }, "AC 12 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "write", exceptions = "nominal" }, "AC 14 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "write", exceptions = "entire" }, "AC 15 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "write", exceptions = "exceptions_only" }, "AC 16 00 00 00 00 00 00 00 40 00 00" },
    { { performance_type = "read", starting_lba = 0x12345678 }, "AC 10 12 34 56 78 00 00 00 40 00 00" },
    { { performance_type = "write", exceptions = "entire", starting_lba = 2295103 },
      "AC 15 00 23 05 3F 00 00 00 40 00 00" },
    { { performance_type = "read", exceptions = "exceptions_only", starting_lba = 0xFFFFFFFF },
      "AC 12 FF FF FF FF 00 00 00 40 00 00" },
    { { performance_type = 2, exceptions = 3, tolerance = 1, starting_lba = 16 },
      "AC 16 00 00 00 10 00 00 00 40 00 00" },
    { { request_type = "write_speed" }, "AC 00 00 00 00 00 00 00 00 40 03 00" },
    -- A write-speed request zeroes byte 1 and the LBA, whatever else is given.
    { { request_type = 2, performance_type = "write", exceptions = "entire", starting_lba = 77 },
      "AC 00 00 00 00 00 00 00 00 40 03 00" },
    { nil, "AC 10 00 00 00 00 00 00 00 40 00 00" },
  }
  for i, case in ipairs(cases) do
    it(("case %d builds %s"):format(i, case[2]), function()
      local dev = perf_device(function() return h.perf_response({}) end)
      local drive = assert(core.open(dev))
      assert(drive:get_performance(case[1]))
      assert.are.equal(1, #dev.calls)
      assert.are.equal(case[2], hex(dev.calls[1].cdb))
      assert.are.equal("in", dev.calls[1].direction)
      drive:close()
    end)
  end

  it("allocates 8 + 16 x 64 bytes, or 8 + 6 x 64 for exceptions only", function()
    local dev = perf_device(function() return h.perf_response({}) end)
    local drive = assert(core.open(dev))
    drive:get_performance { exceptions = "nominal" }
    drive:get_performance { exceptions = "entire" }
    drive:get_performance { exceptions = "exceptions_only" }
    drive:get_performance { request_type = "write_speed" }
    assert.are.same({ 1032, 1032, 392, 1032 },
      { dev.calls[1].arg, dev.calls[2].arg, dev.calls[3].arg, dev.calls[4].arg })
  end)

  it("exports the Windows enum and IOCTL values", function()
    assert.are.equal(1, core.CdromPerformanceRequest)
    assert.are.equal(2, core.CdromWriteSpeedRequest)
    assert.are.equal(1, core.CdromReadPerformance)
    assert.are.equal(2, core.CdromWritePerformance)
    assert.are.equal(1, core.CdromNominalPerformance)
    assert.are.equal(2, core.CdromEntirePerformanceList)
    assert.are.equal(3, core.CdromPerformanceExceptionsOnly)
    assert.are.equal(1, core.Cdrom10Nominal20Exceptions)
    assert.are.equal(0x00024070, core.IOCTL_CDROM_GET_PERFORMANCE)
    assert.are.equal(0x00024060, core.IOCTL_CDROM_SET_SPEED)
  end)
end)

describe("cdperf.core decoding", function()
  local function decode(resp, req)
    local drive = assert(core.open(perf_device(function() return resp end)))
    return drive:get_performance(req)
  end

  it("decodes nominal descriptors and the header", function()
    local r = assert(decode(h.perf_response({
      h.nominal(0, 3324, 393215, 3324), h.nominal(393216, 5540, 1114111, 5540),
      h.nominal(1114112, 8310, 4173824, 8310) }, { write = true }), { performance_type = "write" }))
    assert.are.same({ data_length = 52, except = false, write = true }, r.header)
    assert.are.equal("nominal", r.kind)
    assert.are.same({ start_lba = 393216, start_performance = 5540, end_lba = 1114111,
      end_performance = 5540 }, r.descriptors[2])
    assert.are.equal(3, #r.descriptors)
    assert.are.equal(56, #r.raw)
    assert.is_false(r.truncated)
  end)

  it("decodes exception descriptors (time in 0.1 ms)", function()
    local r = assert(decode(h.perf_response({ h.exception(1000, 2500), h.exception(0xFFFFFFFF, 0xFFFF) },
      { except = true }), { exceptions = "exceptions_only" }))
    assert.is_true(r.header.except)
    assert.are.equal("exception", r.kind)
    assert.are.same({ { lba = 1000, time = 2500 }, { lba = 0xFFFFFFFF, time = 0xFFFF } }, r.descriptors)
  end)

  it("decodes every bit of the write speed descriptor's byte 0", function()
    local flags = { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x18, 0x1F, 0xE0 }
    local descs = {}
    for i, f in ipairs(flags) do descs[i] = h.write_speed(f, 12219391, 26976, 53952) end
    local r = assert(decode(h.perf_response(descs), { request_type = "write_speed" }))
    local got = {}
    for i, d in ipairs(r.descriptors) do
      got[i] = { d.mixed_read_write, d.exact, d.restore_drive_defaults, d.write_rotation_control }
    end
    assert.are.same({
      { false, false, false, 0 }, { true, false, false, 0 }, { false, true, false, 0 },
      { false, false, true, 0 }, { false, false, false, 1 }, { false, false, false, 2 },
      { false, false, false, 3 }, { true, true, true, 3 }, { false, false, false, 0 },
    }, got)
    assert.are.same({ end_lba = 12219391, read_speed = 26976, write_speed = 53952 },
      { end_lba = r.descriptors[1].end_lba, read_speed = r.descriptors[1].read_speed,
        write_speed = r.descriptors[1].write_speed })
  end)

  it("entire may come back as nominal or as exception descriptors", function()
    local a = assert(decode(h.perf_response({ h.nominal(0, 1, 2, 3) }), { exceptions = "entire" }))
    assert.are.equal("nominal", a.kind)
    local b = assert(decode(h.perf_response({ h.exception(5, 6) }, { except = true }),
      { exceptions = "entire" }))
    assert.are.same({ { lba = 5, time = 6 } }, b.descriptors)
  end)

  it("rejects a nominal request answered with the Except bit set", function()
    local r, msg, info = decode(h.perf_response({ h.exception(5, 6) }, { except = true }))
    assert.is_nil(r)
    assert.matches("nominal performance request with exception descriptors", msg, 1, true)
    assert.are.equal("decode", info.kind)
  end)

  it("rejects an exceptions-only request answered with nominal descriptors", function()
    local r, msg = decode(h.perf_response({ h.nominal(0, 1, 2, 3) }), { exceptions = "exceptions_only" })
    assert.is_nil(r)
    assert.matches("answered an exceptions-only request with nominal descriptors", msg, 1, true)
    -- Except clear with no descriptors is simply "no exceptions".
    local ok = assert(decode(h.perf_response({}), { exceptions = "exceptions_only" }))
    assert.are.same({}, ok.descriptors)
  end)

  it("a response shorter than the header is an error, not an empty list", function()
    local r, msg, info = decode("\0\0\0")
    assert.is_nil(r)
    assert.matches("shorter than the 8%-byte performance header %(got 3 bytes%)", msg)
    assert.are.equal("decode", info.kind)
  end)
end)

describe("cdperf.core headers that lie", function()
  local function run(resp, req)
    local dev = perf_device(function(_, alloc) return resp:sub(1, alloc) end)
    local drive = assert(core.open(dev))
    local r, msg = drive:get_performance(req or { request_type = "write_speed" })
    return r, dev, msg
  end

  it("longer than received: trusts the bytes, reports truncated", function()
    local resp = h.perf_response(ws(3), { data_length = 4 + 16 * 5 })
    local r, dev = run(resp)
    assert.are.equal(3, #r.descriptors)
    assert.is_true(r.truncated)
    assert.are.equal(4 + 16 * 5, r.header.data_length)
    assert.are.equal(#resp, #r.raw)
    assert.are.equal(1, #dev.calls)
  end)

  it("shorter than received: padding past DataLength + 4 is ignored (tgt pads)", function()
    local resp = h.perf_response(ws(2), { data_length = 4 + 16 }) .. ("\xEE"):rep(100)
    local r = run(resp)
    assert.are.equal(1, #r.descriptors)
    assert.are.equal(8 + 16, #r.raw)
    assert.is_false(r.truncated)
    assert.are.equal(22159, r.descriptors[1].write_speed)
  end)

  it("not a multiple of the descriptor size: the cut descriptor is dropped", function()
    local resp = h.perf_response(ws(2), { data_length = 4 + 16 + 10 })
    local r = run(resp)
    assert.are.equal(1, #r.descriptors)
    assert.is_true(r.truncated)
    assert.are.equal(8 + 16 + 10, #r.raw)
  end)

  it("zero descriptors", function()
    local r = run(h.perf_response({}))
    assert.are.same({}, r.descriptors)
    assert.are.equal(4, r.header.data_length)
    assert.is_false(r.truncated)
  end)

  it("DataLength below 4 yields no descriptors even when bytes follow", function()
    local r = run(h.perf_response(ws(2), { data_length = 0 }))
    assert.are.same({}, r.descriptors)
    assert.are.equal(8, #r.raw)
  end)

  it("0xFFFFFFFF: one second command at the 65535-byte limit, then truncated", function()
    local resp = h.perf_response(ws(70), { data_length = 0xFFFFFFFF })
    local r, dev = run(resp)
    assert.are.equal(2, #dev.calls)
    assert.are.equal("AC 00 00 00 00 00 00 00 0F FF 03 00", hex(dev.calls[2].cdb))
    assert.are.equal(8 + 16 * 4095, dev.calls[2].arg)
    assert.are.equal(70, #r.descriptors)
    assert.is_true(r.truncated)
  end)
end)

describe("cdperf.core two-command path", function()
  it("asks for exactly enough when the header says more exist", function()
    local all = h.perf_response(ws(100))
    local dev = perf_device(function(_, alloc) return all:sub(1, alloc) end)
    local drive = assert(core.open(dev))
    local r = assert(drive:get_performance { request_type = "write_speed" })
    assert.are.equal(2, #dev.calls)
    assert.are.equal("AC 00 00 00 00 00 00 00 00 40 03 00", hex(dev.calls[1].cdb))
    assert.are.equal("AC 00 00 00 00 00 00 00 00 64 03 00", hex(dev.calls[2].cdb))
    assert.are.equal(8 + 16 * 100, dev.calls[2].arg)
    assert.are.equal(100, #r.descriptors)
    assert.are.equal(22160 - 100, r.descriptors[100].write_speed)
    assert.is_false(r.truncated)
  end)

  it("sizes the second command for 6-byte exception descriptors", function()
    local descs = {}
    for i = 1, 200 do descs[i] = h.exception(i * 1000, i) end
    local all = h.perf_response(descs, { except = true })
    local dev = perf_device(function(_, alloc) return all:sub(1, alloc) end)
    local drive = assert(core.open(dev))
    local r = assert(drive:get_performance { exceptions = "exceptions_only" })
    assert.are.equal(2, #dev.calls)
    assert.are.equal(392, dev.calls[1].arg)
    assert.are.equal("AC 12 00 00 00 00 00 00 00 C8 00 00", hex(dev.calls[2].cdb))
    assert.are.equal(8 + 6 * 200, dev.calls[2].arg)
    assert.are.equal(200, #r.descriptors)
    assert.are.same({ lba = 200000, time = 200 }, r.descriptors[200])
  end)

  it("never sends a third command, even if the second answer grows again", function()
    local calls = 0
    local dev = perf_device(function(_, alloc)
      calls = calls + 1
      return h.perf_response(ws(math.min(calls * 80, (alloc - 8) // 16)),
        { data_length = 4 + 16 * calls * 80 })
    end)
    local drive = assert(core.open(dev))
    local r = assert(drive:get_performance { request_type = "write_speed" })
    assert.are.equal(2, #dev.calls)
    assert.are.equal(80, #r.descriptors)
    assert.is_true(r.truncated)
  end)

  it("sends one command when 64 descriptors are all there is", function()
    local all = h.perf_response(ws(64))
    local dev = perf_device(function() return all end)
    local drive = assert(cdperf.open(dev))
    assert.are.equal(64, #assert(drive:write_speeds()))
    assert.are.equal(1, #dev.calls)
  end)
end)

describe("cdperf.core validation", function()
  local drive
  before_each(function()
    drive = assert(core.open(perf_device(function() return h.perf_response({}) end)))
  end)

  local bad = {
    { { request_type = "speeds" },
      [[bad field 'request_type' (expected performance|write_speed, got "speeds")]] },
    { { request_type = 3 }, [[bad field 'request_type' (expected performance|write_speed or 1..2, got 3)]] },
    { { request_type = 0 }, [[bad field 'request_type' (expected performance|write_speed or 1..2, got 0)]] },
    { { performance_type = "readwrite" },
      [[bad field 'performance_type' (expected read|write, got "readwrite")]] },
    { { performance_type = 0 }, [[bad field 'performance_type' (expected read|write or 1..2, got 0)]] },
    { { performance_type = 3 }, [[bad field 'performance_type' (expected read|write or 1..2, got 3)]] },
    { { exceptions = "al" }, [[bad field 'exceptions' (expected nominal|entire|exceptions_only, got "al")]] },
    { { exceptions = 0 }, [[bad field 'exceptions' (expected nominal|entire|exceptions_only or 1..3, got 0)]] },
    { { exceptions = 4 }, [[bad field 'exceptions' (expected nominal|entire|exceptions_only or 1..3, got 4)]] },
    { { tolerance = "loose" }, [[bad field 'tolerance' (expected 10_nominal_20_exceptions, got "loose")]] },
    { { tolerance = 0 }, [[bad field 'tolerance' (expected 10_nominal_20_exceptions or 1..1, got 0)]] },
    { { tolerance = 2 }, [[bad field 'tolerance' (expected 10_nominal_20_exceptions or 1..1, got 2)]] },
    { { exceptions = true },
      [[bad field 'exceptions' (expected nominal|entire|exceptions_only or an integer, got boolean)]] },
    { { starting_lba = -1 }, [[bad field 'starting_lba' (expected an integer 0..4294967295, got -1)]] },
    { { starting_lba = 0x100000000 },
      [[bad field 'starting_lba' (expected an integer 0..4294967295, got 4294967296)]] },
    { { starting_lba = 1.5 }, [[bad field 'starting_lba' (expected an integer 0..4294967295, got 1.5)]] },
    { { starting_lba = "0" }, [[bad field 'starting_lba' (expected an integer 0..4294967295, got string)]] },
    { { staring_lba = 0 },
      [[bad field 'staring_lba' (unknown field; expected request_type|performance_type|exceptions|]] ..
      [[tolerance|starting_lba)]] },
  }
  for _, case in ipairs(bad) do
    it("raises " .. case[2], function()
      local ok, err = pcall(drive.get_performance, drive, case[1])
      assert.is_false(ok)
      assert.are.equal(case[2], err)
    end)
  end

  it("raises on a request that is not a table", function()
    local ok, err = pcall(function() return drive:get_performance("read") end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'get_performance' %(table expected, got string%)", err)
  end)

  it("the Windows driver ignores the other fields of a write-speed request", function()
    assert(drive:get_performance { request_type = "write_speed", exceptions = 9, tolerance = 7 })
  end)

  it("sends nothing when validation fails", function()
    local dev = perf_device(function() return h.perf_response({}) end)
    local d = assert(core.open(dev))
    pcall(d.get_performance, d, { exceptions = 4 })
    assert.are.equal(0, #dev.calls)
  end)
end)

describe("cdperf.core sleep_ms", function()
  local measure = require "cdperf.measure"

  local bad = {
    { -1, "0..86400000 ms expected" }, { -0.001, "0..86400000 ms expected" },
    { 86400001, "0..86400000 ms expected" }, { 0 / 0, "0..86400000 ms expected" },
    { math.huge, "0..86400000 ms expected" }, { "soon", "number expected, got string" },
    { true, "number expected, got boolean" }, { nil, "number expected, got nil" },
  }
  for _, case in ipairs(bad) do
    it("raises for " .. tostring(case[1]) .. ": " .. case[2], function()
      local ok, err = pcall(function(...) core.sleep_ms(...) end, case[1])
      assert.is_false(ok)
      assert.are.equal("bad argument #1 to 'sleep_ms' (" .. case[2] .. ")", (err:gsub("^[^:]+:%d+: ", "")))
    end)
  end

  it("raises without an argument", function()
    local ok, err = pcall(function() core.sleep_ms() end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'sleep_ms' %(number expected, got no value%)$", err)
  end)

  it("takes 0, fractions and integers, and returns nothing", function()
    assert.are.equal(0, select("#", core.sleep_ms(0)))
    assert.are.equal(0, select("#", core.sleep_ms(0.25)))
    assert.are.equal(0, select("#", core.sleep_ms(1)))
  end)

  it("sleeps at least the time asked, on a monotonic clock", function()
    local clock, resolution = measure.default_clock()
    for _, ms in ipairs { 20, 60.5 } do
      local t0 = clock()
      core.sleep_ms(ms)
      local elapsed = clock() - t0
      -- only a lower bound: a loaded machine may sleep longer, never less
      assert.is_true(elapsed >= ms / 1000 - resolution, ("%g ms asked, %.4f s slept"):format(ms, elapsed))
    end
  end)
end)

describe("cdperf.core monotonic", function()
  it("returns seconds and a resolution, never going back, and follows sleep_ms", function()
    local t0, res = core.monotonic()
    assert.are.equal("number", type(t0))
    assert.is_true(res > 0 and res <= 0.01, "resolution " .. tostring(res))
    local last = t0
    for _ = 1, 1000 do
      local t = core.monotonic()
      assert.is_true(t >= last)
      last = t
    end
    core.sleep_ms(30)
    -- a lower bound only: a loaded machine may sleep longer, never less
    assert.is_true(core.monotonic() - t0 >= 0.030 - res)
  end)

  it("is measure's default clock where the core is loaded", function()
    local clock, resolution = require("cdperf.measure").default_clock()
    local a = clock()
    local b = core.monotonic()
    assert.is_true(b >= a and b - a < 1)
    assert.are.equal(select(2, core.monotonic()), resolution)
  end)
end)

describe("cdperf.core drive errors", function()
  it("returns nil, message, info with the decoded fixed-format sense", function()
    local drive = assert(core.open(function() return nil, h.fixed_sense(5, 0x20, 0) end))
    local r, msg, info = drive:get_performance()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.same({ kind = "scsi", command = "GET PERFORMANCE", status = 2, sense_key = 5, asc = 0x20,
      ascq = 0, sense = "ILLEGAL REQUEST", text = "INVALID COMMAND OPERATION CODE",
      sense_bytes = h.fixed_sense(5, 0x20, 0) }, info)
  end)

  it("decodes descriptor-format sense", function()
    local drive = assert(cdperf.open(function() return nil, h.descriptor_sense(2, 0x3A, 0x01) end))
    local r, msg, info = drive:write_speeds()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: NOT READY, MEDIUM NOT PRESENT - TRAY CLOSED", msg)
    assert.are.equal(2, info.sense_key)
    assert.are.equal(0x3A, info.asc)
    assert.are.equal(1, info.ascq)
  end)

  it("names an unknown ASC/ASCQ by its numbers", function()
    local drive = assert(core.open(function() return nil, h.fixed_sense(3, 0xEE, 0x42) end))
    local _, msg, info = drive:get_performance()
    assert.are.equal("GET PERFORMANCE: MEDIUM ERROR, ASC 0xEE ASCQ 0x42", msg)
    assert.is_nil(info.text)
  end)

  it("a RECOVERED ERROR still delivers the data", function()
    local drive = assert(core.open(function() return nil, h.fixed_sense(1, 0x17, 0x01) end))
    -- No data came with the CHECK CONDITION, so the header is missing.
    local r, msg = drive:get_performance()
    assert.is_nil(r)
    assert.matches("shorter than the 8%-byte performance header", msg)
  end)

  it("reports a device function that raises", function()
    local drive = assert(core.open(function() error("firmware on fire", 0) end))
    local r, msg, info = drive:get_performance()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: device function failed: firmware on fire", msg)
    assert.are.same({ kind = "device", command = "GET PERFORMANCE" }, info)
  end)

  it("reports a device function that raises a non-string", function()
    local drive = assert(core.open(function() error({}) end))
    local _, msg = drive:get_performance()
    assert.are.equal("GET PERFORMANCE: device function failed with a table error object", msg)
  end)

  it("reports a device that returns the wrong type", function()
    local drive = assert(core.open(function() return 42 end))
    local _, msg = drive:get_performance()
    assert.are.equal("GET PERFORMANCE: device function returned number, expected a string or nil, sense", msg)
    local drive2 = assert(core.open(function() return nil end))
    local _, msg2 = drive2:inquiry()
    assert.are.equal("INQUIRY: device function returned nil without sense bytes (got nil)", msg2)
  end)

  it("reports a device that yields", function()
    local drive = assert(core.open(function() coroutine.yield() end))
    local co = coroutine.wrap(function() return drive:get_performance() end)
    local r, msg = co()
    assert.is_nil(r)
    assert.matches("device function failed: attempt to yield across a C%-call boundary", msg)
  end)

  it("cuts a huge answer to the allocation length", function()
    local big = h.perf_response(ws(64), { data_length = 4 + 16 * 64 }) .. ("x"):rep(1 << 20)
    local drive = assert(core.open(function() return big end))
    local r = assert(drive:get_performance { request_type = "write_speed" })
    assert.are.equal(64, #r.descriptors)
    assert.are.equal(1032, #r.raw)
  end)

  it("a device raising inside a coroutine leaves the drive usable", function()
    local fail = true
    local drive = assert(core.open(function()
      if fail then error("once", 0) end
      return h.perf_response({})
    end))
    assert.is_nil((drive:get_performance()))
    fail = false
    assert.are.same({}, assert(drive:get_performance()).descriptors)
  end)
end)

describe("cdperf.core handle life cycle", function()
  local function device() return h.perf_response({}) end

  it("shows its state in tostring", function()
    local drive = assert(core.open(device, { name = "double" }))
    assert.are.equal("cdperf.drive (double)", tostring(drive))
    assert.is_true(drive:is_open())
    drive:close()
    assert.are.equal("cdperf.drive (closed)", tostring(drive))
    assert.is_false(drive:is_open())
  end)

  it("close is idempotent and use after close raises", function()
    local drive = assert(core.open(device))
    assert.is_true(drive:close())
    assert.is_true(drive:close())
    for _, m in ipairs { "get_performance", "inquiry", "profile", "capabilities", "test_unit_ready" } do
      local ok, err = pcall(drive[m], drive)
      assert.is_false(ok)
      assert.matches("attempt to use a closed drive", err)
    end
    local ok = pcall(drive.set_speed, drive, {})
    assert.is_false(ok)
  end)

  it("closes at the end of a <close> block", function()
    local outer
    do
      local drive <close> = assert(core.open(device))
      outer = drive
      assert.is_true(outer:is_open())
    end
    assert.is_false(outer:is_open())
  end)

  it("garbage collection closes the handle and releases the device", function()
    local weak = setmetatable({}, { __mode = "k" })
    do
      local dev = function() return h.perf_response({}) end
      weak[dev] = true
      local drive = assert(core.open(dev))
      assert(drive:get_performance())
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(next(weak))
  end)

  it("collects a drive whose device refers back to the drive", function()
    local weak = setmetatable({}, { __mode = "k" })
    do
      local drive
      local dev = function() assert(drive) return h.perf_response({}) end
      drive = assert(core.open(dev))
      assert(drive:get_performance())
      weak[drive] = true
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(next(weak))
  end)

  it("lets go of the device at close", function()
    local weak = setmetatable({}, { __mode = "k" })
    local drive
    do
      local dev = function() return h.perf_response({}) end
      weak[dev] = true
      drive = assert(core.open(dev))
    end
    drive:close()
    collectgarbage()
    assert.is_nil(next(weak))
    assert.are.equal("cdperf.drive (closed)", tostring(drive))
  end)

  it("names its metatable cdperf.drive", function()
    local drive = assert(core.open(device))
    assert.are.equal("cdperf.drive", getmetatable(drive).__name)
    assert.are.equal("cdperf.drive", getmetatable(assert(cdperf.open(device))).__name)
  end)

  it("cdperf.type says drive, closed drive or nil, as io.type does", function()
    local a, b = assert(core.open(device)), assert(cdperf.open(device))
    assert.are.equal(cdperf.type, core.type)
    assert.are.equal("drive", core.type(a))
    assert.are.equal("drive", cdperf.type(b))
    a:close()
    b:close()
    assert.are.equal("closed drive", core.type(a))
    assert.are.equal("closed drive", cdperf.type(b))
    for _, v in ipairs { 42, "x", {}, io.stdout, print, setmetatable({}, getmetatable(a)) } do
      assert.is_nil(cdperf.type(v))
    end
    assert.has_error(function() core.type() end, "bad argument #1 to 'type' (value expected)")
  end)

  it("the methods of core.open's drives are private and never patched by the Lua layer", function()
    assert.is_nil(core.Drive)
    local raw = assert(core.open(function() return "\0\0\0\4\0\0\0\x41" end))
    local wrapped = assert(cdperf.open(function() return "\0\0\0\4\0\0\0\x41" end))
    -- require "cdperf" has run: the core's profile still answers with the code alone
    assert.are.same({ code = 0x41 }, assert(raw:profile()))
    assert.are.same({ code = 0x41, name = "BD-R SRM", class = "bd" }, assert(wrapped:profile()))
    assert.is_nil(raw.write_speeds)
    assert.is_function(wrapped.write_speeds)
    -- core.methods() is a copy each time: changing it changes no drive
    local m = core.methods()
    m.inquiry = function() return "patched" end
    assert.are_not.equal("patched", raw:inquiry())
    assert.are_not.equal(core.methods(), core.methods())
  end)

  it("core.class opens drives with a table of methods of its own", function()
    local methods = core.methods()
    function methods:hello() return "hello from " .. tostring(self) end
    local open = core.class(methods)
    local d = assert(open(device, { name = "classy" }))
    assert.are.equal("hello from cdperf.drive (classy)", d:hello())
    assert.are.equal("drive", core.type(d))
    assert.are.same({}, assert(d:get_performance()).descriptors)   -- core methods work on it
    local methods2 = core.methods()
    methods2.hello = function() return "other" end
    assert.are.equal("other", assert(core.class(methods2)(device)):hello())
    assert.are.equal("hello from cdperf.drive (classy)", d:hello())
    assert.is_true(d:close())
    assert.has_error(function() core.class("x") end)
    -- a method of one class rejects a userdata that is no drive
    assert.has_error(function() methods.inquiry(io.stdout) end,
      "bad argument #1 to 'inquiry' (cdperf.drive expected, got FILE*)")
  end)

  it("rejects bad open arguments", function()
    assert.has_error(function() core.open(42) end,
      "bad argument #1 to 'open' (device path or callable device expected, got number)")
    assert.has_error(function() core.open(device, { writ = true }) end,
      "bad field 'writ' (unknown field; expected write|timeout_ms|name|credentials)")
    assert.has_error(function() core.open(device, { timeout_ms = 0 }) end,
      "bad field 'timeout_ms' (expected an integer 1..86400000, got 0)")
    assert.has_error(function() core.open(device, { write = "yes" }) end,
      "bad field 'write' (expected a boolean, got string)")
  end)
end)

describe("cdperf.core on Linux paths", function()
  if core.platform ~= "linux" then return end

  it("a missing device gives an os error with errno", function()
    local d, msg, info = core.open("/dev/cdperf-no-such-drive")
    assert.is_nil(d)
    assert.are.equal("open: cannot open /dev/cdperf-no-such-drive: No such file or directory", msg)
    assert.are.same({ kind = "os", errno = 2, code = "ENOENT", command = "open" }, info)
  end)

  it("a device that is not SCSI is refused at open", function()
    local d, msg, info = core.open("/dev/null")
    assert.is_nil(d)
    assert.are.equal("open: /dev/null is not a SCSI device that accepts SG_IO (want /dev/srN or /dev/sgN)", msg)
    assert.are.equal("ENOTTY", info.code)
    local f, msg2 = core.open("Makefile")
    assert.is_nil(f)
    assert.matches("Makefile is not a SCSI device", msg2, 1, true)
  end)

  it("lists drives as /dev/srN paths", function()
    for _, p in ipairs(cdperf.drives()) do assert.matches("^/dev/sr%d+$", p) end
  end)
end)

describe("cdperf Lua conveniences", function()
  local dev = perf_device(function(cdb)
    local t = cdb:byte(11)
    if t == 3 then return h.perf_response(ws(2)) end
    local except = cdb:byte(2) & 3
    if except == 2 then return h.perf_response({ h.exception(7, 8) }, { except = true }) end
    return h.perf_response({ h.nominal(0, 1, 2, 3) }, { write = cdb:byte(2) & 4 ~= 0 })
  end)
  local drive = assert(cdperf.open(dev))

  it("write_speeds returns the descriptor list", function()
    local list = assert(drive:write_speeds())
    assert.are.equal(2, #list)
    assert.are.equal(22159, list[1].write_speed)
  end)

  it("read_performance, write_performance and exceptions send the right CDBs", function()
    local n = #dev.calls
    assert.are.same({ { start_lba = 0, start_performance = 1, end_lba = 2, end_performance = 3 } },
      assert(drive:read_performance()))
    assert(drive:write_performance { starting_lba = 5 })
    assert.are.same({ { lba = 7, time = 8 } }, assert(drive:exceptions { performance_type = "write" }))
    assert.are.equal("AC 10 00 00 00 00 00 00 00 40 00 00", hex(dev.calls[n + 1].cdb))
    assert.are.equal("AC 14 00 00 00 05 00 00 00 40 00 00", hex(dev.calls[n + 2].cdb))
    assert.are.equal("AC 16 00 00 00 00 00 00 00 40 00 00", hex(dev.calls[n + 3].cdb))
  end)

  it("they pass on failures as nil, message, info", function()
    local failing = assert(cdperf.open(function() return nil, h.fixed_sense(2, 0x3A, 0) end))
    local r, msg, info = failing:write_speeds()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: NOT READY, MEDIUM NOT PRESENT", msg)
    assert.are.equal(0x3A, info.asc)
  end)

  it("decode_performance parses captured bytes offline", function()
    local raw = unhex("00 00 00 14 00 00 00 00 02 00 00 00 00 22 66 5F 00 00 11 E8 00 00 0A D2")
    local r = assert(core.decode_performance(raw, { request_type = "write_speed" }))
    assert.are.same({ mixed_read_write = false, exact = true, restore_drive_defaults = false,
      write_rotation_control = 0, end_lba = 2254431, read_speed = 4584, write_speed = 2770 },
      r.descriptors[1])
  end)
end)
