-- cdperf.disc: the disc itself.  The decoders (GET CONFIGURATION features, ADIP, pre-pit
-- data, BD Disc Information, ATIP) on hand-built bytes, on every prefix and on garbage;
-- the readers (drive:features, drive:media_id, drive:atip) through the core on the
-- emulator; the emulator's new commands and quirks; every built-in model against its
-- capture's "Media ID:" line (spec/data/captures.md); the snapshot's parts, the speed
-- list's rating, the policy words media= and disc-rating, the verify pass of defect
-- management in the estimate, the report's and dvd+rw-mediainfo's lines; and tgt (#tgt),
-- whose GET CONFIGURATION carries 0107h and whose blank DVD+R has an ADIP of zeros.
local disc = require "cdperf.disc"
local h = require "spec.helpers"

local pack, unpack, fmt = string.pack, string.unpack, string.format

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

-- A READ DVD STRUCTURE answer around `data`.
local function structure(data) return pack(">I2I2", #data + 2, 0) .. data end

-- ADIP (256 bytes): manufacturer at 19, media type at 27, revision at 30 (as dvd+rw-mediainfo
-- reads them: response bytes 23 and 31).
local function adip(man, typ, rev, b0)
  local d = string.char(b0 or 0xA1) .. ("\0"):rep(18) .. man .. ("\0"):rep(8 - #man) .. typ .. ("\0"):rep(3 - #typ)
    .. string.char(rev or 0) .. ("\0"):rep(256 - 31)
  return structure(d)
end

-- Pre-pit data: five 8-byte fields, IDs 1..5; 3 and 4 carry the manufacturer halves.
local function prepit(a, b, id3, id4)
  local function field(id, s) return string.char(id) .. s .. ("\0"):rep(7 - #s) end
  return structure(field(1, "") .. field(2, "") .. field(id3 or 3, a) .. field(id4 or 4, b) .. field(5, ""))
end

-- One BD DI unit (112 bytes): "DI", disc type id at 8, manufacturer at 100, type at 106,
-- revision at 111.
local function di(man, typ, rev, sig)
  local d = (sig or "DI") .. ("\0"):rep(6) .. "BDR" .. ("\0"):rep(100 - 11) .. man .. ("\0"):rep(6 - #man)
    .. typ .. ("\0"):rep(3 - #typ) .. string.char(0, 0, rev or 0)
  return structure(d)
end

-- ATIP: bytes 4-6 flags, lead-in start M:S:F at 8, lead-out at 12, A1 at 16-18, A2 at
-- 20-22, A3 at 24-26 (a1rest: A1's bytes 17-18; a2v, a3v: the values; a2, a3: valid bits).
local function atip(t)
  local b4 = 0x80 | ((t.power or 4) << 4) | (t.ref or 0)
  local b6 = 0x80 | (t.rw and 0x40 or 0) | ((t.sub or 0) << 3) | (t.a1 and 4 or 0) | (t.a2 and 2 or 0)
    | (t.a3 and 1 or 0)
  local li, lo = t.lead_in or { 97, 24, 1 }, t.lead_out or { 79, 59, 72 }
  local a1rest, a2, a3 = t.a1rest or { 0, 0x80 }, t.a2v or { 0, 0, 0 }, t.a3v or { 0, 0, 0 }
  local d = string.char(b4, t.uru and 0x40 or 0, b6, 0, li[1], li[2], li[3], 0, lo[1], lo[2], lo[3], 0,
    t.a1code or 0, a1rest[1], a1rest[2], 0, a2[1], a2[2], a2[3], 0, a3[1], a3[2], a3[3], 0)
  return structure(d)
end

-- A GET CONFIGURATION answer: header, then descriptors { code, byte2, data }.
local function features(current, list, data_length)
  local body = {}
  for i, f in ipairs(list) do body[i] = pack(">I2BB", f[1], f[2], #f[3]) .. f[3] end
  body = table.concat(body)
  return pack(">I4I2I2", data_length or (4 + #body), 0, current) .. body
end

describe("cdperf.disc decoders", function()
  describe("decode_features", function()
    it("reads the header, the profile list and every descriptor", function()
      local bytes = features(0x1B, {
        { 0x0000, 0x03, h.unhex "00 2B 00 00 00 1B 01 00 00 10 00 00" },
        { 0x0001, 0x0B, h.unhex "00 00 00 02 02 00 00 00" },
        { 0x002B, 0x01, h.unhex "01 00 00 00" },
        { 0x0107, 0x11, h.unhex "03 00 00 00" },
        { 0x0108, 0x03, h.unhex "41 42" },
      })
      local f = assert(disc.decode_features(bytes))
      assert.are.equal(0x1B, f.current_profile)
      assert.are.same({ 0x2B, 0x1B, 0x10 }, f.profiles)
      assert.are.same({ 0x1B }, f.current_profiles)
      assert.are.same({ 0x0000, 0x0001, 0x002B, 0x0107, 0x0108 }, f.codes)
      assert.is_false(f.truncated)
      assert.are.same({ code = 1, name = "Core", version = 2, persistent = true, current = true,
        data = "0000000202000000", interface = 2, dbe = false, inq2 = true }, f[0x0001])
      assert.is_true(f[0x002B].write)
      assert.is_true(f[0x002B].current)
      local rts = f[0x0107]
      assert.are.equal(4, rts.version)
      assert.is_true(rts.get_performance and rts.set_streaming)
      assert.is_true(rts.stream_writing and rts.write_speed_descriptors)
      assert.is_false(rts.mode_page_2a_write_speeds or rts.set_cd_speed or rts.read_buffer_capacity_block)
      assert.are.equal("4142", f[0x0108].data)         -- kept raw
      assert.are.equal("Drive Serial Number", f[0x0108].name)
    end)

    it("decodes the flags of 0023h, 0024h, 0028h, 002Fh, 0038h, 0040h and 0041h", function()
      local f = assert(disc.decode_features(features(0x43, {
        { 0x0023, 0x05, h.unhex "09 00 00 00 01 00 00 00" },
        { 0x0024, 0x05, h.unhex "80 00 00 00" },
        { 0x0028, 0x04, h.unhex "05 00 00 00" },
        { 0x002F, 0x08, h.unhex "4E 00 00 00" },
        { 0x0038, 0x01, h.unhex "00 00 00 00" },
        -- feature bytes 8-9, 16-17, 24-25: the Class 0 bitmaps of BD-RE, BD-R, BD-ROM
        { 0x0040, 0x05, h.unhex("01 00 00 00 00 06 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 02 00 00 00 00"
          .. " 00 00") },
        { 0x0041, 0x05, h.unhex "01 00 00 00 00 06 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00" },
      })))
      local fm = f[0x0023]
      assert.is_true(fm.cert and fm.renosa and fm.rrm)
      assert.is_false(fm.qcert or fm.expand)
      assert.is_true(f[0x0024].spare_area_information)
      assert.is_true(f[0x0024].current)
      assert.is_true(f[0x0028].cd_write and f[0x0028].dvd_plus_write)
      assert.is_false(f[0x0028].dvd_plus_read)
      assert.is_true(f[0x002F].buf and f[0x002F].rdl and f[0x002F].test_write and f[0x002F].dvd_rw)
      assert.is_true(f[0x0038].current)
      assert.are.equal("BD-R Pseudo-Overwrite", f[0x0038].name)
      assert.are.same({ 0x0006, 0x0002, 0x0002, true }, { f[0x0040].re, f[0x0040].r, f[0x0040].rom, f[0x0040].bca })
      assert.are.same({ 0x0006, 0x0002, true }, { f[0x0041].re, f[0x0041].r, f[0x0041].svnr })
    end)

    it("trusts the bytes received over the header, and says when the list was cut", function()
      local full = features(0x41, { { 0x0000, 0x03, h.unhex "00 41 01 00" }, { 0x0107, 0x0D, h.unhex "1F 00 00 00" } })
      -- cut inside the second descriptor: it is left out
      local f = assert(disc.decode_features(full:sub(1, #full - 2)))
      assert.is_true(f.truncated)
      assert.are.same({ 0 }, f.codes)
      -- a header that counts more than exists
      f = assert(disc.decode_features(full:sub(1, 4 + 4) .. full:sub(9) .. ""))
      assert.is_false(f.truncated)
      f = assert(disc.decode_features(pack(">I4", 0xFFFFFFF0) .. full:sub(5)))
      assert.is_true(f.truncated)
      assert.are.same({ 0, 0x0107 }, f.codes)
      -- tgt's padding past the header's count is not read
      f = assert(disc.decode_features(full .. ("\0"):rep(4096 - #full)))
      assert.are.same({ 0, 0x0107 }, f.codes)
      assert.is_false(f.truncated)
    end)

    it("keeps the first of two descriptors with one code", function()
      local f = assert(disc.decode_features(features(0, { { 0x002B, 0x01, "\1\0\0\0" },
        { 0x002B, 0x00, "\0\0\0\0" } })))
      assert.are.same({ 0x002B }, f.codes)
      assert.is_true(f[0x002B].current and f[0x002B].write)
    end)

    it("finds features by integer or string code (a snapshot read back from JSON)", function()
      assert.are.equal(7, disc.feature({ ["263"] = { x = 7 } }, 0x0107).x)
      assert.are.equal(8, disc.feature({ [0x0107] = { x = 8 } }, 0x0107).x)
      assert.is_nil(disc.feature(nil, 1))
    end)

    it("fails without a header", function()
      local r, msg = disc.decode_features("\0\0\0\4\0\0")
      assert.is_nil(r)
      assert.are.equal("GET CONFIGURATION: 6 bytes, less than the 8-byte feature header", msg)
      assert.are.equal("GET CONFIGURATION: bytes expected, got nil", select(2, disc.decode_features(nil)))
    end)
  end)

  describe("media ID", function()
    it("ADIP: manufacturer, type and revision at dvd+rw-mediainfo's offsets (Captures B, C, E, F)", function()
      for _, c in ipairs {
        { "CMC MAG", "M01", "CMC MAG-M01-00", "CMC MAG/M01" }, { "RICOHJPN", "W11", "RICOHJPN-W11-00", "RICOHJPN/W11" },
        { "MKM", "003", "MKM-003-00", "MKM/003" }, { "RITEK", "F16", "RITEK-F16-00", "RITEK/F16" },
      } do
        local bytes = adip(c[1], c[2])
        assert.are.equal(c[1], bytes:sub(24, 23 + #c[1]))          -- response byte 23, as the tool reads
        assert.are.equal(c[2], bytes:sub(32, 31 + #c[2]))          -- response byte 31
        local m = assert(disc.decode_adip(bytes))
        assert.are.same({ c[1], c[2], 0, c[3], "ADIP" }, { m.manufacturer, m.media_type, m.revision, m.text, m.source })
        assert.are.equal(c[4], disc.mediainfo_text(m))
      end
      local m = assert(disc.decode_adip(adip("MKM", "003", 2, 0xE1)))
      assert.are.same({ "MKM-003-02", "DVD+R DL", 1 }, { m.text, m.book, m.book_version })
    end)

    it("ADIP of zeros (tgt's blank DVD+R): empty, and the tool's line is a lone slash", function()
      local m = assert(disc.decode_adip(structure(("\0"):rep(256))))
      assert.are.same({ "", "", "", true }, { m.manufacturer, m.media_type, m.text, m.empty })
      assert.are.equal("/", disc.mediainfo_text(m))
    end)

    it("pre-pit data: the two 6-byte halves of fields 3 and 4 (Capture A)", function()
      local m = assert(disc.decode_prepit(prepit("TDK502", "sakuM3")))
      assert.are.same({ "TDK502", "sakuM3", "TDK502sakuM3", "pre-pit" },
        { m.manufacturer, m.media_type, m.text, m.source })
      assert.are.equal("TDK502sakuM3", disc.mediainfo_text(m))
      -- the tool's %6.6s%-6.6s pads a short first half on the left
      m = assert(disc.decode_prepit(prepit("TYG02", "")))
      assert.are.equal(" TYG02      ", disc.mediainfo_text(m))
      assert.are.equal("TYG02", m.text)
      local r, msg = disc.decode_prepit(prepit("TDK502", "sakuM3", 7, 4))
      assert.is_nil(r)
      assert.are.equal("pre-pit data: no manufacturer ID (field IDs 7 and 4 where 3 and 4 belong)", msg)
    end)

    it("BD Disc Information: manufacturer at 100, type at 106, revision at 111 (Capture I)", function()
      local m = assert(disc.decode_di(di("VERBAT", "IMe", 0)))
      assert.are.same({ "VERBAT", "IMe", 0, "VERBAT-IMe-000", "DI", "BDR" },
        { m.manufacturer, m.media_type, m.revision, m.text, m.source, m.disc_type_id })
      assert.are.equal("VERBAT/IMe", disc.mediainfo_text(m))
      assert.are.equal("CMCMAG-BA5-001", disc.decode_di(di("CMCMAG", "BA5", 1)).text)
      local r, msg = disc.decode_di(di("VERBAT", "IMe", 0, "XX"))
      assert.is_nil(r)
      assert.are.equal('Disc Information: the unit starts with 5858, not "DI"', msg)
    end)

    it("cuts text at the first NUL and shows any other unprintable byte as ?", function()
      local m = assert(disc.decode_adip(adip("AB\nC\0XY", "\1\2\0")))
      assert.are.same({ "AB?C", "??" }, { m.manufacturer, m.media_type })
      m = assert(disc.decode_adip(adip("\200\255", "x")))
      assert.are.equal("??", m.manufacturer)
    end)

    it("fails on answers too short for the ID", function()
      assert.are.equal("ADIP: 34 bytes, too few for the media ID (35 needed)",
        select(2, disc.decode_adip(adip("MKM", "003"):sub(1, 34))))
      -- the header's own length counts: a short header cuts a long answer
      assert.are.equal("ADIP: 12 bytes, too few for the media ID (35 needed)",
        select(2, disc.decode_adip(pack(">I2", 10) .. adip("MKM", "003"):sub(3))))
      assert.are.equal("Disc Information: 3 bytes, less than the 4-byte header", select(2, disc.decode_di("abc")))
    end)
  end)

  describe("decode_atip", function()
    it("reads a CD-R: lead-in start 97:24/01 is Taiyo Yuden, LBA -11849; lead-out 79:59/72 is 359847", function()
      -- the values wodim -atip prints for such a disc
      local a = assert(disc.decode_atip(atip {}))
      assert.are.same({ "CD-R", false, 4, -11849, 359847, "Taiyo Yuden Company Limited" },
        { a.disc_type, a.erasable, a.indicative_writing_power, a.lead_in_lba, a.lead_out_lba, a.manufacturer })
      assert.are.same({ minute = 97, second = 24, frame = 1 }, a.lead_in)
      assert.is_nil(a.highest_speed)
    end)

    it("reads a CD-RW's speed range from A1 by its sub-type", function()
      -- High Speed (sub-type 1): codes 2 (4x) .. 4 (10x); Ultra Speed (2): 6 (16x) .. 8 (24x)
      local a = assert(disc.decode_atip(atip { rw = true, sub = 1, a1 = true, a1code = 0x24,
        lead_in = { 97, 27, 65 } }))
      assert.are.same({ "CD-RW", "High Speed", 4, 10, "Ricoh Company Limited" },
        { a.disc_type, a.speed_class, a.lowest_speed, a.highest_speed, a.manufacturer })
      a = assert(disc.decode_atip(atip { rw = true, sub = 2, a1 = true, a1code = 0x68 }))
      assert.are.same({ "Ultra Speed", 16, 24 }, { a.speed_class, a.lowest_speed, a.highest_speed })
      -- A1 not valid: no range
      a = assert(disc.decode_atip(atip { rw = true, sub = 0, a1code = 0x24 }))
      assert.is_nil(a.highest_speed)
      assert.are.equal(8, disc.rating { atip = { highest_speed = 8, disc_type = "CD-RW" } })
      assert.is_nil(disc.rating { atip = a })
    end)

    it("keeps the A1, A2 and A3 bytes, valid or not, when the answer holds them", function()
      local a = assert(disc.decode_atip(atip { rw = true, sub = 2, a1 = true, a2 = true, a1code = 0x68,
        a1rest = { 0x44, 0xA0 }, a2v = { 0x6A, 0x12, 0x34 }, a3v = { 1, 2, 3 } }))
      assert.are.same({ { 0x68, 0x44, 0xA0 }, { 0x6A, 0x12, 0x34 }, { 1, 2, 3 }, true, true, false },
        { a.a1, a.a2, a.a3, a.a1_valid, a.a2_valid, a.a3_valid })
      -- an answer cut after A1: no A2, no A3
      local bytes = atip { a1code = 0x24 }
      a = assert(disc.decode_atip(pack(">I2", 17) .. bytes:sub(3, 19)))
      assert.are.same({ 0x24, 0, 0x80 }, a.a1)
      assert.is_nil(a.a2)
      assert.is_nil(a.a3)
    end)

    it("names the maker as cdrecord's table does (wodim's Manuf. index)", function()
      assert.are.same({ index = 25, name = "Taiyo Yuden Company Limited" }, disc.atip_maker(97, 24, 9))
      -- 97:29/0x: Taeil (37), listed before Harmonic Hall's entry for the same code
      assert.are.same({ index = 37, name = "Taeil Media Co.,Ltd." }, disc.atip_maker(97, 29, 3))
      -- old codes are exact times, looked up first: 97:25/00 is no MPO, 97:25/01 is
      assert.are.same({ index = 80, name = "ILLEGAL OLD CODE: TDK ???", old = true }, disc.atip_maker(97, 25, 0))
      assert.is_nil(disc.atip_manufacturer(97, 25, 0))
      assert.are.equal("MPO", disc.atip_manufacturer(97, 25, 1))
      assert.are.same({ index = 0, name = "Unknown old Manufacturer code", old = true }, disc.atip_maker(97, 48, 14))
      assert.are.equal("Kodak Japan Limited", disc.atip_manufacturer(97, 48, 15))
      -- a code cdrecord guessed; the tentative code of the same maker is no guess
      assert.are.same({ index = 41, name = "UNITECH JAPAN INC.", guessed = true }, disc.atip_maker(97, 45, 19))
      assert.are.same({ index = 41, name = "UNITECH JAPAN INC." }, disc.atip_maker(97, 24, 30))
      -- ASCII where cdrecord's table is Latin-1
      assert.are.equal("CDA Datentraeger Albrechts GmbH.", disc.atip_manufacturer(97, 50, 39))
      assert.is_nil(disc.atip_maker(96, 24, 0))
      assert.is_nil(disc.atip_maker(97, 24, "0"))
    end)

    it("knows no maker for an unlisted lead-in, and refuses times that are none", function()
      assert.is_nil(assert(disc.decode_atip(atip { lead_in = { 97, 59, 9 } })).manufacturer)
      assert.are.equal("ATIP: lead-in start 97:61/00 is no time",
        select(2, disc.decode_atip(atip { lead_in = { 97, 61, 0 } })))
      assert.are.equal("ATIP: lead-out start 79:59/75 is no time",
        select(2, disc.decode_atip(atip { lead_out = { 79, 59, 75 } })))
      assert.are.equal("ATIP: 14 bytes, too few for the lead-in and lead-out times (15 needed)",
        select(2, disc.decode_atip(atip {}:sub(1, 14))))
    end)
  end)

  describe("every decoder", function()
    local samples = {
      decode_features = features(0x41, { { 0, 3, "\0\65\1\0" }, { 0x107, 0x0D, "\31\0\0\0" },
        { 0x24, 5, "\128\0\0\0" } }),
      decode_adip = adip("MKM", "003"), decode_prepit = prepit("TDK502", "sakuM3"), decode_di = di("VERBAT", "IMe"),
      decode_atip = atip { rw = true, sub = 1, a1 = true, a1code = 0x24 },
    }
    for name, bytes in pairs(samples) do
      it(name .. ": every prefix, garbage and wrong types give a table or nil and one line", function()
        local function check(b)
          local ok, r, msg = pcall(disc[name], b)
          assert(ok, name .. " raised: " .. tostring(r))
          if r == nil then
            assert(type(msg) == "string" and msg ~= "" and not msg:find("\n"), name .. ": " .. tostring(msg))
          else
            assert.is_table(r)
          end
        end
        for n = 0, #bytes do check(bytes:sub(1, n)) end
        check(("\255"):rep(300))
        check(("\0"):rep(300))
        check(bytes:sub(1, 2) .. ("\255"):rep(300))
        for _, v in ipairs { 42, {}, true } do check(v) end
      end)
    end
  end)

  describe("encoders (the emulator's answers)", function()
    it("what a decoder returns comes back out", function()
      for _, m in ipairs {
        { source = "ADIP", manufacturer = "MKM", media_type = "003", revision = 3 },
        { source = "pre-pit", manufacturer = "TDK502", media_type = "sakuM3" },
        { source = "DI", manufacturer = "VERBAT", media_type = "IMe", revision = 1 },
      } do
        local dec = ({ ADIP = disc.decode_adip, ["pre-pit"] = disc.decode_prepit, DI = disc.decode_di })[m.source]
        local got = assert(dec(disc.encode_media_id(m)))
        assert.are.same({ m.manufacturer, m.media_type, m.source }, { got.manufacturer, got.media_type, got.source })
        assert.are.same(got, dec(disc.encode_media_id(got)))
      end
      local a = { disc_type = "CD-RW", sub_type = 2, a1_valid = true, lowest_speed = 16, highest_speed = 24,
        lead_in = { minute = 97, second = 34, frame = 22 }, lead_out = { minute = 74, second = 30, frame = 0 } }
      local got = assert(disc.decode_atip(disc.encode_atip(a)))
      assert.are.same({ 16, 24, "Mitsubishi Chemical Corporation", 6, 8 },
        { got.lowest_speed, got.highest_speed, got.manufacturer, got.clv_low, got.clv_high })
      assert.are.same(got, disc.decode_atip(disc.encode_atip(got)))
      -- A1/A2/A3 bytes come back; A1's first byte takes the codes, keeping its reserved bit
      got = assert(disc.decode_atip(disc.encode_atip { disc_type = "CD-RW", clv_low = 2, clv_high = 4,
        a1 = { 0x80, 0x44, 0xA0 }, a2 = { 0x6A, 0x12, 0x34 }, a3 = { 1, 2, 3 } }))
      assert.are.same({ { 0xA4, 0x44, 0xA0 }, { 0x6A, 0x12, 0x34 }, { 1, 2, 3 } }, { got.a1, got.a2, got.a3 })
      assert.are.same(got, disc.decode_atip(disc.encode_atip(got)))
      -- without codes or speeds, A1's first byte is a1's
      got = assert(disc.decode_atip(disc.encode_atip { a1 = { 0x36, 0, 0 } }))
      assert.are.same({ 3, 6 }, { got.clv_low, got.clv_high })
    end)

    it("derive_features: what the drive's profiles and the medium make current", function()
      local f = disc.derive_features({ 0x43, 0x41, 0x40, 0x1B, 0x12, 0x09 }, 0x43)
      assert.is_true(f[0x0024].current and f[0x0020].current and f[0x0041].current)
      assert.is_true(f[0x0107].stream_writing)
      assert.is_false(f[0x0038].current)
      f = disc.patch_features(disc.derive_features({ 0x41 }, 0x41), { [0x0038] = { current = true },
        ["36"] = { absent = true } })
      assert.is_true(f[0x0038].current)
      assert.is_nil(f[0x0024])
      assert.is_nil(disc.derive_features({ 0x09 }, 0x09, { no_get_performance = true })[0x0107])
      local again = assert(disc.decode_features(disc.encode_features(f, 0, 0)))
      assert.are.same(f.codes, again.codes)
    end)
  end)
end)

describe("cdperf.disc on snapshots", function()
  it("defect management: DVD-RAM always, BD-RE unless the features say otherwise, BD-R with 0024h current", function()
    assert.are.equal("DVD-RAM: the drive checks every block it writes",
      disc.defect_management({ profile = 0x12 }).reason)
    assert.is_true(disc.defect_management({ profile = { code = 0x43 } }).active)
    assert.is_nil(disc.defect_management { profile = 0x43, features = { [0x0024] = { current = false } } })
    assert.is_nil(disc.defect_management { profile = 0x41 })
    local dm = disc.defect_management { profile = 0x41, features = { [0x0024] = { current = true } } }
    assert.is_nil(dm.stream_recording)            -- no 0107h in a table that is not the whole list
    dm = disc.defect_management { profile = 0x12, features = { [0x0107] = { stream_writing = false } } }
    assert.is_false(dm.stream_recording)
    assert.truthy(disc.verify_note(dm):find("cannot be turned off", 1, true))
    assert.is_nil(disc.defect_management { profile = 0x1B })
  end)

  it("matches media patterns against the ID, the tool's form, and a CD's maker", function()
    local snap = { media_id = { manufacturer = "MKM", media_type = "003", revision = 0, text = "MKM-003-00",
      source = "ADIP" } }
    assert.is_true((disc.matches(snap, "MKM-003*")))
    assert.is_true((disc.matches(snap, "mkm/003")))
    assert.is_true((disc.matches(snap, "M?M-0*")))
    local ok, names = disc.matches(snap, "RITEK*")
    assert.is_false(ok)
    assert.are.same({ "MKM-003-00", "MKM/003", "MKM-003" }, names)
    assert.is_true((disc.matches({ atip = { manufacturer = "Taiyo Yuden Company Limited" } }, "taiyo*")))
    assert.is_false((disc.matches({}, "*")))
    assert.are.equal("^a%.b%%.*$", disc.pattern("A.B%*"))
  end)
end)

describe_core("cdperf.disc through the core", function()
  local cdperf = require "cdperf"
  local emulator = require "cdperf.emulator"
  local deepcopy = emulator.deepcopy

  -- An emulator behind a device that logs every CDB.
  local function logged(model)
    local emu = emulator.new(model)
    local log = {}
    local drive = assert(cdperf.open(function(cdb, dir, arg)
      log[#log + 1] = cdb
      return emu(cdb, dir, arg)
    end))
    return drive, log, emu
  end

  local function model(name, patch)
    local m = deepcopy(emulator.models[name])
    for k, v in pairs(patch or {}) do m[k] = v end
    return m
  end

  -- A blank CD-RW (High Speed 4x..10x, Ricoh) in the drive of Capture G: a model for the rating.
  local function cdrw()
    return model("lg_gsa4163b_cdr", { profile = 0x0A, atip = { disc_type = "CD-RW", sub_type = 1, a1_valid = true,
      lowest_speed = 4, highest_speed = 10, lead_in = { minute = 97, second = 27, frame = 65 },
      lead_out = { minute = 79, second = 59, frame = 72 } } })
  end

  -- The value of a capture's "Media ID:" line, or nil.
  local function capture_media_id(letter)
    local section = assert(h.capture_section(letter))
    return section:match("Media ID:%s+([^\n]-)%s*\n")
  end

  describe("the readers send one command each, with these CDBs", function()
    it("features: GET CONFIGURATION RT 00b, 4096 bytes", function()
      local drive, log = logged(emulator.models.lg_wh16ns40_bdr)
      local f = assert(drive:features())
      assert.are.equal("46 00 00 00 00 00 00 10 00 00", h.hex(log[1]))
      assert.are.equal(1, #log)
      assert.are.equal(0x41, f.current_profile)
      assert.are.same({ 0x43, 0x42, 0x41, 0x40, 0x2B, 0x1B, 0x1A, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A,
        0x09, 0x08 }, f.profiles)
      for _, code in ipairs { 0x0107, 0x0038, 0x0024, 0x0023, 0x0040, 0x0041, 0x002B, 0x002F, 0x0028 } do
        assert.is_table(f[code], fmt("%04Xh", code))
      end
      assert.is_true(f[0x0107].current and f[0x0107].write_speed_descriptors)
      assert.is_false(f[0x0038].current)                 -- blank: "BD-R SRM"
      assert.is_true(f[0x0023].current)
    end)

    it("media_id: READ DVD STRUCTURE 11h / 0Eh / BD 00h, allocations as dvd+rw-mediainfo asks", function()
      for _, c in ipairs {
        { "optiarc_ad7590s_dvdpr_dl", "AD 00 00 00 00 00 00 11 01 04 00 00" },
        { "lg_gsa4083n_dvdrw", "AD 00 00 00 00 00 00 0E 00 2C 00 00" },
        { "lg_wh16ns40_bdr", "AD 01 00 00 00 00 00 00 00 80 00 00" },
      } do
        local drive, log = logged(emulator.models[c[1]])
        assert.is_table(drive:media_id(drive:profile().code))
        assert.are.equal(c[2], h.hex(log[2]))
        assert.are.equal(2, #log)
      end
    end)

    it("media_id without a profile asks for it; atip: READ TOC/PMA/ATIP format 0100b", function()
      local drive, log = logged(emulator.models.samsung_sh224db_dvdpr)
      assert.are.equal("RITEK-F16-00", assert(drive:media_id()).text)
      assert.are.same({ 0x46, 0xAD }, { log[1]:byte(1), log[2]:byte(1) })
      drive, log = logged(cdrw())
      local a = assert(drive:atip())
      assert.are.equal("43 02 04 00 00 00 00 00 20 00", h.hex(log[1]))
      assert.are.same({ "CD-RW", 4, 10, "Ricoh Company Limited" }, { a.disc_type, a.lowest_speed, a.highest_speed,
        a.manufacturer })
    end)

    it("reads a long feature list in full: asked again for all of it", function()
      local list = { { 0, 3, "\0\27\1\0" } }
      for code = 0x0200, 0x0200 + 600 do list[#list + 1] = { code, 0, "\0\0\0\0" } end
      local bytes = features(0x1B, list)
      local calls = {}
      local drive = assert(cdperf.open(function(cdb, _, alloc)
        calls[#calls + 1] = cdb
        return bytes:sub(1, alloc)
      end))
      local f = assert(drive:features())
      assert.are.equal(602, #f.codes)
      assert.are.equal(2, #calls)
      assert.are.equal(#bytes, unpack(">I2", calls[2], 8))
      assert.is_false(f.truncated)
    end)

    it("names the command and the structure in failures", function()
      local drive = logged(model("optiarc_ad7590s_dvdpr_dl", { quirks = { dvd_structure_refused = { 0x11 } } }))
      local r, msg, info = drive:media_id(0x2B)
      assert.is_nil(r)
      assert.are.equal("READ DVD STRUCTURE (ADIP, format 11h): ILLEGAL REQUEST, INVALID FIELD IN CDB", msg)
      assert.are.same({ "scsi", "READ DVD STRUCTURE", 0x24 }, { info.kind, info.command, info.asc })
      r, msg, info = drive:media_id(0x09)
      assert.is_nil(r)
      assert.are.equal("the medium (profile 0009h) carries no media ID cdperf reads", msg)
      assert.are.equal("medium", info.kind)
      drive = logged(emulator.models.lg_gsa4163b_cdr)
      r, msg, info = drive:atip()
      assert.is_nil(r)
      assert.are.equal("READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, INVALID FIELD IN CDB", msg)
      assert.are.equal("READ TOC/PMA/ATIP", info.command)
      assert.has_error(function() drive:media_id("DVD+R") end)
    end)

    it("a drive without the raw pass-through says so", function()
      local r, msg, info = disc.features({})
      assert.is_nil(r)
      assert.are.equal("the drive has no raw pass-through (drive:command)", msg)
      assert.are.equal("unsupported", info.kind)
    end)
  end)

  describe("the emulator", function()
    local function emu_of(name, patch) return emulator.new(model(name, patch)) end
    local function rds(media_type, format, alloc)
      return pack(">BBI4BBI2BB", 0xAD, media_type, 0, 0, format, alloc or 260, 0, 0)
    end
    local function sense_of(s) return { s:byte(3) & 0x0F, s:byte(13), s:byte(14) } end

    it("READ DVD STRUCTURE: the list (FFh), the wrong media type, no medium, other formats", function()
      local emu = emu_of("optiarc_ad7590s_dvdpr_dl")
      assert.are.equal("00 06 00 00 11 40 01 02", h.hex(emu(rds(0, 0xFF), "in", 260)))
      assert.are.same({ 5, 0x30, 0x02 }, sense_of(select(2, emu(rds(1, 0), "in", 128))))
      assert.are.same({ 5, 0x24, 0 }, sense_of(select(2, emu(rds(0, 0x0E), "in", 44))))
      assert.are.equal(8, #emu(rds(0, 0x11, 8), "in", 260))       -- cut to the CDB's allocation
      emu:eject()
      emu:clear_log()
      assert.are.same({ 6, 0x28, 0 }, sense_of(select(2, emu(rds(0, 0x11), "in", 260))))
      assert.are.same({ 2, 0x3A, 0 }, sense_of(select(2, emu(rds(0, 0x11), "in", 260))))
    end)

    it("a disc without a media ID in its model answers empty ID fields", function()
      local emu = emu_of("optiarc_ad7590s_dvdpr_dl", { media_id = false })
      local m = assert(disc.decode_adip((emu(rds(0, 0x11), "in", 260))))
      assert.is_true(m.empty)
    end)

    it("dvd_structure_refused = true refuses every format; the list is then empty", function()
      local emu = emu_of("lg_wh16ns40_bdr", { quirks = { dvd_structure_refused = true } })
      assert.are.same({ 5, 0x24, 0 }, sense_of(select(2, emu(rds(1, 0), "in", 128))))
      assert.are.same({ 5, 0x24, 0 }, sense_of(select(2, emu(rds(1, 0xFF), "in", 128))))
    end)

    it("features_truncated: the header counts every feature, the answer stops after Core", function()
      local emu = emu_of("lg_wh16ns40_bdr", { quirks = { features_truncated = true } })
      local bytes = emu(pack(">BBI2BBBI2B", 0x46, 0, 0, 0, 0, 0, 4096, 0), "in", 4096)
      local f = assert(disc.decode_features(bytes))
      assert.is_true(f.truncated)
      assert.are.same({ 0, 1 }, f.codes)
      assert.are.equal(0x41, f.current_profile)
      emu = emu_of("lg_wh16ns40_bdr", { quirks = { features_truncated = 20 } })
      assert.are.equal(20, #emu(pack(">BBI2BBBI2B", 0x46, 0, 0, 0, 0, 0, 4096, 0), "in", 4096))
    end)

    it("GET CONFIGURATION RT 01b sends only current features, RT 10b only the one asked", function()
      local emu = emu_of("lg_wh16ns40_bdr_written")
      local f = assert(disc.decode_features((emu(pack(">BBI2BBBI2B", 0x46, 1, 0, 0, 0, 0, 4096, 0), "in", 4096))))
      for _, code in ipairs(f.codes) do assert.is_true(f[code].current, fmt("%04Xh", code)) end
      assert.is_table(f[0x0038])
      assert.is_table(f[0x0024])
      f = assert(disc.decode_features((emu(pack(">BBI2BBBI2B", 0x46, 2, 0x0107, 0, 0, 0, 4096, 0), "in", 4096))))
      assert.are.same({ 0x0107 }, f.codes)
    end)

    it("READ TOC/PMA/ATIP: ATIP only, from the model, CD media only", function()
      local emu = emulator.new(cdrw())
      local d = emu(pack(">BBBBBBBI2B", 0x43, 2, 4, 0, 0, 0, 0, 32, 0), "in", 32)
      assert.are.equal(28, #d)
      assert.are.same({ 5, 0x24, 0 }, sense_of(select(2, emu(pack(">BBBBBBBI2B", 0x43, 2, 0, 0, 0, 0, 0, 32, 0),
        "in", 32))))
      emu:load(0x1B, 2295104)
      emu:clear_log()
      emu(pack(">BBBBBBBI2B", 0x43, 2, 4, 0, 0, 0, 0, 32, 0), "in", 32)   -- the unit attention
      assert.are.same({ 5, 0x24, 0 }, sense_of(select(2, emu(pack(">BBBBBBBI2B", 0x43, 2, 4, 0, 0, 0, 0, 32, 0),
        "in", 32))))
    end)
  end)

  describe("the built-in models", function()
    local models = {}
    for _, name in ipairs(emulator.model_names()) do
      local m = emulator.models[name]
      local letter = type(m.source) == "string" and m.source:match("^Capture (%u):")
      if letter then models[#models + 1] = { name = name, letter = letter } end
    end

    for _, c in ipairs(models) do
      it(c.name .. ": the media ID its capture shows, as dvd+rw-mediainfo prints it", function()
        local want = capture_media_id(c.letter)
        local m = emulator.models[c.name]
        local snap = cdperf.snapshot(assert(cdperf.open("emulated:" .. c.name)))
        if want and m.profile ~= 0 then
          assert.is_table(snap.media_id, c.name)
          assert.are.equal(want, disc.mediainfo_text(snap.media_id))
          local lines = cdperf.format.mediainfo_report(snap)
          assert.are.equal(" Media ID:              " .. want, lines[4])
          -- and the report shows it
          local text = table.concat(require("cdperf.report").text((require("cdperf.report").build(snap))), "\n")
          assert.truthy(text:find("\n  Media ID: " .. snap.media_id.text, 1, true), c.name)
        else
          assert.is_nil(snap.media_id, c.name)
          assert.is_nil(snap.errors.media_id, c.name)
        end
        if m.profile ~= 0 then assert.is_table(snap.features, c.name) end
      end)
    end

    it("Capture I written is BD-R SRM+POW with defect management; blank is BD-R SRM without", function()
      local report = require "cdperf.report"
      local snap = cdperf.snapshot(assert(cdperf.open("emulated:lg_wh16ns40_bdr_written")))
      assert.are.equal(" Mounted Media:         41h, BD-R SRM+POW", cdperf.format.mediainfo_report(snap)[3])
      local r = report.build(snap)
      assert.is_true(r.pseudo_overwrite)
      assert.is_true(r.defect_management.active)
      local text = table.concat(report.text(r), "\n")
      assert.truthy(text:find("Medium:  BD-R SRM+POW (profile 41h)", 1, true))
      assert.truthy(text:find("verify after write", 1, true))
      snap = cdperf.snapshot(assert(cdperf.open("emulated:lg_wh16ns40_bdr")))
      assert.are.equal(" Mounted Media:         41h, BD-R SRM", cdperf.format.mediainfo_report(snap)[3])
      assert.is_nil(report.build(snap).defect_management)
    end)

    it("the empty drive still lists its profiles and features", function()
      local snap = cdperf.snapshot(assert(cdperf.open("emulated:lg_wh16ns40_empty")))
      assert.are.equal(0, snap.features.current_profile)
      assert.are.equal(17, #snap.features.profiles)
      assert.is_false(snap.features[0x0107].current)
      assert.is_nil(snap.media_id)
    end)

    it("the drive without GET PERFORMANCE has no Real Time Streaming feature", function()
      local snap = cdperf.snapshot(assert(cdperf.open("emulated:lg_gsa4120b_no_getperf")))
      assert.is_nil(snap.features[0x0107])
      assert.is_table(snap.features[0x002D])
    end)
  end)

  describe("the snapshot", function()
    it("reads features, the media ID and the ATIP once each, only where the medium has them", function()
      -- one GET CONFIGURATION: the feature list's header gives the current profile too
      for _, c in ipairs {
        { emulator.models.optiarc_ad7590s_dvdpr_dl, { 0x12, 0x46, 0x5A, 0xAC, 0xAC, 0xAC, 0xAD } },
        { emulator.models.samsung_shs182m_dvdram, { 0x12, 0x46, 0x5A, 0xAC, 0xAC, 0xAC } },
        { cdrw(), { 0x12, 0x46, 0x5A, 0xAC, 0xAC, 0xAC, 0x43 } },
        { emulator.models.lg_wh16ns40_empty, { 0x12, 0x46, 0x5A } },
      } do
        local drive, log = logged(c[1])
        local snap = cdperf.snapshot(drive)
        local ops = {}
        for i, cdb in ipairs(log) do ops[i] = cdb:byte(1) end
        assert.are.same(c[2], ops)
        assert.are.equal(#log, snap.commands)
        assert.are.same({}, snap.errors)
      end
    end)

    it("leaves the disc out with disc = false, and reads only the parts asked for", function()
      local drive, log = logged(emulator.models.optiarc_ad7590s_dvdpr_dl)
      local snap = cdperf.snapshot(drive, { disc = false })
      assert.are.equal(6, #log)
      assert.is_nil(snap.features)
      assert.is_nil(snap.media_id)
      drive, log = logged(emulator.models.optiarc_ad7590s_dvdpr_dl)
      snap = cdperf.snapshot(drive, { parts = { "profile", "media_id" } })
      assert.are.equal(2, #log)
      assert.are.equal("MKM-003-00", snap.media_id.text)
      assert.has_error(function() cdperf.snapshot(drive, { disc = 1 }) end,
        "bad field 'disc' (expected a boolean, got number)")
    end)

    it("puts a refused structure in errors, and answers with it as a model", function()
      local m = deepcopy(emulator.models.samsung_sh224db_dvdpr)
      m.quirks = { dvd_structure_refused = true }
      local snap = cdperf.snapshot((logged(m)))
      assert.is_nil(snap.media_id)
      assert.are.equal("READ DVD STRUCTURE (ADIP, format 11h): ILLEGAL REQUEST, INVALID FIELD IN CDB",
        snap.errors.media_id.message)
      local again = cdperf.snapshot(assert(cdperf.open(emulator.new(snap))))
      assert.are.equal(snap.errors.media_id.message, again.errors.media_id.message)
    end)

    it("is a model: features, media ID and ATIP come back out", function()
      for _, m in ipairs { emulator.models.lg_wh16ns40_bdr_written, emulator.models.lg_gsa4083n_dvdrw, cdrw() } do
        local snap = cdperf.snapshot((logged(m)))
        local again = cdperf.snapshot(assert(cdperf.open(emulator.new(snap))))
        assert.are.same(snap.features, again.features)
        assert.are.same(snap.media_id, again.media_id)
        assert.are.same(snap.atip, again.atip)
      end
    end)

    it("reads the media ID again when the medium changed between commands", function()
      local emu = emulator.new(emulator.models.samsung_sh224db_dvdpr)
      local n = 0
      local drive = assert(cdperf.open(function(cdb, dir, arg)
        n = n + 1
        if n == 4 then
          emu:load(0x41, 12219392)
          emu.model.media_id = { manufacturer = "VERBAT", media_type = "IMe", source = "DI" }
        end
        return emu(cdb, dir, arg)
      end))
      local snap = cdperf.snapshot(drive)
      assert.are.equal(0x41, snap.profile.code)
      assert.are.equal("DI", snap.media_id.source)
      assert.are.equal(0x41, snap.features.current_profile)
    end)
  end)

  describe("speeds and policies", function()
    local speeds = require "cdperf.speeds"

    it("marks the speeds above a CD-RW's rating, and says so", function()
      local list = assert(speeds.list(cdperf.snapshot((logged(cdrw())))))
      assert.are.equal(10, list.rating)
      assert.are.equal("ATIP of the CD-RW (High Speed): 4x..10x", list.rating_source)
      local above = {}
      for _, e in ipairs(list) do above[#above + 1] = e.above_rating and e.write or nil end
      assert.are.same({ 7056, 5645, 4234, 2822 }, above)
      assert.are.equal("4 speed(s) above the disc's rating of 10x (ATIP of the CD-RW (High Speed): 4x..10x): "
        .. "40x CD (7056 kB/s), 32x CD (5645 kB/s), 24x CD (4234 kB/s), 16x CD (2822 kB/s)", list.notes[#list.notes])
    end)

    it("disc-rating picks no faster than the rating; a disc without one leaves every speed", function()
      local list = assert(speeds.list(cdperf.snapshot((logged(cdrw())))))
      local e, why = speeds.pick(list, "disc-rating,max")
      assert.are.equal(1411, e.write)
      assert.truthy(why:find("no faster than the disc's rating of 10x", 1, true))
      assert.are.equal(1411, (speeds.pick(list, { disc_rating = true })).write)
      list = assert(speeds.list(cdperf.snapshot((logged(emulator.models.lg_gsa4163b_cdr)))))
      e, why = speeds.pick(list, "disc-rating")
      assert.are.equal(7056, e.write)
      assert.truthy(why:find("the disc states no rating", 1, true))
    end)

    it("media=PATTERN: by brand, with a fallback", function()
      local list = assert(speeds.list(cdperf.snapshot((logged(emulator.models.optiarc_ad7590s_dvdpr_dl)))))
      local e, why = speeds.pick(list, "media=MKM-003*,at-most=4|max")
      assert.are.equal(5540, e.write)
      assert.truthy(why:find("media MKM-003-00 matches MKM-003*", 1, true))
      e, why = speeds.pick(list, "media=RITEK*,at-most=4|max")
      assert.are.equal(8310, e.write)
      assert.truthy(why:find("media MKM-003-00 / MKM/003 / MKM-003 does not match RITEK*", 1, true))
      assert.are.equal(5540, (speeds.pick(list, { { media = "mkm/00?" }, { at_most = 4 } })).write)
      assert.are.equal(5540, (speeds.pick(list, "MEDIA=Mkm*,at-most=4")).write)
    end)

    it("refuses a media pattern that is none", function()
      local list = { class = "dvd", { write = 5540, x = 4, nominal = 4 } }
      assert.has_error(function() speeds.pick(list, { media = "" }) end)
      assert.has_error(function() speeds.pick(list, { media = 3 }) end)
      assert.has_error(function() speeds.pick(list, "media") end)
      assert.has_error(function() speeds.pick(list, { disc_rating = "yes" }) end)
      assert.truthy(require("cdperf.policy").usage():find("media=PATTERN|disc-rating", 1, true))
    end)

    it("counts the verify pass under defect management, and says why and how to avoid it", function()
      local snap = cdperf.snapshot((logged(emulator.models.samsung_shs182m_dvdram)))
      local list = assert(speeds.list(snap))
      local secs, detail = assert(speeds.estimate(snap, 1e9, list[1]))
      local sectors = math.ceil(1e9 / 2048)
      -- the data twice (write, then verify), and the burn's overheads once
      assert.is_near(2 * sectors * 2048 / 4155000, detail.data_seconds + detail.verify_seconds, 1e-6)
      assert.is_near(detail.data_seconds + detail.verify_seconds + detail.overhead_seconds, secs, 1e-6)
      assert.is_true(detail.verify)
      assert.are.equal("verify after write (defect management): DVD-RAM: the drive checks every block it writes, "
        .. "so the time counts a second pass over every sector; stream recording skips it (xorriso "
        .. "-stream_recording on, cdrskin stream_recording=on; for BD, formatting without spare areas too)",
        detail.notes[#detail.notes])
      -- the same disc as a DVD+R: one pass
      snap.profile, snap.features = { code = 0x1B, name = "DVD+R", class = "dvd" }, nil
      local one, d1 = assert(speeds.estimate(snap, 1e9, list[1]))
      assert.is_near(secs - detail.verify_seconds, one, 1e-6)
      assert.is_nil(d1.verify)
    end)
  end)

  describe("the report", function()
    local report = require "cdperf.report"
    local function text_of(m)
      return table.concat(report.text(report.build(cdperf.snapshot((logged(m)))), { no_plot = true }), "\n")
    end

    it("DVD-RAM: Z-CLV, defect management and verify after write", function()
      local text = text_of(emulator.models.samsung_shs182m_dvdram)
      assert.truthy(text:find("\n    3x DVD (4155 kB/s)         Z-CLV, GET PERFORMANCE", 1, true))
      assert.truthy(text:find("\n  Defect management: on, verify after write (DVD-RAM: the drive checks every block "
        .. "it writes; stream recording skips it)", 1, true))
      assert.truthy(text:find("note: verify after write", 1, true))
    end)

    it("the ATIP line, speeds above the rating, and an ATIP not read", function()
      local text = text_of(cdrw())
      assert.truthy(text:find("\n  ATIP:    CD-RW (High Speed), Ricoh Company Limited (lead-in 97:27/65), "
        .. "rated 4x..10x, 359847 sectors\n", 1, true))
      assert.truthy(text:find("40x CD (7056 kB/s)         CLV, above the disc's rating, GET PERFORMANCE", 1, true))
      text = text_of(emulator.models.lg_gsa4163b_cdr)
      assert.truthy(text:find("\n  ATIP:    not read (READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, INVALID FIELD IN CDB)",
        1, true))
    end)

    it("an empty media ID, and JSON-ready data", function()
      local m = deepcopy(emulator.models.samsung_sh224db_dvdpr)
      m.media_id = nil
      local r = report.build(cdperf.snapshot((logged(m))))
      local text = table.concat(report.text(r), "\n")
      assert.truthy(text:find("\n  Media ID: none (the disc's ADIP holds no manufacturer ID)", 1, true))
      local json = require "dkjson"
      local doc = json.decode(cdperf.format.json(cdperf.format.plain { drives = { r } }))
      assert.is_true(doc.drives[1].media_id.empty)
      assert.truthy(table.concat(doc.drives[1].features.current, ","):find("0107h Real Time Streaming", 1, true))
    end)

    it("bin/cdperf: the default report sends each CDB once for every built-in model", function()
      for _, name in ipairs(emulator.model_names()) do
        local p = assert(io.popen("CDPERF_TRACE=1 lua5.4 bin/cdperf -e " .. name .. " --no-plot 2>&1 >/dev/null"))
        local err = p:read("a")
        p:close()
        local seen, n = {}, 0
        for cdb in err:gmatch("CDB ([%x ]+)\n") do
          assert(not seen[cdb], name .. ": sent twice: " .. cdb)
          seen[cdb], n = true, n + 1
        end
        assert.is_true(n >= 3, name)
      end
    end)
  end)
end)

-- tgt (Debian package tgt) through libiscsi: its GET CONFIGURATION carries Real Time
-- Streaming (0107h, version 3, every flag) and the blank DVD+R LUN answers ADIP with 256
-- zero bytes, so dvd+rw-mediainfo's " Media ID:" line on it is a lone slash.  Its own rig on
-- 127.0.0.1:3268, control port 19 (tgt_spec uses 3262/7).
local PORT, CONTROL_PORT = "3268", "19"
local IQN = "iqn.2026-11.org.cdperf:disc"

local function tgt_skip_reason()
  if not os.execute("command -v tgtd >/dev/null 2>&1 || test -x /usr/sbin/tgtd") then
    return "tgtd is not installed (Debian package tgt)"
  end
  local ok, cdperf = pcall(require, "cdperf")
  if not ok then return "cdperf does not load" end
  if not cdperf.core.have_iscsi then return "cdperf was built without libiscsi" end
  return nil
end

describe("cdperf.disc on tgt #tgt", function()
  local reason = tgt_skip_reason()
  if reason then
    pending("tgt specs skipped: " .. reason)
    return
  end
  local cdperf = require "cdperf"
  local dir
  local env = "TGT_PORT=" .. PORT .. " TGT_CONTROL_PORT=" .. CONTROL_PORT .. " TGT_IQN=" .. IQN .. " "

  setup(function()
    local p = assert(io.popen("mktemp -d /tmp/cdperf-disc-tgt.XXXXXX"))
    dir = p:read("l")
    p:close()
    local ok = os.execute(env .. "test/rig/tgt-start.sh '" .. dir .. "' >/dev/null 2>&1")
    assert(ok, "test/rig/tgt-start.sh failed")
  end)

  teardown(function()
    collectgarbage()
    if dir then
      os.execute(env .. "test/rig/tgt-stop.sh '" .. dir .. "' >/dev/null 2>&1")
      os.execute("rm -rf '" .. dir .. "'")
    end
  end)

  local function open(lun)
    return assert(cdperf.open("iscsi://127.0.0.1:" .. PORT .. "/" .. IQN .. "/" .. lun, { timeout_ms = 10000 }))
  end

  it("GET CONFIGURATION: DVD-ROM and DVD+R profiles, Real Time Streaming current on the DVD-ROM", function()
    local d = open(1)
    local f = assert(d:features())
    assert.are.equal(0x10, f.current_profile)
    assert.are.same({ 0x10, 0x1B }, f.profiles)
    assert.are.same({ 0x10 }, f.current_profiles)
    assert.are.same({ 0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001D, 0x001F, 0x002B, 0x0100, 0x0105, 0x0107,
      0x0108, 0x010A }, f.codes)
    local rts = f[0x0107]
    assert.are.same({ 3, true, "1f000000" }, { rts.version, rts.current, rts.data })
    assert.is_true(rts.stream_writing and rts.write_speed_descriptors and rts.mode_page_2a_write_speeds
      and rts.set_cd_speed and rts.read_buffer_capacity_block)
    assert.is_false(f.truncated)               -- tgt pads to 4096 bytes; the header counts the list
    assert.is_false(f[0x002B].current)
    d:close()
  end)

  it("the blank DVD+R: 002Bh current, an ADIP of zeros, dvd+rw-mediainfo's line a lone slash", function()
    local d = open(2)
    local f = assert(d:features())
    assert.are.equal(0x1B, f.current_profile)
    assert.is_true(f[0x002B].current and f[0x002B].write)
    assert.is_false(f[0x0107].current)
    local m = assert(d:media_id(0x1B))
    assert.are.same({ "", "", true, "ADIP" }, { m.manufacturer, m.text, m.empty, m.source })
    local snap = cdperf.snapshot(d)
    assert.is_nil(snap.errors.media_id)
    local lines = cdperf.format.mediainfo_report(snap)
    assert.are.equal(" Mounted Media:         1Bh, DVD+R", lines[3])
    assert.are.equal(" Media ID:              /", lines[4])
    d:close()
  end)

  it("has no ATIP: NOT READY, INVALID FIELD IN CDB (tgt's answer to an unknown format)", function()
    local d = open(1)
    local r, msg, info = d:atip()
    assert.is_nil(r)
    assert.are.equal("READ TOC/PMA/ATIP (ATIP): NOT READY, INVALID FIELD IN CDB", msg)
    assert.are.same({ 2, 0x24 }, { info.sense_key, info.asc })
    d:close()
  end)
end)
