-- cdperf.estimate: the burn by the stopwatch in speeds.estimate's detail.  Hand
-- computations from the spiral (cdperf.physics' model, checked in physics_spec):
-- n sectors between radii r0 and r1 of a spiral with pitch p take, at linear velocity V,
-- pi (r1^2 - r0^2) / (p V) s (CLV) and, at angular velocity w, 2 pi (r1 - r0) / (p w) s (CAV).

local speeds = require "cdperf.speeds"
local estimate = require "cdperf.estimate"
local physics = require "cdperf.physics"

local pi = math.pi

local function near(expected, actual, rel, what)
  if math.abs(actual - expected) > (rel or 1e-9) * math.abs(expected) then
    error(("%s: expected %.12g, got %.12g"):format(what or "value", expected, actual), 2)
  end
end

local function snap(profile, write_speeds, curve)
  return { format = "cdperf.snapshot", version = 1, profile = profile, write_speeds = write_speeds,
    performance = { write = curve }, errors = {}, notes = {} }
end
local DVDR = { code = 0x1B, name = "DVD+R", class = "dvd" }
local DVDR_DL = { code = 0x2B, name = "DVD+R DL", class = "dvd" }
local BDR = { code = 0x41, name = "BD-R SRM", class = "bd" }
local function wsd(w, end_lba, rc)
  return { write_speed = w, read_speed = 0, end_lba = end_lba, write_rotation_control = rc or 0 }
end
local function nd(s, sp, e, ep) return { start_lba = s, start_performance = sp, end_lba = e, end_performance = ep } end

-- DVD+R: 2,295,104 sectors fill 24..58 mm; sector area a; 1x = 1385 kB/s = 676.3 sectors/s.
local N = 2295104
local A = pi * (58 ^ 2 - 24 ^ 2) / N                       -- mm^2 per sector
local P = 0.74e-3                                          -- mm
local SPS = 1385000 / 2048                                 -- sectors per second at 1x
local function sectors_between(r0, r1) return pi * (r1 ^ 2 - r0 ^ 2) / A end

describe("cdperf.estimate", function()
  it("CLV (4x DVD, no curve): the data at 4x, OPC, a lead-in from 22.6 mm and a lead-out to 58.5 mm", function()
    local s = snap(DVDR, { wsd(5540, N - 1) })
    local secs, d = speeds.estimate(s, N * 2048, { write = 5540, rotation = "clv" })
    near(d.seconds, secs, 1e-12, "first value: the burn by the stopwatch")
    near(N * 2.048 / 5540, d.curve_seconds, 1e-12, "the entry's flat speed over the data")
    assert.are.equal("physics", d.source)
    assert.are.equal("clv", d.strategy)
    near(N * 2.048 / 5540, d.data_seconds, 1e-9, "data")
    near(2, d.overheads.opc, 1e-12, "OPC")
    near(sectors_between(22.6, 24) * 2.048 / 5540, d.overheads.lead_in, 1e-9, "lead-in 22.6..24 mm")   -- 19.85 s
    -- the lead-out follows the run-out: from 16 sectors past 58 mm to 58.5 mm (17.72 s)
    near((sectors_between(58, 58.5) - 16) * 2.048 / 5540, d.overheads.lead_out, 1e-9, "lead-out to 58.5 mm")
    near(16 * 2.048 / 5540, d.overheads.tracks, 1e-9, "an ECC block of run-out")
    near(35, d.overheads.finalize, 1e-12, "closing the DVD+R (measured, physics.OVERHEAD)")
    near(d.data_seconds + d.overhead_seconds, d.seconds, 1e-12)
    near(2 + 19.854, 2 + d.overheads.lead_in, 1e-3)
    near(24, d.reach_radius_mm, 1e-9, "4x from the first sector")
    assert.are.equal(0, d.reach_lba)
    near(N * 2.048 / d.seconds, d.average_kBps, 1e-12)
    -- the list's top is 4x: the spindle limit is WRITE_MIN_RPM (4x at 58 mm needs only 2297
    -- rpm), and 4x at 24 mm needs 4 x 3487.6 / 24 = 581 rad/s = 5550 rpm: CLV throughout
    near(physics.WRITE_MIN_RPM, d.limit_rpm, 1e-12)
    -- (848.45 data + 2 + 19.85 + 17.72 + 0.01 + 35) / 848.45 = 1.088: 9 % more than the data
    -- alone (hardware.info: "around 15 minutes" for a full DVD at 4x; this is 15:23)
    near(1.088, d.seconds / d.curve_seconds, 0.005)
    assert.are.same(d.seconds, (estimate.burn(s, N * 2048, { write = 5540, rotation = "clv" })))
  end)

  it("CAV (16x DVD, CLV asked, 16x the fastest offered): the spindle turns what 16x needs at 58 mm", function()
    local s = snap(DVDR, { wsd(22160, N - 1), wsd(11080, N - 1) })
    local _, d = speeds.estimate(s, N * 2048, { write = 22160, rotation = "clv" })
    local v1 = SPS * A / P                                   -- mm/s at 1x (3.4876 m/s)
    local V = 16 * v1
    local w = V / 58                                         -- 962.1 rad/s = 9187 rpm
    near(9187, w * 60 / (2 * pi), 1e-4)
    near(w * 60 / (2 * pi), d.limit_rpm, 1e-12)
    assert.are.equal("cav", d.strategy)
    -- CAV 24..58 mm: 2 pi (58 - 24) / (p w) = 213.6 / 0.7120 = 300.1 s (NEC's 16x CAV, from
    -- 6.75x: the data at its 11.70x average took 290 s)
    near(2 * pi * 34 / (P * w), d.data_seconds, 1e-9, "data")
    near(300.06, d.data_seconds, 1e-4)
    assert.truthy(table.concat(d.assumptions, "\n"):find("CAV throughout, 6.6x DVD", 1, true))
    near(58, d.reach_radius_mm, 1e-9, "16x only at the rim")
    near(w * 60 / (2 * pi), d.max_rpm, 1e-9)
    -- overheads: OPC 2 + lead-in 22.6..24 mm at CAV (~6.4x) 12.4 + lead-out 0.5 mm at 16x
    -- 4.4 + 35 finalization = 53.8 s; 300.1 + 53.8 = 353.8 s = 5:54 (measured: Philips 5:53,
    -- NEC 6:08, CDFreaks 2004)
    near(53.8, d.overhead_seconds, 0.005)
    near(353.8, d.seconds, 0.001)
    assert.truthy(table.concat(d.assumptions, "\n"):find("spindle limit 9187 rpm", 1, true))
    assert.truthy(table.concat(d.assumptions, "\n"):find("is reached only at the rim: CAV throughout", 1, true))
  end)

  it("P-CAV (8x on a 16x drive's list): CAV at 9187 rpm inside 29 mm, CLV 8x outside", function()
    local s = snap(DVDR, { wsd(22160, N - 1), wsd(11080, N - 1) })
    local _, d = speeds.estimate(s, N * 2048, { write = 11080, rotation = "clv" })
    local v1 = SPS * A / P
    local V, w = 8 * v1, 16 * v1 / 58
    local rc = V / w                                         -- 29.0 mm: half of 58
    near(29, rc, 1e-12)
    -- CAV 24..29: 2 pi 5 / (p w) = 44.1 s; CLV 29..58: pi (58^2 - 29^2) / (p V) = 383.9 s
    local data = 2 * pi * (rc - 24) / (P * w) + pi * (58 ^ 2 - rc ^ 2) / (P * V)
    near(428.0, data, 1e-3)
    assert.are.equal("pcav", d.strategy)
    near(data, d.data_seconds, 1e-9, "data")
    near(rc, d.reach_radius_mm, 1e-9)
  end)

  it("P-CAV (16x DVD, no list known): CAV at physics.LIMIT_RPM inside the radius where 16x needs more", function()
    local s = { class = "dvd", capacity = N }               -- a speed list without entries or snapshot
    local _, d = speeds.estimate(s, N * 2048, { write = 22160, rotation = "clv" })
    near(physics.LIMIT_RPM, d.limit_rpm, 1e-12)
    local v1 = SPS * A / P                                   -- mm/s at 1x (3.49 m/s)
    local V, w = 22160 / 1385 * v1, 10000 * 2 * pi / 60
    local rc = V / w                                         -- 53.3 mm
    near(53.3, rc, 1e-3)
    local data = 2 * pi * (rc - 24) / (P * w) + pi * (58 ^ 2 - rc ^ 2) / (P * V)
    assert.are.equal("pcav", d.strategy)
    near(data, d.data_seconds, 1e-9, "data")
    near(rc, d.reach_radius_mm, 1e-9, "16x reached at")
    near(sectors_between(24, rc), d.reach_lba, 1e-6)
    near(10000, d.max_rpm, 1e-9)
    -- the flat 16x figure is 24 % short of the data time alone
    near(0.765, (N * 2.048 / 22160) / data, 0.01)
    assert.truthy(d.assumptions[1]:find("needs more than the 10000 rpm spindle limit inside 53.3 mm", 1, true))
  end)

  it("CAV (12x BD, rotation control 01b): constant rpm, 12x only at the rim; BD writes no lead-in or out", function()
    local n = 12219392
    local s = snap(BDR, { wsd(53952, n - 1, 1) })
    local _, d = speeds.estimate(s, n * 2048, { write = 53952, rotation = "cav" })
    assert.are.equal("cav", d.strategy)
    -- CAV from 24 to 58 mm takes 2 R / (R + r0) times the CLV time at the rim's speed
    near(n * 2.048 / 53952 * 2 * 58 / (58 + 24), d.data_seconds, 1e-9, "data")
    near(58, d.reach_radius_mm, 1e-9)
    assert.are.same({ opc = 2, lead_in = 0, lead_out = 0, tracks = d.overheads.tracks, finalize = 0 }, d.overheads)
    local g = physics.geometry("bd")
    near(physics.rpm(g, n, 53952), d.max_rpm, 1e-9)
    assert.is_true(d.max_rpm < 10000)
    -- 12x BD at 58 mm: 12 x 4917 mm/s / 58 = 1017 rad/s = 9715 rpm, the limit and the CAV itself
    near(physics.write_limit_rpm(g, 53952), d.limit_rpm, 1e-12)
    near(d.max_rpm, d.limit_rpm, 1e-9)
  end)

  it("Z-CLV from the drive's curve when it is for the chosen speed (Capture E)", function()
    local curve = { nd(0, 3324, 393215, 3324), nd(393216, 5540, 1114111, 5540), nd(1114112, 8310, 4173824, 8310) }
    local s = snap(DVDR_DL, { wsd(8310, 4173824) }, curve)
    local secs, d = speeds.estimate(s, 4173825 * 2048, { write = 8310 })
    near(1262.834013959, d.curve_seconds, 1e-9)
    assert.are.equal("drive", d.source)
    near(d.curve_seconds, d.data_seconds, 1e-12)
    near(d.seconds, secs, 1e-12)
    assert.are.equal(1114112, d.reach_lba)
    assert.truthy(d.assumptions[1]:find("the drive's curve is for this speed", 1, true))
    assert.is_true(d.overheads.lead_in > 0 and d.overheads.lead_out > 0)
    near(d.data_seconds + d.overhead_seconds, secs, 1e-12)
  end)

  it("caps the current curve for a slower speed and says so (Capture F at 8x)", function()
    local s = snap(DVDR, { wsd(16620, N - 1), wsd(11080, N - 1) }, { nd(0, 6924, N - 1, 16620) })
    local secs, d = speeds.estimate(s, N * 2048, { write = 11080 })
    near(470.302956853, d.curve_seconds, 1e-6)
    near(d.data_seconds + d.overhead_seconds, secs, 1e-9)
    assert.are.equal("drive", d.source)
    assert.truthy(d.assumptions[1]:find("taken capped at 8x DVD (11080 kB/s)", 1, true))
  end)

  it("does not stretch a curve for a slower setting to a faster speed (Capture C): physics instead", function()
    local s = snap({ code = 0x1A, name = "DVD+RW", class = "dvd" }, { wsd(5540, N), wsd(3324, N) },
      { nd(0, 3324, N, 3324) })
    local secs, d = speeds.estimate(s, N * 2048, { write = 5540 })
    near(N * 2.048 / 3324, d.curve_seconds, 1e-9, "the current curve's time, kept in the detail")
    near(d.seconds, secs, 1e-12)
    assert.are.equal("physics", d.source)
    near(N * 2.048 / 5540, d.data_seconds, 1e-3)
    assert.truthy(d.assumptions[1]:find("describes its current setting (top 2.4x DVD (3324 kB/s)), slower than", 1,
      true))
  end)

  it("adds nothing without a medium class (a bare curve), and keeps the no-speed failure", function()
    local secs, d = speeds.estimate({ nd(0, 11080, N - 1, 11080) }, 4.7e9)
    near(secs, d.seconds, 1e-12)
    assert.are.equal(0, d.overhead_seconds)
    assert.is_nil(d.overheads)
    assert.is_nil(speeds.estimate({}, 1e9))
  end)

  it("assumes a standard disc when the drive tells no capacity (End LBA 0, Capture B)", function()
    local s = snap(DVDR, { wsd(22160, 0), wsd(8310, 0) })
    local _, d = speeds.estimate(s, 4.7e9, { write = 8310 })
    assert.are.equal("physics", d.source)
    assert.truthy(table.concat(d.assumptions, "\n"):find("capacity unknown: assumed a standard DVD of 2295104 sectors",
      1, true))
  end)
end)
