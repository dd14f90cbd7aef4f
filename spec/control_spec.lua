-- cdperf.core drive context and control: the exact CDBs and parameter lists of INQUIRY,
-- GET CONFIGURATION, MODE SENSE(10) 2Ah, TEST UNIT READY, REQUEST SENSE, SET CD SPEED and
-- SET STREAMING; decoding their replies byte for byte (malformed ones included); sense data
-- and texts; field validation; the read-only Linux handle. DESIGN.md sections 2, 4 and 6.
local core = require "cdperf.core"
local emulator = require "cdperf.emulator"
local h = require "spec.helpers"

local unhex, hex = h.unhex, h.hex

-- A recording device: replies[opcode] is data, or a function(cdb, direction, arg); other
-- opcodes get ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
local function device(replies)
  replies = replies or {}
  return h.recording_device(function(cdb, direction, arg)
    local r = replies[cdb:byte(1)]
    if type(r) == "function" then return r(cdb, direction, arg) end
    if r ~= nil then return r end
    return nil, h.fixed_sense(5, 0x20, 0)
  end)
end

-- A device that answers every command with CHECK CONDITION and these sense bytes.
local function failing(sense)
  return h.recording_device(function() return nil, sense end)
end

local function open(dev) return assert(core.open(dev)) end

-- 18-byte fixed-format sense with the VALID bit and an INFORMATION field, or deferred.
local function fixed_sense_info(code, key, asc, ascq, information)
  return string.pack(">BBBI4BI4BBBBBB", code, 0, key, information, 10, 0, asc, ascq, 0, 0, 0, 0)
end

