-- The whole stack: cdperf.open("emulated:NAME") -> C core -> Lua transport -> emulator.
-- Each built-in model reports, through the public API, what its capture shows
-- (spec/data/captures.md, a copy of ../shared/data/captures.md): inquiry strings, profile,
-- write_speeds(), write_performance(),
-- capabilities(); set_speed/set_streaming change what it reports; and the quirks of
-- DESIGN.md section 6 as the core sees them. Expected values are copied from the captures
-- by hand; when the captures file is reachable, the Speed Descriptor and Write Performance
-- lines are also parsed from it and compared.
local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local h = require "spec.helpers"

local hex = h.hex

local deepcopy = emulator.deepcopy

-- An emulator for a copy of a built-in model with these quirks, and a drive on it.
local function quirky(name, quirks)
  local m = deepcopy(emulator.models[name])
  m.quirks = quirks
  local emu = emulator.new(m)
  return assert(cdperf.open(emu)), emu
end

local function opcodes(emu)
  local t = {}
  for i, cdb in ipairs(emu:log()) do t[i] = cdb:byte(1) end
  return t
end

-- write-speed descriptors as { FF, end_lba, read, write } (FF = byte 0 as mediainfo prints it)
local function ff_list(list)
  local out = {}
  for i, d in ipairs(list) do
    local ff = (d.mixed_read_write and 1 or 0) | (d.exact and 2 or 0) | (d.restore_drive_defaults and 4 or 0)
      | (d.write_rotation_control << 3)
    out[i] = { ff, d.end_lba, d.read_speed, d.write_speed }
  end
  return out
end

