-- Specs for the built-in drive models: every model answers, on the wire, exactly the values
-- its capture shows (spec/data/captures.md, a copy of ../shared/data/captures.md). The
-- expected values below are copied from the captures by hand; the Speed Descriptor lines are
-- also parsed from the captures file and compared with the bytes the emulator sends.
local emulator = require "cdperf.emulator"
local h = require "spec.helpers"

local pack, unpack = string.pack, string.unpack

local deepcopy = emulator.deepcopy

local INQUIRY = pack(">BBBI2B", 0x12, 0, 0, 36, 0)
local TUR = string.rep("\0", 6)
local GET_CONFIG = pack(">BBI2BBBI2B", 0x46, 1, 0, 0, 0, 0, 8, 0)
local MODE_SENSE_DBD = pack(">BBBBBBBI2B", 0x5A, 0x08, 0x2A, 0, 0, 0, 0, 256, 0)
local MODE_SENSE_BD = pack(">BBBBBBBI2B", 0x5A, 0x00, 0x2A, 0, 0, 0, 0, 256, 0)
local WRITE_SPEEDS = pack(">BBI4BBI2BB", 0xAC, 0, 0, 0, 0, 64, 3, 0)
local WRITE_PERF = pack(">BBI4BBI2BB", 0xAC, 0x14, 0, 0, 0, 64, 0, 0)
local READ_PERF = pack(">BBI4BBI2BB", 0xAC, 0x10, 0, 0, 0, 64, 0, 0)

local function inquiry(e)
  local d = e(INQUIRY, "in", 36)
  local trim = function(s) return (s:gsub(" +$", "")) end
  return { peripheral_type = d:byte(1) & 0x1F, vendor = trim(d:sub(9, 16)), product = trim(d:sub(17, 32)),
           revision = trim(d:sub(33, 36)) }
end

local function profile(e) return (unpack(">I2", e(GET_CONFIG, "in", 8), 7)) end

