-- The layer users come for, against drives that say odd things: the report never
-- breaks, impossible values never pass silently, one policy grammar, emitters that
-- behave as the tools do.  Each case here broke before the snapshot/judge rework.

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local speeds = require "cdperf.speeds"
local format = require "cdperf.format"
local judge = require "cdperf.judge"
local report = require "cdperf.report"
local snapshot = require "cdperf.snapshot"

-- A snapshot as a drive would give it (plain data, no drive needed).
local function snap_of(t)
  local s = { format = snapshot.FORMAT, version = 1, device = "test", errors = {}, notes = {}, commands = 0,
    inquiry = { vendor = "TEST", product = "DRIVE", revision = "1.0" } }
  for k, v in pairs(t) do s[k] = v end
  return s
end

local function wsd(w, end_lba, rc, extra)
  local d = { write_speed = w, read_speed = 8310, end_lba = end_lba or 2295103, write_rotation_control = rc or 0,
    exact = false, mixed_read_write = false, restore_drive_defaults = false }
  for k, v in pairs(extra or {}) do d[k] = v end
  return d
end

local DVDR = { code = 0x1B, name = "DVD+R", class = "dvd" }

describe("report on shapes of answer the captures lack", function()
  it("every query succeeds but the performance lists are empty: the report prints", function()
    local s = snap_of { profile = DVDR, write_speeds = { wsd(16620), wsd(8310) },
      performance = { read = {}, write = {} },
      capabilities = { write_speeds = {} } }
    local r = report.build(s, {})
    local text = table.concat(report.text(r), "\n")
    assert.truthy(text:find("Write performance: none", 1, true))
    assert.truthy(text:find("Read performance: none", 1, true))
    assert.truthy(text:find("12x DVD (16620 kB/s)       ", 1, true))
    -- no curve: the disc's physics at 12x over the capacity the descriptors give: P-CAV
    -- under the spindle limit, so more than the flat 12x figure, plus the overheads
    assert.is_true(r.estimates[1].seconds > 2295104 * 2.048 / 16620)
    assert.are.equal("physics", r.estimates[1].source)
  end)

  it("no write speeds at all and no page 2Ah: says why instead of crashing", function()
    local s = snap_of { profile = DVDR, errors = {
      write_speeds = { message = "GET PERFORMANCE: ILLEGAL REQUEST", info = { kind = "scsi" } },
      capabilities = { message = "MODE SENSE: ILLEGAL REQUEST", info = { kind = "scsi" } } } }
    local r = report.build(s, {})
    local text = table.concat(report.text(r), "\n")
    assert.truthy(text:find("Write speeds: none (no write speeds: GET PERFORMANCE: GET PERFORMANCE: ILLEGAL REQUEST",
      1, true))
  end)
end)