-- nominal descriptors as { start_perf, start_lba, end_perf, end_lba }
local function curve(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = { d.start_performance, d.start_lba, d.end_performance, d.end_lba } end
  return out
end

local function speeds(list, rot)
  local out = {}
  for i, s in ipairs(list) do out[i] = { speed = s, rotation_control = rot or 0 } end
  return out
end

local function ws(ff, end_lba, r, list)
  local out = {}
  for i, w in ipairs(list) do out[i] = { ff, end_lba, r, w } end
  return out
end

-- What each capture shows. caps: page 2Ah values; ws: Speed Descriptor lines; perf: Write
-- Performance lines (nil where the capture has none: the model's derived curve is checked
-- elsewhere or not at all).
local EXPECTED = {
  lg_gsa4083n_dvdrw = { capture = "A",
    inquiry = { "HL-DT-ST", "DVDRAM GSA-4083N", "1.00" }, profile = { 0x14, "DVD-RW Sequential", "dvd" },
    ws = { { 0x02, 2254431, 4584, 2770 } },
    perf = { { 2770, 0, 2770, 2254431 } },
    caps = { current = 2770, speeds = speeds { 2770 } } },
  liteon_sohw1673s_dvdpr = { capture = "B",
    inquiry = { "LITE-ON", "DVDRW SOHW-1673S", "JS02" }, profile = { 0x1B, "DVD+R", "dvd" },
    ws = ws(0x00, 0, 4432, { 22160, 16620, 11080, 8310 }),
    perf = { { 8864, 0, 8864, 0 } },
    caps = { current = 22160, speeds = speeds { 22160, 16620, 11080, 8310 } } },
  nec_nd3540a_dvdprw = { capture = "C",
    inquiry = { "_NEC", "DVD_RW ND-3540A", "1.04" }, profile = { 0x1A, "DVD+RW", "dvd" },
    ws = ws(0x00, 2295104, 6925, { 5540, 3324 }),
    perf = { { 3324, 0, 3324, 2295104 } },
    -- page 2Ah lists CD speeds (48x..8x CD) with a DVD loaded, current 1411
    caps = { current = 1411, speeds = speeds { 8467, 7056, 5645, 4234, 2822, 1411 } } },
  samsung_shs182m_dvdram = { capture = "D",
    inquiry = { "TSSTcorp", "CD/DVDW SH-S182M", "SB00" }, profile = { 0x12, "DVD-RAM", "dvd" },
    -- descriptors #1 and #2 identical: kept at this level
    ws = ws(0x00, 2236703, 4155, { 4155, 2770, 2770 }),
    perf = { { 4155, 0, 4155, 2236703 } },
    caps = { current = 4155, speeds = speeds { 4155, 2770 } } },
  optiarc_ad7590s_dvdpr_dl = { capture = "E",
    inquiry = { "Optiarc", "DVD RW AD-7590S", "1.00" }, profile = { 0x2B, "DVD+R DL", "dvd" },
    ws = ws(0x00, 4173824, 8310, { 8310, 5540, 3324 }),
    perf = { { 3324, 0, 3324, 393215 }, { 5540, 393216, 5540, 1114111 }, { 8310, 1114112, 8310, 4173824 } },
    caps = { current = 8310, max_read = 8310, current_read = 8310, max_write = 8310,
             speeds = speeds { 8310, 5540, 3324 } } },
  samsung_sh224db_dvdpr = { capture = "F",
    inquiry = { "TSSTcorp", "CDDVDW SH-224DB", "SB00" }, profile = { 0x1B, "DVD+R", "dvd" },
    ws = ws(0x00, 2295103, 8310, { 16620, 13850, 11080, 8310, 5540 }),
    perf = { { 6924, 0, 16620, 2295103 } },
    caps = { current = 16620, speeds = speeds { 16620, 13850, 11080, 8310, 5540 } } },
  lg_gsa4163b_cdr = { capture = "G",
    inquiry = { "HL-DT-ST", "DVDRAM GSA-4163B", "A101" }, profile = { 0x09, "CD-R", "cd" },
    caps = { current = 7056, max_read = 7056, current_read = 7056, max_write = 7056, rotation = 0,
             buffer = 2048, speeds = speeds { 7056, 5645, 4234, 2822, 1411, 706 } } },
  ihas124f_cdr = { capture = "H",
    inquiry = { "ATAPI", "iHAS124 F", "CL9P" }, profile = { 0x09, "CD-R", "cd" },
    caps = { current = 8468, max_read = 8468, current_read = 8468, rotation = 0,
             speeds = { { speed = 8467, rotation_control = 1 }, { speed = 7056, rotation_control = 0 },
                        { speed = 5645, rotation_control = 0 }, { speed = 4234, rotation_control = 0 },
                        { speed = 2822, rotation_control = 0 } } } },
  lg_wh16ns40_bdr = { capture = "I",
    inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = { 0x41, "BD-R SRM", "bd" },
    ws = { { 0x08, 12219391, 26976, 53952 }, { 0x08, 12219391, 26976, 44960 }, { 0x08, 12219391, 26976, 35968 },
           { 0x08, 12219391, 26976, 26976 }, { 0x00, 12219391, 26976, 17984 } },
    caps = { current = 53952, speeds = speeds { 53952, 44960, 35968, 26976, 17984 } } },
  lg_wh16ns40_bdr_written = { capture = "I", second = true,
    inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = { 0x41, "BD-R SRM", "bd" },
    ws = { { 0x08, 12088319, 26976, 53952 }, { 0x08, 12088319, 26976, 44960 }, { 0x08, 12088319, 26976, 35968 },
           { 0x08, 12088319, 26976, 26976 }, { 0x00, 12088319, 26976, 17984 } },
    caps = { current = 53952, speeds = speeds { 53952, 44960, 35968, 26976, 17984 } } },
  lg_wh16ns40_empty = { capture = "I", no_medium = true,
    inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = { 0, "no medium", nil },
    caps = { current = 53952, speeds = speeds { 53952, 44960, 35968, 26976, 17984 } } },
  lg_gsa4120b_no_getperf = { capture = "G", no_get_performance = true,
    inquiry = { "HL-DT-ST", "DVDRAM GSA-4120B", "A111" }, profile = { 0x09, "CD-R", "cd" },
    caps = { current = 7056, speeds = speeds { 7056, 5645, 4234, 2822, 1411, 706 } } },
}

-- The section of a capture in the captures file (nil when it is not reachable) and its
-- Speed Descriptor lines.
local capture_section, parsed_descriptors = h.capture_section, h.parsed_descriptors

-- "Write Performance:" zones speed@[a -> b] and ramps a@LBA -> b@LBA, as curve() gives them
local function parsed_performance(section)
  local out = {}
  local block = section:match("Write Performance:(.-)\n%s*Speed Descriptor")
  if not block then return out end
  for s, a, b in block:gmatch("=(%d+)KB/s@%[(%d+) %-> (%d+)%]") do
    out[#out + 1] = { tonumber(s), tonumber(a), tonumber(s), tonumber(b) }
  end
  for s1, a, s2, b in block:gmatch("=(%d+)KB/s@(%d+) %-> [%d.]+x%d+=(%d+)KB/s@(%d+)") do
    out[#out + 1] = { tonumber(s1), tonumber(a), tonumber(s2), tonumber(b) }
  end
  return out
end

describe("built-in models through cdperf.open", function()
  it("are the twelve this spec knows", function()
    local names = {}
    for name in pairs(EXPECTED) do names[#names + 1] = name end
    table.sort(names)
    assert.are.same(names, emulator.model_names())
  end)

  for _, name in ipairs(emulator.model_names()) do
    local want = EXPECTED[name]
    describe(name .. " (Capture " .. want.capture .. ")", function()
      local drive
      before_each(function() drive = assert(cdperf.open("emulated:" .. name)) end)
      after_each(function() drive:close() end)

      it("opens and names itself", function()
        assert.are.equal("cdperf.drive (emulated:" .. name .. ")", tostring(drive))
      end)

      it("inquiry() gives the capture's strings", function()
        assert.are.same({ peripheral_type = 5, peripheral_qualifier = 0, vendor = want.inquiry[1],
          product = want.inquiry[2], revision = want.inquiry[3] }, assert(drive:inquiry()))
      end)

      it(("profile() gives %04Xh %s"):format(want.profile[1], want.profile[2]), function()
        local p = assert(drive:profile())
        assert.are.equal(want.profile[1], p.code)
        if cdperf.media and cdperf.media.name then
          assert.are.equal(want.profile[2], p.name)
          assert.are.equal(want.profile[3], p.class)
        end
      end)

      it("capabilities() gives the capture's page 2Ah", function()
        local c = assert(drive:capabilities())
        assert.are.same(want.caps.speeds, c.write_speeds)
        assert.are.equal(#want.caps.speeds, c.claimed_write_speeds)
        assert.are.equal(want.caps.current, c.current_write_speed_selected)
        assert.are.equal(want.caps.current, c.current_write_speed)
        assert.is_false(c.truncated)
        for k, field in pairs { max_read = "max_read_speed", current_read = "current_read_speed",
                                max_write = "max_write_speed", rotation = "rotation_control",
                                buffer = "buffer_size_kb" } do
          if want.caps[k] ~= nil then assert.are.equal(want.caps[k], c[field], field) end
        end
      end)

      if want.ws then
        it(("write_speeds() gives the %d Speed Descriptor lines"):format(#want.ws), function()
          local list = assert(drive:write_speeds())
          assert.are.equal(#want.ws, #list)
          assert.are.same(want.ws, ff_list(list))
        end)

        it("write_speeds() matches the Speed Descriptor lines of the captures file", function()
          local section = capture_section(want.capture)
          assert(section, "capture section missing from spec/data/captures.md")
          local lines = parsed_descriptors(section)
          if want.capture == "I" then
            local first, second = {}, {}
            for i = 1, 5 do first[i], second[i] = lines[i], lines[i + 5] end
            lines = want.second and second or first
          end
          assert.are.same(lines, ff_list(assert(drive:write_speeds())))
        end)
      end

      if want.perf then
        it("write_performance() gives the Write Performance lines", function()
          assert.are.same(want.perf, curve(assert(drive:write_performance())))
          local section = capture_section(want.capture)
          if section then
            assert.are.same(parsed_performance(section), curve(assert(drive:write_performance())))
          end
        end)
      end

      if want.no_medium then
        it("has no medium: write_speeds() says NOT READY / MEDIUM NOT PRESENT", function()
          local r, msg, info = drive:write_speeds()
          assert.is_nil(r)
          assert.are.equal("GET PERFORMANCE: NOT READY, MEDIUM NOT PRESENT", msg)
          assert.are.same({ "scsi", 2, 0x3A, 0, "NOT READY", "MEDIUM NOT PRESENT" },
            { info.kind, info.sense_key, info.asc, info.ascq, info.sense, info.text })
          local t, tmsg = drive:test_unit_ready()
          assert.is_nil(t)
          assert.are.equal("TEST UNIT READY: NOT READY, MEDIUM NOT PRESENT", tmsg)
          local s, smsg = drive:set_streaming { end_lba = 12219391, write_size = 35968 }
          assert.is_nil(s)
          assert.are.equal("SET STREAMING: NOT READY, MEDIUM NOT PRESENT", smsg)
        end)
      elseif want.no_get_performance then
        it("has no GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", function()
          for _, method in ipairs { "write_speeds", "write_performance", "read_performance", "exceptions" } do
            local r, msg, info = drive[method](drive)
            assert.is_nil(r)
            assert.are.equal("GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
            assert.are.same({ "scsi", "GET PERFORMANCE", 5, 0x20, 0 },
              { info.kind, info.command, info.sense_key, info.asc, info.ascq })
          end
        end)
      else
        it("is ready", function()
          assert.is_true(drive:test_unit_ready())
          assert.are.same({ 0, 0, 0, "NO SENSE" }, (function()
            local s = assert(drive:request_sense())
            return { s.sense_key, s.asc, s.ascq, s.sense }
          end)())
        end)
      end
    end)
  end

  it("an unknown model name is nil, message, info", function()
    local d, msg, info = cdperf.open("emulated:no_such_drive")
    assert.is_nil(d)
    assert.matches("^open: unknown emulated model 'no_such_drive' %(known: ihas124f_cdr, ", msg)
    assert.are.same({ kind = "unsupported" }, info)
  end)
end)

describe("setting the speed through the whole stack", function()
  it("set_speed: page 2Ah and the CAV ramp follow (Capture F, 8x asked)", function()
    local drive, emu = quirky("samsung_sh224db_dvdpr", {})
    assert.is_true(drive:set_speed { read = "max", write = 11080 })
    assert.are.equal("BB 00 FF FF 2B 48 00 00 00 00 00 00", hex(emu:log()[1]))
    local c = assert(drive:capabilities())
    assert.are.same({ 11080, 11080, 0, 8310 },
      { c.current_write_speed_selected, c.current_write_speed, c.rotation_control, c.current_read_speed })
    -- the curve keeps its shape, its top is the chosen speed: 6924 x 11080/16620 = 4616
    assert.are.same({ { 4616, 0, 11080, 2295103 } }, curve(assert(drive:write_performance())))
    -- the descriptor list itself does not change
    assert.are.same(EXPECTED.samsung_sh224db_dvdpr.ws, ff_list(assert(drive:write_speeds())))
  end)

  it("set_speed picks the largest supported speed <= the one asked, with its rotation (Capture I)", function()
    local drive = quirky("lg_wh16ns40_bdr", {})
    assert.is_true(drive:set_speed { write = 40000 })   -- between 8x and 10x: 8x = 35968, CAV
    local c = assert(drive:capabilities())
    assert.are.same({ 35968, 1 }, { c.current_write_speed_selected, c.rotation_control })
    assert.is_true(drive:set_speed { write = "max" })
    c = assert(drive:capabilities())
    assert.are.same({ 53952, 1 }, { c.current_write_speed_selected, c.rotation_control })
    assert.is_true(drive:set_speed { write = 1 })   -- below all: the slowest, 4x CLV
    c = assert(drive:capabilities())
    assert.are.same({ 17984, 0 }, { c.current_write_speed_selected, c.rotation_control })
  end)

  it("set_streaming: the zones scale, RDD restores them (Capture E, 4x asked)", function()
    local drive, emu = quirky("optiarc_ad7590s_dvdpr_dl", {})
    assert.is_true(drive:set_streaming { end_lba = 4173823, write_size = 5540, read_size = 8310 })
    local log = emu:log()
    assert.are.equal("B6 00 00 00 00 00 00 00 00 00 1C 00", hex(log[1]))
    assert.are.same({ start_lba = 0, end_lba = 4173823, read_size = 8310, read_time = 1000, write_size = 5540,
      write_time = 1000, rotation = 0, restore_defaults = false, exact = false, random_access = false },
      emu:state().last_streaming)
    local c = assert(drive:capabilities())
    assert.are.same({ 5540, 5540, 8310 }, { c.current_write_speed_selected, c.current_write_speed,
      c.current_read_speed })
    assert.are.same({ { 2216, 0, 2216, 393215 }, { 3693, 393216, 3693, 1114111 },
      { 5540, 1114112, 5540, 4173824 } }, curve(assert(drive:write_performance())))
    assert.is_true(drive:set_streaming { restore_defaults = true })
    assert.are.equal(8310, assert(drive:capabilities()).current_write_speed_selected)
    assert.are.same(EXPECTED.optiarc_ad7590s_dvdpr_dl.perf, curve(assert(drive:write_performance())))
  end)

  it("set_speed on the drive without GET PERFORMANCE uses its page 2Ah list", function()
    local drive = quirky("lg_gsa4120b_no_getperf", {})
    assert.is_true(drive:set_speed { write = 3000 })
    assert.are.equal(2822, assert(drive:capabilities()).current_write_speed_selected)
  end)
end)

describe("quirks seen through the core", function()
  local function write_speed_result(quirks)
    local drive, emu = quirky("optiarc_ad7590s_dvdpr_dl", quirks)
    return assert(drive:get_performance { request_type = "write_speed" }), emu
  end
  local E_WRITES = { 8310, 5540, 3324 }
  local function writes(r)
    local t = {}
    for i, d in ipairs(r.descriptors) do t[i] = d.write_speed end
    return t
  end

  it("no quirk: 3 descriptors, 56 bytes, one command", function()
    local r, emu = write_speed_result({})
    assert.are.same(E_WRITES, writes(r))
    assert.are.same({ 52, false, 56 }, { r.header.data_length, r.truncated, #r.raw })
    assert.are.same({ 0xAC }, opcodes(emu))
  end)

  it("header_length = long: claims 5, 3 come: truncated, no second command", function()
    local r, emu = write_speed_result { header_length = "long" }
    assert.are.same(E_WRITES, writes(r))
    assert.are.same({ 4 + 16 * 5, true, 56 }, { r.header.data_length, r.truncated, #r.raw })
    assert.are.same({ 0xAC }, opcodes(emu))
  end)

  it("header_length = short: counts 2 of 3: the third is not decoded", function()
    local r, emu = write_speed_result { header_length = "short" }
    assert.are.same({ 8310, 5540 }, writes(r))
    assert.are.same({ 36, false, 40 }, { r.header.data_length, r.truncated, #r.raw })
    assert.are.equal(1, #emu:log())
  end)

  it("header_length = odd: 3 bytes over a multiple of 16: truncated, 3 whole descriptors", function()
    local r = write_speed_result { header_length = "odd" }
    assert.are.same(E_WRITES, writes(r))
    assert.are.same({ 55, true, 59 }, { r.header.data_length, r.truncated, #r.raw })
  end)

  it("header_length = huge: one second command at the 65535-byte limit, then truncated", function()
    local r, emu = write_speed_result { header_length = "huge" }
    assert.are.same(E_WRITES, writes(r))
    assert.are.same({ 0xFFFFFFFF, true, 56 }, { r.header.data_length, r.truncated, #r.raw })
    local log = emu:log()
    assert.are.equal(2, #log)
    assert.are.equal("AC 00 00 00 00 00 00 00 00 40 03 00", hex(log[1]))
    assert.are.equal("AC 00 00 00 00 00 00 00 0F FF 03 00", hex(log[2]))
  end)

  it("header_length = long on the zoned write performance too", function()
    local drive = quirky("optiarc_ad7590s_dvdpr_dl", { header_length = "long" })
    local r = assert(drive:get_performance { performance_type = "write" })
    assert.are.same(EXPECTED.optiarc_ad7590s_dvdpr_dl.perf, curve(r.descriptors))
    assert.is_true(r.truncated)
  end)

  it("pad_to_allocation: the 0xEE padding past DataLength + 4 is not decoded", function()
    local r, emu = write_speed_result { pad_to_allocation = true }
    assert.are.same(E_WRITES, writes(r))
    assert.are.same({ 52, false, 56 }, { r.header.data_length, r.truncated, #r.raw })
    assert.are.equal(1, #emu:log())
  end)

  it("ignore_max_descriptors: 100 descriptors still take exactly two commands", function()
    local m = deepcopy(emulator.models.samsung_sh224db_dvdpr)
    local list = {}
    for i = 1, 100 do
      list[i] = { write_rotation_control = 0, end_lba = 2295103, read_speed = 8310, write_speed = 20000 - i }
    end
    m.write_speeds = list
    for _, quirks in ipairs { {}, { ignore_max_descriptors = true },
                              { ignore_max_descriptors = true, pad_to_allocation = true } } do
      m.quirks = quirks
      local emu = emulator.new(m)
      local drive = assert(cdperf.open(emu))
      local r = assert(drive:get_performance { request_type = "write_speed" })
      assert.are.equal(100, #r.descriptors)
      assert.are.equal(19900, r.descriptors[100].write_speed)
      assert.is_false(r.truncated)
      local log = emu:log()
      assert.are.equal(2, #log)
      assert.are.equal("AC 00 00 00 00 00 00 00 00 40 03 00", hex(log[1]))
      assert.are.equal("AC 00 00 00 00 00 00 00 00 64 03 00", hex(log[2]))
    end
  end)

  it("duplicate_descriptors and end_lba_zero show as sent", function()
    local drive = quirky("samsung_sh224db_dvdpr", { duplicate_descriptors = true, end_lba_zero = true })
    assert.are.same(ws(0x00, 0, 8310, { 16620, 13850, 11080, 8310, 5540, 5540 }),
      ff_list(assert(drive:write_speeds())))
  end)

  it("list_changes_after_set: the re-query shows the doubled list, once", function()
    local drive = quirky("lg_wh16ns40_bdr", { list_changes_after_set = true })
    local before = ff_list(assert(drive:write_speeds()))
    assert.are.same(EXPECTED.lg_wh16ns40_bdr.ws, before)
    assert.is_true(drive:set_speed { write = 35968 })
    local after = ff_list(assert(drive:write_speeds()))
    local twins = { { 0x08, 12219391, 26976, 107904 }, { 0x08, 12219391, 26976, 89920 },
                    { 0x08, 12219391, 26976, 71936 }, { 0x08, 12219391, 26976, 53952 },
                    { 0x00, 12219391, 26976, 35968 } }
    for i = 1, 5 do twins[5 + i] = before[i] end
    assert.are.same(twins, after)
    assert.is_true(drive:set_streaming { end_lba = 12219391, write_size = 53952, read_size = 26976 })
    assert.are.same(twins, ff_list(assert(drive:write_speeds())))
  end)

  it("ignores_set_streaming: GOOD, and nothing changes", function()
    local drive, emu = quirky("optiarc_ad7590s_dvdpr_dl", { ignores_set_streaming = true })
    local caps_before = assert(drive:capabilities())
    assert.is_true(drive:set_streaming { end_lba = 4173823, write_size = 3324, read_size = 3324 })
    assert.are.same(caps_before, assert(drive:capabilities()))
    assert.are.equal(8310, caps_before.current_write_speed_selected)
    assert.are.same(EXPECTED.optiarc_ad7590s_dvdpr_dl.perf, curve(assert(drive:write_performance())))
    assert.are.equal(3324, emu:state().last_streaming.write_size)
    -- SET CD SPEED still works on this drive
    assert.is_true(drive:set_speed { write = 3324 })
    assert.are.equal(3324, assert(drive:capabilities()).current_write_speed_selected)
  end)

  it("streaming_end_lba_strict: End LBA = capacity is out of range, capacity - 1 works (Capture I)", function()
    local drive = assert(cdperf.open("emulated:lg_wh16ns40_bdr"))
    local r, msg, info = drive:set_streaming { end_lba = 12219392, write_size = 35968, read_size = 26976 }
    assert.is_nil(r)
    assert.are.equal("SET STREAMING: ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE", msg)
    assert.are.same({ kind = "scsi", command = "SET STREAMING", status = 2, sense_key = 5, asc = 0x21, ascq = 0,
      sense = "ILLEGAL REQUEST", text = "LOGICAL BLOCK ADDRESS OUT OF RANGE",
      sense_bytes = emulator.sense_bytes(5, 0x21, 0) }, info)
    assert.are.equal(53952, assert(drive:capabilities()).current_write_speed_selected)
    assert.is_true(drive:set_streaming { end_lba = 12219391, write_size = 35968, read_size = 26976 })
    assert.are.equal(35968, assert(drive:capabilities()).current_write_speed_selected)
  end)

  it("without streaming_end_lba_strict, End LBA = capacity is accepted (Capture C's own End LBA)", function()
    local drive = assert(cdperf.open("emulated:nec_nd3540a_dvdprw"))
    assert.is_true(drive:set_streaming { end_lba = 2295104, write_size = 3324, read_size = 6925 })
    assert.are.equal(3324, assert(drive:capabilities()).current_write_speed_selected)
  end)

  it("power_on_unit_attention: the first command gets UNIT ATTENTION 29h/00h, then all is fine", function()
    local drive = quirky("samsung_sh224db_dvdpr", { power_on_unit_attention = true })
    local r, msg, info = drive:write_speeds()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: UNIT ATTENTION, POWER ON, RESET, OR BUS DEVICE RESET OCCURRED", msg)
    assert.are.same({ 6, 0x29, 0 }, { info.sense_key, info.asc, info.ascq })
    assert.are.same(EXPECTED.samsung_sh224db_dvdpr.ws, ff_list(assert(drive:write_speeds())))
  end)

  it("power_on_unit_attention: INQUIRY and GET CONFIGURATION are exempt, REQUEST SENSE clears it", function()
    local drive = quirky("samsung_sh224db_dvdpr", { power_on_unit_attention = true })
    assert.are.equal("TSSTcorp", assert(drive:inquiry()).vendor)
    assert.are.equal(0x1B, assert(drive:profile()).code)
    local s = assert(drive:request_sense())
    assert.are.same({ 6, 0x29, 0, "UNIT ATTENTION", "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED" },
      { s.sense_key, s.asc, s.ascq, s.sense, s.text })
    assert.is_true(drive:test_unit_ready())
  end)

  it("a medium change queues UNIT ATTENTION 28h/00h", function()
    local drive, emu = quirky("lg_wh16ns40_bdr", {})
    emu:load()
    local r, msg = drive:capabilities()
    assert.is_nil(r)
    assert.are.equal("MODE SENSE: UNIT ATTENTION, NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED", msg)
    assert.are.equal(53952, assert(drive:capabilities()).current_write_speed_selected)
    emu:eject()
    assert.is_nil((drive:test_unit_ready()))
    local t, tmsg = drive:test_unit_ready()
    assert.is_nil(t)
    assert.are.equal("TEST UNIT READY: NOT READY, MEDIUM NOT PRESENT", tmsg)
    assert.are.equal(0, assert(drive:profile()).code)
  end)

  it("block_descriptor: page 2Ah decodes the same behind an 8-byte block descriptor", function()
    local plain = assert(assert(cdperf.open("emulated:optiarc_ad7590s_dvdpr_dl")):capabilities())
    local drive = quirky("optiarc_ad7590s_dvdpr_dl", { block_descriptor = true })
    assert.are.same(plain, assert(drive:capabilities()))
    assert.are.same(EXPECTED.optiarc_ad7590s_dvdpr_dl.caps.speeds, plain.write_speeds)
  end)

  it("page_2a_zero: every speed 0, the count kept", function()
    local drive = quirky("optiarc_ad7590s_dvdpr_dl", { page_2a_zero = true })
    local c = assert(drive:capabilities())
    assert.are.same({ 0, 0, 0, 0, 0, 3, 2048 }, { c.max_read_speed, c.current_read_speed, c.max_write_speed,
      c.current_write_speed, c.current_write_speed_selected, c.claimed_write_speeds, c.buffer_size_kb })
    assert.are.same(speeds { 0, 0, 0 }, c.write_speeds)
  end)

  it("page_2a_repeat_max: every entry repeats the maximum", function()
    local drive = quirky("samsung_sh224db_dvdpr", { page_2a_repeat_max = true })
    local c = assert(drive:capabilities())
    assert.are.same(speeds { 16620, 16620, 16620, 16620, 16620 }, c.write_speeds)
    assert.are.equal(16620, c.max_write_speed)
  end)

  it("page_2a_cd_speeds: CD speeds in page 2Ah with a DVD loaded", function()
    local drive = quirky("samsung_sh224db_dvdpr", { page_2a_cd_speeds = true })
    local c = assert(drive:capabilities())
    assert.are.same(speeds { 8467, 7056, 5645, 4234, 2822, 1411 }, c.write_speeds)
    assert.are.equal(8467, c.max_write_speed)
    -- GET PERFORMANCE still has the media speeds
    assert.are.same(EXPECTED.samsung_sh224db_dvdpr.ws, ff_list(assert(drive:write_speeds())))
  end)

  it("no_get_performance as a quirk: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", function()
    local drive = quirky("samsung_sh224db_dvdpr", { no_get_performance = true })
    local r, msg = drive:write_speeds()
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
  end)
end)