-- write-speed descriptors as { FF, end_lba, read, write } (FF = byte 0, as mediainfo prints)
local function write_speeds(e)
  local d = assert(e(WRITE_SPEEDS, "in", 8 + 64 * 16))
  local n = (unpack(">I4", d) - 4) // 16
  assert.are.equal(8 + 16 * n, #d)
  local out = {}
  for i = 1, n do
    local ff, el, r, w = unpack(">BxxxI4I4I4", d, 8 + 16 * (i - 1) + 1)
    out[i] = { ff, el, r, w }
  end
  return out
end

local function nominal(e, cdb)
  local d = assert(e(cdb, "in", 8 + 64 * 16))
  local dl, flags = unpack(">I4B", d)
  local out = { flags = flags }
  for i = 1, (dl - 4) // 16 do
    out[i] = { unpack(">I4I4I4I4", d, 8 + 16 * (i - 1) + 1) }
    out[i][5] = nil
  end
  return out
end

local function page2a(e, cdb)
  local d = e(cdb or MODE_SENSE_DBD, "in", 256)
  local bdl = unpack(">I2", d, 7)
  local p = 8 + bdl + 1
  local t = {
    block_descriptor = bdl == 8 and { blocks = unpack(">I3", d, 10), length = unpack(">I3", d, 14) } or nil,
    max_read = unpack(">I2", d, p + 8), buffer_kb = unpack(">I2", d, p + 12),
    current_read = unpack(">I2", d, p + 14), max_write = unpack(">I2", d, p + 18),
    current_write = unpack(">I2", d, p + 20), rotation = d:byte(p + 27) & 3,
    current_write_selected = unpack(">I2", d, p + 28), speeds = {},
  }
  for i = 1, unpack(">I2", d, p + 30) do
    local q = p + 32 + 4 * (i - 1)
    t.speeds[i] = { unpack(">I2", d, q + 2), d:byte(q + 1) & 3 }
    t.speeds[i][3] = nil
  end
  return t
end

local function sense_of(data, s)
  assert.is_nil(data)
  return { s:byte(3), s:byte(13), s:byte(14) }
end

-- What the captures show, transcribed by hand.
local function ws(ff, el, r, list)
  local t = {}
  for i, w in ipairs(list) do t[i] = { type(ff) == "table" and ff[i] or ff, el, r, w } end
  return t
end
local function clv(list)
  local t = {}
  for i, s in ipairs(list) do t[i] = { s, 0 } end
  return t
end

local EXPECTED = {
  lg_gsa4083n_dvdrw = {
    capture = "A", inquiry = { "HL-DT-ST", "DVDRAM GSA-4083N", "1.00" }, profile = 0x14,
    write_speeds = ws(0x02, 2254431, 4584, { 2770 }),
    write_perf = { { 0, 2770, 2254431, 2770 } },
    page = { current_write = 2770, speeds = clv { 2770 } },
  },
  liteon_sohw1673s_dvdpr = {
    capture = "B", inquiry = { "LITE-ON", "DVDRW SOHW-1673S", "JS02" }, profile = 0x1B,
    write_speeds = ws(0x00, 0, 4432, { 22160, 16620, 11080, 8310 }),
    write_perf = { { 0, 8864, 0, 8864 } },
    page = { current_write = 22160, speeds = clv { 22160, 16620, 11080, 8310 } },
  },
  nec_nd3540a_dvdprw = {
    capture = "C", inquiry = { "_NEC", "DVD_RW ND-3540A", "1.04" }, profile = 0x1A,
    write_speeds = ws(0x00, 2295104, 6925, { 5540, 3324 }),
    write_perf = { { 0, 3324, 2295104, 3324 } },
    page = { current_write = 1411, speeds = clv { 8467, 7056, 5645, 4234, 2822, 1411 } },
  },
  samsung_shs182m_dvdram = {
    capture = "D", inquiry = { "TSSTcorp", "CD/DVDW SH-S182M", "SB00" }, profile = 0x12,
    write_speeds = ws(0x00, 2236703, 4155, { 4155, 2770, 2770 }),
    write_perf = { { 0, 4155, 2236703, 4155 } },
    page = { current_write = 4155, speeds = clv { 4155, 2770 } },
  },
  optiarc_ad7590s_dvdpr_dl = {
    capture = "E", inquiry = { "Optiarc", "DVD RW AD-7590S", "1.00" }, profile = 0x2B,
    write_speeds = ws(0x00, 4173824, 8310, { 8310, 5540, 3324 }),
    write_perf = { { 0, 3324, 393215, 3324 }, { 393216, 5540, 1114111, 5540 }, { 1114112, 8310, 4173824, 8310 } },
    page = { current_write = 8310, max_read = 8310, current_read = 8310, max_write = 8310,
             speeds = clv { 8310, 5540, 3324 } },
  },
  samsung_sh224db_dvdpr = {
    capture = "F", inquiry = { "TSSTcorp", "CDDVDW SH-224DB", "SB00" }, profile = 0x1B,
    write_speeds = ws(0x00, 2295103, 8310, { 16620, 13850, 11080, 8310, 5540 }),
    write_perf = { { 0, 6924, 2295103, 16620 } },
    page = { current_write = 16620, speeds = clv { 16620, 13850, 11080, 8310, 5540 } },
  },
  lg_gsa4163b_cdr = {
    capture = "G", inquiry = { "HL-DT-ST", "DVDRAM GSA-4163B", "A101" }, profile = 0x09,
    -- the write-speed descriptors are derived from page 2Ah (End LBA 359848 derived)
    write_speeds = ws(0x00, 359848, 7056, { 7056, 5645, 4234, 2822, 1411, 706 }),
    page = { current_write = 7056, max_read = 7056, current_read = 7056, max_write = 7056,
             rotation = 0, buffer_kb = 2048, speeds = clv { 7056, 5645, 4234, 2822, 1411, 706 } },
  },
  ihas124f_cdr = {
    capture = "H", inquiry = { "ATAPI", "iHAS124 F", "CL9P" }, profile = 0x09,
    -- derived from page 2Ah: 8467 is CAV (08h), the rest CLV
    write_speeds = ws({ 0x08, 0, 0, 0, 0 }, 359848, 8468, { 8467, 7056, 5645, 4234, 2822 }),
    page = { current_write = 8468, max_read = 8468, current_read = 8468, rotation = 0,
             speeds = { { 8467, 1 }, { 7056, 0 }, { 5645, 0 }, { 4234, 0 }, { 2822, 0 } } },
  },
  lg_wh16ns40_bdr = {
    capture = "I", inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = 0x41, capacity = 12219392,
    write_speeds = ws({ 0x08, 0x08, 0x08, 0x08, 0x00 }, 12219391, 26976, { 53952, 44960, 35968, 26976, 17984 }),
    page = { current_write = 53952, speeds = clv { 53952, 44960, 35968, 26976, 17984 } },
  },
  lg_wh16ns40_bdr_written = {
    capture = "I", inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = 0x41, capacity = 12088320,
    write_speeds = ws({ 0x08, 0x08, 0x08, 0x08, 0x00 }, 12088319, 26976, { 53952, 44960, 35968, 26976, 17984 }),
    page = { current_write = 53952, speeds = clv { 53952, 44960, 35968, 26976, 17984 } },
  },
  lg_wh16ns40_empty = {
    capture = "I", inquiry = { "HL-DT-ST", "BD-RE  WH16NS40", "1.00" }, profile = 0, no_medium = true,
    page = { current_write = 53952, speeds = clv { 53952, 44960, 35968, 26976, 17984 } },
  },
  lg_gsa4120b_no_getperf = {
    capture = "G", inquiry = { "HL-DT-ST", "DVDRAM GSA-4120B", "A111" }, profile = 0x09, no_get_performance = true,
    page = { current_write = 7056, speeds = clv { 7056, 5645, 4234, 2822, 1411, 706 } },
  },
}

-- Speed Descriptor lines of one capture section, parsed from spec/data/captures.md (nil when
-- the section is not there)
local function capture_descriptors(letter)
  local section = h.capture_section(letter)
  return section and h.parsed_descriptors(section)
end

describe("built-in models", function()
  it("are exactly the ones this spec knows", function()
    local names = {}
    for name in pairs(EXPECTED) do names[#names + 1] = name end
    table.sort(names)
    assert.are.same(names, emulator.model_names())
  end)

  for _, name in ipairs(emulator.model_names()) do
    local model = emulator.models[name]
    local want = EXPECTED[name]
    describe(name, function()
      local e
      before_each(function() e = emulator.new(model) end)

      it("names itself and its capture", function()
        assert.are.equal(name, model.name)
        assert.matches("^Capture " .. want.capture .. ":", model.source)
        assert.matches("captures.md", model.source, 1, true)
        assert.are.equal(model, require("cdperf.models." .. name))
      end)

      it("answers INQUIRY with the capture's strings", function()
        assert.are.same({ peripheral_type = 5, vendor = want.inquiry[1], product = want.inquiry[2],
                          revision = want.inquiry[3] }, inquiry(e))
        assert.are.same(inquiry(e), model.inquiry)
      end)

      it("answers GET CONFIGURATION with the capture's profile", function()
        assert.are.equal(want.profile, profile(e))
      end)

      it("answers page 2Ah with the capture's speeds", function()
        local p = page2a(e)
        assert.are.equal(want.page.current_write, p.current_write_selected)
        assert.are.equal(want.page.current_write, p.current_write)
        assert.are.same(want.page.speeds, p.speeds)
        for _, k in ipairs { "max_read", "current_read", "max_write", "rotation", "buffer_kb" } do
          if want.page[k] then assert.are.equal(want.page[k], p[k], k) end
        end
        assert.is_true(p.max_read > 0)
        assert.are.equal(p.max_read, p.current_read)
      end)

      if want.no_medium then
        it("has no medium", function()
          assert.are.same({ 2, 0x3A, 0 }, sense_of(e(TUR, "none")))
          assert.are.same({ 2, 0x3A, 0 }, sense_of(e(WRITE_SPEEDS, "in", 1032)))
          assert.are.same({ 2, 0x3A, 0 }, sense_of(e(WRITE_PERF, "in", 1032)))
        end)
      elseif want.no_get_performance then
        it("does not know GET PERFORMANCE", function()
          assert.are.equal("", e(TUR, "none"))
          assert.are.same({ 5, 0x20, 0 }, sense_of(e(WRITE_SPEEDS, "in", 1032)))
          assert.are.same({ 5, 0x20, 0 }, sense_of(e(WRITE_PERF, "in", 1032)))
          assert.are.same({ 5, 0x20, 0 }, sense_of(e(READ_PERF, "in", 1032)))
        end)
      else
        it("is ready", function() assert.are.equal("", e(TUR, "none")) end)

        it("sends the capture's write-speed descriptors", function()
          assert.are.same(want.write_speeds, write_speeds(e))
          local parsed = capture_descriptors(want.capture)
          if parsed and want.capture ~= "G" and want.capture ~= "H" then
            assert.is_true(#parsed > 0, "no Speed Descriptor lines parsed for capture " .. want.capture)
            if name == "lg_wh16ns40_bdr" then
              parsed = { table.unpack(parsed, 1, 5) }
            elseif name == "lg_wh16ns40_bdr_written" then
              parsed = { table.unpack(parsed, 6, 10) }
            end
            assert.are.same(parsed, write_speeds(e))
          end
        end)

        if want.write_perf then
          it("sends the capture's write performance", function()
            local n = nominal(e, WRITE_PERF)
            assert.are.equal(0x02, n.flags)
            n.flags = nil
            assert.are.same(want.write_perf, n)
          end)
        end

        it("sends a (derived) read performance curve", function()
          local n = nominal(e, READ_PERF)
          assert.are.equal(0, n.flags)
          assert.is_true(#n >= 1)
          assert.are.equal(0, n[1][1])
          assert.is_true(n[1][2] > 0 and n[1][4] > 0)
        end)

        if want.capacity then
          it("has the capture's capacity", function()
            local p = page2a(e, MODE_SENSE_BD)
            assert.are.same({ blocks = want.capacity, length = 2048 }, p.block_descriptor)
            assert.are.equal(want.capacity, e:state().capacity)
          end)
        end

        it("sets the fastest listed speed and reports it back", function()
          local speeds = write_speeds(e)
          local slowest = speeds[#speeds][4]
          assert.are.equal("", e(pack(">BBI2I2BBBBBB", 0xBB, 0, 0xFFFF, slowest, 0, 0, 0, 0, 0, 0), "none"))
          assert.are.equal(slowest, page2a(e).current_write_selected)
        end)
      end

      it("is not changed by a session", function()
        local before = deepcopy(model)
        e(WRITE_SPEEDS, "in", 1032)
        e(pack(">BBI2I2BBBBBB", 0xBB, 0, 0xFFFF, 1, 0, 0, 0, 0, 0, 0), "none")
        e(pack(">BBBBBBBBBI2B", 0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0), "out",
          pack(">BBBBI4I4I4I4I4I4", 0, 0, 0, 0, 0, 0, 0, 0, 1, 1000))
        e:eject()
        assert.are.same(before, model)
      end)
    end)
  end

  describe("LG models", function()
    it("refuse SET STREAMING past the medium (streaming_end_lba_strict)", function()
      local e = emulator.new(emulator.models.lg_wh16ns40_bdr)
      local cdb = pack(">BBBBBBBBBI2B", 0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0)
      local function param(end_lba, kbs) return pack(">BBBBI4I4I4I4I4I4", 0, 0, 0, 0, 0, end_lba, 0, 0, kbs, 1000) end
      assert.are.same({ 5, 0x21, 0 }, sense_of(e(cdb, "out", param(12219392, 26976))))
      assert.are.equal("", e(cdb, "out", param(12219391, 26976)))
      local p = page2a(e)
      assert.are.same({ 26976, 1 }, { p.current_write_selected, p.rotation })
    end)
  end)

  describe("samsung_sh224db_dvdpr", function()
    it("scales its CAV ramp to the speed set", function()
      local e = emulator.new(emulator.models.samsung_sh224db_dvdpr)
      e(pack(">BBI2I2BBBBBB", 0xBB, 0, 0xFFFF, 8310, 0, 0, 0, 0, 0, 0), "none")
      local n = nominal(e, WRITE_PERF)
      assert.are.same({ 0, 3462, 2295103, 8310 }, n[1])
    end)
  end)
end)
