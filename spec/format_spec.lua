-- cdperf.format: units, nominal names, and the peer tools' lines checked
-- against the verbatim lines of spec/data/captures.md (a copy of ../shared/data/captures.md).

local format = require "cdperf.format"

-- Wikipedia (Capture A) collapsed the tool's runs of spaces; compare those
-- lines with whitespace squeezed.
local function squeeze(s) return (s:gsub("^%s+", ""):gsub("%s+", " ")) end

local function wsd(byte0, end_lba, r, w)
  return { mixed_read_write = byte0 & 1 ~= 0, exact = byte0 & 2 ~= 0,
    write_rotation_control = (byte0 >> 3) & 3, end_lba = end_lba, read_speed = r, write_speed = w }
end

describe("format.x", function()
  it("divides by the class's 1x", function()
    assert.are.equal(2.4, format.x(3324, "dvd"))
    assert.are.equal(48, format.x(8467.2, "cd"))
    assert.are.equal(12, format.x(53946, "bd"))
    assert.are.equal(53952 / 4495.5, format.x(53952, "bd"))
  end)
  it("converts KiB/s when asked", function()
    assert.are.equal(1352 * 1.024 / 1385, format.x(1352, "dvd", "KiB/s"))
  end)
  it("raises on misuse, naming the argument", function()
    assert.has_error(function() format.x("3324", "dvd") end,
      "bad argument #1 to 'x' (speed in kB/s expected, got string)")
    assert.has_error(function() format.x(3324, "dvdr") end,
      'bad argument #2 to \'x\' (media class cd|dvd|bd|hddvd expected, got "dvdr")')
  end)
end)

describe("format.nominal", function()
  it("snaps real drives' roundings to the ladder (DESIGN.md 5)", function()
    assert.are.equal(2.4, format.nominal(3324, "dvd"))
    assert.are.equal(8, format.nominal(11079, "dvd"))
    assert.are.equal(8, format.nominal(11080, "dvd"))
    assert.are.equal(12, format.nominal(53952, "bd"))   -- LG: 12 x 4496
    assert.are.equal(12, format.nominal(53940, "bd"))   -- Pioneer: 12 x 4495
    assert.are.equal(4, format.nominal(17984, "bd"))
    assert.are.equal(48, format.nominal(8467, "cd"))
    assert.are.equal(48, format.nominal(8468, "cd"))
    assert.are.equal(16, format.nominal(2822, "cd"))
    assert.are.equal(16, format.nominal(2823, "cd"))
    assert.are.equal(4, format.nominal(706, "cd"))
    assert.are.equal(32, format.nominal(5645, "cd"))
    assert.are.equal(5, format.nominal(6924, "dvd"))    -- Capture F ramp start, 1 below 5 x 1385
  end)
  it("returns nil off the ladder", function()
    assert.is_nil(format.nominal(4584, "dvd"))          -- 3.31x (Capture A read speed)
    assert.is_nil(format.nominal(8864, "dvd"))          -- 6.4x (Capture B current performance)
    assert.is_nil(format.nominal(8467, "dvd"))          -- a CD speed is 6.11x DVD, 1.9 % off 6x
    assert.is_nil(format.nominal(1411, "dvd"))
    assert.is_nil(format.nominal(1352, "dvd"))          -- KiB-based 1x, 2.4 % off in kB/s
  end)
  it("names KiB/s speeds when told the unit", function()
    assert.are.equal(1, format.nominal(1352, "dvd", "KiB/s"))
    assert.are.equal(8, format.nominal(10816, "dvd", "KiB/s"))
  end)
end)