-- A mode parameter header (MODE SENSE(10)) + block descriptors + page, as a drive sends it.
local function mode_data(page, bd, mode_data_length)
  bd = bd or ""
  local mdl = mode_data_length or (6 + #bd + #page)
  return string.pack(">I2BBBBI2", mdl, 0, 0, 0, 0, #bd) .. bd .. page
end

-- Page 2Ah of Capture G (HL-DT-ST GSA-4163B, wodim -prcap): read 7056/7056, write
-- 7056/7056, CLV, buffer 2048 KB, six write speeds 7056 5645 4234 2822 1411 706 (CLV).
local PAGE_G = unhex [[
  2A 36 3F 37 F1 77 29 23  1B 90 01 00 08 00 1B 90
  00 00 1B 90 1B 90 00 01  00 00 00 00 1B 90 00 06
  00 00 1B 90 00 00 16 0D  00 00 10 8A 00 00 0B 06
  00 00 05 83 00 00 02 C2 ]]

-- Page 2Ah of Capture E (Optiarc AD-7590S, wodim -prcap): read 8310/8310, write 8310/8310,
-- three write speeds 8310 5540 3324 (CLV/PCAV).
local PAGE_E = unhex [[
  2A 2A 3F 37 F1 77 29 23  20 76 01 00 08 00 20 76
  00 00 20 76 20 76 00 01  00 00 00 00 20 76 00 03
  00 00 20 76 00 00 15 A4  00 00 0C FC ]]

local G_SPEEDS = {
  { speed = 7056, rotation_control = 0 }, { speed = 5645, rotation_control = 0 },
  { speed = 4234, rotation_control = 0 }, { speed = 2822, rotation_control = 0 },
  { speed = 1411, rotation_control = 0 }, { speed = 706, rotation_control = 0 },
}

describe("cdperf.core control CDBs", function()
  it("INQUIRY is 12 00 00 00 24 00, data in, 36 bytes", function()
    local dev = device { [0x12] = "\5\0\5\2\31\0\0\0" .. ("x"):rep(28) }
    assert(open(dev):inquiry())
    assert.are.equal(1, #dev.calls)
    assert.are.equal("12 00 00 00 24 00", hex(dev.calls[1].cdb))
    assert.are.equal("in", dev.calls[1].direction)
    assert.are.equal(36, dev.calls[1].arg)
  end)

  it("GET CONFIGURATION is 46 01 00 00 00 00 00 00 08 00 (RT 01b, the 8-byte header)", function()
    local dev = device { [0x46] = unhex "00 00 00 04 00 00 00 1B" }
    assert(open(dev):profile())
    assert.are.equal("46 01 00 00 00 00 00 00 08 00", hex(dev.calls[1].cdb))
    assert.are.equal("in", dev.calls[1].direction)
    assert.are.equal(8, dev.calls[1].arg)
  end)

  it("MODE SENSE(10) is 5A 08 2A 00 00 00 00 02 00 00 (DBD, page 2Ah current, 512 bytes)", function()
    local dev = device { [0x5A] = mode_data(PAGE_G) }
    assert(open(dev):capabilities())
    assert.are.equal("5A 08 2A 00 00 00 00 02 00 00", hex(dev.calls[1].cdb))
    assert.are.equal("in", dev.calls[1].direction)
    assert.are.equal(512, dev.calls[1].arg)
  end)

  it("TEST UNIT READY is 00 00 00 00 00 00, no data, and returns true", function()
    local dev = device { [0x00] = true }
    assert.is_true(open(dev):test_unit_ready())
    assert.are.equal("00 00 00 00 00 00", hex(dev.calls[1].cdb))
    assert.are.equal("none", dev.calls[1].direction)
    assert.is_nil(dev.calls[1].arg)
  end)

  it("REQUEST SENSE is 03 00 00 00 12 00, data in, 18 bytes, and decodes the answer", function()
    local dev = device { [0x03] = h.fixed_sense(6, 0x28, 0x00) }
    local s = assert(open(dev):request_sense())
    assert.are.equal("03 00 00 00 12 00", hex(dev.calls[1].cdb))
    assert.are.equal("in", dev.calls[1].direction)
    assert.are.equal(18, dev.calls[1].arg)
    assert.are.same({ response_code = 0x70, descriptor_format = false, deferred = false, sense_key = 6,
      asc = 0x28, ascq = 0, sense = "UNIT ATTENTION",
      text = "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED" }, s)
  end)

  describe("SET CD SPEED", function()
    local cases = {
      { {}, "BB 00 FF FF FF FF 00 00 00 00 00 00" },
      { { read = "max", write = "max" }, "BB 00 FF FF FF FF 00 00 00 00 00 00" },
      { { read = 11080, write = 5540 }, "BB 00 2B 48 15 A4 00 00 00 00 00 00" },
      { { write = 8467, rotation = "cav" }, "BB 01 FF FF 21 13 00 00 00 00 00 00" },
      { { read = 7056, rotation = "clv" }, "BB 00 1B 90 FF FF 00 00 00 00 00 00" },
      { { read = 0, write = 65535 }, "BB 00 00 00 FF FF 00 00 00 00 00 00" },
      { { read = 1, write = 0xFFFE, rotation = 1 }, "BB 01 00 01 FF FE 00 00 00 00 00 00" },
      { { write = 53952, rotation = 0 }, "BB 00 FF FF D2 C0 00 00 00 00 00 00" },
      -- the reserved values of the 2-bit rotation field pass through as integers
      { { rotation = 2 }, "BB 02 FF FF FF FF 00 00 00 00 00 00" },
      { { rotation = 3, read = "max", write = 706 }, "BB 03 FF FF 02 C2 00 00 00 00 00 00" },
    }
    for i, case in ipairs(cases) do
      it(("case %d builds %s, no data"):format(i, case[2]), function()
        local dev = device { [0xBB] = true }
        assert.is_true(open(dev):set_speed(case[1]))
        assert.are.equal(1, #dev.calls)
        assert.are.equal(case[2], hex(dev.calls[1].cdb))
        assert.are.equal("none", dev.calls[1].direction)
        assert.is_nil(dev.calls[1].arg)
      end)
    end
  end)

  describe("SET STREAMING", function()
    local CDB = "B6 00 00 00 00 00 00 00 00 00 1C 00"
    local cases = {
      -- peers' way: times of 1000 ms, so sizes are kB/s; read_time and write_time default 1000
      { { end_lba = 2295103, write_size = 11080 },
        "00 00 00 00 00 00 00 00 00 23 05 3F 00 00 00 00 00 00 03 E8 00 00 2B 48 00 00 03 E8" },
      { { start_lba = 0, end_lba = 12219391, read_size = 26976, read_time = 1000, write_size = 53952,
          write_time = 1000, rotation = "cav" },
        "08 00 00 00 00 00 00 00 00 BA 73 FF 00 00 69 60 00 00 03 E8 00 00 D2 C0 00 00 03 E8" },
      -- every field at its offset: StartLba@4 EndLba@8 ReadSize@12 ReadTime@16 WriteSize@20 WriteTime@24
      { { start_lba = 0x01020304, end_lba = 0x05060708, read_size = 0x090A0B0C, read_time = 0x0D0E0F10,
          write_size = 0x11121314, write_time = 0x15161718 },
        "00 00 00 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18" },
      { { start_lba = 0xFFFFFFFF, end_lba = 0xFFFFFFFF, read_size = 0xFFFFFFFF, read_time = 0,
          write_size = 0xFFFFFFFF, write_time = 0 },
        "00 00 00 00 FF FF FF FF FF FF FF FF FF FF FF FF 00 00 00 00 FF FF FF FF 00 00 00 00" },
      -- byte 0: RA 0x01, Exact 0x02, RDD 0x04, WRC bits 3-4
      { { end_lba = 1, random_access = true },
        "01 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 1, exact = true },
        "02 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { restore_defaults = true },
        "04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 1, rotation = 1 },
        "08 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 1, rotation = 2 },
        "10 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 1, rotation = 3 },
        "18 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 1, rotation = "clv", exact = false, random_access = false, restore_defaults = false },
        "00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      { { end_lba = 4173823, random_access = true, exact = true, restore_defaults = true, rotation = 3 },
        "1F 00 00 00 00 00 00 00 00 3F AF FF 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
      -- Persistent exists only in the Windows structure: no bit for it on the wire
      { { end_lba = 1, persistent = true },
        "00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 03 E8 00 00 00 00 00 00 03 E8" },
    }
    for i, case in ipairs(cases) do
      it(("case %d sends B6 ... 00 1C and %s"):format(i, case[2]:sub(1, 11)), function()
        local dev = device { [0xB6] = true }
        assert.is_true(open(dev):set_streaming(case[1]))
        assert.are.equal(1, #dev.calls)
        assert.are.equal(CDB, hex(dev.calls[1].cdb))
        assert.are.equal("out", dev.calls[1].direction)
        assert.are.equal(28, #dev.calls[1].arg)
        assert.are.equal(case[2], hex(dev.calls[1].arg))
      end)
    end
  end)
end)

describe("cdperf.core INQUIRY decoding", function()
  local function inquiry(bytes)
    local dev = device { [0x12] = bytes }
    return open(dev):inquiry()
  end

  it("decodes the 36 standard bytes and drops the padding", function()
    local q = assert(inquiry(unhex [[
      05 80 05 32 1F 00 00 00  5F 4E 45 43 20 20 20 20
      44 56 44 5F 52 57 20 4E  44 2D 33 35 34 30 41 20
      31 2E 30 34 ]]))
    assert.are.same({ peripheral_type = 5, peripheral_qualifier = 0, vendor = "_NEC",
      product = "DVD_RW ND-3540A", revision = "1.04" }, q)
  end)

  it("keeps inner spaces, takes type and qualifier from byte 0", function()
    local q = assert(inquiry("\x25\0\0\0\31\0\0\0" .. "HL-DT-ST" .. "BD-RE  WH16NS40 " .. "1.00"))
    assert.are.same({ peripheral_type = 5, peripheral_qualifier = 1, vendor = "HL-DT-ST",
      product = "BD-RE  WH16NS40", revision = "1.00" }, q)
  end)

  it("a short 5-byte answer gives the type and empty strings", function()
    local q = assert(inquiry(unhex "05 80 00 00 00"))
    assert.are.same({ peripheral_type = 5, peripheral_qualifier = 0, vendor = "", product = "",
      revision = "" }, q)
    -- cut inside the vendor field: what came is kept
    local q2 = assert(inquiry(unhex "05 80 00 00 1F 00 00 00 4C 49 54 45"))
    assert.are.equal("LITE", q2.vendor)
    assert.are.equal("", q2.product)
  end)

  it("fewer than 5 bytes is an error, not an empty table", function()
    local r, msg, info = inquiry(unhex "05 80 00 00")
    assert.is_nil(r)
    assert.are.equal("INQUIRY: INQUIRY data too short (4 bytes)", msg)
    assert.are.same({ kind = "decode", command = "INQUIRY" }, info)
  end)

  it("replaces non-printable bytes with '?' and drops trailing NULs", function()
    local q = assert(inquiry("\5\0\0\0\31\0\0\0" .. "AB\0\1CD  " .. "X\x7F\xC3\xA9Y\t" .. ("\0"):rep(10)
      .. "1\0\0\0"))
    assert.are.equal("AB??CD", q.vendor)
    assert.are.equal("X???Y?", q.product)
    assert.are.equal("1", q.revision)
  end)

  it("core.decode_inquiry decodes offline with the same rules", function()
    assert.are.same({ peripheral_type = 5, peripheral_qualifier = 0, vendor = "ATAPI",
      product = "iHAS124 F", revision = "CL9P" },
      core.decode_inquiry("\5\0\0\0\31\0\0\0ATAPI   iHAS124 F       CL9P"))
    local r, msg = core.decode_inquiry("")
    assert.is_nil(r)
    assert.are.equal("decode_inquiry: INQUIRY data too short (0 bytes)", msg)
  end)
end)

describe("cdperf.core GET CONFIGURATION decoding", function()
  local function profile(bytes)
    return open(device { [0x46] = bytes }):profile()
  end

  it("reads the current profile from header bytes 6-7", function()
    assert.are.equal(0x1B, assert(profile(unhex "00 00 00 04 00 00 00 1B")).code)
    assert.are.equal(0x41, assert(profile(unhex "00 00 00 24 00 00 00 41")).code)
    assert.are.equal(0x0A, assert(profile(unhex "00 00 00 04 00 00 00 0A")).code)
    assert.are.equal(0xFFFF, assert(profile(unhex "00 00 00 04 00 00 FF FF")).code)
  end)

  it("profile 0 means no medium", function()
    assert.are.equal(0, assert(profile(unhex "00 00 00 04 00 00 00 00")).code)
  end)

  it("a header shorter than 8 bytes is nil, message, info", function()
    local r, msg, info = profile(unhex "00 00 00 04 00 00")
    assert.is_nil(r)
    assert.are.equal("GET CONFIGURATION: feature header too short (6 bytes)", msg)
    assert.are.same({ kind = "decode", command = "GET CONFIGURATION" }, info)
  end)
end)

describe("cdperf.core mode page 2Ah decoding", function()
  local function caps(bytes)
    return open(device { [0x5A] = bytes }):capabilities()
  end

  it("a full MMC-3 page with a write speed table (Capture G)", function()
    local c = assert(caps(mode_data(PAGE_G)))
    assert.are.same({
      max_read_speed = 7056, current_read_speed = 7056, max_write_speed = 7056,
      current_write_speed = 7056, current_write_speed_selected = 7056, rotation_control = 0,
      buffer_size_kb = 2048, page_length = 56, claimed_write_speeds = 6, truncated = false,
      copy_management_revision = 1,    -- bytes 22-23, as wodim -prcap prints it in Capture G
      write_speeds = G_SPEEDS,
    }, c)
  end)

  it("core.decode_capabilities gives the same for the same bytes (Capture E)", function()
    local c = assert(core.decode_capabilities(mode_data(PAGE_E)))
    assert.are.same({
      max_read_speed = 8310, current_read_speed = 8310, max_write_speed = 8310,
      current_write_speed = 8310, current_write_speed_selected = 8310, rotation_control = 0,
      buffer_size_kb = 2048, page_length = 44, claimed_write_speeds = 3, truncated = false,
      copy_management_revision = 1,
      write_speeds = { { speed = 8310, rotation_control = 0 }, { speed = 5540, rotation_control = 0 },
                       { speed = 3324, rotation_control = 0 } },
    }, c)
  end)

  it("keeps the old @20 field and the MMC-3 @28 field apart, with rotation @27 and per entry", function()
    -- Capture C/H style: @20 says 1411 (old), @28 says 8468 (selected), CAV selected,
    -- a pure-CAV entry 8467 then CLV 7056
    local page = unhex [[
      2A 26 3F 37 F1 77 29 23  21 14 01 00 08 00 21 14
      00 00 21 13 05 83 00 01  00 00 00 01 21 14 00 02
      00 01 21 13 00 00 1B 90 ]]
    local c = assert(caps(mode_data(page)))
    assert.are.equal(1411, c.current_write_speed)
    assert.are.equal(8468, c.current_write_speed_selected)
    assert.are.equal(1, c.rotation_control)
    assert.are.equal(8467, c.max_write_speed)
    assert.are.equal(8468, c.max_read_speed)
    assert.are.same({ { speed = 8467, rotation_control = 1 }, { speed = 7056, rotation_control = 0 } },
      c.write_speeds)
  end)

  it("takes only the low 2 bits of the rotation bytes", function()
    local page = PAGE_E:sub(1, 27) .. "\xFE" .. PAGE_E:sub(29, 33) .. "\xFF" .. PAGE_E:sub(35)
    local c = assert(caps(mode_data(page)))
    assert.are.equal(2, c.rotation_control)
    assert.are.same({ speed = 8310, rotation_control = 3 }, c.write_speeds[1])
  end)

  it("skips block descriptors sent despite DBD (block descriptor length 8)", function()
    local bd = unhex "00 3F AF FF 00 00 08 00"   -- density 0, 4173823 blocks, 2048 bytes
    local bytes = mode_data(PAGE_E, bd)
    assert.are.equal("00 3A 00 00 00 00 00 08", hex(bytes:sub(1, 8)))
    local c = assert(caps(bytes))
    assert.are.same(assert(core.decode_capabilities(mode_data(PAGE_E))), c)
  end)

  it("a block descriptor length that points past the data: too short", function()
    local bytes = string.pack(">I2BBBBI2", 0x3E, 0, 0, 0, 0, 0x100) .. PAGE_E
    local r, msg, info = caps(bytes)
    assert.is_nil(r)
    assert.are.equal(("MODE SENSE: mode page 2Ah too short (%d bytes)"):format(#bytes), msg)
    assert.are.same({ kind = "decode", command = "MODE SENSE" }, info)
  end)

  it("MMC-1 length 12h: the fields up to max write @18, no @28, no table", function()
    local page = unhex "2A 12 3F 37 F1 77 29 23 1B 90 01 00 02 00 1B 90 00 00 1B 90"
    local c = assert(caps(mode_data(page)))
    assert.are.same({ max_read_speed = 7056, current_read_speed = 7056, max_write_speed = 7056,
      buffer_size_kb = 512, page_length = 20, truncated = false }, c)
    assert.is_nil(c.current_write_speed_selected)
    assert.is_nil(c.rotation_control)
  end)

  it("length 14h: the old current write speed @20, still no table", function()
    local page = unhex "2A 14 3F 37 F1 77 29 23 1B 90 01 00 02 00 1B 90 00 00 1B 90 16 0D"
    local c = assert(caps(mode_data(page)))
    assert.are.equal(5645, c.current_write_speed)
    assert.are.equal(22, c.page_length)
    assert.is_nil(c.current_write_speed_selected)
    assert.is_nil(c.write_speeds)
    assert.is_nil(c.claimed_write_speeds)
  end)

  it("a page too short for the MMC-1 fields is an error", function()
    local page = unhex "2A 0C 3F 37 F1 77 29 23 1B 90 01 00 02 00"
    local r, msg, info = caps(mode_data(page))
    assert.is_nil(r)
    assert.are.equal("MODE SENSE: mode page 2Ah too short (22 bytes)", msg)
    assert.are.equal("decode", info.kind)
    local r2, msg2 = caps(unhex "00 06 00 00 00")
    assert.is_nil(r2)
    assert.are.equal("MODE SENSE: mode page 2Ah too short (5 bytes)", msg2)
  end)

  it("a descriptor count @30 larger than the page holds: truncated, entries limited", function()
    local page = PAGE_G:sub(1, 30) .. "\0\10" .. PAGE_G:sub(33)   -- claims 10, holds 6
    local c = assert(caps(mode_data(page)))
    assert.are.equal(10, c.claimed_write_speeds)
    assert.is_true(c.truncated)
    assert.are.same(G_SPEEDS, c.write_speeds)
  end)

  it("a page length byte larger than the data that came: truncated, entries that fit", function()
    local page = "\x2A\x3E" .. PAGE_G:sub(3, 40)   -- says 64 bytes, 40 came: 2 entries
    local c = assert(caps(mode_data(page)))
    assert.is_true(c.truncated)
    assert.are.equal(40, c.page_length)
    assert.are.equal(6, c.claimed_write_speeds)
    assert.are.same({ G_SPEEDS[1], G_SPEEDS[2] }, c.write_speeds)
  end)

  it("a mode data length larger than received: trusts the bytes, truncated", function()
    local bytes = mode_data(PAGE_G, nil, 0x01FE)
    assert.are.equal("01 FE", hex(bytes:sub(1, 2)))
    local c = assert(caps(bytes))
    assert.is_true(c.truncated)
    assert.are.same(G_SPEEDS, c.write_speeds)
    assert.are.equal(7056, c.current_write_speed_selected)
  end)

  it("a mode data length shorter than the page cuts the page there", function()
    local bytes = mode_data(PAGE_G, nil, 6 + 40)   -- only 40 bytes of page counted
    local c = assert(caps(bytes))
    assert.is_true(c.truncated)
    assert.are.equal(40, c.page_length)
    assert.are.same({ G_SPEEDS[1], G_SPEEDS[2] }, c.write_speeds)
  end)

  it("a page holds at most 56 entries (length byte FFh): a larger count is truncated", function()
    local entries = {}
    for i = 1, 70 do entries[i] = string.pack(">BBI2", 0, 0, 8000 - i) end
    local page = "\x2A\xFF" .. PAGE_G:sub(3, 30) .. string.pack(">I2", 70) .. table.concat(entries)
    local c = assert(caps(mode_data(page:sub(1, 257))))
    assert.are.equal(70, c.claimed_write_speeds)
    assert.are.equal(257, c.page_length)
    assert.are.equal(56, #c.write_speeds)
    assert.are.same({ speed = 7944, rotation_control = 0 }, c.write_speeds[56])
    assert.is_true(c.truncated)
  end)

  it("accepts the PS bit in the page code byte", function()
    local c = assert(caps(mode_data("\xAA" .. PAGE_G:sub(2))))
    assert.are.same(G_SPEEDS, c.write_speeds)
  end)

  it("a wrong page code is nil, \"expected mode page 2Ah, got page 0Dh\"", function()
    local page = unhex "0D 06 00 00 00 3C 00 4B"
    local r, msg, info = caps(mode_data(page))
    assert.is_nil(r)
    assert.are.equal("MODE SENSE: expected mode page 2Ah, got page 0Dh", msg)
    assert.are.same({ kind = "decode", command = "MODE SENSE" }, info)
    local r2, msg2 = core.decode_capabilities(mode_data("\x8D" .. page:sub(2)))
    assert.is_nil(r2)
    assert.are.equal("decode_capabilities: expected mode page 2Ah, got page 0Dh", msg2)
  end)
end)

describe("cdperf.core sense data", function()
  it("fixed format, no INFORMATION", function()
    assert.are.same({ response_code = 0x70, descriptor_format = false, deferred = false, sense_key = 5,
      asc = 0x24, ascq = 0, sense = "ILLEGAL REQUEST", text = "INVALID FIELD IN CDB" },
      core.decode_sense(h.fixed_sense(5, 0x24, 0)))
  end)

  it("fixed format with VALID: the INFORMATION field (bytes 3-6)", function()
    local s = core.decode_sense(fixed_sense_info(0xF0, 5, 0x21, 0, 2295104))
    assert.are.same({ response_code = 0x70, descriptor_format = false, deferred = false, sense_key = 5,
      asc = 0x21, ascq = 0, sense = "ILLEGAL REQUEST", text = "LOGICAL BLOCK ADDRESS OUT OF RANGE",
      information = 2295104 }, s)
    -- without VALID the field is not reported
    assert.is_nil(core.decode_sense(fixed_sense_info(0x70, 5, 0x21, 0, 2295104)).information)
  end)

  it("fixed format deferred error (71h)", function()
    local s = core.decode_sense(fixed_sense_info(0xF1, 3, 0x0C, 0x09, 0x1000))
    assert.are.same({ response_code = 0x71, descriptor_format = false, deferred = true, sense_key = 3,
      asc = 0x0C, ascq = 0x09, sense = "MEDIUM ERROR", text = "WRITE ERROR - LOSS OF STREAMING",
      information = 0x1000 }, s)
  end)

  it("fixed format: ASC/ASCQ only when the additional length covers them", function()
    local s = core.decode_sense(unhex "70 00 06 00 00 00 00 00 00 00 00 00 29 00 00 00 00 00")
    assert.are.equal(6, s.sense_key)
    assert.are.same({ 0, 0 }, { s.asc, s.ascq })
    local s2 = core.decode_sense(unhex "70 00 02 00 00 00 00")   -- 7 bytes: the key only
    assert.are.same({ 2, 0, 0, "NOT READY" }, { s2.sense_key, s2.asc, s2.ascq, s2.sense })
  end)

  it("descriptor format (72h) and its deferred form (73h)", function()
    assert.are.same({ response_code = 0x72, descriptor_format = true, deferred = false, sense_key = 2,
      asc = 0x3A, ascq = 0x02, sense = "NOT READY", text = "MEDIUM NOT PRESENT - TRAY OPEN" },
      core.decode_sense(h.descriptor_sense(2, 0x3A, 0x02)))
    local d = core.decode_sense(unhex "73 03 73 03 00 00 00 00")
    assert.are.same({ 0x73, true, true, "MEDIUM ERROR", "POWER CALIBRATION AREA ERROR" },
      { d.response_code, d.descriptor_format, d.deferred, d.sense, d.text })
  end)

  it("descriptor format with an INFORMATION descriptor (type 00h), VALID set or clear", function()
    local s = core.decode_sense(unhex [[
      72 03 0C 00 00 00 00 0C  00 0A 80 00 00 00 00 00 00 23 05 3F ]])
    assert.are.same({ response_code = 0x72, descriptor_format = true, deferred = false, sense_key = 3,
      asc = 0x0C, ascq = 0, sense = "MEDIUM ERROR", text = "WRITE ERROR", information = 2295103 }, s)
    local clear = core.decode_sense(unhex "72 03 0C 00 00 00 00 0C 00 0A 00 00 00 00 00 00 00 23 05 3F")
    assert.is_nil(clear.information)
    -- another descriptor first, then the information descriptor
    local two = core.decode_sense(unhex [[
      72 05 24 00 00 00 00 14  02 06 00 00 C0 00 01 00  00 0A 80 00 00 00 00 00 00 00 00 07 ]])
    assert.are.equal(7, two.information)
    assert.are.equal("INVALID FIELD IN CDB", two.text)
  end)

  it("other response codes are an error", function()
    local r, msg, info = core.decode_sense(unhex "7F 00 05")
    assert.is_nil(r)
    assert.are.equal("sense: not fixed or descriptor format sense data (3 bytes)", msg)
    assert.are.equal("decode", info.kind)
    assert.is_nil(core.decode_sense(""))
  end)

  it("core.sense_text names keys and ASC/ASCQ pairs", function()
    assert.are.same({ "ILLEGAL REQUEST", "INVALID COMMAND OPERATION CODE" }, { core.sense_text(5, 0x20, 0) })
    assert.are.same({ "NOT READY", "MEDIUM NOT PRESENT" }, { core.sense_text(2, 0x3A) })
    assert.are.same({ "UNIT ATTENTION", "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED" },
      { core.sense_text(6, 0x29, 0) })
    assert.are.same({ "MEDIUM ERROR", "POWER CALIBRATION AREA ERROR" }, { core.sense_text(3, 0x73, 3) })
    assert.are.same({ "NOT READY" }, { core.sense_text(2) })
    assert.are.same({ "MEDIUM ERROR" }, { core.sense_text(3, 0xEE, 0x42) })
    assert.are.equal("UNKNOWN SENSE KEY", (core.sense_text(16)))
    assert.are.equal("UNKNOWN SENSE KEY", (core.sense_text(-1)))
    assert.is_nil(select(2, core.sense_text(5, 0x100, 0)))
    local names = {}
    for k = 0, 15 do names[#names + 1] = (core.sense_text(k)) end
    assert.are.same({ "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
      "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED",
      "ABORTED COMMAND", "EQUAL", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED" }, names)
  end)

  it("every ASC/ASCQ in src/sense.c is found (the table is sorted for the binary search)", function()
    local f = io.open("src/sense.c", "r")
    if not f then pending("src/sense.c not reachable from the working directory") return end
    local src = f:read("a")
    f:close()
    local n = 0
    for asc, ascq, text in src:gmatch('{0x(%x%x), 0x(%x%x), "([^"]*)"}') do
      n = n + 1
      assert.are.equal(text, select(2, core.sense_text(5, tonumber(asc, 16), tonumber(ascq, 16))))
    end
    assert.is_true(n > 100)
  end)
end)

describe("cdperf.core errors a burning program meets", function()
  -- { key, asc, ascq, key name, text, method, request, command }
  local cases = {
    { 2, 0x3A, 0x00, "NOT READY", "MEDIUM NOT PRESENT", "test_unit_ready", nil, "TEST UNIT READY" },
    { 2, 0x3A, 0x01, "NOT READY", "MEDIUM NOT PRESENT - TRAY CLOSED", "capabilities", nil, "MODE SENSE" },
    { 2, 0x3A, 0x02, "NOT READY", "MEDIUM NOT PRESENT - TRAY OPEN", "set_streaming", { end_lba = 1 },
      "SET STREAMING" },
    { 2, 0x04, 0x01, "NOT READY", "LOGICAL UNIT IS IN PROCESS OF BECOMING READY", "test_unit_ready", nil,
      "TEST UNIT READY" },
    { 5, 0x20, 0x00, "ILLEGAL REQUEST", "INVALID COMMAND OPERATION CODE", "set_speed", {}, "SET CD SPEED" },
    { 5, 0x24, 0x00, "ILLEGAL REQUEST", "INVALID FIELD IN CDB", "profile", nil, "GET CONFIGURATION" },
    { 5, 0x21, 0x00, "ILLEGAL REQUEST", "LOGICAL BLOCK ADDRESS OUT OF RANGE", "set_streaming",
      { end_lba = 2295104, write_size = 5540 }, "SET STREAMING" },
    { 6, 0x28, 0x00, "UNIT ATTENTION", "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED", "capabilities",
      nil, "MODE SENSE" },
    { 6, 0x29, 0x00, "UNIT ATTENTION", "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED", "inquiry", nil,
      "INQUIRY" },
    { 3, 0x0C, 0x00, "MEDIUM ERROR", "WRITE ERROR", "set_speed", { write = 22160 }, "SET CD SPEED" },
    { 3, 0x0C, 0x09, "MEDIUM ERROR", "WRITE ERROR - LOSS OF STREAMING", "set_streaming",
      { end_lba = 1, write_size = 22160 }, "SET STREAMING" },
    { 3, 0x73, 0x03, "MEDIUM ERROR", "POWER CALIBRATION AREA ERROR", "set_speed", { write = 44320 },
      "SET CD SPEED" },
    { 5, 0x73, 0x03, "ILLEGAL REQUEST", "POWER CALIBRATION AREA ERROR", "request_sense", nil,
      "REQUEST SENSE" },
  }
  for _, c in ipairs(cases) do
    local expect = ("%s: %s, %s"):format(c[8], c[4], c[5])
    it(("%s -> nil, %q, info"):format(c[6], expect), function()
      local sense = h.fixed_sense(c[1], c[2], c[3])
      local drive = open(failing(sense))
      local r, msg, info = drive[c[6]](drive, c[7])
      assert.is_nil(r)
      assert.are.equal(expect, msg)
      assert.are.same({ kind = "scsi", command = c[8], status = 2, sense_key = c[1], asc = c[2], ascq = c[3],
        sense = c[4], text = c[5], sense_bytes = sense }, info)
    end)
  end

  it("descriptor-format sense gives the same message and info fields", function()
    local sense = h.descriptor_sense(2, 0x3A, 0x00)
    local r, msg, info = open(failing(sense)):set_speed { write = 5540 }
    assert.is_nil(r)
    assert.are.equal("SET CD SPEED: NOT READY, MEDIUM NOT PRESENT", msg)
    assert.are.same({ kind = "scsi", command = "SET CD SPEED", status = 2, sense_key = 2, asc = 0x3A,
      ascq = 0, sense = "NOT READY", text = "MEDIUM NOT PRESENT", sense_bytes = sense }, info)
  end)

  it("a deferred error carries deferred = true and the information field", function()
    local sense = fixed_sense_info(0xF1, 3, 0x0C, 0x00, 123456)
    local r, msg, info = open(failing(sense)):set_streaming { end_lba = 359848, write_size = 7056 }
    assert.is_nil(r)
    assert.are.equal("SET STREAMING: MEDIUM ERROR, WRITE ERROR", msg)
    assert.are.same({ kind = "scsi", command = "SET STREAMING", status = 2, sense_key = 3, asc = 0x0C,
      ascq = 0, sense = "MEDIUM ERROR", text = "WRITE ERROR", information = 123456, deferred = true,
      sense_bytes = sense }, info)
  end)

  it("an unknown ASC/ASCQ is named by its numbers", function()
    local r, msg, info = open(failing(h.fixed_sense(5, 0x6F, 0x10))):set_speed {}
    assert.is_nil(r)
    assert.are.equal("SET CD SPEED: ILLEGAL REQUEST, ASC 0x6F ASCQ 0x10", msg)
    assert.is_nil(info.text)
    assert.are.equal(0x6F, info.asc)
  end)

  it("RECOVERED ERROR counts as success for set_speed and set_streaming", function()
    local drive = open(failing(h.fixed_sense(1, 0x37, 0x00)))   -- ROUNDED PARAMETER
    assert.is_true(drive:set_speed { write = 5541 })
    assert.is_true(drive:set_streaming { end_lba = 1, write_size = 5541 })
  end)

  it("an unsupported GET PERFORMANCE (lg_gsa4120b_no_getperf) says INVALID COMMAND OPERATION CODE", function()
    local emu = emulator.new(emulator.models.lg_gsa4120b_no_getperf)
    local drive = open(emu)
    local r, msg, info = drive:get_performance { request_type = "write_speed" }
    assert.is_nil(r)
    assert.are.equal("GET PERFORMANCE: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.same({ kind = "scsi", command = "GET PERFORMANCE", status = 2, sense_key = 5, asc = 0x20,
      ascq = 0, sense = "ILLEGAL REQUEST", text = "INVALID COMMAND OPERATION CODE",
      sense_bytes = emulator.sense_bytes(5, 0x20, 0) }, info)
    assert.are.equal("AC 00 00 00 00 00 00 00 00 40 03 00", hex(emu:log()[1]))
    -- the drive still answers the page 2Ah it has
    assert.are.same(G_SPEEDS, assert(drive:capabilities()).write_speeds)
  end)

  it("unsupported SET CD SPEED and SET STREAMING say so the same way", function()
    local drive = open(device {})
    local r, msg, info = drive:set_speed { write = 5540 }
    assert.is_nil(r)
    assert.are.equal("SET CD SPEED: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.same({ "scsi", "SET CD SPEED", 5, 0x20, 0 }, { info.kind, info.command, info.sense_key,
      info.asc, info.ascq })
    local r2, msg2 = drive:set_streaming { end_lba = 1 }
    assert.is_nil(r2)
    assert.are.equal("SET STREAMING: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg2)
  end)
end)

describe("cdperf.core set_speed / set_streaming validation", function()
  local dev, drive
  before_each(function()
    dev = device { [0xBB] = true, [0xB6] = true }
    drive = open(dev)
  end)

  local speed_cases = {
    { { speed = 5540 }, "bad field 'speed' (unknown field; expected read|write|rotation)" },
    { { [1] = 5540 }, "bad field of type number (unknown field; expected read|write|rotation)" },
    { { rotation = "pcav" }, [[bad field 'rotation' (expected clv|cav, got "pcav")]] },
    { { rotation = 4 }, "bad field 'rotation' (expected clv|cav or 0..3, got 4)" },
    { { rotation = -1 }, "bad field 'rotation' (expected clv|cav or 0..3, got -1)" },
    { { rotation = true }, "bad field 'rotation' (expected clv|cav or an integer, got boolean)" },
    { { write = 65536 }, "bad field 'write' (expected an integer 0..65535, got 65536)" },
    { { read = 70000 }, "bad field 'read' (expected an integer 0..65535, got 70000)" },
    { { read = -1 }, "bad field 'read' (expected an integer 0..65535, got -1)" },
    { { write = -5540 }, "bad field 'write' (expected an integer 0..65535, got -5540)" },
    { { write = 5540.5 }, "bad field 'write' (expected an integer 0..65535, got 5540.5)" },
    { { read = "fast" }, [[bad field 'read' (expected "max" or an integer 0..65535, got "fast")]] },
    { { write = true }, [[bad field 'write' (expected "max" or an integer 0..65535, got boolean)]] },
  }
  for _, case in ipairs(speed_cases) do
    it("set_speed raises " .. case[2], function()
      local ok, err = pcall(drive.set_speed, drive, case[1])
      assert.is_false(ok)
      assert.are.equal(case[2], err)
      assert.are.equal(0, #dev.calls)
    end)
  end

  local streaming_cases = {
    { {}, "bad field 'end_lba' (expected an integer 0..4294967295, got nil)" },
    { { write_size = 11080 }, "bad field 'end_lba' (expected an integer 0..4294967295, got nil)" },
    { { restore_defaults = false, start_lba = 0 },
      "bad field 'end_lba' (expected an integer 0..4294967295, got nil)" },
    { { end_lba = -1 }, "bad field 'end_lba' (expected an integer 0..4294967295, got -1)" },
    { { end_lba = 0x100000000 }, "bad field 'end_lba' (expected an integer 0..4294967295, got 4294967296)" },
    { { end_lba = 1, start_lba = -2 }, "bad field 'start_lba' (expected an integer 0..4294967295, got -2)" },
    { { end_lba = 1, write_size = 1.5 }, "bad field 'write_size' (expected an integer 0..4294967295, got 1.5)" },
    { { end_lba = 1, read_time = "1000" },
      "bad field 'read_time' (expected an integer 0..4294967295, got string)" },
    { { end_lba = 1, write_time = -1000 },
      "bad field 'write_time' (expected an integer 0..4294967295, got -1000)" },
    { { end_lba = 1, read_size = 0x100000000 },
      "bad field 'read_size' (expected an integer 0..4294967295, got 4294967296)" },
    { { end_lba = 1, rotation = "zclv" }, [[bad field 'rotation' (expected clv|cav, got "zclv")]] },
    { { end_lba = 1, rotation = 7 }, "bad field 'rotation' (expected clv|cav or 0..3, got 7)" },
    { { end_lba = 1, exact = "yes" }, "bad field 'exact' (expected a boolean, got string)" },
    { { end_lba = 1, random_access = 1 }, "bad field 'random_access' (expected a boolean, got number)" },
    { { end_lba = 1, persistent = 0 }, "bad field 'persistent' (expected a boolean, got number)" },
    { { restore_defaults = "true" }, "bad field 'restore_defaults' (expected a boolean, got string)" },
    { { end_lba = 1, write_speed = 11080 },
      "bad field 'write_speed' (unknown field; expected start_lba|end_lba|read_size|read_time|write_size|" ..
      "write_time|rotation|restore_defaults|exact|random_access|persistent)" },
  }
  for _, case in ipairs(streaming_cases) do
    it("set_streaming raises " .. case[2], function()
      local ok, err = pcall(drive.set_streaming, drive, case[1])
      assert.is_false(ok)
      assert.are.equal(case[2], err)
      assert.are.equal(0, #dev.calls)
    end)
  end

  it("the request must be a table", function()
    local ok, err = pcall(function() return drive:set_speed(5540) end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'set_speed' (table expected, got number)", err, 1, true)
    local ok2, err2 = pcall(function() return drive:set_streaming() end)
    assert.is_false(ok2)
    assert.matches("bad argument #1 to 'set_streaming' (table expected, got no value)", err2, 1, true)
  end)

  it("restore_defaults needs no end_lba", function()
    assert.is_true(drive:set_streaming { restore_defaults = true })
    assert.are.equal(1, #dev.calls)
  end)

  it("use after close raises", function()
    drive:close()
    assert.has_error(function() drive:set_speed {} end, "attempt to use a closed drive")
    assert.has_error(function() drive:set_streaming { end_lba = 1 } end, "attempt to use a closed drive")
    assert.has_error(function() drive:test_unit_ready() end, "attempt to use a closed drive")
    assert.has_error(function() drive:request_sense() end, "attempt to use a closed drive")
  end)
end)

describe("cdperf.core control on a read-only Linux handle", function()
  -- Only the Linux SG_IO transport sets control_needs_write, and it opens only a device that
  -- answers SG_GET_VERSION_NUM (/dev/srN, /dev/sgN): there is no other way to reach the
  -- refusal. Lua-function devices (and the emulator) are always writable. On a machine
  -- without an optical drive this is pending; test/kernel/check.lua covers it in the QEMU
  -- guest, on a real kernel.
  local function find_device()
    if core.platform ~= "linux" then return nil end
    local candidates = {}
    for _, p in ipairs(core.drives()) do candidates[#candidates + 1] = p end
    for i = 0, 15 do candidates[#candidates + 1] = "/dev/sg" .. i end
    for i = 0, 7 do candidates[#candidates + 1] = "/dev/sr" .. i end
    for _, p in ipairs(candidates) do
      local d = core.open(p)
      if d then return d, p end
    end
    return nil
  end

  it("set_speed and set_streaming say that write access is needed", function()
    local d, path = find_device()
    if not d then
      pending("no /dev/sr* or /dev/sg* that accepts SG_IO here; the QEMU guest test covers it")
      return
    end
    local r, msg, info = d:set_speed { read = "max" }
    assert.is_nil(r)
    assert.are.equal(('SET CD SPEED: needs write access: open the drive with cdperf.open("%s", '
      .. "{ write = true })"):format(path), msg)
    assert.are.same({ kind = "os", errno = 1, code = "EPERM", command = "SET CD SPEED" }, info)
    local r2, msg2, info2 = d:set_streaming { restore_defaults = true }
    assert.is_nil(r2)
    assert.matches("^SET STREAMING: needs write access", msg2)
    assert.are.equal("EPERM", info2.code)
    -- misuse is still raised first
    assert.has_error(function() d:set_speed { speed = 1 } end,
      "bad field 'speed' (unknown field; expected read|write|rotation)")
    d:close()
  end)

  it("Lua-function devices never refuse: set_speed reaches the device", function()
    local dev = device { [0xBB] = true }
    assert.is_true(open(dev):set_speed { read = "max" })
    assert.are.equal(1, #dev.calls)
  end)
end)

describe("cdperf.core drive:command (raw pass-through)", function()
  local function emulated()
    local emu = emulator.new(emulator.models.lg_wh16ns40_bdr)
    return assert(core.open(emu)), emu
  end

  it("INQUIRY through command returns the raw bytes drive:inquiry decodes", function()
    local drive = emulated()
    local raw = assert(drive:command(unhex "12 00 00 00 24 00", "in", 36))
    assert.are.equal(36, #raw)
    assert.are.same(assert(drive:inquiry()), assert(core.decode_inquiry(raw)))
    assert.are.equal("HL-DT-ST", raw:sub(9, 16))
  end)

  it("data in is cut to what the device sent (the residual)", function()
    local drive = emulated()
    -- GET CONFIGURATION header only: the emulator sends 8 of the 200 bytes asked for
    local raw = assert(drive:command(unhex "46 01 00 00 00 00 00 00 08 00", "in", 200))
    assert.are.equal(8, #raw)
    assert.are.equal(0x41, string.unpack(">I2", raw, 7))
    assert.are.equal("", assert(drive:command(unhex "12 00 00 00 24 00", "in", 0)))
  end)

  it("an unknown opcode gives nil, message, info with ILLEGAL REQUEST and the raw sense", function()
    local drive = emulated()
    local r, msg, info = drive:command(unhex "5C 00 00 00 00 00 00 00 0C 00", "in", 12)
    assert.is_nil(r)
    assert.are.equal("CDB 5Ch: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
    assert.are.same({ kind = "scsi", command = "CDB 5Ch", status = 2, sense_key = 5, asc = 0x20,
      ascq = 0, sense = "ILLEGAL REQUEST", text = "INVALID COMMAND OPERATION CODE",
      sense_bytes = h.fixed_sense(5, 0x20, 0) }, info)
  end)

  it("no data: returns the empty string; data out: the emulator takes SET STREAMING", function()
    local drive, emu = emulated()
    assert.are.equal("", assert(drive:command(unhex "00 00 00 00 00 00", "none")))
    local param = string.pack(">BBBBI4I4I4I4I4I4", 0, 0, 0, 0, 0, 12219391, 26976, 1000, 17984, 1000)
    assert.are.equal("", assert(drive:command(unhex "B6 00 00 00 00 00 00 00 00 00 1C 00", "out", param)))
    local log = emu:log()
    assert.are.equal("B6 00 00 00 00 00 00 00 00 00 1C 00", hex(log[#log]))
    assert.are.equal(17984, assert(drive:capabilities()).current_write_speed_selected)
  end)

  it("a Lua-function device receives exactly the cdb, direction and argument", function()
    local dev = device { [0x12] = ("I"):rep(300), [0xB6] = true, [0x00] = true }
    local drive = open(dev)
    local cdb16 = unhex "12 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"
    assert.are.equal(("I"):rep(255), assert(drive:command(cdb16, "in", 255)))
    assert.are.equal("", assert(drive:command(unhex "B6 00 00 00 00 00", "out", "\1\0\2")))
    assert.are.equal("", assert(drive:command(unhex "00 00 00 00 00 00", "none", nil, 1000)))
    assert.are.same({ cdb = cdb16, direction = "in", arg = 255 }, dev.calls[1])
    assert.are.same({ cdb = unhex "B6 00 00 00 00 00", direction = "out", arg = "\1\0\2" }, dev.calls[2])
    assert.are.same({ cdb = unhex "00 00 00 00 00 00", direction = "none" }, dev.calls[3])
  end)

  it("failures of the device come back like every other method's", function()
    local drive = open(failing(h.descriptor_sense(2, 0x3A, 0)))
    local r, msg, info = drive:command(unhex "AC 00 00 00 00 00 00 00 00 01 03 00", "in", 24)
    assert.is_nil(r)
    assert.are.equal("CDB ACh: NOT READY, MEDIUM NOT PRESENT", msg)
    assert.are.equal(h.descriptor_sense(2, 0x3A, 0), info.sense_bytes)
    local d2 = open(function() error("gone", 0) end)
    local r2, msg2, info2 = d2:command(unhex "12 00 00 00 24 00", "in", 36)
    assert.is_nil(r2)
    assert.are.equal("CDB 12h: device function failed: gone", msg2)
    assert.are.same({ kind = "device", command = "CDB 12h" }, info2)
  end)

  it("misuse raises and sends nothing", function()
    local dev = device {}
    local drive = open(dev)
    local bad = {
      { { "\0\0\0\0\0", "none" }, "bad argument #1 to 'command' (CDB of 6 to 16 bytes expected, got 5)" },
      { { ("\0"):rep(17), "none" }, "bad argument #1 to 'command' (CDB of 6 to 16 bytes expected, got 17)" },
      { { 42, "none" }, "bad argument #1 to 'command' (string expected, got number)" },
      { { "\0\0\0\0\0\0", "both" }, "bad argument #2 to 'command' (invalid option 'both')" },
      { { "\0\0\0\0\0\0" }, "bad argument #2 to 'command' (string expected, got nil)" },
      { { "\0\0\0\0\0\0", "in", -1 }, "bad argument #3 to 'command' (allocation length 0..65535 expected)" },
      { { "\0\0\0\0\0\0", "in", 65536 }, "bad argument #3 to 'command' (allocation length 0..65535 expected)" },
      { { "\0\0\0\0\0\0", "in" }, "bad argument #3 to 'command' (number expected, got nil)" },
      { { "\0\0\0\0\0\0", "out", 5 }, "bad argument #3 to 'command' (string expected, got number)" },
      { { "\0\0\0\0\0\0", "out", ("\0"):rep(65536) },
        "bad argument #3 to 'command' (at most 65535 parameter bytes expected)" },
      { { "\0\0\0\0\0\0", "none", 1 }, "bad argument #3 to 'command' (nil expected for direction \"none\")" },
      { { "\0\0\0\0\0\0", "none", nil, 0 }, "bad argument #4 to 'command' (timeout 1..86400000 ms expected)" },
      { { "\0\0\0\0\0\0", "none", nil, "x" }, "bad argument #4 to 'command' (number expected, got string)" },
    }
    for _, case in ipairs(bad) do
      local args = case[1]
      local ok, err = pcall(function() return drive:command(table.unpack(args, 1, 4)) end)
      assert.is_false(ok)
      assert.truthy(err:find(case[2], 1, true), err)
    end
    assert.are.equal(0, #dev.calls)
    drive:close()
    assert.has_error(function() drive:command("\0\0\0\0\0\0", "none") end, "attempt to use a closed drive")
  end)
end)
