-- cdperf.model_check: models, snapshots and recordings from strangers are checked field by
-- field before anything reads them; every refusal names the file, the field, what was
-- expected and what was found.  emulator.new and emulator.load do the same checks.

local check = require "cdperf.model_check"
local emulator = require "cdperf.emulator"
local deepcopy = require "cdperf.deepcopy"

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local function base()
  return deepcopy(emulator.models.lg_wh16ns40_bdr)
end

-- a copy of the base model with path set to v ("a.b[2].c")
local function with(path, v)
  local m = base()
  local t = m
  local keys = {}
  for k in path:gmatch("[^%.%[%]]+") do keys[#keys + 1] = tonumber(k) and math.tointeger(tonumber(k)) or k end
  for i = 1, #keys - 1 do
    if t[keys[i]] == nil then t[keys[i]] = {} end
    t = t[keys[i]]
  end
  t[keys[#keys]] = v
  return m
end

describe("cdperf.model_check", function()
  describe("accepts", function()
    it("every built-in model", function()
      for _, name in ipairs(emulator.model_names()) do
        assert.is_true(check.model(emulator.models[name], name))
        assert.are.equal("model", check.any(emulator.models[name], name))
      end
    end)

    it("a minimal model and the emulator's own extra quirks", function()
      assert.is_true(check.model({}, "m"))
      for q in pairs(emulator.QUIRKS) do
        local m = base()
        m.quirks[q] = q == "header_length" and "odd" or true
        if q == "caps_at" or q == "minimum_speed" then m.quirks[q] = 5540 end
        assert(check.model(m, "m"))
      end
    end)

    it("page_2a_cd_speeds as true or as a list of kB/s", function()
      assert.is_true(check.model(with("quirks.page_2a_cd_speeds", true)))
      assert.is_true(check.model(with("quirks.page_2a_cd_speeds", { 7056, 1411 })))
    end)
  end)

  describe("refuses with the file, the field, what was expected and what was found", function()
    local cases = {
      { "write_speeds[1].write_speed", -1, "expected an integer 0..4294967295, got -1" },
      { "write_speeds[2].write_speed", "53952", 'expected an integer 0..4294967295, got "53952"' },
      { "write_speeds[1].end_lba", 1.5, "expected an integer 0..4294967295, got 1.5 (a float)" },
      { "write_speeds[1].write_rotation_control", 4, "expected an integer 0..3, got 4" },
      { "write_speeds[1].exact", 1, "expected true or false, got 1" },
      { "write_speeds[1].write_sped", 5540, "expected no such field (known: end_lba, exact, " },
      { "write_speeds", { x = 1 }, 'expected a list (keys 1..n), got a table with the key "x"' },
      { "write_speeds", "fast", 'expected a list, got "fast"' },
      { "capabilities.max_read_speed", 70000, "expected an integer 0..65535, got 70000" },
      { "capabilities.write_speeds[1].speed", 0 / 0, "expected an integer 0..65535, got nan" },
      { "capabilities.buffer_size_kb", math.huge, "expected an integer 0..65535, got inf" },
      { "performance.write[1].start_performance", -22336, "got -22336" },
      { "performance.sideways", {}, "expected no such field (known: read, write)" },
      { "exceptions.read[1].time", 70000, "expected an integer 0..65535, got 70000" },
      { "inquiry.vendor", 42, "expected a string, got 42" },
      { "inquiry.peripheral_type", 32, "expected an integer 0..31, got 32" },
      { "profile", "BD-R", "expected a profile code 0..65535 or a table { code =, name =, class = }, got \"BD-R\"" },
      { "profile", { name = "BD-R" }, "bad field 'profile.code' (expected an integer 0..65535, got nothing)" },
      { "profile", 0x10000, "got 65536" },
      { "capacity", -5, "expected an integer 0..4294967296, got -5" },
      { "unsupported.x", true, 'expected an opcode 0..255, got the key "x"' },
      { "unsupported[300]", true, "expected an opcode 0..255, got the key 300" },
      { "quirks.header_length", "wide", 'expected one of "long", "short", "odd", "huge", got "wide"' },
      { "quirks.one_when_zero", "yes", 'expected true or false, got "yes"' },
      { "quirks.page_2a_cd_speeds", { -1 }, "bad field 'quirks.page_2a_cd_speeds[1]'" },
      { "supported_profiles[1]", "dvd", 'expected an integer 0..65535, got "dvd"' },
      { "read_speeds[1]", -4, "got -4" },
      { "name", {}, "expected a string, got a table" },
      { "nonsense", 1, "bad field 'nonsense' (expected no such field (known: atip, capabilities, capacity," },
      { "errors.write_speeds", { info = {} },
        "bad field 'errors.write_speeds.message' (expected a message, got nothing)" },
      { "errors.write_speeds", { message = "x", info = { sense_key = 16 } },
        "bad field 'errors.write_speeds.info.sense_key' (expected an integer 0..15, got 16)" },
      { "raw.write_speeds", "0g",
        "bad field 'raw.write_speeds' (expected hex digits (0 to 65535 bytes), got a non-hex" },
      { "raw.write_speeds", "abc", "got an odd number of digits (3)" },
      { "notes[1]", false, "bad field 'notes[1]' (expected a string, got false)" },
      { "commands", -1, "bad field 'commands'" },
      { "version", 2, "bad field 'version' (expected snapshot version 1..1, got 2)" },
      { "format", "cdperf.other", "bad field 'format' (expected \"cdperf.snapshot\", got \"cdperf.other\")" },
    }
    for _, c in ipairs(cases) do
      it(c[1] .. " = " .. check.show(c[2]), function()
        local ok, msg, info = check.model(with(c[1], c[2]), "my_drive.lua")
        assert.is_nil(ok)
        assert.matches("^my_drive%.lua: ", msg)
        assert.truthy(msg:find(c[3], 1, true), msg)
        assert.are.equal("model", info.kind)
        assert.are.equal("my_drive.lua", info.file)
        assert.are.equal("string", type(info.field))
        assert.are.equal("string", type(info.expected))
        assert.are.equal("string", type(info.found))
        assert.is_nil(msg:find("\n"))
      end)
    end

    it("names the field in the message's own words", function()
      local _, msg, info = check.model(with("write_speeds[2].write_speed", -1), "my_drive.lua")
      assert.are.equal("my_drive.lua: bad field 'write_speeds[2].write_speed' (expected an integer 0..4294967295, "
        .. "got -1)", msg)
      assert.are.same({ kind = "model", file = "my_drive.lua", field = "write_speeds[2].write_speed",
        expected = "an integer 0..4294967295", found = "-1" }, info)
    end)

    it("an unknown quirk with the known ones", function()
      local _, msg = check.model(with("quirks.fast_please", true), "m.lua")
      assert.matches("^m%.lua: bad field 'quirks%.fast_please' %(expected a known quirk %(", msg)
      assert.truthy(msg:find("one_when_zero", 1, true))
      assert.truthy(msg:find('got the unknown quirk "fast_please")', 1, true))
    end)

    it("something that is not a table at all", function()
      local ok, msg = check.model("x", "f.lua")
      assert.is_nil(ok)
      assert.are.equal('f.lua: expected a model table, got "x"', msg)
      assert.is_nil((check.any(42, "f.lua")))
    end)

    it("never raises, whatever the table holds", function()
      local odd = { 0 / 0, math.huge, -1, 1.5, "x", true, {}, { {} }, function() end, coroutine.create(print) }
      local fields = { "profile", "capacity", "write_speeds", "performance", "exceptions", "capabilities", "inquiry",
        "quirks", "unsupported", "errors", "raw", "notes", "features", "timing", "format" }
      for _, f in ipairs(fields) do
        for _, v in ipairs(odd) do
          local m = base()
          m[f] = v
          local ok, a, b, c = pcall(check.model, m, "f")
          assert.is_true(ok, tostring(a))
          if not a then
            assert.are.equal("string", type(b))
            assert.are.equal("model", c.kind)
          end
          ok = pcall(check.any, m, "f")
          assert.is_true(ok)
        end
      end
    end)
  end)

  describe("recordings", function()
    local function rec(ex)
      return { format = "cdperf.recording", version = 1, exchanges = ex or {
        { cdb = "120000002400", direction = "in", alloc = 36, data = "0580", status = 0, ms = 0.1 },
      } }
    end

    it("accept a well-formed one", function()
      assert.is_true(check.recording(rec(), "r.lua"))
      assert.are.equal("recording", check.any(rec(), "r.lua"))
    end)

    local cases = {
      { { cdb = "12", direction = "in", data = "00" }, "exchanges[1].alloc' (expected an allocation length" },
      { { cdb = "12", direction = "out", alloc = 3, params = "" }, "exchanges[1].alloc' (expected no allocation" },
      { { cdb = "12", direction = "out" }, "exchanges[1].params' (expected the parameter bytes" },
      { { cdb = "12", direction = "none", params = "00" }, "exchanges[1].params' (expected nothing" },
      { { cdb = "12", direction = "sideways" }, "exchanges[1].direction' (expected one of \"in\", \"out\", \"none\"" },
      { { direction = "none" }, "exchanges[1].cdb' (expected the CDB as hex digits, got nothing)" },
      { { cdb = "1x", direction = "none" }, "exchanges[1].cdb' (expected hex digits (1 to 260 bytes), got a non-hex" },
      { { cdb = "12", direction = "in", alloc = 1, data = "0000" }, "exchanges[1].data' (expected at most the "
        .. "allocation length (1 bytes), got 2 bytes)" },
      { { cdb = "12", direction = "none", data = "00" }, "exchanges[1].data' (expected no data for direction" },
      { { cdb = "12", direction = "none", sense = "70", status = 0 }, "exchanges[1].status' (expected a status "
        .. "other than GOOD" },
      { { cdb = "12", direction = "none", status = 2 }, "exchanges[1].status' (expected 0 (GOOD)" },
      { { cdb = "12", direction = "none", sense = "70", error = "x", status = 2 }, "exchanges[1].error' (expected one "
        .. "answer" },
      { { cdb = "12", direction = "none", ms = -1 }, "exchanges[1].ms' (expected a number 0..1000000000, got -1)" },
      { { cdb = "12", direction = "none", when = 1 }, "exchanges[1].when' (expected no such field" },
    }
    for _, c in ipairs(cases) do
      it("refuse " .. c[2]:match("^[^']*"), function()
        local ok, msg, info = check.recording(rec { c[1] }, "r.lua")
        assert.is_nil(ok)
        assert.truthy(msg:find("r.lua: bad field '" .. c[2], 1, true), msg)
        assert.are.equal("model", info.kind)
      end)
    end

    it("refuse a newer format version and a missing exchange list", function()
      local r = rec()
      r.version = 2
      local _, msg = check.recording(r, "r.lua")
      assert.are.equal("r.lua: bad field 'version' (expected format version 1..1 (a newer cdperf wrote this file), "
        .. "got 2)", msg)
      r = rec()
      r.exchanges = nil
      _, msg = check.recording(r, "r.lua")
      assert.are.equal("r.lua: bad field 'exchanges' (expected a list of exchanges, got nothing)", msg)
    end)

    it("check the snapshot inside as a snapshot", function()
      local r = rec()
      r.snapshot = { format = "cdperf.snapshot", version = 1, write_speeds = { { write_speed = -1 } } }
      local _, msg = check.recording(r, "r.lua")
      assert.truthy(msg:find("bad field 'snapshot.write_speeds[1].write_speed'", 1, true), msg)
      r.snapshot = { write_speeds = {} }
      _, msg = check.recording(r, "r.lua")
      assert.truthy(msg:find("bad field 'snapshot.format' (expected \"cdperf.snapshot\", got nothing)", 1, true))
    end)

    it("an unknown format names the ones it could be", function()
      local _, msg = check.any({ format = "cdperf.movie" }, "x.lua")
      assert.are.equal('x.lua: bad field \'format\' (expected "cdperf.recording", "cdperf.snapshot" or nothing '
        .. '(a model), got "cdperf.movie")', msg)
    end)
  end)
end)

describe_core("emulator.new checks its model", function()
  local cdperf = require "cdperf"

  it("raises with the field instead of failing later inside the emulator", function()
    local m = base()
    m.write_speeds[1].write_speed = -1
    local ok, err = pcall(emulator.new, m)
    assert.is_false(ok)
    assert.truthy(err:find("model lg_wh16ns40_bdr: bad field 'write_speeds[1].write_speed' (expected an integer "
      .. "0..4294967295, got -1)", 1, true), err)
    m = base()
    m.capabilities.max_write_speed = "fast"
    ok, err = pcall(emulator.new, m)
    assert.is_false(ok)
    assert.truthy(err:find("bad field 'capabilities.max_write_speed'", 1, true), err)
  end)

  it("keeps its own message for an unknown quirk", function()
    local m = base()
    m.quirks.nonsense = true
    assert.has_error(function() emulator.new(m) end, "unknown quirk 'nonsense' in model")
  end)

  it("accepts every snapshot a built-in model gives", function()
    for _, name in ipairs(emulator.model_names()) do
      local d <close> = assert(cdperf.open("emulated:" .. name))
      local snap = cdperf.snapshot(d, { exceptions = true })
      assert.is_true(check.snapshot(snap, name))
      assert.are.equal("snapshot", check.any(snap, name))
      assert.has_no_error(function() emulator.new(snap) end)
    end
  end)

  it("accepts a snapshot with failed parts (sense bytes and all)", function()
    local m = base()
    m.unsupported = { [0xAC] = true }
    local d <close> = assert(cdperf.open(emulator.new(m)))
    local snap = cdperf.snapshot(d, { exceptions = true })
    assert.is_table(snap.errors.write_speeds)
    assert.is_true(check.snapshot(snap, "s"))
  end)
end)
