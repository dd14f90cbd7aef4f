-- cdperf.record: the recorder (every command with the drive's exact answer), the recording
-- file (data only: loaded without running code), replay (recorded bytes, misses named),
-- emulator.load, `cdperf record` and the round trips for every built-in model.

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local record = require "cdperf.record"
local check = require "cdperf.model_check"
local deepcopy = require "cdperf.deepcopy"

local pack = string.pack

local function sense(key, asc, ascq)
  return pack(">BBBI4BI4BBBI3", 0x70, 0, key, 0, 10, 0, asc, ascq, 0, 0)
end

local function tmpfile(text)
  local path = os.tmpname()
  if text then
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
  end
  return path
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local INQUIRY = pack(">BBBI2B", 0x12, 0, 0, 36, 0)
local TUR = string.rep("\0", 6)
local function wspeed(max) return pack(">BBI4BBI2BB", 0xAC, 0, 0, 0, 0, max or 64, 3, 0) end

describe("cdperf.record: the recording file", function()
  describe("to_lua", function()
    it("writes literals that parse back to the same value", function()
      local v = { format = "x", version = 1, s = "a\"b\\c\n\r\t\0\1\127\200\255 d", i = 42, neg = -7, f = 0.125,
        big = math.maxinteger, small = math.mininteger, whole = 3.0, t = true, no = false,
        list = { 1, 2, { 3, { 4 } } }, [7] = "seven", ["not an id"] = 1, ["end"] = 2, [1.5] = "x", [true] = 0 }
      local text = record.to_lua(v)
      local back = assert(record.parse(text, "t"))
      assert.are.same(v, back)
      assert.are.equal("float", math.type(back.whole))
      assert.are.equal(math.mininteger, back.small)
      assert.is_nil(text:find("[\0\1\127\128-\255]"))     -- every odd byte escaped
    end)

    it("puts format and version first, sorts the rest and keeps flat tables on one line", function()
      local text = record.to_lua({ b = 1, a = { x = 1, y = "z" }, version = 1, format = "f", n = { { 1 } } },
        { header = { "first line" } })
      assert.are.equal('-- first line\nreturn {\n  format = "f",\n  version = 1,\n  a = { x = 1, y = "z" },\n'
        .. '  b = 1,\n  n = {\n    { 1 },\n  },\n}\n', text)
    end)

    it("raises on what is not plain data", function()
      assert.has_error(function() record.to_lua({ f = print }) end,
        "bad value at value.f (plain data expected, got a function)")
      assert.has_error(function() record.to_lua({ x = 0 / 0 }) end)
      local t = {}
      t.self = t
      assert.has_error(function() record.to_lua(t) end, "bad value at value.self (a cycle)")
    end)
  end)

  describe("parse (data only, never code)", function()
    it("accepts a table of literals with comments, long strings and every numeral", function()
      local text = [==[
-- a comment
--[[ a long
comment ]] --[=[ another ]=]
return {
  a = "x\"y", b = 'single', c = [[long
string]], d = [=[with ]] inside]=],
  e = 0x10, f = -1.5e3, g = .5, h = 0xA.8p1, i = nil, j = true, k = false,
  ["key"] = 1, [2] = 2, [-3] = 3; [ [[lk]] ] = 4,
  nested = { { {} } }, esc = "\x41\65\u{42}\z
          C",
};
]==]
      local t = assert(record.parse(text, "ok.lua"))
      assert.are.same({ a = 'x"y', b = "single", c = "long\nstring", d = "with ]] inside", e = 16, f = -1500.0,
        g = 0.5, h = 21.0, j = true, k = false, key = 1, [2] = 2, [-3] = 3, lk = 4, nested = { { {} } },
        esc = "AABC" }, t)
    end)

    local refused = {
      { "return os.execute('touch /tmp/x')", "ok.lua:1: '{' expected after 'return', found the name 'os'" },
      { "return { os.execute('x') }", "ok.lua:1: a literal expected in the table, found the name 'os' (a data file "
        .. "holds no code)" },
      { "return { x = ('a'):rep(1e9) }", "a literal expected after 'x =', found '('" },
      { "return { x = 'a' .. 'b' }", "',' or '}' expected in the table opened on line 1, found '.'" },
      { "return { x = 1 + 1 }", "found '+'" },
      { "return { x = y }", "a literal expected after 'x =', found the name 'y' (a data file holds no code)" },
      { "return { [x] = 1 }", "a literal expected as a key, found the name 'x'" },
      { "return { [nil] = 1 }", "a literal expected as a key, found 'nil'" },
      { "return { x = function() end }", "a literal expected after 'x =', found 'function'" },
      { "return { x = 'a' 'b' }", "',' or '}' expected in the table opened on line 1, found a string" },
      { "return { x = {}{} }", "',' or '}' expected in the table opened on line 1, found '{'" },
      { "local t = {} return t", "ok.lua:1: 'return' expected, found 'local' (a data file is one `return { ... }`)" },
      { "while true do end", "'return' expected, found 'while'" },
      { "return {} return {}", "the end of the file expected after the table, found 'return'" },
      { "return 42", "'{' expected after 'return', found a number" },
      { "return {", "a literal expected in the table, found the end of the file" },
      { "return { x = 'open }", "unfinished string" },
      { "return { x = [[open }", "unfinished long string" },
      { "--[[ open\nreturn {}", "unfinished long comment" },
      { "return { x = 1 } -- fine\n}", "ok.lua:2: the end of the file expected after the table, found '}'" },
      { "return { x = 08x }", "malformed number near '08x'" },
      { "return { x = 3..2 }", "malformed number near '3..2'" },
      { "return { x = - - 1 }", "a literal expected after 'x =', found '-'" },
      { "return { x = #'abc' }", "found '#'" },
      { "\239\187\191return {}", "unexpected byte 239" },
      { "return { goto = 1 }", "a literal expected in the table, found 'goto'" },
      { "return { [=x] = 1 }", "invalid long string delimiter" },
      { "return { x = 'a\\q' }", "ok.lua:1: invalid escape sequence" },
      { "", "'return' expected, found the end of the file" },
    }
    for _, c in ipairs(refused) do
      it("refuses " .. c[1]:gsub("\n", " "):sub(1, 40), function()
        -- a string method reached from anywhere but record.lua's own tokenizer would be
        -- the file's code running
        local ran = false
        local smt = getmetatable("")
        local index = smt.__index
        smt.__index = setmetatable({}, { __index = function(_, k)
          local src = debug.getinfo(2, "S").source
          if not string.find(src, "cdperf/record%.lua$") then ran = true end
          return index[k]
        end })
        local ok, v, msg, info = pcall(record.parse, c[1], "ok.lua")
        smt.__index = index
        assert.is_true(ok, tostring(v))
        assert.is_nil(v)
        assert.truthy(msg:find(c[2], 1, true), msg)
        assert.are.equal("model", info.kind)
        assert.is_false(ran)
      end)
    end

    it("runs the checked text in an empty environment", function()
      _G.record_spec_sentinel = nil
      local t = assert(record.parse("return { x = 'print' }", "e.lua"))
      assert.are.same({ x = "print" }, t)
      assert.is_nil(_G.record_spec_sentinel)
    end)

    it("refuses a file larger than MAX_FILE", function()
      local saved = record.MAX_FILE
      record.MAX_FILE = 20
      local v, msg = record.parse("return { x = '0123456789' }", "big.lua")
      record.MAX_FILE = saved
      assert.is_nil(v)
      assert.matches("^big%.lua: %d+ bytes, more than", msg)
    end)
  end)

  describe("load", function()
    it("tells a recording, a snapshot and a model apart and checks each", function()
      local p = tmpfile(record.to_lua({ format = "cdperf.recording", version = 1, exchanges = {} }))
      local t, kind = record.load(p)
      assert.are.equal("recording", kind)
      assert.are.same({}, t.exchanges)
      local q = tmpfile(record.to_lua({ profile = 0x1B, write_speeds = { { write_speed = -1 } } }))
      local v, msg, info = record.load(q)
      assert.is_nil(v)
      assert.are.equal(q .. ": bad field 'write_speeds[1].write_speed' (expected an integer 0..4294967295, got -1)",
        msg)
      assert.are.equal("write_speeds[1].write_speed", info.field)
      os.remove(p)
      os.remove(q)
    end)

    it("is nil, message, info for a file it cannot open", function()
      local v, msg, info = record.load("/nonexistent/x.lua")
      assert.is_nil(v)
      assert.matches("^/nonexistent/x%.lua: ", msg)
      assert.are.equal("os", info.kind)
    end)
  end)