describe("format.speed", function()
  it("writes the nominal name with the raw kB/s", function()
    assert.are.equal("2.4x DVD (3324 kB/s)", format.speed(3324, "dvd"))
    assert.are.equal("12x BD (53952 kB/s)", format.speed(53952, "bd"))
    assert.are.equal("48x CD (8468 kB/s)", format.speed(8468, "cd"))
  end)
  it("rounds the exact factor to one decimal, never truncates", function()
    assert.are.equal("3.3x DVD (4584 kB/s)", format.speed(4584, "dvd"))
    assert.are.equal("6.1x DVD (8467 kB/s)", format.speed(8467, "dvd"))
    assert.are.equal("6.4x DVD (8864 kB/s)", format.speed(8864, "dvd"))
    assert.are.equal("2.8x DVD (3878 kB/s)", format.speed(3878, "dvd"))  -- 2.8000: cdrecord would say 2x
  end)
  it("labels KiB/s", function()
    assert.are.equal("8x DVD (10816 KiB/s)", format.speed(10816, "dvd", "KiB/s"))
  end)
end)

describe("format.duration", function()
  it("formats seconds", function()
    assert.are.equal("7:04", format.duration(424.4))
    assert.are.equal("1:02:03", format.duration(3723))
  end)
end)

describe("format.mediainfo (dvd+rw-mediainfo Speed Descriptor lines)", function()
  it("Capture A: Exact bit, odd read speed", function()
    local lines = format.mediainfo({ wsd(0x02, 2254431, 4584, 2770) }, "dvd")
    assert.are.equal(1, #lines)
    assert.are.equal(" Speed Descriptor#0:    02/2254431 R@3.3x1385=4584KB/s W@2.0x1385=2770KB/s", lines[1])
    assert.are.equal(squeeze("Speed Descriptor#0:    02/2254431 R@3.3x1385=4584KB/s W@2.0x1385=2770KB/s"),
      squeeze(lines[1]))
  end)
  it("Capture B: End LBA 0", function()
    local d = {}
    for i, w in ipairs { 22160, 16620, 11080, 8310 } do d[i] = wsd(0, 0, 4432, w) end
    assert.are.same({
      " Speed Descriptor#0:    00/0 R@3.2x1385=4432KB/s W@16.0x1385=22160KB/s",
      " Speed Descriptor#1:    00/0 R@3.2x1385=4432KB/s W@12.0x1385=16620KB/s",
      " Speed Descriptor#2:    00/0 R@3.2x1385=4432KB/s W@8.0x1385=11080KB/s",
      " Speed Descriptor#3:    00/0 R@3.2x1385=4432KB/s W@6.0x1385=8310KB/s",
    }, format.mediainfo(d, "dvd"))
  end)
  it("Captures C, D, E, F", function()
    assert.are.same({
      " Speed Descriptor#0:    00/2295104 R@5.0x1385=6925KB/s W@4.0x1385=5540KB/s",
      " Speed Descriptor#1:    00/2295104 R@5.0x1385=6925KB/s W@2.4x1385=3324KB/s",
    }, format.mediainfo({ wsd(0, 2295104, 6925, 5540), wsd(0, 2295104, 6925, 3324) }, "dvd"))
    assert.are.same({
      " Speed Descriptor#0:    00/2236703 R@3.0x1385=4155KB/s W@3.0x1385=4155KB/s",
      " Speed Descriptor#1:    00/2236703 R@3.0x1385=4155KB/s W@2.0x1385=2770KB/s",
      " Speed Descriptor#2:    00/2236703 R@3.0x1385=4155KB/s W@2.0x1385=2770KB/s",
    }, format.mediainfo({ wsd(0, 2236703, 4155, 4155), wsd(0, 2236703, 4155, 2770),
      wsd(0, 2236703, 4155, 2770) }, "dvd"))
    assert.are.same({
      " Speed Descriptor#0:    00/4173824 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s",
      " Speed Descriptor#1:    00/4173824 R@6.0x1385=8310KB/s W@4.0x1385=5540KB/s",
      " Speed Descriptor#2:    00/4173824 R@6.0x1385=8310KB/s W@2.4x1385=3324KB/s",
    }, format.mediainfo({ wsd(0, 4173824, 8310, 8310), wsd(0, 4173824, 8310, 5540),
      wsd(0, 4173824, 8310, 3324) }, "dvd"))
    local f = {}
    for i, w in ipairs { 16620, 13850, 11080, 8310, 5540 } do f[i] = wsd(0, 2295103, 8310, w) end
    assert.are.same({
      " Speed Descriptor#0:    00/2295103 R@6.0x1385=8310KB/s W@12.0x1385=16620KB/s",
      " Speed Descriptor#1:    00/2295103 R@6.0x1385=8310KB/s W@10.0x1385=13850KB/s",
      " Speed Descriptor#2:    00/2295103 R@6.0x1385=8310KB/s W@8.0x1385=11080KB/s",
      " Speed Descriptor#3:    00/2295103 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s",
      " Speed Descriptor#4:    00/2295103 R@6.0x1385=8310KB/s W@4.0x1385=5540KB/s",
    }, format.mediainfo(f, "dvd"))
  end)
  it("Capture I: BD divides by 4495, CAV flag 08", function()
    local function list(end_lba)
      local d = {}
      for i, w in ipairs { 53952, 44960, 35968, 26976, 17984 } do
        d[i] = wsd(i < 5 and 0x08 or 0, end_lba, 26976, w)
      end
      return d
    end
    assert.are.same({
      " Speed Descriptor#0:    08/12219391 R@6.0x4495=26976KB/s W@12.0x4495=53952KB/s",
      " Speed Descriptor#1:    08/12219391 R@6.0x4495=26976KB/s W@10.0x4495=44960KB/s",
      " Speed Descriptor#2:    08/12219391 R@6.0x4495=26976KB/s W@8.0x4495=35968KB/s",
      " Speed Descriptor#3:    08/12219391 R@6.0x4495=26976KB/s W@6.0x4495=26976KB/s",
      " Speed Descriptor#4:    00/12219391 R@6.0x4495=26976KB/s W@4.0x4495=17984KB/s",
    }, format.mediainfo(list(12219391), "bd"))
    assert.are.equal(" Speed Descriptor#4:    00/12088319 R@6.0x4495=26976KB/s W@4.0x4495=17984KB/s",
      format.mediainfo(list(12088319), "bd")[5])
  end)
  it("raises on misuse", function()
    assert.has_error(function() format.mediainfo(nil, "dvd") end,
      "bad argument #1 to 'mediainfo' (table of write speed descriptors expected, got nil)")
  end)
end)

describe("format.mediainfo_performance (Write Performance lines)", function()
  local function nd(s, sp, e, ep)
    return { start_lba = s, start_performance = sp, end_lba = e, end_performance = ep }
  end
  it("Capture E: three zones, continuation lines padded to the column", function()
    assert.are.same({
      " Write Performance:     2.4x1385=3324KB/s@[0 -> 393215]",
      "                        4.0x1385=5540KB/s@[393216 -> 1114111]",
      "                        6.0x1385=8310KB/s@[1114112 -> 4173824]",
    }, format.mediainfo_performance({ nd(0, 3324, 393215, 3324), nd(393216, 5540, 1114111, 5540),
      nd(1114112, 8310, 4173824, 8310) }, "dvd"))
  end)
  it("Capture F: a CAV ramp", function()
    assert.are.same({ " Write Performance:     5.0x1385=6924KB/s@0 -> 12.0x1385=16620KB/s@2295103" },
      format.mediainfo_performance({ nd(0, 6924, 2295103, 16620) }, "dvd"))
  end)
  it("Captures A, B, C, D", function()
    assert.are.equal(squeeze("Write Performance: 2.0x1385=2770KB/s@[0 -> 2254431]"),
      squeeze(format.mediainfo_performance({ nd(0, 2770, 2254431, 2770) }, "dvd")[1]))
    assert.are.equal(" Write Performance:     6.4x1385=8864KB/s@[0 -> 0]",
      format.mediainfo_performance({ nd(0, 8864, 0, 8864) }, "dvd")[1])
    assert.are.equal(" Write Performance:     2.4x1385=3324KB/s@[0 -> 2295104]",
      format.mediainfo_performance({ nd(0, 3324, 2295104, 3324) }, "dvd")[1])
    assert.are.equal(" Write Performance:     3.0x1385=4155KB/s@[0 -> 2236703]",
      format.mediainfo_performance({ nd(0, 4155, 2236703, 4155) }, "dvd")[1])
  end)
end)

describe("format.mediainfo_capabilities (page 2Ah lines)", function()
  local function caps(cur, list)
    local w = {}
    for i, v in ipairs(list) do w[i] = { speed = v, rotation_control = 0 } end
    return { current_write_speed_selected = cur, write_speeds = w }
  end
  it("Capture C: CD speeds printed as DVD factors", function()
    assert.are.same({
      " Current Write Speed:   1.0x1385=1411KB/s",
      " Write Speed #0:        6.1x1385=8467KB/s",
      " Write Speed #1:        5.1x1385=7056KB/s",
      " Write Speed #2:        4.1x1385=5645KB/s",
      " Write Speed #3:        3.1x1385=4234KB/s",
      " Write Speed #4:        2.0x1385=2822KB/s",
      " Write Speed #5:        1.0x1385=1411KB/s",
    }, format.mediainfo_capabilities(caps(1411, { 8467, 7056, 5645, 4234, 2822, 1411 }), "dvd"))
  end)
  it("Capture I: BD", function()
    assert.are.same({
      " Current Write Speed:   12.0x4495=53952KB/s",
      " Write Speed #0:        12.0x4495=53952KB/s",
      " Write Speed #1:        10.0x4495=44960KB/s",
      " Write Speed #2:        8.0x4495=35968KB/s",
      " Write Speed #3:        6.0x4495=26976KB/s",
      " Write Speed #4:        4.0x4495=17984KB/s",
    }, format.mediainfo_capabilities(caps(53952, { 53952, 44960, 35968, 26976, 17984 }), "bd"))
  end)
  it("prints nothing when a speed is below 1352, as the tool does", function()
    assert.are.same({}, format.mediainfo_capabilities(caps(8467, { 8467, 706 }), "dvd"))
  end)
end)

describe("format.list_speeds (xorriso -list_speeds)", function()
  it("prints the tool's columns and L/H lines", function()
    assert.are.same({
      "Write speed  :  11080k ,  8.0xD",
      "Write speed  :   5540k ,  4.0xD",
      "Write speed L:   5540k ,  4.0xD",
      "Write speed H:  11080k ,  8.0xD",
    }, format.list_speeds({ { write = 11080 }, { write = 5540 } }, "dvd"))
  end)
  it("uses xB for BD (4495.625) and xC for CD (176.4)", function()
    assert.are.same({
      "Write speed  :  53952k , 12.0xB",
      "Write speed L:  53952k , 12.0xB",
      "Write speed H:  53952k , 12.0xB",
    }, format.list_speeds({ { write_speed = 53952 } }, "bd"))
    -- as in a real CD-RW listing: "Write speed  :   1764k , 10.0xC"
    assert.are.equal("Write speed  :   1764k , 10.0xC", format.list_speeds({ 1764, 706 }, "cd")[1])
    assert.are.equal("Write speed L:    706k ,  4.0xC", format.list_speeds({ 1764, 706 }, "cd")[2 + 1])
  end)
end)

describe("format.prcap (wodim -prcap)", function()
  it("Capture E: Optiarc, truncated x figures", function()
    local lines = format.prcap {
      max_read_speed = 8310, current_read_speed = 8310, max_write_speed = 8310, current_write_speed = 8310,
      write_speeds = { { speed = 8310, rotation_control = 0 }, { speed = 5540, rotation_control = 0 },
        { speed = 3324, rotation_control = 0 } } }
    assert.are.same({
      "  Maximum read  speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Current read  speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Maximum write speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Current write speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Number of supported write speeds: 3",
      "  Write speed # 0:  8310 kB/s CLV/PCAV (CD  47x, DVD  6x)",
      "  Write speed # 1:  5540 kB/s CLV/PCAV (CD  31x, DVD  4x)",
      "  Write speed # 2:  3324 kB/s CLV/PCAV (CD  18x, DVD  2x)",
    }, lines)
  end)
  it("Capture G: HL-DT-ST with a CD-R, rotation and buffer lines", function()
    local w = {}
    for i, v in ipairs { 7056, 5645, 4234, 2822, 1411, 706 } do w[i] = { speed = v, rotation_control = 0 } end
    assert.are.same({
      "  Maximum read  speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Current read  speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Maximum write speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Current write speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Rotational control selected: CLV/PCAV",
      "  Buffer size in KB: 2048",
      "  Copy management revision supported: 1",
      "  Number of supported write speeds: 6",
      "  Write speed # 0:  7056 kB/s CLV/PCAV (CD  40x, DVD  5x)",
      "  Write speed # 1:  5645 kB/s CLV/PCAV (CD  32x, DVD  4x)",
      "  Write speed # 2:  4234 kB/s CLV/PCAV (CD  24x, DVD  3x)",
      "  Write speed # 3:  2822 kB/s CLV/PCAV (CD  16x, DVD  2x)",
      "  Write speed # 4:  1411 kB/s CLV/PCAV (CD   8x, DVD  1x)",
      "  Write speed # 5:   706 kB/s CLV/PCAV (CD   4x, DVD  0x)",
    }, format.prcap { max_read_speed = 7056, current_read_speed = 7056, max_write_speed = 7056,
      current_write_speed_selected = 7056, rotation_control = 0, buffer_size_kb = 2048,
      copy_management_revision = 1, write_speeds = w })
  end)
  it("names a pure CAV entry (Capture H) and five-digit speeds", function()
    local lines = format.prcap { write_speeds = { { speed = 8467, rotation_control = 1 },
      { speed = 11080, rotation_control = 0 } } }
    assert.are.equal("  Write speed # 0:  8467 kB/s CAV (CD  48x, DVD  6x)", lines[2])
    assert.are.equal("  Write speed # 1: 11080 kB/s CLV/PCAV (CD  62x, DVD  8x)", lines[3])
  end)
end)

describe("format.plot", function()
  it("draws a zoned curve rising left to right", function()
    local lines = format.plot({
      { start_lba = 0, start_performance = 3324, end_lba = 393215, end_performance = 3324 },
      { start_lba = 393216, start_performance = 5540, end_lba = 1114111, end_performance = 5540 },
      { start_lba = 1114112, start_performance = 8310, end_lba = 4173824, end_performance = 8310 },
    }, "dvd", { width = 40, height = 6 })
    assert.are.equal("  6.0x |           *****************************", lines[1])
    assert.are.equal("  3.6x |    *******", lines[3])
    assert.are.equal("       |****", lines[4])
    assert.are.equal("        0                                4173824", lines[8])
  end)
  it("says so for an empty curve", function()
    assert.are.same({ "(no performance curve)" }, format.plot({}, "dvd"))
  end)
end)

describe("format.plain", function()
  it("keeps data, drops functions and splits mixed tables", function()
    local t = format.plain { 1, 2, notes = { "a" }, f = print, x = 0 / 0, n = { y = true } }
    assert.are.same({ items = { 1, 2 }, notes = { "a" }, n = { y = true } }, t)
  end)
  it("raises on a cycle", function()
    local t = {}
    t.self = t
    assert.has_error(function() format.plain(t) end, "bad argument #1 to 'plain' (cycle at value.self)")
  end)
end)