describe("judge: impossible values are dropped with a note, never silently", function()
  it("a 137115 kB/s '99x DVD', 4294967295 kB/s, zero and duplicates", function()
    local s = snap_of { profile = DVDR, capabilities = {},
      write_speeds = { wsd(137115), wsd(4294967295), wsd(0), wsd(16620), wsd(16620), wsd(8310) } }
    local list = assert(speeds.list(s))
    assert.are.equal(2, #list)
    assert.are.same({ 16620, 8310 }, { list[1].write, list[2].write })
    assert.are.same({
      "dropped 3 impossible write speed descriptor(s): #1 137115 (99.0x, above the fastest any DVD drive writes "
        .. "(24x)), #2 4294967295 (3101059.4x, above the fastest any DVD drive writes (24x)), #3 0 (zero)",
      "removed 1 duplicate write speed descriptor(s): 12x DVD (16620 kB/s)" }, list.notes)
  end)

  it("negative, NaN, infinite and fractional speeds in a snapshot", function()
    local s = snap_of { profile = DVDR, write_speeds = { wsd(-5540), wsd(0 / 0), wsd(math.huge), wsd(5540.5),
      wsd(5540) } }
    local list = assert(speeds.list(s))
    assert.are.equal(1, #list)
    assert.are.equal(5540, list[1].write)
    assert.truthy(list.notes[1]:find("#1 -5540 (negative), #2 NaN (NaN), #3 infinity (infinite), "
      .. "#4 5540.5 (not a whole number of kB/s)", 1, true))
  end)

  it("an End LBA beyond any DVD is not taken for the capacity", function()
    local s = snap_of { profile = DVDR, write_speeds = { wsd(8310, 0xFFFFFFFF) } }
    local list = assert(speeds.list(s))
    assert.is_nil(list[1].end_lba)
    assert.is_nil(list.capacity)
    assert.truthy(list.notes[1]:find("ignored End LBA(s) beyond any DVD: 4294967295", 1, true))
  end)

  it("judge.speed, judge.size, judge.curve", function()
    assert.is_nil(judge.speed(53952, "bd", "write"))
    assert.is_nil(judge.speed(72 * 176, "cd", "read"))
    assert.truthy(judge.speed(72 * 176, "cd", "write"))
    assert.truthy(judge.size(1e99):find("more than any disc holds", 1, true))
    assert.are.equal("negative", judge.size(-1))
    local curve, notes = judge.curve(
      { { start_lba = 0, start_performance = 8864, end_lba = 0, end_performance = 8864 } },
      "dvd", "write")
    assert.are.same({}, curve)
    assert.are.same({ "ignored the write performance curve: it spans no sectors (LBA 0 .. 0)" }, notes)
  end)
end)

describe("estimate meets the medium", function()
  local s = snap_of { profile = DVDR, write_speeds = { wsd(16620), wsd(8310) },
    performance = { write = { { start_lba = 0, start_performance = 6924, end_lba = 2295103,
      end_performance = 16620 } } } }
  it("23 GB do not fit on a DVD+R: an error that says so", function()
    local list = assert(speeds.list(s))
    local t, msg, info = speeds.estimate(s, 23e9, list[1])
    assert.is_nil(t)
    assert.are.equal("23000000000 bytes do not fit: the medium holds 2295104 sectors (4700372992 bytes)", msg)
    assert.are.equal("medium", info.kind)
  end)
  it("a degenerate curve gives different times for 16x, 12x and 8x", function()
    local d = snap_of { profile = DVDR, write_speeds = { wsd(22160), wsd(16620), wsd(11080) },
      performance = { write = { { start_lba = 0, start_performance = 8864, end_lba = 0, end_performance = 8864 } } } }
    local list = assert(speeds.list(d))
    -- the whole disc: near the hub the spindle limit holds all three alike, the rim tells them apart
    local bytes = list.capacity * 2048
    local t1, t2 = speeds.estimate(d, bytes, list[1]), speeds.estimate(d, bytes, list[2])
    local t3 = speeds.estimate(d, bytes, list[3])
    assert.is_true(t1 < t2 and t2 < t3)
  end)
  it("never NaN: a ramp that would pass zero past its last LBA", function()
    local curve = { { start_lba = 0, start_performance = 71928, end_lba = 1, end_performance = 8468 } }
    local t = speeds.estimate(curve, 2 * 2048, { write = 71928 })
    assert.is_false(judge.number(t) ~= nil)
    assert.is_true(t > 0)
  end)
end)

describe("policies: one grammar, checked arguments and results", function()
  local s = snap_of { profile = DVDR, capabilities = {}, write_speeds = { wsd(16620, nil, 0, { exact = true }),
    wsd(11080), wsd(8310, nil, 1), wsd(5540, nil, 0, { exact = true }) },
    performance = { write = { { start_lba = 0, start_performance = 6924, end_lba = 2295103,
      end_performance = 16620 } } } }
  local list = assert(speeds.list(s))

  it("the -p words work as Lua strings, with , narrowing and | falling back", function()
    assert.are.equal(5540, speeds.pick(list, "exact,min").write)
    assert.are.equal(11080, speeds.pick(list, "at-most=8").write)
    assert.are.equal(11080, speeds.pick(list, "at_most=8").write)
    assert.are.equal(8310, speeds.pick(list, "cav").write)
    local e, why = speeds.pick(list, "at-least=20|exact,min")
    assert.are.equal(5540, e.write)
    assert.truthy(why:find("fallback 2 (no speed at least 20x", 1, true))
    assert.are.equal(5540, speeds.pick(list, { fallback = { { at_least = 20 }, { "exact", "min" } } }).write)
    local none, msg = speeds.pick(list, "at-least=20|at-most=1")
    assert.is_nil(none)
    assert.truthy(msg:find("no speed at least 20x", 1, true) and msg:find("and then: no speed at most 1x", 1, true))
  end)

  it("fastest-for: the speed that writes N bytes soonest, ties to the slower", function()
    -- CAV ramp 5x..12x: for 1 GB only the inner part is used, where 8x and 12x run alike
    local e, why = speeds.pick(list, "fastest-for=1G")
    assert.truthy(why:find("the fastest burn of 1000000000 bytes", 1, true))
    local t_best = speeds.estimate(s, 1e9, e)
    for _, x in ipairs(list) do assert.is_true(t_best <= speeds.estimate(s, 1e9, x) * 1.01) end
    assert.is_true(e.write < 16620)
    assert.are.same(speeds.pick(list, "fastest-for=1G"), speeds.pick(list, { fastest_for = 1e9 }))
    assert.has_error(function() speeds.pick(list, "fastest-for=1e99") end)
  end)

  it("checks arguments, naming the field", function()
    assert.has_error(function() speeds.pick(list, { nearest = 0 / 0 }) end,
      "bad argument #2 to 'pick' (policy field 'nearest' expects a positive number, got " .. tostring(0 / 0) .. ")")
    assert.has_error(function() speeds.pick(list, { at_most = math.huge }) end,
      "bad argument #2 to 'pick' (policy field 'at_most' expects a positive number, got inf)")
    assert.has_error(function() speeds.pick(list, "nearest") end,
      "bad argument #2 to 'pick' (policy word 'nearest' needs a value (nearest=...))")
    assert.has_error(function() speeds.pick(list, "exact=1") end,
      "bad argument #2 to 'pick' (policy word 'exact' takes no value)")
  end)

  it("policy functions get (candidates, context) and their results are checked", function()
    local got
    local e = speeds.pick(list, function(c, ctx) got = ctx; return c[2] end)
    assert.are.equal(11080, e.write)
    assert.are.equal("dvd", got.class)
    assert.are.equal(s, got.snapshot)
    assert.has_error(function() speeds.pick(list, function() return { read = 5540 } end) end,
      "bad argument #2 to 'pick' (the policy function returned entry 1 with no write speed)")
    assert.has_error(function() speeds.pick(list, function() return { write = 99999 } end) end,
      "bad argument #2 to 'pick' (the policy function returned 99999 kB/s, not one of the candidates it was given)")
  end)
end)

describe("misuse gets a clear error", function()
  it("format.duration", function()
    assert.has_error(function() format.duration(-5) end,
      "bad argument #1 to 'duration' (seconds >= 0 expected, got -5)")
    assert.are.equal("unbounded", format.duration(math.huge))
  end)
  it("speeds.list of a table that is neither a drive nor a snapshot", function()
    assert.has_error(function() speeds.list({}) end,
      "bad argument #1 to 'list' (drive or snapshot expected, got a table that is neither)")
  end)
  it("format.parse_size", function()
    assert.are.equal(700 * 1024 ^ 2, format.parse_size("700MiB"))
    assert.are.equal(4.7e9, format.parse_size("4.7G"))
    local n, msg = format.parse_size("1e99")
    assert.is_nil(n)
    assert.truthy(msg:find("more than any disc holds", 1, true))
    assert.are.equal('bad size "12 parsecs": unknown unit "parsecs" (use k M G T or KiB MiB GiB TiB)',
      select(2, format.parse_size("12 parsecs")))
  end)
end)

describe_core("speeds.apply on impossible entries", function()
  local cdperf = require "cdperf"
  it("names the field the caller passed", function()
    local d = assert(cdperf.open("emulated:samsung_sh224db_dvdpr", { write = true }))
    assert.has_error(function() speeds.apply(d, { write = 1e12 }) end,
      "bad argument #2 to 'apply' (entry.write 1000000000000 is no speed a drive can be set to: "
      .. "more than SET STREAMING can carry)")
    assert.has_error(function() speeds.apply(d, { write = 5540.5 }) end,
      "bad argument #2 to 'apply' (entry.write 5540.5 is no speed a drive can be set to: "
      .. "not a whole number of kB/s)")
    assert.has_error(function() speeds.apply(d, { write = 2 ^ 40 }) end,
      "bad argument #2 to 'apply' (entry.write 1099511627776 is no speed a drive can be set to: "
      .. "more than SET STREAMING can carry)")
    assert.has_error(function() speeds.apply(d, { write = 5540, read = -1 }) end,
      "bad argument #2 to 'apply' (entry.read -1 is no speed a drive can be set to: not positive)")
  end)
end)

describe("dvd+rw-mediainfo as the tool prints it", function()
  it("the RDD bit under one name", function()
    local lines = format.mediainfo({ wsd(8310, 2295103, 0, { restore_drive_defaults = true }) }, "dvd")
    assert.are.equal(" Speed Descriptor#0:    04/2295103 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s", lines[1])
  end)
  it("no GET [CURRENT] PERFORMANCE header without a performance descriptor", function()
    local out, err, failed = format.mediainfo_report(snap_of { profile = DVDR, write_speeds = { wsd(8310) },
      performance = { write = {} } })
    assert.is_false(failed)
    assert.are.same({ "INQUIRY:                [TEST    ][DRIVE           ][1.0 ]", "GET [CURRENT] CONFIGURATION:",
      " Mounted Media:         1Bh, DVD+R",
      " Speed Descriptor#0:    00/2295103 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s" }, out)
    assert.are.same({}, err)
  end)
  it("a CD: the tool's refusal", function()
    local out, err, failed = format.mediainfo_report(snap_of { profile = { code = 0x09, name = "CD-R", class = "cd" } })
    assert.is_true(failed)
    assert.are.equal(2, #out)
    assert.are.same({ ":-( non-DVD media mounted, exiting..." }, err)
    err = select(2, format.mediainfo_report(snap_of { profile = { code = 0 } }))
    assert.are.same({ ":-( no media mounted, exiting..." }, err)
  end)
  it("values no drive sends (a snapshot from a file) are left out with a line, not a crash", function()
    local out, err = format.mediainfo_report(snap_of { profile = DVDR,
      write_speeds = { wsd(0 / 0), wsd(8310) }, performance = { write = { { start_lba = 0, start_performance = -1,
        end_lba = 10, end_performance = 5 } } } })
    assert.are.equal(" Speed Descriptor#0:    00/2295103 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s", out[#out])
    assert.are.same({ ":-( cdperf: write performance descriptor #0 holds values no drive sends; left out",
      ":-( cdperf: speed descriptor #0 holds values no drive sends; left out" }, err)
    assert.has_error(function() format.prcap { max_read_speed = math.huge } end,
      "bad value infinity (a drive's field is a whole number 0..4294967295: not finite)")
  end)
  it("an insane GET PERFORMANCE length prints nothing, as the tool does", function()
    local raw = ("%08x"):format(4 + 16 + 3) .. ("00"):rep(4 + 16 + 3)
    local out = format.mediainfo_report(snap_of { profile = DVDR, raw = { write_speeds = raw },
      write_speeds = { wsd(8310) } })
    assert.are.equal(3, #out)
  end)
end)

describe("JSON", function()
  it("sorts every object's keys", function()
    local text = format.json { zeta = 1, alpha = { c = 1, b = 2 }, mid = { 1, 2 } }
    assert.are.equal('{\n  "alpha":{\n    "b":2,\n    "c":1\n  },\n  "mid":[1,2],\n  "zeta":1\n}', text)
  end)
end)
