-- The disc commands of cdperf.emulator (READ DISC INFORMATION, READ TRACK INFORMATION,
-- READ FORMAT CAPACITIES, READ CAPACITY, READ TOC format 0, MODE SENSE/SELECT page 05h,
-- START STOP UNIT): every expected answer written out by hand from MMC-6's layouts.
local emulator = require "cdperf.emulator"

local function unhex(s) return (s:gsub("%s+", ""):gsub("..", function(h) return string.char(tonumber(h, 16)) end)) end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02X", c:byte()) end)) end

-- key, asc, ascq and the sense-key-specific field pointer (nil without SKSV)
local function sense_of(data, s)
  assert.is_nil(data)
  local sks = s:byte(16)
  local field = (sks & 0x80) ~= 0 and string.unpack(">I2", s, 17) or nil
  return { s:byte(3) & 0x0F, s:byte(13), s:byte(14), field, (sks & 0x40) ~= 0 and "cdb" or nil }
end

local DI = "51 00 00 00 00 00 00 00 22 00"                  -- READ DISC INFORMATION, 34 bytes

local function model(name, patch)
  local m = emulator.deepcopy(emulator.models[name])
  for k, v in pairs(patch or {}) do m[k] = v end
  return m
end

describe("cdperf.emulator disc commands", function()
  describe("a blank DVD+R (liteon_sohw1673s_dvdpr, 2295104 sectors)", function()
    local emu
    before_each(function() emu = emulator.new(emulator.models.liteon_sohw1673s_dvdpr) end)
    it("READ DISC INFORMATION: empty session, empty disc, lead-in 0, lead-out at the capacity", function()
      assert.are.equal(hex(unhex("0020 00 01 01 01 01 20 00 00 00 00 00000000 00000000 00230540"
        .. "0000000000000000 00 00")), hex(assert(emu(unhex(DI), "in", 34))))
    end)
    it("READ TRACK INFORMATION track 1 and by LBA: the blank track, NWA 0, all free", function()
      local want = unhex("002E 01 01 00 04 4F 01 00000000 00000000 00230540 00000000 00230540 00000000"
        .. "00 00 0000 000000000000000000000000")
      assert.are.equal(hex(want), hex(assert(emu(unhex("52 01 00 00 00 01 00 00 30 00"), "in", 48))))
      assert.are.equal(hex(want), hex(assert(emu(unhex("52 00 00 00 10 00 00 00 30 00"), "in", 48))))
      assert.are.equal(hex(want), hex(assert(emu(unhex("52 01 00 00 00 FF 00 00 30 00"), "in", 48))))
      -- wodim's 28 bytes: the first 28
      assert.are.equal(hex(want:sub(1, 28)), hex(assert(emu(unhex("52 00 00 00 00 00 00 00 1C 00"), "in", 28))))
    end)
    it("READ TRACK INFORMATION refuses track 2, LBAs past the end and type 11b", function()
      local e, s = emu(unhex("52 01 00 00 00 02 00 00 30 00"), "in", 48)
      assert.are.same({ 5, 0x24, 0, 2, "cdb" }, sense_of(e, s))
      e, s = emu(unhex("52 00 00 23 05 40 00 00 30 00"), "in", 48)
      assert.are.same({ 5, 0x21, 0 }, sense_of(e, s))
      e, s = emu(unhex("52 03 00 00 00 00 00 00 30 00"), "in", 48)
      assert.are.same({ 5, 0x24, 0, 1, "cdb" }, sense_of(e, s))
    end)
    it("READ FORMAT CAPACITIES: unformatted (01b), 2295104 blocks of 2048", function()
      assert.are.equal("00000008002305400100" .. "0800",
        hex(assert(emu(unhex("23 00 00 00 00 00 00 00 FC 00"), "in", 252))))
    end)
    it("READ CAPACITY: 0 (no complete session)", function()
      assert.are.equal("0000000000000800", hex(assert(emu(unhex("25 00 00 00 00 00 00 00 00 00"), "in", 8))))
    end)
    it("READ TOC format 0: nothing recorded, INVALID FIELD IN CDB", function()
      local e, s = emu(unhex("43 00 00 00 00 00 00 00 0C 00"), "in", 12)
      assert.are.same({ 5, 0x24, 0 }, sense_of(e, s))
    end)
  end)

  describe("a complete CD-R (359849 sectors)", function()
    local emu
    before_each(function()
      emu = emulator.new(model("lg_gsa4163b_cdr", { disc = { status = "complete" } }))
    end)
    it("READ DISC INFORMATION: complete session, complete disc, no next session (FFFFFFFFh)", function()
      assert.are.equal(hex(unhex("0020 0E 01 01 01 01 20 00 00 00 00 00000000 FFFFFFFF FFFFFFFF"
        .. "0000000000000000 00 00")), hex(assert(emu(unhex(DI), "in", 34))))
    end)
    it("READ TOC format 0, LBA and MSF: track 1 at 0, lead-out at 359849 (79:59:74)", function()
      assert.are.equal("0012010100140100000000000014AA0000057DA9",
        hex(assert(emu(unhex("43 00 00 00 00 00 00 00 14 00"), "in", 20))))
      assert.are.equal("0012010100140100000002000014AA00004F3B4A",
        hex(assert(emu(unhex("43 02 00 00 00 00 00 00 14 00"), "in", 20))))
      -- from the lead-out only; a start track past the last: INVALID FIELD (byte 6)
      assert.are.equal("000A01010014AA0000057DA9", hex(assert(emu(unhex("43 00 00 00 00 00 AA 00 14 00"), "in", 20))))
      local e, s = emu(unhex("43 00 00 00 00 00 02 00 14 00"), "in", 20)
      assert.are.same({ 5, 0x24, 0, 6, "cdb" }, sense_of(e, s))
    end)
    it("READ TRACK INFORMATION: the recorded track, LRA 359848, nothing free", function()
      assert.are.equal(hex(unhex("002E 01 01 00 04 01 02 00000000 00000000 00000000 00000000 00057DA9 00057DA8"
        .. "00 00 0000 000000000000000000000000")), hex(assert(emu(unhex("52 01 00 00 00 01 00 00 30 00"), "in", 48))))
    end)
    it("READ CAPACITY: the last recorded LBA", function()
      assert.are.equal("00057DA800000800", hex(assert(emu(unhex("25 00 00 00 00 00 00 00 00 00"), "in", 8))))
    end)
    it("READ FORMAT CAPACITIES: formatted (10b)", function()
      assert.are.equal("0000000800057DA902000800", hex(assert(emu(unhex("23 00 00 00 00 00 00 00 0C 00"), "in", 12))))
    end)
  end)

  describe("a BD-R: blank, and appendable with 2 sessions", function()
    it("blank: empty disc, lead-out at 12219392, unformatted capacity", function()
      local emu = emulator.new(emulator.models.lg_wh16ns40_bdr)
      assert.are.equal(hex(unhex("0020 00 01 01 01 01 20 00 00 00 00 00000000 00000000 00BA7400"
        .. "0000000000000000 00 00")), hex(assert(emu(unhex(DI), "in", 34))))
      assert.are.equal("0000000800BA740001000800", hex(assert(emu(unhex("23 00 00 00 00 00 00 00 0C 00"), "in", 12))))
    end)
    it("appendable, used 1000: session 1 closed (track 1), empty session 2 (track 2) at 1000", function()
      local emu = emulator.new(model("lg_wh16ns40_bdr", { disc = { status = "appendable", used = 1000 } }))
      assert.are.equal(hex(unhex("0020 01 01 02 02 02 20 00 00 00 00 00000000 000003E8 00BA7400"
        .. "0000000000000000 00 00")), hex(assert(emu(unhex(DI), "in", 34))))
      -- session 2's first track: the empty one, NWA 1000, 12218392 free
      assert.are.equal(hex(unhex("002E 02 02 00 04 4F 01 000003E8 000003E8 00BA7018 00000000 00BA7018 00000000")),
        hex(assert(emu(unhex("52 02 00 00 00 02 00 00 30 00"), "in", 32))))
      assert.are.equal("000003E700000800", hex(assert(emu(unhex("25 00 00 00 00 00 00 00 00 00"), "in", 8))))
      assert.are.equal("0012010100140100000000000014AA00000003E8",
        hex(assert(emu(unhex("43 00 00 00 00 00 00 00 14 00"), "in", 20))))
    end)
  end)

  describe("an appendable DVD+R (2 sessions, 1000 sectors used)", function()
    it("its closed track 1 is a reserved track (RT 1, Blank 0: dvd+rw-mediainfo's 'partial/complete')",
      function()
      local emu = emulator.new(model("liteon_sohw1673s_dvdpr", { disc = { status = "appendable", used = 1000 } }))
      -- byte 6: RT (80h) | data mode 1; byte 7: LRA_V; start 0, size 1000, last recorded 999
      assert.are.equal(hex(unhex("002E 01 01 00 04 81 02 00000000 00000000 00000000 00000000 000003E8 000003E7")),
        hex(assert(emu(unhex("52 01 00 00 00 01 00 00 20 00"), "in", 32))))
      -- the empty track 2: RT 0, Blank 1 ('blank'), NWA 1000
      local t2 = assert(emu(unhex("52 01 00 00 00 02 00 00 20 00"), "in", 32))
      assert.are.same({ 0x4F, 0x01 }, { t2:byte(7), t2:byte(8) })
    end)
  end)

  describe("an empty drive (lg_wh16ns40_empty)", function()
    local emu
    before_each(function() emu = emulator.new(emulator.models.lg_wh16ns40_empty) end)
    it("the medium commands: NOT READY, MEDIUM NOT PRESENT", function()
      for _, c in ipairs { DI, "52 01 00 00 00 01 00 00 30 00", "25 00 00 00 00 00 00 00 00 00",
          "43 00 00 00 00 00 00 00 0C 00", "35 00 00 00 00 00 00 00 00 00" } do
        local dir = c:sub(1, 2) == "35" and "none" or "in"
        local e, s = emu(unhex(c), dir, 48)
        assert.are.same({ 2, 0x3A, 0 }, sense_of(e, s))
      end
    end)
    it("READ FORMAT CAPACITIES: no medium (11b)", function()
      assert.are.equal("000000080000000003000800", hex(assert(emu(unhex("23 00 00 00 00 00 00 00 0C 00"), "in", 12))))
    end)
    it("START STOP UNIT: load with nothing to load is NOT READY; stop is GOOD", function()
      local e, s = emu(unhex("1B 00 00 00 03 00"), "none")
      assert.are.same({ 2, 0x3A, 0 }, sense_of(e, s))
      assert.are.equal("", emu(unhex("1B 00 00 00 00 00"), "none"))
    end)
  end)

  describe("allocation lengths", function()
    local emu
    before_each(function() emu = emulator.new(emulator.models.liteon_sohw1673s_dvdpr) end)
    it("0 sends nothing, a short one cuts, a long one sends the whole answer", function()
      for _, c in ipairs { "51 00 00 00 00 00 00 00 %s 00", "52 01 00 00 00 01 00 00 %s 00",
          "23 00 00 00 00 00 00 00 %s 00" } do
        local whole = assert(emu(unhex(c:format("FF")), "in", 255))
        assert.are.equal("", assert(emu(unhex(c:format("00")), "in", 0)))
        assert.are.equal(hex(whole:sub(1, 4)), hex(assert(emu(unhex(c:format("04")), "in", 4))))
        -- the CDB's allocation length bounds it too
        assert.are.equal(hex(whole:sub(1, 2)), hex(assert(emu(unhex(c:format("02")), "in", 255))))
        assert.is_true(#whole < 255)
      end
      assert.are.equal(34, #assert(emu(unhex(DI:gsub("22", "FF")), "in", 255)))
      assert.are.equal(48, #assert(emu(unhex("52 01 00 00 00 01 00 00 FF 00"), "in", 255)))
      assert.are.equal(12, #assert(emu(unhex("23 00 00 00 00 00 00 00 FF 00"), "in", 255)))
      assert.are.equal("00000000", hex(assert(emu(unhex("25 00 00 00 00 00 00 00 00 00"), "in", 4))))
    end)
  end)

  describe("MODE SENSE / MODE SELECT page 05h", function()
    local emu
    local PAGE = "0532 01 04 08 00 00 00 00 00 00000000 0096" .. string.rep("00", 36)
    local function page(pc)
      return hex(assert(emu(unhex(string.format("5A 08 %02X 00 00 00 00 00 FF 00", (pc << 6) | 5)), "in", 255)))
    end
    before_each(function() emu = emulator.new(emulator.models.lg_gsa4163b_cdr) end)
    it("defaults: TAO, track mode 4, Mode 1, audio pause 150", function()
      assert.are.equal("003A000000000000" .. hex(unhex(PAGE)), page(0))
      assert.are.equal("003A000000000000" .. hex(unhex(PAGE)), page(2))
      assert.are.equal("003A000000000000" .. "05327FFF0FFF003FFF00" .. string.rep("FF", 42), page(1))
    end)
    it("a well-formed page 05h is stored and read back; a block descriptor of 2048 alone is accepted", function()
      local sao = "0532 02 04 08 00 00 00 00 00 00000000 0096" .. string.rep("00", 36)
      assert.are.equal("", emu(unhex("55 10 00 00 00 00 00 00 3C 00"), "out", unhex("0000000000000000" .. sao)))
      assert.are.equal("003A000000000000" .. hex(unhex(sao)), page(0))
      assert.are.equal("003A000000000000" .. hex(unhex(PAGE)), page(2))
      assert.are.equal("", emu(unhex("55 10 00 00 00 00 00 00 10 00"), "out",
        unhex("0000000000000008 0000000000000800")))
    end)
    it("refuses a bad page length, bits that do not change, another block length, PF=0 and SP=1", function()
      local e, s = emu(unhex("55 10 00 00 00 00 00 00 3C 00"), "out",
        unhex("0000000000000000 0522" .. PAGE:sub(5)))
      assert.are.same({ 5, 0x26, 0, 9 }, sense_of(e, s))
      e, s = emu(unhex("55 10 00 00 00 00 00 00 3C 00"), "out",
        unhex("0000000000000000 0532 81" .. PAGE:sub(8)))
      assert.are.same({ 5, 0x26, 0, 10 }, sense_of(e, s))
      e, s = emu(unhex("55 10 00 00 00 00 00 00 10 00"), "out", unhex("0000000000000008 0000000000000200"))
      assert.are.same({ 5, 0x26, 0, 13 }, sense_of(e, s))
      e, s = emu(unhex("55 00 00 00 00 00 00 00 00 00"), "out", "")
      assert.are.same({ 5, 0x24, 0, 1, "cdb" }, sense_of(e, s))
      e, s = emu(unhex("55 11 00 00 00 00 00 00 00 00"), "out", "")
      assert.are.same({ 5, 0x24, 0, 1, "cdb" }, sense_of(e, s))
      assert.are.equal("003A000000000000" .. hex(unhex(PAGE)), page(0))
    end)
  end)

  describe("START STOP UNIT", function()
    it("LoEj=1 Start=0 ejects, LoEj=1 Start=1 loads the model's medium; UNIT ATTENTION 28h after each", function()
      local emu = emulator.new(emulator.models.liteon_sohw1673s_dvdpr)
      local TUR = unhex("00 00 00 00 00 00")
      assert.are.equal("", emu(unhex("1B 00 00 00 02 00"), "none"))
      assert.are.same({ 6, 0x28, 0 }, sense_of(emu(TUR, "none")))
      assert.are.same({ 2, 0x3A, 0 }, sense_of(emu(TUR, "none")))
      assert.are.equal("", emu(unhex("1B 00 00 00 03 00"), "none"))
      assert.are.same({ 6, 0x28, 0 }, sense_of(emu(TUR, "none")))
      assert.are.equal("", emu(TUR, "none"))
      assert.are.equal(0x1B, emu:state().profile)
      -- loaded already, spin up/down, PREVENT ALLOW, SYNCHRONIZE CACHE, REZERO: GOOD, no attention
      for _, c in ipairs { "1B 00 00 00 03 00", "1B 01 00 00 00 00", "1E 00 00 00 01 00",
          "35 00 00 00 00 00 00 00 00 00", "01 00 00 00 00 00" } do
        assert.are.equal("", emu(unhex(c), "none"))
      end
      assert.are.equal("", emu(TUR, "none"))
    end)
  end)

  describe("model.disc", function()
    it("is checked field by field and as a whole", function()
      local function bad(disc)
        return select(2, pcall(emulator.new, model("liteon_sohw1673s_dvdpr", { disc = disc })))
      end
      assert.matches("status", bad { status = "open" })
      assert.matches("sessions", bad { status = "complete", sessions = 0 })
      assert.matches("blank disc", bad { status = "blank", sessions = 2 })
      assert.matches("2 sessions or more", bad { status = "appendable", sessions = 1 })
      assert.matches("fewer tracks than sessions", bad { status = "complete", sessions = 3, tracks = 2 })
      assert.matches("more than the capacity", bad { status = "complete", used = 2295105 })
      assert.matches("need a status", bad { sessions = 2 })
    end)
  end)
end)
