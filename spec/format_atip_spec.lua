-- cdperf.format.atip and atip_report: wodim -atip's lines (cdrkit's wodim: print_atip in
-- drv_mmc.c, pr_manufacturer in diskid.c, getdisktype and load_media for what it prints
-- without an ATIP).  Every expected line here is worked out by hand from those rules:
--   lead-in LBA  = (M*60+S)*75+F - 150, or - 450150 from minute 90 on;
--   lead-out LBA = (M*60+S)*75+F - 150 always;
--   speeds: standard CLV codes 1-4 = 2,4,6,8x; High Speed (CD-RW sub-type 1) 1-4 = 2,4,6,10x;
--   Ultra Speed (sub-type 2/3 with A2 valid) 1,2,3,6,8,9,10,11 = 2,4,8,16,24,32,40,48x;
--   dye: frame units 0-4 long strategy, 5-9 short; a CD-RW is phase change.

local format = require "cdperf.format"
local disc = require "cdperf.disc"
local report = require "cdperf.report"

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local function msf(m, s, f) return { minute = m, second = s, frame = f } end

describe("format.atip (wodim -atip)", function()
  it("a CD-R: no sub-type, no A1, Taiyo Yuden's 97:24/01", function()
    assert.are.same({
      "ATIP info from disk:",
      "  Indicated writing power: 4",
      "  Is not unrestricted",
      "  Is not erasable",
      "  ATIP start of lead in:  -11849 (97:24/01)",
      "  ATIP start of lead out: 359847 (79:59/72)",
      "Disk type:    Long strategy type (Cyanine, AZO or similar)",
      "Manuf. index: 25",
      "Manufacturer: Taiyo Yuden Company Limited",
    }, format.atip(assert(disc.decode_atip(disc.encode_atip {
      disc_type = "CD-R", indicative_writing_power = 4, lead_in = msf(97, 24, 1), lead_out = msf(79, 59, 72) }))))
  end)

  it("a CD-R with a reference speed, a sub-type and A1 (standard CLV codes, no erase power)", function()
    -- 97:26/45: FUJI (26:40), frame units 5: short strategy; 74:30/00 is the 74-minute lead-out
    assert.are.same({
      "ATIP info from disk:",
      "  Indicated writing power: 6",
      "  Reference speed: 4",
      "  Is unrestricted",
      "  Is not erasable",
      "  Disk sub type: Medium Type B, high Beta category (B+) (5)",
      "  ATIP start of lead in:  -11655 (97:26/45)",
      "  ATIP start of lead out: 335100 (74:30/00)",
      "  1T speed low:  2 1T speed high:  8",
      "  power mult factor: 5 5",
      "  A1 values: 14 5A 80",
      "Disk type:    Short strategy type (Phthalocyanine or similar)",
      "Manuf. index: 6",
      "Manufacturer: FUJI Photo Film Co., Ltd.",
    }, format.atip { disc_type = "CD-R", indicative_writing_power = 6, reference_speed = 2, unrestricted_use = true,
      sub_type = 5, a1_valid = true, a1 = { 0x14, 0x5A, 0x80 }, lead_in = msf(97, 26, 45), lead_out = msf(74, 30, 0) })
  end)

  it("a CD-RW Ultra Speed with A1, A2 and A3: Ultra Speed codes for 1T and 2T", function()
    -- A1 68h: codes 6 (16x) and 8 (24x); A2 3Bh: codes 3 (8x) and 11 (48x); A1 byte 17
    -- 44h: power 4, target y 2; byte 18 A0h: erase/write 2. 97:34/22: Mitsubishi (34:20).
    assert.are.same({
      "ATIP info from disk:",
      "  Indicated writing power: 5",
      "  Reference speed: 2",
      "  Is unrestricted",
      "  Is erasable",
      "  Disk sub type: Ultra High speed Rewritable media (2)",
      "  ATIP start of lead in:  -11078 (97:34/22)",
      "  ATIP start of lead out: 359849 (79:59/74)",
      "  1T speed low: 16 1T speed high: 24",
      "  2T speed low:  8 2T speed high: 48",
      "  power mult factor: 4 2",
      "  recommended erase/write power: 2",
      "  A1 values: 68 44 A0",
      "  A2 values: 3B 22 33",
      "  A3 values: 01 02 03",
      "Disk type:    Phase change",
      "Manuf. index: 11",
      "Manufacturer: Mitsubishi Chemical Corporation",
    }, format.atip(assert(disc.decode_atip(disc.encode_atip {
      disc_type = "CD-RW", indicative_writing_power = 5, reference_speed = 1, unrestricted_use = true, sub_type = 2,
      a1_valid = true, a2_valid = true, a3_valid = true, a1 = { 0x68, 0x44, 0xA0 }, a2 = { 0x3B, 0x22, 0x33 },
      a3 = { 1, 2, 3 }, lead_in = msf(97, 34, 22), lead_out = msf(79, 59, 74) }))))
  end)

  it("a CD-RW High Speed: its own table, a code without a speed is reserved; no A1: no speed lines", function()
    -- the model's way: speeds given, A1's codes found in the sub-type's table (4x = 2, 10x = 4)
    local lines = format.atip { disc_type = "CD-RW", sub_type = 1, a1_valid = true, lowest_speed = 4,
      highest_speed = 10, lead_in = msf(97, 27, 65), lead_out = msf(79, 59, 72) }
    assert.are.equal("  Reference speed: 0", lines[3])
    assert.are.equal("  Disk sub type: High speed Rewritable (CAV) media (1)", lines[6])
    assert.are.equal("  1T speed low:  4 1T speed high: 10", lines[9])
    assert.are.equal("  A1 values: 24 00 80", lines[12])
    assert.are.same({ "Disk type:    Phase change", "Manuf. index: 21", "Manufacturer: Ricoh Company Limited" },
      { table.unpack(lines, 13) })
    -- code 5 has no High Speed speed
    lines = format.atip { disc_type = "CD-RW", sub_type = 1, a1_valid = true, clv_low = 2, clv_high = 5,
      lead_in = msf(97, 27, 65) }
    assert.are.equal("  1T speed low:  4 1T speed high:  0 (reserved val  5)", lines[9])
    -- A1 not valid: none of the A1 lines; A1 valid with both codes 0: no speed line
    lines = format.atip { disc_type = "CD-RW", clv_low = 2, clv_high = 4, lead_in = msf(97, 27, 65) }
    assert.are.equal("  ATIP start of lead out: 359849 (79:59/74)", lines[7])
    assert.are.equal("Disk type:    Phase change", lines[8])
    lines = format.atip { disc_type = "CD-RW", a1_valid = true, lead_in = msf(97, 27, 65) }
    assert.are.same({ "  power mult factor: 0 0", "  recommended erase/write power: 0", "  A1 values: 00 00 80" },
      { lines[8], lines[9], lines[10] })
    -- A2 valid without A1: the 2T line with the standard table (code 3 = 6x), even on sub-type 2
    lines = format.atip { disc_type = "CD-RW", sub_type = 2, a2_valid = true, a2 = { 0x34, 0, 0 },
      lead_in = msf(97, 27, 65) }
    assert.are.same({ "  2T speed low:  6 2T speed high:  8", "  A2 values: 34 00 00" }, { lines[9], lines[10] })
  end)

  it("a lead-in cdrecord does not know: the reserved-code dye and the embargo note", function()
    assert.are.same({
      "Disk type:    unknown dye (reserved id code)",
      "Manuf. index: -1",
      "Manufacturer: unknown (not in table)",
      "Manufacturer is unknown because of the orange forum embargo.",
      "As the orange forum likes to get money for recent information,",
      "it may be that this media does not use illegal manufacturer coding.",
    }, { table.unpack(format.atip { lead_in = msf(97, 59, 9) }, 7) })
  end)

  it("guessed codes, old codes (CD-R and CD-RW) and cdrecord's Latin-1 name", function()
    local function tail(a) return { table.unpack(format.atip(a), 7) } end
    assert.are.same({
      "Disk type:    Long strategy type (Cyanine, AZO or similar)",
      "Manuf. index: 71",
      "Manufacturer: SHENZEN SG&GAST DIGITAL OPTICAL DISCS",
      "Manufacturer is guessed because of the orange forum embargo.",
      "The orange forum likes to get money for recent information.",
      "The information for this media may not be correct.",
    }, tail { lead_in = msf(97, 16, 20) })
    assert.are.same({ "Disk type:    unknown dye (old id code)", "Manuf. index: 81",
      "Manufacturer: ILLEGAL OLD CODE: Old Ritek Co.???" }, tail { lead_in = msf(97, 27, 0) })
    assert.are.same({ "Disk type:    Long strategy type (Cyanine, AZO or similar)", "Manuf. index: 34",
      "Manufacturer: DIGITAL STORAGE TECHNOLOGY CO.,LTD" }, tail { lead_in = msf(97, 27, 1) })
    -- a CD-RW: the line after "Is erasable" is the reference speed's, so one more line
    assert.are.same({ "Disk type:    Phase change", "Manuf. index: 0", "Manufacturer: Illegal Manufacturer code" },
      { table.unpack(format.atip { disc_type = "CD-RW", lead_in = msf(97, 48, 14) }, 8) })
    assert.are.same({ "Disk type:    Long strategy type (Cyanine, AZO or similar)", "Manuf. index: 32",
      "Manufacturer: CDA Datentr\xE4ger Albrechts GmbH." }, tail { lead_in = msf(97, 30, 10) })
  end)

  it("lead-in and lead-out at the edges", function()
    local function times(li, lo)
      local l = format.atip { lead_in = li, lead_out = lo }
      return { l[5], l[6] }
    end
    -- minute 89 still counts from 00:02/00; 90 is the first negative one
    assert.are.same({ "  ATIP start of lead in:  404849 (89:59/74)", "  ATIP start of lead out: 0 (00:02/00)" },
      times(msf(89, 59, 74), msf(0, 2, 0)))
    assert.are.same({ "  ATIP start of lead in:  -45150 (90:00/00)", "  ATIP start of lead out: 1151849 (255:59/74)" },
      times(msf(90, 0, 0), msf(255, 59, 74)))
    assert.are.same({ "  ATIP start of lead in:  -9151 (97:59/74)", "  ATIP start of lead out: -149 (00:00/01)" },
      times(msf(97, 59, 74), msf(0, 0, 1)))
    -- another minute than 97 (a DVD's garbage): no manufacturer, no embargo note
    local l = format.atip { lead_in = msf(0, 2, 0) }
    assert.are.equal("  ATIP start of lead in:  0 (00:02/00)", l[5])
    assert.are.same({ "Disk type:    unknown dye (reserved id code)", "Manuf. index: -1",
      "Manufacturer: unknown (not in table)" }, { table.unpack(l, 7) })
    -- both times 00:00/00: wodim takes it for no ATIP
    assert.are.same({}, format.atip { lead_in = msf(0, 0, 0), lead_out = msf(0, 0, 0) })
  end)

  it("raises on misuse, naming the field", function()
    assert.has_error(function() format.atip "x" end, "bad argument #1 to 'atip' (ATIP table expected, got string)")
    assert.has_error(function() format.atip { sub_type = 9 } end,
      "bad field 'sub_type' (expected an integer 0..7, got 9)")
    assert.has_error(function() format.atip { lead_in = msf(97, 60, 0) } end,
      "bad field 'lead_in.second' (expected an integer 0..59, got 60)")
    assert.has_error(function() format.atip { a2 = { 1, 256, 0 } } end,
      "bad field 'a2[2]' (expected an integer 0..255, got 256)")
  end)
end)

describe("format.atip_report (a snapshot, as wodim -atip runs)", function()
  local CDR = { code = 0x09, name = "CD-R", class = "cd" }

  it("prints the ATIP the snapshot has", function()
    local a = assert(disc.decode_atip(disc.encode_atip { lead_in = msf(97, 24, 1), lead_out = msf(79, 59, 72) }))
    local out, err, failed = format.atip_report { profile = CDR, atip = a, errors = {} }
    assert.are.same(format.atip(a), out)
    assert.are.equal("Manufacturer: Taiyo Yuden Company Limited", out[#out])
    assert.are.same({}, err)
    assert.is_false(failed)
  end)

  it("a failed READ TOC: its error, and a failure", function()
    local msg = "READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, INVALID FIELD IN CDB"
    local out, err, failed = format.atip_report { profile = CDR,
      errors = { atip = { message = msg, info = { kind = "scsi", sense_key = 5, asc = 0x24, ascq = 0 } } } }
    assert.are.same({}, out)
    assert.are.same({ msg }, err)
    assert.is_true(failed)
  end)

  it("a DVD or a CD-ROM: no ATIP lines, as wodim prints none; no medium: wodim's error", function()
    for _, p in ipairs { { code = 0x1B, name = "DVD+R", class = "dvd" }, { code = 0x08, name = "CD-ROM", class = "cd" },
      { code = 0x41, name = "BD-R SRM", class = "bd" } } do
      assert.are.same({ {}, {}, false }, { format.atip_report { profile = p, errors = {} } })
    end
    assert.are.same({ {}, { "No disk / Wrong disk!" }, true },
      { format.atip_report { profile = { code = 0, name = "no medium" }, errors = {} } })
    assert.are.same({ {}, { "profile: GET CONFIGURATION: NOT READY" }, true },
      { format.atip_report { errors = { profile = { message = "GET CONFIGURATION: NOT READY\nmore" } } } })
  end)

  it("an ATIP no drive sends (a snapshot file): says so, never raises", function()
    assert.are.same({ {}, { "the snapshot's ATIP holds values no drive sends: "
      .. "bad field 'sub_type' (expected an integer 0..7, got 9)" }, true },
      { format.atip_report { profile = CDR, atip = { sub_type = 9 } } })
    assert.has_error(function() format.atip_report(nil) end,
      "bad argument #1 to 'atip_report' (snapshot expected, got nil)")
  end)
end)

describe_core("format.atip_report on every built-in model", function()
  local cdperf = require "cdperf"
  local emulator = cdperf.emulator

  it("a CD-R model without an ATIP fails with READ TOC's error; DVD, BD, CD-ROM print nothing", function()
    local names = emulator.model_names()
    for _, n in ipairs(emulator.recorded_model_names and emulator.recorded_model_names() or {}) do
      names[#names + 1] = n
    end
    local seen_cdr = 0
    for _, name in ipairs(names) do
      local drive = assert(cdperf.open("emulated:" .. name))
      local snap = cdperf.snapshot(drive, { parts = report.PARTS.atip, ready_timeout_ms = 0 })
      drive:close()
      local out, err, failed = format.atip_report(snap)
      local code = snap.profile and snap.profile.code
      if emulator.models[name].atip then
        assert.are.same(format.atip(snap.atip), out, name)
      elseif code == 0x09 or code == 0x0A then
        -- no built-in model carries an ATIP (no capture shows one): the emulator refuses
        seen_cdr = seen_cdr + 1
        assert.are.same({ {}, { "READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, INVALID FIELD IN CDB" }, true },
          { out, err, failed }, name)
      elseif code == 0 then
        assert.are.same({ {}, { "No disk / Wrong disk!" }, true }, { out, err, failed }, name)
      else
        assert.are.same({ {}, {}, false }, { out, err, failed }, name)
      end
    end
    assert.is_true(seen_cdr >= 3)
  end)

  it("a model given an ATIP answers it, and its lines are the table's", function()
    local m = emulator.deepcopy(emulator.models.lg_gsa4163b_cdr)
    m.profile = 0x0A
    m.atip = { disc_type = "CD-RW", sub_type = 1, a1_valid = true, lowest_speed = 4, highest_speed = 10,
      lead_in = msf(97, 27, 65), lead_out = msf(79, 59, 72) }
    local drive = assert(cdperf.open(emulator.new(m)))
    local snap = cdperf.snapshot(drive, { parts = report.PARTS.atip })
    drive:close()
    local out, err, failed = format.atip_report(snap)
    assert.are.same(format.atip(m.atip), out)
    assert.are.same({ "  1T speed low:  4 1T speed high: 10", {}, false }, { out[9], err, failed })
  end)
end)

describe_core("bin/cdperf -f atip", function()
  local run = require("spec.helpers").cdperf
  local emulator = require "cdperf.emulator"
  local record = require "cdperf.record"

  it("prints the ATIP of a CD-RW model file, sending two commands (profile, READ TOC)", function()
    local m = emulator.deepcopy(emulator.models.lg_gsa4163b_cdr)
    m.name, m.profile = "cdrw_atip", 0x0A
    m.atip = { disc_type = "CD-RW", sub_type = 1, a1_valid = true, lowest_speed = 4, highest_speed = 10,
      indicative_writing_power = 3, a1 = { 0, 0x32, 0xC0 }, lead_in = msf(97, 26, 65), lead_out = msf(79, 59, 72) }
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(record.to_lua(m))
    f:close()
    local out, err, status = run("-e " .. path .. " -f atip")
    local trace = select(2, run("-e " .. path .. " -f atip", "CDPERF_TRACE=1"))
    os.remove(path)
    -- 97:26/65: CMC Magnetics (26:60); A1 32h: power 3, target y 1; C0h: erase/write 4
    assert.are.equal(table.concat({
      "ATIP info from disk:",
      "  Indicated writing power: 3",
      "  Reference speed: 0",
      "  Is not unrestricted",
      "  Is erasable",
      "  Disk sub type: High speed Rewritable (CAV) media (1)",
      "  ATIP start of lead in:  -11635 (97:26/65)",
      "  ATIP start of lead out: 359847 (79:59/72)",
      "  1T speed low:  4 1T speed high: 10",
      "  power mult factor: 3 1",
      "  recommended erase/write power: 4",
      "  A1 values: 24 32 C0",
      "Disk type:    Phase change",
      "Manuf. index: 3",
      "Manufacturer: CMC Magnetics Corporation",
    }, "\n") .. "\n", out)
    assert.are.same({ "", 0 }, { err, status })
    local _, n = trace:gsub("CDB ", "")
    assert.are.equal(2, n)
  end)

  it("a CD-R that refuses READ TOC: its error and exit 1; a DVD: nothing; no medium: wodim's error", function()
    assert.are.same({ "", "cdperf: emulated:lg_gsa4163b_cdr: READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, "
      .. "INVALID FIELD IN CDB\n", 1 }, { run("-e lg_gsa4163b_cdr -f atip") })
    assert.are.same({ "", "", 0 }, { run("-e samsung_sh224db_dvdpr -f atip") })
    assert.are.same({ "", "cdperf: emulated:lg_wh16ns40_empty: No disk / Wrong disk!\n", 1 },
      { run("-e lg_wh16ns40_empty -f atip") })
  end)
end)