end)

describe_core("cdperf.record: the recorder", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"

  it("keeps every command with the drive's exact answer", function()
    local ticks = 0
    local seen = {}
    local rec = cdperf.record(emulator.new(emulator.models.lg_gsa4120b_no_getperf), {
      clock = function() ticks = ticks + 1.5; return ticks end,
      on_exchange = function(ex, n) seen[n] = ex.cdb end })
    local d <close> = assert(rec:open())
    local inq = assert(d:inquiry())
    assert.are.equal("HL-DT-ST", inq.vendor)
    local r, msg, info = d:write_speeds()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.equal(5, info.sense_key)
    local ex = rec:exchanges()
    assert.are.equal(2, #ex)
    assert.are.same({ cdb = "120000002400", direction = "in", alloc = 36, status = 0, ms = 1.5,
      data = record.hex(emulator.new(emulator.models.lg_gsa4120b_no_getperf)(INQUIRY, "in", 36)) }, ex[1])
    assert.are.equal("in", ex[2].direction)
    assert.are.equal(2, ex[2].status)
    assert.are.equal(record.hex(sense(5, 0x20, 0)), ex[2].sense)
    assert.is_nil(ex[2].data)
    assert.are.same({ ex[1].cdb, ex[2].cdb }, seen)
    assert.matches("^cdperf%.recorder %(emulated:lg_gsa4120b_no_getperf, 2 commands%)$", tostring(rec))
  end)

  it("keeps parameter bytes (out) and commands without data (none)", function()
    local rec = cdperf.record("emulated:lg_wh16ns40_bdr")
    local d <close> = assert(rec:open { write = true })
    assert(d:set_speed { read = "max", write = 35968 })
    assert(d:set_streaming { start_lba = 0, end_lba = 12219391, write_size = 17984, write_time = 1000,
      read_size = 26976, read_time = 1000 })
    local ex = rec:exchanges()
    assert.are.equal("none", ex[1].direction)
    assert.is_nil(ex[1].alloc)
    assert.is_nil(ex[1].data)
    assert.are.equal(0, ex[1].status)
    assert.are.equal("out", ex[2].direction)
    assert.are.equal(56, #ex[2].params)
    assert.is_true(check.recording({ format = "cdperf.recording", version = 1, exchanges = ex }, "r"))
  end)

  it("keeps a device's failure and hands it on", function()
    local calls = 0
    local rec = cdperf.record(function(cdb)
      calls = calls + 1
      if cdb:byte(1) == 0x12 then error("cable pulled", 0) end
      return 42
    end)
    local d <close> = assert(cdperf.open(rec))
    local r, msg, info = d:inquiry()
    assert.is_nil(r)
    assert.are.equal("INQUIRY: device function failed: cable pulled", msg)
    assert.are.equal("device", info.kind)
    r, msg = d:profile()
    assert.is_nil(r)
    assert.matches("device function returned number", msg)
    local ex = rec:exchanges()
    assert.are.equal("cable pulled", ex[1].error)
    assert.are.equal("device function returned number", ex[2].error)
    assert.are.equal(2, calls)
  end)

  it("records through drive:command when given an open drive", function()
    local drive = assert(cdperf.open("emulated:lg_wh16ns40_bdr"))
    if type(drive.command) ~= "function" then
      drive:close()
      return pending("the core has no drive:command yet")
    end
    local rec = cdperf.record(drive)
    local snap = rec:snapshot()
    assert.are.equal(0x41, snap.profile.code)
    local direct = cdperf.record("emulated:lg_wh16ns40_bdr")
    direct:snapshot()
    local a, b = rec:exchanges(), direct:exchanges()
    for _, e in ipairs(a) do e.ms = nil end
    for _, e in ipairs(b) do e.ms = nil end
    assert.are.same(b, a)
    drive:close()
  end)

  it("is nil, message, info for a device path that cannot be opened", function()
    local rec, msg, info = cdperf.record("/nonexistent/sr9")
    assert.is_nil(rec)
    assert.matches("/nonexistent/sr9", msg)
    assert.is_table(info)
    rec, msg = cdperf.record("emulated:no_such_model")
    assert.is_nil(rec)
    assert.matches("no_such_model", msg)
  end)

  it("raises on misuse", function()
    assert.has_error(function() cdperf.record(42) end,
      "bad argument #1 to 'record' (device path, drive or callable device expected, got number)")
    assert.has_error(function() cdperf.record(print, 1) end)
    assert.has_error(function() cdperf.record(print, { clock = 1 }) end)
    local rec = cdperf.record(print)
    assert.has_error(function() rec(42, "in", 1) end)
    assert.has_error(function() rec(TUR, "sideways") end)
    assert.has_error(function() rec(INQUIRY, "in", "36") end)
    assert.has_error(function() rec:save(42) end)
  end)

  describe("leaves serial numbers out", function()
    it("of the answers that carry one", function()
      local std = "\5\128\5\2\31\0\0\0" .. ("V"):rep(8) .. ("P"):rep(16) .. "1.00" .. ("S"):rep(20) .. "\0\0"
        .. ("x"):rep(8)
      local out = record.scrub(INQUIRY, std)
      assert.are.equal(std:sub(1, 36) .. ("\0"):rep(20) .. std:sub(57), out)
      local vpd80 = pack(">BBBI2B", 0x12, 1, 0x80, 64, 0)
      assert.are.equal("\5\128\0\4\0\0\0\0", record.scrub(vpd80, "\5\128\0\4SN42"))
      local feature = pack(">I2BB", 0x0108, 3, 4) .. "SN42"
      local other = pack(">I2BB", 0x0001, 3, 4) .. "abcd"
      local config = pack(">I4I2I2", 8 + #other + #feature, 0, 0x41) .. other .. feature
      local cdb = pack(">BBI2BBBI2B", 0x46, 0, 0, 0, 0, 0, 512, 0)
      assert.are.equal(config:sub(1, -5) .. "\0\0\0\0", record.scrub(cdb, config))
      assert.are.equal("abc", record.scrub(TUR, "abc"))
    end)

    it("of what the recorder hands on and of the snapshot", function()
      local emu = emulator.new(emulator.models.lg_wh16ns40_bdr)
      local rec = cdperf.record(function(cdb, dir, arg)
        local d, s = emu(cdb, dir, arg)
        if cdb:byte(1) == 0x12 and d then d = (d .. ("\0"):rep(60)):sub(1, 36) .. ("S"):rep(20) end
        return d, s
      end)
      local d <close> = assert(cdperf.open(rec))
      local raw = assert(d:command(pack(">BBBI2B", 0x12, 0, 0, 96, 0), "in", 96))
      assert.are.equal(("\0"):rep(20), raw:sub(37, 56))
      assert.is_nil(record.hex(raw):find("5353"))
      assert.is_nil(rec:exchanges()[1].data:find("5353"))
      assert.are.same({ a = { b = 1 } }, record.scrub_table { a = { b = 1, drive_serial = "X" }, Serial_Number = "Y" })
    end)
  end)

  describe("save", function()
    it("writes a recording that loads back as it was recorded", function()
      local rec = cdperf.record("emulated:nec_nd3540a_dvdprw")
      local path = tmpfile()
      assert(rec:save(path, { comment = "picks 16x; the disc says 8x" }))
      local text = slurp(path)
      assert.matches("^%-%- cdperf recording %(format cdperf%.recording 1", text)
      assert.matches("\n%-%- Drive: _NEC DVD_RW ND%-3540A 1%.04; DVD%+RW; %d+ commands%.\n", text)
      local r, kind = assert(record.load(path))
      assert.are.equal("recording", kind)
      assert.are.equal("cdperf.recording", r.format)
      assert.are.equal(1, r.version)
      assert.are.equal("emulated:nec_nd3540a_dvdprw", r.device)
      assert.are.equal("picks 16x; the disc says 8x", r.comment)
      assert.are.equal("_NEC", r.inquiry.vendor)
      assert.are.equal("cdperf.snapshot", r.snapshot.format)
      assert.are.same(rec:recording { comment = "picks 16x; the disc says 8x" }, r)
      for _, ex in ipairs(r.exchanges) do
        assert.matches("^%x+$", ex.cdb)
        assert.are.equal("number", type(ex.ms))
      end
      os.remove(path)
    end)

    it("is nil, message, info when the file cannot be written", function()
      local ok, msg, info = cdperf.record("emulated:nec_nd3540a_dvdprw"):save("/nonexistent/dir/x.lua")
      assert.is_nil(ok)
      assert.matches("/nonexistent/dir/x%.lua", msg)
      assert.are.equal("os", info.kind)
    end)
  end)
end)

describe_core("cdperf.record: replay", function()
  local cdperf = require "cdperf"

  local function recording(exchanges)
    return { format = "cdperf.recording", version = 1, exchanges = exchanges }
  end

  it("answers each recorded CDB with its bytes, repeated ones in order, then the last again", function()
    local r = recording {
      { cdb = record.hex(TUR), direction = "none", sense = record.hex(sense(6, 0x28, 0)), status = 2 },
      { cdb = record.hex(TUR), direction = "none", status = 0 },
      { cdb = record.hex(INQUIRY), direction = "in", alloc = 36, data = "0580", status = 0 },
    }
    local dev = assert(record.replay(r))
    local d, s = dev(TUR, "none")
    assert.is_nil(d)
    assert.are.equal(sense(6, 0x28, 0), s)
    assert.are.equal("", dev(TUR, "none"))
    assert.are.equal("", dev(TUR, "none"))
    assert.are.equal("\5\128", dev(INQUIRY, "in", 36))
    assert.are.equal("\5", dev(INQUIRY, "in", 1))
    assert.are.equal(0, dev:unused())
    assert.are.same({ TUR, TUR, TUR, INQUIRY, INQUIRY }, dev:log())
    dev:rewind()
    assert.is_nil((dev(TUR, "none")))
    assert.are.equal(2, dev:unused())
    assert.are.equal("cdperf.replay (replay)", tostring(dev))
  end)

  it("fails an unrecorded CDB with ILLEGAL REQUEST and a message that shows it and the nearest", function()
    local said = {}
    local dev = assert(record.replay(recording {
      { cdb = record.hex(wspeed(64)), direction = "in", alloc = 1032, data = "00000004", status = 0 },
      { cdb = record.hex(INQUIRY), direction = "in", alloc = 36, data = "05", status = 0 },
      { cdb = "b6000000000000000000" .. "1c00", direction = "out", params = ("00"):rep(28), status = 0 },
    }, { on_miss = function(text, miss) said[#said + 1] = { text, miss } end }))
    local d, s = dev(wspeed(65), "in", 1048)
    assert.is_nil(d)
    assert.are.equal(sense(5, 0x24, 0):sub(1, 15), s:sub(1, 15))
    assert.are.equal("\xC0\0\9", s:sub(16, 18))          -- SKSV, C/D: byte 9 of the CDB differs
    assert.are.equal("replay: no recorded answer to AC 00 00 00 00 00 00 00 00 41 03 00 (GET PERFORMANCE, in, "
      .. "1048 bytes); the nearest recorded is AC 00 00 00 00 00 00 00 00 40 03 00 (GET PERFORMANCE, in, 1032 bytes), "
      .. "which differs at byte 9", said[1][1])
    assert.are.equal("ac0000000000000000400300", said[1][2].nearest)
    d, s = dev(pack(">BBI2I2BBBBBB", 0xBB, 0, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0), "none")
    assert.is_nil(d)
    assert.are.equal(sense(5, 0x20, 0), s)                -- no SET CD SPEED recorded at all
    d, s = dev(string.char(0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1C, 0), "out", ("\0"):rep(27) .. "\1")
    assert.is_nil(d)
    assert.are.equal(0x26, s:byte(13))                     -- INVALID FIELD IN PARAMETER LIST
    assert.matches("with other parameter bytes from byte 27$", said[3][1])
    assert.are.equal(3, #dev:misses())
  end)

  it("through cdperf.open: the core's message and the miss on stderr by default", function()
    local path = tmpfile(record.to_lua(recording {
      { cdb = record.hex(INQUIRY), direction = "in", alloc = 36, data = "0580", status = 0 } }))
    local d <close> = assert(cdperf.open("replay:" .. path))
    assert.are.equal("cdperf.drive (replay:" .. path .. ")", tostring(d))
    local stderr = io.stderr
    local lines = {}
    local function collect(_, ...) for _, s in ipairs { ... } do lines[#lines + 1] = s end end
    io.stderr = { write = collect } -- luacheck: ignore 122
    local r, msg, info = d:profile()
    io.stderr = stderr -- luacheck: ignore 122
    assert.is_nil(r)
    assert.are.equal("GET CONFIGURATION: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.equal(5, info.sense_key)
    assert.matches("^cdperf: replay:.*: no recorded answer to 46 ", table.concat(lines))
    os.remove(path)
  end)

  it("raises a recorded device error again", function()
    local dev = assert(record.replay(recording {
      { cdb = record.hex(TUR), direction = "none", error = "host adapter error DID_ERROR (0x07)" } }))
    local d <close> = assert(cdperf.open(dev))
    local r, msg, info = d:test_unit_ready()
    assert.is_nil(r)
    assert.are.equal("TEST UNIT READY: device function failed: host adapter error DID_ERROR (0x07)", msg)
    assert.are.equal("device", info.kind)
  end)

  it("refuses what is not a recording, naming the file and the field", function()
    local model = tmpfile(record.to_lua({ profile = 0x1B }))
    local d, msg, info = cdperf.open("replay:" .. model)
    assert.is_nil(d)
    assert.are.equal("open: " .. model .. ": bad field 'format' (expected \"cdperf.recording\": a recording, got a "
      .. "model; emulated:" .. model .. " emulates it)", msg)
    assert.are.equal("format", info.field)
    local bad = tmpfile(record.to_lua(recording { { cdb = "12", direction = "in", data = "00" } }))
    d, msg = cdperf.open("replay:" .. bad)
    assert.is_nil(d)
    assert.are.equal("open: " .. bad .. ": bad field 'exchanges[1].alloc' (expected an allocation length (direction "
      .. "\"in\"), got nothing)", msg)
    d, msg = cdperf.open("replay:/nonexistent.lua")
    assert.is_nil(d)
    assert.matches("^open: /nonexistent%.lua: ", msg)
    assert.has_error(function() record.replay(42) end)
    assert.has_error(function() record.replay(recording {}, { on_miss = 1 }) end)
    os.remove(model)
    os.remove(bad)
  end)
end)

describe_core("round trips for every built-in model", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"
  local report = require "cdperf.report"
  local format = require "cdperf.format"

  local function text_of(snap)
    return table.concat(report.text((report.build(snap))), "\n")
  end

  for _, name in ipairs(emulator.model_names()) do
    describe(name, function()
      for _, exc in ipairs { false, true } do
        local opts = { exceptions = exc, device = "d" }
        it("model -> emulator -> record -> replay: the same snapshot and report" .. (exc and " (exceptions)" or ""),
          function()
            local d0 <close> = assert(cdperf.open("emulated:" .. name))
            local s0 = cdperf.snapshot(d0, opts)
            local rec = assert(cdperf.record("emulated:" .. name))
            rec:snapshot { exceptions = exc }
            local path = tmpfile()
            assert(rec:save(path))
            local misses = {}
            local dev = assert(record.replay(path, { on_miss = function(t) misses[#misses + 1] = t end }))
            local d1 <close> = assert(cdperf.open(dev))
            local s1 = cdperf.snapshot(d1, opts)
            assert.are.same({}, misses)
            assert.are.equal(format.json(s0), format.json(s1))
            assert.are.equal(text_of(s0), text_of(s1))
            assert.are.equal(0, dev:unused())
            -- the same file as a model (emulated:FILE) reports the same too
            local d2 <close> = assert(cdperf.open("emulated:" .. path))
            assert.are.equal(text_of(s0), text_of(cdperf.snapshot(d2, opts)))
            os.remove(path)
          end)
        it("snapshot -> emulator.new -> snapshot: the same snapshot" .. (exc and " (exceptions)" or ""), function()
          local d0 <close> = assert(cdperf.open("emulated:" .. name))
          local s0 = cdperf.snapshot(d0, opts)
          local d1 <close> = assert(cdperf.open(emulator.new(s0)))
          assert.are.same(s0, cdperf.snapshot(d1, opts))
          -- and through a file: the snapshot saved as Lua, loaded by emulator.load
          local path = tmpfile(record.to_lua(s0))
          local m = assert(emulator.load(path))
          assert.are.same(s0, m)
          local d2 <close> = assert(cdperf.open(emulator.new(m)))
          assert.are.same(s0, cdperf.snapshot(d2, opts))
          os.remove(path)
        end)
      end
    end)
  end
end)

describe_core("emulator.load and emulated:FILE", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"

  it("loads a model file written as data", function()
    local m = deepcopy(emulator.models.samsung_sh224db_dvdpr)
    m.name = "mine"
    local path = tmpfile(record.to_lua(m))
    assert.are.same(m, assert(emulator.load(path)))
    local d <close> = assert(cdperf.open("emulated:" .. path))
    assert.are.equal("CDDVDW SH-224DB", (d:inquiry().product:gsub(" +$", "")))
    os.remove(path)
  end)

  it("refuses a model file with code in it, saying where", function()
    local path = tmpfile("local function d(w) return { write_speed = w } end\nreturn { write_speeds = { d(1) } }\n")
    local m, msg, info = emulator.load(path)
    assert.is_nil(m)
    assert.are.equal(path .. ":1: 'return' expected, found 'local' (a data file is one `return { ... }`)", msg)
    assert.are.equal(1, info.line)
    local d
    d, msg = cdperf.open("emulated:" .. path)
    assert.is_nil(d)
    assert.matches("^open: ", msg)
    os.remove(path)
  end)

  it("a recording's model is its snapshot, named after the file", function()
    local rec = cdperf.record("emulated:lg_wh16ns40_bdr")
    local path = os.tmpname() .. "_drive.lua"
    assert(rec:save(path))
    local m = assert(emulator.load(path))
    assert.are.equal(path:match("([^/]+)%.lua$"), m.name)
    assert.matches("^recording .* of emulated:lg_wh16ns40_bdr %(cdperf ", m.source)
    local r = assert(record.load(path))
    r.snapshot = nil
    local p2 = tmpfile(record.to_lua(r))
    local none, msg = emulator.load(p2)
    assert.is_nil(none)
    assert.matches("bad field 'snapshot' %(expected a snapshot to emulate the drive from, got nothing; replay:", msg)
    os.remove(path)
    os.remove(p2)
  end)
end)

describe_core("cdperf record (the command line)", function()
  local json = require "dkjson"

  local function run(args)
    local err = os.tmpname()
    local p = assert(io.popen("lua5.4 bin/cdperf " .. args .. " 2>" .. err))
    local out = p:read("a")
    local _, _, status = p:close()
    local e = slurp(err)
    os.remove(err)
    return out, e, status
  end

  it("records an emulated drive; -e FILE and -d replay:FILE report as the model does", function()
    local path = os.tmpname()
    local out, err, status = run("record -d emulated:lg_wh16ns40_bdr -o " .. path)
    assert.are.equal(0, status, err)
    assert.matches("^Recorded emulated:lg_wh16ns40_bdr %(HL%-DT%-ST BD%-RE  WH16NS40 1%.00; BD%-R SRM%) to ", out)
    assert.matches("\n  1  12 00 00 00 24 00 +INQUIRY +36 bytes\n", out)
    assert.matches("AC 10 00 00 00 00 00 00 00 40 00 00 +GET PERFORMANCE", out)
    assert.matches("cdperf: record emulated:lg_wh16ns40_bdr: 1 INQUIRY: 36 bytes\n", err)
    local want = json.decode((run("-e lg_wh16ns40_bdr --json")))
    for _, dev in ipairs { "-e " .. path, "-d replay:" .. path } do
      local o, e, s = run(dev .. " --json")
      assert.are.equal(0, s, e)
      assert.are.equal("", e)
      local got = json.decode(o)
      assert.are.equal(dev:gsub("^%-e ", "emulated:"):gsub("^%-d ", ""), got.drives[1].device)
      got.drives[1].device = want.drives[1].device
      assert.are.same(want, got)
    end
    -- the text report too, but for the device line
    local a = run("-e lg_wh16ns40_bdr"):gsub("emulated:lg_wh16ns40_bdr", "D")
    local b = run("-d replay:" .. path):gsub("replay:" .. path:gsub("%p", "%%%0"), "D")
    assert.are.equal(a, b)
    os.remove(path)
  end)

  it("says what is missing or wrong, with exit status 2", function()
    local _, err, status = run("record -o /tmp/x.lua")
    assert.are.equal(2, status)
    assert.are.equal("cdperf: record needs a drive: -d DEV (see --help)\n", err)
    _, err, status = run("record -d emulated:lg_wh16ns40_bdr")
    assert.are.equal(2, status)
    assert.matches("-o FILE", err)
    _, err, status = run("-e no_such_thing")
    assert.are.equal(2, status)
    assert.matches("^cdperf: unknown model \"no_such_thing\" %(known: .*; or a model file, snapshot or recording%)\n$",
      err)
    local bad = tmpfile("return { write_speeds = { { write_speed = -1 } } }\n")
    _, err, status = run("-e " .. bad)
    assert.are.equal(2, status)
    assert.are.equal("cdperf: " .. bad .. ": bad field 'write_speeds[1].write_speed' (expected an integer "
      .. "0..4294967295, got -1)\n", err)
    os.remove(bad)
  end)

  it("fails with exit status 1 when the drive cannot be opened or the file written", function()
    local _, err, status = run("record -d /nonexistent/sr9 -o /tmp/x.lua")
    assert.are.equal(1, status)
    assert.matches("^cdperf: /nonexistent/sr9: ", err)
    _, err, status = run("record -q -d emulated:lg_wh16ns40_bdr -o /nonexistent/dir/x.lua")
    assert.are.equal(1, status)
    assert.matches("^cdperf: /nonexistent/dir/x%.lua: ", err)
  end)
end)

describe_core("built-in recordings of real devices", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"
  local report = require "cdperf.report"

  for _, name in ipairs(emulator.recorded_model_names()) do
    it(name .. ": replay and the recording's snapshot report alike", function()
      local path = assert(package.searchpath("cdperf.models." .. name, package.path))
      local rec = assert(record.load(path))
      local misses = {}
      local dev = assert(record.replay(path, { on_miss = function(t) misses[#misses + 1] = t end }))
      local d <close> = assert(cdperf.open(dev))
      local snap = cdperf.snapshot(d, { exceptions = true, device = rec.snapshot.device })
      assert.are.same({}, misses)
      -- every part read now is the recorded one (a later snapshot may read more parts:
      -- then the recording misses them and wants making again, make check-kernel)
      for k, v in pairs(snap) do
        if k ~= "commands" then assert.are.same(rec.snapshot[k], v, k) end
      end
      local m = emulator.models[name]
      assert.are.equal(name, m.name)
      local e <close> = assert(cdperf.open("emulated:" .. name))
      local es = cdperf.snapshot(e, { device = rec.snapshot.device })
      assert.are.same(report.text((report.build(snap))), report.text((report.build(es))))
    end)
  end
end)
