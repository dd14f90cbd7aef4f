-- cdperf.physics: the disc as a spiral, spindle strategies, write times.

local physics = require "cdperf.physics"
local media = require "cdperf.media"

local pi = math.pi

local function near(expected, actual, rel, what)
  local tol = (rel or 1e-9) * math.max(math.abs(expected), 1e-300)
  if math.abs(actual - expected) > tol then
    error(("%s: expected %.12g, got %.12g (tolerance %.3g)"):format(what or "value", expected, actual, tol), 2)
  end
end

local function within(lo, hi, v, what)
  if not (v >= lo and v <= hi) then
    error(("%s: expected %g..%g, got %.6g"):format(what or "value", lo, hi, v), 2)
  end
end

local function minutes(r) return r.seconds / 60 end

local function on_ladder(kBps, class)
  for _, s in ipairs(media.LADDERS[class]) do
    if math.abs(kBps / media.ONE_X[class] - s) < 1e-9 then return true end
  end
  return false
end

-- Every kind of disc the module knows, by the capacities drives report.
local DISCS = {
  { "cd", nil, "CD-R 80 min" },
  { "cd", { capacity = 336075 }, "CD-R 74 min" },
  { "dvd", nil, "DVD+R" },
  { "dvd", { capacity = 2254432 }, "DVD-RW formatted (capture A)" },
  { "dvd", { capacity = 4173824 }, "DVD+R DL (capture E)" },
  { "dvd", { capacity = 4173824, path = "ptp" }, "DVD DL PTP" },
  { "bd", nil, "BD-R 25 GB (capture I)" },
  { "bd", { capacity = 24438784 }, "BD-R DL" },
  { "bd", { capacity = 48878592 }, "BD-R XL TL" },
}

local STRATEGIES = { "auto", "clv", "zclv", "pcav", "cav" }

describe("physics.geometry", function()
  it("fits an 80-min CD at 1.2 m/s with the pitch that puts the last sector on 58 mm", function()
    local g = physics.geometry("cd")
    assert.are.equal(359849, g.capacity)          -- ATIP lead-out 79:59:74
    assert.are.equal(1, g.layers)
    assert.is_nil(g.path)
    near(1.2, g.velocity_1x)
    within(1.48, 1.50, g.pitch_um, "80-min pitch")
    near(58.0, g.r_outer)
    assert.is_true(g.fitted)
    -- LBA 0 is MSF 00:02:00: 150 sectors past the program area's start at 25 mm
    near(pi * (g.layer[1].r_first ^ 2 - 25 ^ 2), 150 * g.sector_area_mm2, 1e-9, "pregap area")
    near(75, g.sectors_per_second_1x)
    near(2.352, g.kB_per_sector)
  end)

  it("gives a 74-min CD the textbook 1.6 um at 1.2 m/s, a 63-min one 1.4 m/s", function()
    local g74 = physics.geometry("cd", { capacity = 336075 })
    near(1.2, g74.velocity_1x)
    near(1.6, g74.pitch_um, 1e-3)
    local g63 = physics.geometry("cd", { capacity = 283500 })
    near(1.4, g63.velocity_1x)
    near(1.6, g63.pitch_um)
    within(57, 58, g63.r_outer, "63 min ends inside 58 mm")
    assert.is_false(g63.fitted)
  end)

  it("fits DVD+R and DVD-R single layer at 3.49 m/s within ECMA-267's tolerance", function()
    for _, cap in ipairs { 2295104, 2298496 } do
      local g = physics.geometry("dvd", { capacity = cap })
      assert.are.equal(1, g.layers)
      within(3.46, 3.52, g.velocity_1x, "1x velocity")
      near(0.74, g.pitch_um)
      near(58.0, g.r_outer)
      near(24.0, physics.radius(g, 0))
      assert.is_true(g.fitted)
    end
    assert.are.equal(2295104, physics.geometry("dvd").capacity)
  end)

  it("keeps the nominal density for a formatted DVD-RW, which ends inside the rim (capture A)", function()
    local g = physics.geometry("dvd", { capacity = 2254432 })
    near(3.49, g.velocity_1x)
    within(57, 58, g.r_outer, "end radius")
    assert.is_false(g.fitted)
  end)

  it("lays a DVD+R DL out as two layers, the second running back (capture E)", function()
    local g = physics.geometry("dvd", { capacity = 4173824 })
    assert.are.equal(2, g.layers)
    assert.are.equal("otp", g.path)
    within(3.81, 3.87, g.velocity_1x, "DL 1x velocity")
    assert.are.equal(2086912, g.layer[1].sectors)    -- dvd+rw-mediainfo: L0 Data Zone Capacity
    assert.are.equal(2086912, g.layer[2].first_lba)
    assert.are.equal("out", g.layer[1].direction)
    assert.are.equal("in", g.layer[2].direction)
    near(58.0, g.layer[2].r_first)
    near(24.0, g.layer[2].r_last)
    assert.are.equal("cdperf.physics.geometry (DVD, 2 layers OTP, 4173824 sectors, 24.00-58.00 mm)", tostring(g))
  end)

  it("takes a layer break, and parallel track paths on DVD", function()
    local g = physics.geometry("dvd", { capacity = 4173824, layer0 = 2100000 })
    assert.are.equal(2100000, g.layer[1].sectors)
    assert.are.equal(2073824, g.layer[2].sectors)
    assert.is_true(g.layer[2].r_last > 24.0)          -- the shorter layer 1 stops outside the hub
    local ptp = physics.geometry("dvd", { capacity = 4173824, path = "ptp" })
    assert.are.equal("out", ptp.layer[2].direction)
    near(24.0, ptp.layer[2].r_first)
    near(58.0, ptp.layer[2].r_last)
  end)

  it("recovers BD's 4.917 m/s from 12,219,392 sectors between 24 and 58 mm (capture I)", function()
    local g = physics.geometry("bd")
    assert.are.equal(12219392, g.capacity)
    near(4.917, g.velocity_1x, 2e-4)
    near(0.32, g.pitch_um)
    near(58.0, g.r_outer)
    near(4495.5 * 1000 / 2048, g.sectors_per_second_1x)
  end)

  it("keeps BD's density when spares shrink the capacity (capture I, written)", function()
    local g = physics.geometry("bd", { capacity = 12088320 })
    near(4.917, g.velocity_1x, 2e-4)
    within(57, 58, g.r_outer, "end radius")
    assert.is_false(g.fitted)
  end)

  it("counts BD layers from the capacity, each after the first running back", function()
    local dl = physics.geometry("bd", { capacity = 24438784 })
    assert.are.equal(2, dl.layers)
    assert.are.equal(12219392, dl.layer[2].sectors)
    local tl = physics.geometry("bd", { capacity = 48878592 })
    assert.are.equal(3, tl.layers)
    assert.are.same({ "out", "in", "out" }, { tl.layer[1].direction, tl.layer[2].direction, tl.layer[3].direction })
    assert.is_true(tl.velocity_1x < 4.0)              -- BDXL: denser along the track, same pitch
    near(58.0, tl.r_outer)
    local ql = physics.geometry("bd", { capacity = 62500864 })
    assert.are.equal(4, ql.layers)
    assert.are.equal(62500864, physics.geometry("bd", { layers = 4 }).capacity)
  end)

  it("raises on misuse, naming the argument or field", function()
    assert.has_error(function() physics.geometry("hddvd") end,
      "bad argument #1 to 'geometry' (media class cd|dvd|bd expected, got \"hddvd\")")
    assert.has_error(function() physics.geometry() end,
      "bad argument #1 to 'geometry' (media class cd|dvd|bd expected, got nil)")
    assert.has_error(function() physics.geometry(5) end,
      "bad argument #1 to 'geometry' (media class cd|dvd|bd expected, got 5)")
    assert.has_error(function() physics.geometry("dvd", 5) end,
      "bad argument #2 to 'geometry' (table expected, got number)")
    assert.has_error(function() physics.geometry("dvd", { capacity = -1 }) end,
      "bad field 'capacity' (expected sectors 1..4201802 on any DVD, got -1)")
    assert.has_error(function() physics.geometry("dvd", { capacity = 0 / 0 }) end,
      "bad field 'capacity' (expected sectors 1..4201802 on any DVD, got nan)")
    assert.has_error(function() physics.geometry("cd", { capacity = 1.5 }) end,
      "bad field 'capacity' (expected sectors 1..449849 on any CD, got 1.5)")
    assert.has_error(function() physics.geometry("cd", { capacity = 1e12 }) end,
      "bad field 'capacity' (expected sectors 1..449849 on any CD, got 1000000000000)")
    assert.has_error(function() physics.geometry("bd", { capacity = "25GB" }) end,
      "bad field 'capacity' (expected sectors 1..62500864 on any BD, got \"25GB\")")
    assert.has_error(function() physics.geometry("dvd", { capacity = 4173824, layers = 1 }) end,
      "bad field 'capacity' (expected sectors 1..2313420 on a 1-layer DVD, got 4173824)")
    assert.has_error(function() physics.geometry("bd", { capacity = 30000000, layers = 2 }) end,
      "bad field 'capacity' (expected sectors 1..24438784 on a 2-layer BD, got 30000000)")
    assert.has_error(function() physics.geometry("dvd", { capacity = 1, layers = 2 }) end,
      "bad field 'layers' (expected an integer 1..1 for 1 sectors, got 2)")
    assert.has_error(function() physics.geometry("cd", { layers = 2 }) end,
      "bad field 'layers' (expected an integer 1..1, got 2)")
    assert.has_error(function() physics.geometry("dvd", { layers = 3 }) end,
      "bad field 'layers' (expected an integer 1..2, got 3)")
    assert.has_error(function() physics.geometry("bd", { capacity = 24438784, path = "ptp" }) end,
      "bad field 'path' (expected otp (BD layers after the first run back), got \"ptp\")")
    assert.has_error(function() physics.geometry("dvd", { path = "spiral" }) end,
      "bad field 'path' (expected otp|ptp, got \"spiral\")")
    assert.has_error(function() physics.geometry("dvd", { layer0 = 1000 }) end,
      "bad field 'layer0' (expected nil (only a 2-layer DVD has a layer break to set), got 1000)")
    assert.has_error(function() physics.geometry("dvd", { capacity = 4173824, layer0 = 2000000 }) end,
      "bad field 'layer0' (expected sectors 2086912..4173823, got 2000000)")
    assert.has_error(function() physics.geometry("dvd", { capcity = 1 }) end,
      "bad field 'capcity' (unknown field; expected capacity|layer0|layers|path)")
  end)
end)

describe("physics.radius and physics.lba", function()
  it("are inverses on every layer of every disc", function()
    for _, d in ipairs(DISCS) do
      local g = physics.geometry(d[1], d[2])
      for li, L in ipairs(g.layer) do
        local lo, hi = math.min(L.r_first, L.r_last), math.max(L.r_first, L.r_last)
        for i = 0, 50 do
          local r = lo + (hi - lo) * i / 50
          local lba = physics.lba(g, r, li)
          local back, layer = physics.radius(g, lba)
          near(r, back, 1e-9, d[3] .. " radius(lba(r))")
          if lba < L.first_lba + L.sectors or li == g.layers then assert.are.equal(li, layer) end
        end
        for i = 0, 20 do
          local lba = L.first_lba + L.sectors * i / 20
          if i < 20 or li == g.layers then   -- a layer's end is where radius() starts the next
            near(lba, physics.lba(g, physics.radius(g, lba), li), 1e-9, d[3] .. " lba(radius(lba))")
          end
        end
      end
    end
  end)

  it("follow the spiral: pi (r^2 - r0^2) = sectors x sector area", function()
    local g = physics.geometry("dvd")
    for _, lba in ipairs { 0, 1, 1000, 1234567, 2295104 } do
      near(pi * (physics.radius(g, lba) ^ 2 - 24 ^ 2), lba * g.sector_area_mm2, 1e-9, "area")
    end
    near(58.0, physics.radius(g, g.capacity))
  end)

  it("grow outward on layer 0 and back inward on an opposite layer", function()
    local g = physics.geometry("dvd", { capacity = 4173824 })
    local prev = 0
    for lba = 0, 2086911, 50000 do
      local r = physics.radius(g, lba)
      assert.is_true(r > prev)
      prev = r
    end
    prev = math.huge
    for lba = 2086912, 4173824, 50000 do
      local r, layer = physics.radius(g, lba)
      assert.are.equal(2, layer)
      assert.is_true(r < prev)
      prev = r
    end
  end)

  it("raise on positions off the disc", function()
    local g = physics.geometry("dvd")
    assert.has_error(function() physics.radius(g, -1) end,
      "bad argument #2 to 'radius' (LBA 0..2295104 expected, got -1)")
    assert.has_error(function() physics.radius(g, 2295105) end,
      "bad argument #2 to 'radius' (LBA 0..2295104 expected, got 2295105)")
    assert.has_error(function() physics.radius(g, 0 / 0) end,
      "bad argument #2 to 'radius' (LBA 0..2295104 expected, got nan)")
    assert.has_error(function() physics.radius(g, math.huge) end,
      "bad argument #2 to 'radius' (LBA 0..2295104 expected, got inf)")
    assert.has_error(function() physics.radius(g, "0") end,
      "bad argument #2 to 'radius' (LBA 0..2295104 expected, got \"0\")")
    assert.has_error(function() physics.radius(nil, 0) end,
      "bad argument #1 to 'radius' (geometry expected, got nil)")
    assert.has_error(function() physics.radius({ capacity = 10 }, 0) end,
      "bad argument #1 to 'radius' (geometry expected, got table)")
    assert.has_error(function() physics.lba(g, 60) end,
      "bad argument #2 to 'lba' (radius 24..58 mm expected, got 60)")
    assert.has_error(function() physics.lba(g, 23.9) end,
      "bad argument #2 to 'lba' (radius 24..58 mm expected, got 23.9)")
    assert.has_error(function() physics.lba(g, 30, 2) end,
      "bad argument #3 to 'lba' (layer 1..1 expected, got 2)")
  end)
end)

describe("physics.rpm", function()
  it("turns v / (2 pi r)", function()
    local cd = physics.geometry("cd")
    near(1200 / (2 * pi * cd.layer[1].r_first) * 60, physics.rpm(cd, 0, 176.4))
    within(455, 460, physics.rpm(cd, 0, 176.4), "CD 1x at the hub")
    local dvd = physics.geometry("dvd")
    within(9150, 9200, physics.rpm(dvd, dvd.capacity, 16 * 1385), "DVD 16x at the rim")
    within(22000, 22300, physics.rpm(dvd, 0, 16 * 1385), "DVD 16x at the hub")
    within(10200, 10300, physics.rpm(cd, cd.capacity, 52 * 176.4), "CD 52x at the rim")
    within(9650, 9750, physics.rpm(physics.geometry("bd"), 12219392, 53952), "BD 12x at the rim")
  end)

  it("raises on a bad speed", function()
    local g = physics.geometry("bd")
    assert.has_error(function() physics.rpm(g, 0, 0) end,
      "bad argument #3 to 'rpm' (speed in kB/s > 0 expected, got 0)")
    assert.has_error(function() physics.rpm(g, 0, -5) end,
      "bad argument #3 to 'rpm' (speed in kB/s > 0 expected, got -5)")
    assert.has_error(function() physics.rpm(g, 0) end,
      "bad argument #3 to 'rpm' (speed in kB/s > 0 expected, got nil)")
  end)
end)

describe("physics.speed_at", function()
  it("never passes the nominal speed nor the spindle limit", function()
    local checked = 0
    for _, d in ipairs(DISCS) do
      local g = physics.geometry(d[1], d[2])
      for _, x in ipairs(media.LADDERS[g.class]) do
        for _, s in ipairs(STRATEGIES) do
          for _, o in ipairs { {}, { limit_rpm = 5000 }, s == "pcav" and { rpm = 3000 } or {} } do
            local limit = o.limit_rpm or physics.LIMIT_RPM
            for i = 0, 40 do
              local lba = g.capacity * i / 40
              local kBps, rpm = physics.speed_at(g, lba, x * g.one_x_kBps, s, o)
              assert.is_true(kBps <= x * g.one_x_kBps * (1 + 1e-12), d[3] .. " " .. s .. " above nominal")
              assert.is_true(rpm <= limit * (1 + 1e-12), d[3] .. " " .. s .. " above the limit")
              assert.is_true(kBps > 0)
              checked = checked + 1
            end
          end
        end
      end
    end
    assert.is_true(checked > 10000)
  end)

  it("ramps up with the LBA under CAV and reaches the nominal speed at the last sector", function()
    for _, d in ipairs { { "dvd", 16 }, { "dvd", 12 }, { "bd", 12 }, { "cd", 48 } } do
      local g = physics.geometry(d[1])
      local nominal = d[2] * g.one_x_kBps
      local prev = 0
      for i = 0, 200 do
        local v = physics.speed_at(g, g.capacity * i / 200, nominal, "cav")
        assert.is_true(v > prev)
        prev = v
      end
      near(nominal, prev, 1e-9, d[1] .. " CAV at the rim")
      near(nominal * g.layer[1].r_first / g.r_outer, physics.speed_at(g, 0, nominal, "cav"), 1e-9)
    end
    -- capture F: a 12x DVD+R drive ramps from 6924 kB/s at LBA 0 (5.0x) to 12x
    local g = physics.geometry("dvd")
    near(6924, physics.speed_at(g, 0, 16620, "cav"), 0.01, "12x CAV at the hub")
  end)

  it("holds a CLV speed that fits under the limit everywhere", function()
    local g = physics.geometry("dvd")
    for i = 0, 20 do
      near(5540, physics.speed_at(g, g.capacity * i / 20, 5540, "clv"))
      near(5540, physics.speed_at(g, g.capacity * i / 20, 5540))
    end
  end)

  it("runs DVD 8x at the spindle limit inside ~26.7 mm, then CLV", function()
    local g = physics.geometry("dvd")
    local v8 = 8 * g.velocity_1x * 1000                           -- mm/s
    local rc = v8 / (physics.LIMIT_RPM * 2 * pi / 60)
    within(26.5, 26.8, rc, "crossover radius")
    local lc = physics.lba(g, rc)
    local below, rpm = physics.speed_at(g, lc * 0.9, 11080)
    assert.is_true(below < 11080)
    near(physics.LIMIT_RPM, rpm, 1e-9, "spindle at the limit")
    near(11080, physics.speed_at(g, lc, 11080), 1e-9)
    near(11080, physics.speed_at(g, lc * 1.1, 11080))
    -- pcav at a lower rpm switches later
    local l5 = physics.lba(g, v8 / (5000 * 2 * pi / 60))
    assert.is_true(physics.speed_at(g, l5 * 0.99, 11080, "pcav", { rpm = 5000 }) < 11080)
    near(11080, physics.speed_at(g, l5 * 1.01, 11080, "pcav", { rpm = 5000 }))
  end)

  it("steps Z-CLV zones up the ladder, under the CAV it stands for", function()
    local g = physics.geometry("dvd")
    local prev = 0
    for i = 0, 400 do
      local lba = g.capacity * i / 400
      local v = physics.speed_at(g, lba, 22160, "zclv")
      assert.is_true(v >= prev)
      assert.is_true(on_ladder(v, "dvd"), "zone speed on the ladder")
      assert.is_true(v <= physics.speed_at(g, lba, 22160, "cav") * (1 + 1e-12))
      prev = v
    end
    local steps = {}
    for i = 0, 400 do steps[physics.speed_at(g, g.capacity * i / 400, 22160, "zclv", { zones = 3 })] = true end
    local n = 0
    for _ in pairs(steps) do n = n + 1 end
    assert.are.equal(3, n)
  end)

  it("follows zones given as a drive's performance descriptors (capture E)", function()
    local g = physics.geometry("dvd", { capacity = 4173824 })
    local zones = { { lba = 0, kBps = 3324 }, { lba = 393216, kBps = 5540 }, { lba = 1114112, kBps = 8310 } }
    near(3324, physics.speed_at(g, 100, 8310, "zclv", { zones = zones }))
    near(5540, physics.speed_at(g, 393216, 8310, "zclv", { zones = zones }))
    near(8310, physics.speed_at(g, 2000000, 8310, "zclv", { zones = zones }))
    near(8310, physics.speed_at(g, 4000000, 8310, "zclv", { zones = zones }))
    near(5540, physics.speed_at(g, 2000000, 5540, "zclv", { zones = zones }), 1e-9, "capped at nominal")
  end)

  it("raises on misuse", function()
    local g = physics.geometry("dvd")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "fast") end,
      "bad argument #4 to 'speed_at' (strategy auto|clv|zclv|pcav|cav expected, got \"fast\")")
    assert.has_error(function() physics.speed_at(g, 0, 0 / 0) end,
      "bad argument #3 to 'speed_at' (speed in kB/s > 0 expected, got nan)")
    assert.has_error(function() physics.speed_at(g, 0, math.huge) end,
      "bad argument #3 to 'speed_at' (speed in kB/s > 0 expected, got inf)")
    assert.has_error(function() physics.speed_at(g, -0.5, 11080) end,
      "bad argument #2 to 'speed_at' (LBA 0..2295104 expected, got -0.5)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "clv", "fast") end,
      "bad argument #5 to 'speed_at' (table expected, got string)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "clv", { limit = 1 }) end,
      "bad field 'limit' (unknown field; expected limit_rpm|rpm|zones)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "clv", { limit_rpm = -5 }) end,
      "bad field 'limit_rpm' (expected a number > 0, got -5)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "cav", { rpm = 5000 }) end,
      "bad field 'rpm' (expected nil (only the pcav strategy takes an rpm), got 5000)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "clv", { zones = 3 }) end,
      "bad field 'zones' (expected nil (only the zclv strategy takes zones), got 3)")
    assert.has_error(function() physics.speed_at(g, 0, 11080, "zclv", { zones = 0 }) end,
      "bad field 'zones' (expected a zone count 1..1000 or a list of { lba =, kBps = }, got 0)")
    local bad = { { lba = 5, kBps = 1 }, { lba = 2 } }
    assert.has_error(function() physics.speed_at(g, 0, 11080, "zclv", { zones = bad }) end,
      "bad field 'zones' (expected a list of { lba =, kBps = } with LBAs ascending in 0..2295104 "
      .. "and speeds > 0; entry 2 is not)")
  end)
end)

describe("physics.write_time", function()
  local dvd, bd, cd = physics.geometry("dvd"), physics.geometry("bd"), physics.geometry("cd")

  it("writes a full DVD+R at 16x CAV in CAV's closed form: turns / turns per second", function()
    local r = physics.write_time(dvd, 0, dvd.capacity, 22160, "cav")
    assert.are.equal("cav", r.strategy)
    local turns = (dvd.r_outer - dvd.r_inner) / (dvd.pitch_um / 1000)
    near(turns / (physics.rpm(dvd, dvd.capacity, 22160) / 60), r.data_seconds, 1e-9, "CAV time")
    within(4.95, 5.05, r.data_seconds / 60, "16x CAV data")
    within(5.0, 7.0, minutes(r), "16x CAV total")
    near(16 * 24 / 58, r.min_kBps / 1385, 1e-9, "6.6x at the hub")
    near(22160, r.max_kBps)
    local auto = physics.write_time(dvd, 0, dvd.capacity, 22160)
    assert.are.equal("pcav", auto.strategy)
    assert.are.equal("auto", auto.requested)
    assert.is_true(auto.seconds < r.seconds)
    within(4.6, 6.0, minutes(auto), "16x at the limit")
    near(physics.LIMIT_RPM, auto.max_rpm, 1e-9)
  end)

  it("write_limit_rpm: the rpm the top speed needs at 58 mm, at least WRITE_MIN_RPM", function()
    -- full DVD+R: sector area a = pi (58^2 - 24^2) / 2295104 = 3.8163e-3 mm^2, 1x = 1385000 / 2048
    -- = 676.27 sectors/s, so v1 = 676.27 a / 0.74e-3 mm = 3487.6 mm/s; 16x at 58 mm:
    -- 16 v1 / 58 = 962.1 rad/s = 9187 rpm; CAV then starts at 16 x 24 / 58 = 6.6x (NEC's: 6.75x)
    local v1 = dvd.sectors_per_second_1x * dvd.sector_area_mm2 / (dvd.pitch_um / 1000)
    near(3487.6, v1, 1e-4)
    near(16 * v1 / 58 * 60 / (2 * pi), physics.write_limit_rpm(dvd, 22160), 1e-12)
    near(9187, physics.write_limit_rpm(dvd, 22160), 1e-3)
    near(13781, physics.write_limit_rpm(dvd, 33240), 1e-3)            -- 24x: 1.5 x 9187
    assert.are.equal(physics.WRITE_MIN_RPM, physics.write_limit_rpm(dvd, 11080))   -- 8x: 4594 < 8400
    -- 80-min CD: 48x at 58 mm with the disc's own 1x velocity
    near(48 * cd.velocity_1x * 1000 / 58 * 60 / (2 * pi), physics.write_limit_rpm(cd, 8467), 1e-3)
    assert.is_true(physics.write_limit_rpm(cd, 8467) > 9400 and physics.write_limit_rpm(cd, 8467) < 9600)
    -- a 16x drive writes 16x as CAV from 6.6x: 2 pi (58 - 24) / (p w) = 300 s of data
    local r = physics.write_time(dvd, 0, dvd.capacity, 22160, "auto",
      { limit_rpm = physics.write_limit_rpm(dvd, 22160) })
    assert.are.equal("cav", r.strategy)
    local w = 16 * v1 / 58
    near(2 * pi * 34 / (0.74e-3 * w), r.data_seconds, 1e-9, "CAV 24..58 mm")
    within(299.5, 300.5, r.data_seconds, "300 s")
    assert.has_error(function() physics.write_limit_rpm(dvd, 0) end,
      "bad argument #2 to 'write_limit_rpm' (speed in kB/s > 0 expected, got 0)")
  end)

  it("writes a full DVD+R at 8x in about 7.1 min of data, 8 min in all", function()
    local r = physics.write_time(dvd, 0, dvd.capacity, 11080)
    assert.are.equal("pcav", r.strategy)       -- 8x CLV needs 11,100 rpm at 24 mm
    within(7.07, 7.2, r.data_seconds / 60, "8x data")
    -- 7.09 min of data + 2 s OPC + lead-in 13 s (22.6..24 mm at ~6x) + lead-out 9 s (0.5 mm
    -- at 8x) + 35 s finalization = 8.04 min; CDFreaks timed Plextor's 8x DVD-R at 8:07
    within(7.9, 8.2, minutes(r), "8x total")
    near(35, r.overhead.finalize, 1e-12, "DVD finalization")
    local free = physics.write_time(dvd, 0, dvd.capacity, 11080, "clv", { limit_rpm = 12000 })
    assert.are.equal("clv", free.strategy)
    near(dvd.capacity / (8 * dvd.sectors_per_second_1x), free.data_seconds, 1e-9, "CLV time")
    near(11080, free.data_kBps, 1e-9)
    local r4 = physics.write_time(dvd, 0, dvd.capacity, 5540)
    assert.are.equal("clv", r4.strategy)
    -- 848.4 s of data + 2 s OPC + 19.9 s lead-in + 17.7 s lead-out + 35 s finalization
    -- = 923.0 s = 15.38 min (hardware.info: "around 15 minutes" at 4x)
    within(15.3, 15.45, minutes(r4), "4x total")
  end)

  it("writes a full BD-R 25 GB at 12x CAV in ~11 min, at 6x in ~15.6 min", function()
    local r12 = physics.write_time(bd, 0, bd.capacity, 53952, "cav")
    within(10.5, 13, minutes(r12), "12x CAV")
    local turns = (bd.r_outer - bd.r_inner) / (bd.pitch_um / 1000)
    near(turns / (physics.rpm(bd, bd.capacity, 53952) / 60), r12.data_seconds, 1e-9, "CAV time")
    local verified = physics.write_time(bd, 0, bd.capacity, 53952, "cav", { verify = true })
    near(2 * r12.data_seconds, verified.data_seconds)
    within(13, 17, physics.write_time(bd, 0, bd.capacity, 53952, "zclv").seconds / 60, "12x Z-CLV")
    local r6 = physics.write_time(bd, 0, bd.capacity, 26976)
    within(15, 17.5, minutes(r6), "6x")
    assert.are.equal(0, r6.overhead.lead_in)   -- BD-R writes no lead-in or lead-out
    assert.are.equal(0, r6.overhead.lead_out)
    -- capture I's drive marks 6x CAV: a ramp from 2.5x takes far longer
    within(21, 23, physics.write_time(bd, 0, bd.capacity, 26976, "cav").seconds / 60, "6x CAV")
  end)

  it("writes a 700 MB CD-R at 48x in 2.5-3.5 min (CAV), at 16x CLV in ~5 min", function()
    local r48 = physics.write_time(cd, 0, cd.capacity, 8467, "cav")
    within(2.5, 3.5, minutes(r48), "48x CAV")
    within(2.2, 3.5, minutes(physics.write_time(cd, 0, cd.capacity, 8467)), "48x at the limit")
    within(2.2, 3.5, minutes(physics.write_time(cd, 0, cd.capacity, 8467, "pcav")), "48x P-CAV")
    local r16 = physics.write_time(cd, 0, cd.capacity, 2822)
    assert.are.equal("clv", r16.strategy)
    within(4.95, 5.05, r16.data_seconds / 60, "16x data")
    within(5.0, 5.6, minutes(r16), "16x total")
    within(2.5, 3.6, minutes(physics.write_time(cd, 0, physics.sectors(700 * 2 ^ 20), 8467, "cav")), "700 MiB")
  end)

  it("writes a full 80-min CD at 1x in 80 min plus lead-in, lead-out and OPC", function()
    local r = physics.write_time(cd, 0, cd.capacity, 176.4)
    near(cd.capacity / 75, r.data_seconds, 1e-9)
    within(79.9, 80, r.data_seconds / 60, "data")
    near(90, r.overhead.lead_out, 1e-9, "90 s lead-out")
    within(150, 180, r.overhead.lead_in, "lead-in from 23 mm")
    near(2, r.overhead.opc)
    within(80, 86, minutes(r), "total")
  end)

  it("agrees with stepping through speed_at", function()
    for _, d in ipairs(DISCS) do
      local g = physics.geometry(d[1], d[2])
      local top = media.LADDERS[g.class][#media.LADDERS[g.class]] * g.one_x_kBps
      for _, s in ipairs(STRATEGIES) do
        for _, nominal in ipairs { top, top / 3 } do
          local from, n = math.floor(g.capacity / 7), g.capacity - math.floor(g.capacity / 7) - 1000
          local steps, t = 4000, 0
          for i = 0, steps - 1 do
            local lba = from + n * (i + 0.5) / steps
            t = t + n / steps * g.kB_per_sector / physics.speed_at(g, lba, nominal, s)
          end
          local r = physics.write_time(g, from, n, nominal, s)
          near(t, r.data_seconds, 2e-3, d[3] .. " " .. s)
        end
      end
    end
  end)

  it("adds up: data plus each overhead; average rate over the whole", function()
    local r = physics.write_time(dvd, 0, 1000000, 22160, "cav")
    local o = r.overhead
    near(r.data_seconds + o.opc + o.lead_in + o.lead_out + o.tracks + o.finalize, r.seconds)
    near(o.opc + o.lead_in + o.lead_out + o.tracks + o.finalize, r.overhead_seconds)
    assert.are.equal(physics.OVERHEAD.dvd.finalize_seconds, o.finalize)
    near(35, physics.write_time(dvd, 0, 1000000, 22160, "cav", { finalize = 35 }).overhead.finalize)
    assert.are.equal(0, physics.write_time(dvd, 0, 1000000, 22160, "cav", { finalize = false }).overhead.finalize)
    assert.are.equal(0, physics.write_time(cd, 0, 100000, 7056).overhead.finalize)   -- CD: lead-in/out only
    assert.are.equal(0, physics.write_time(bd, 0, 100000, 17984).overhead.finalize)
    near(1000000 * 2.048 / r.seconds, r.average_kBps)
    near(1000000 * 2.048 / r.data_seconds, r.data_kBps)
    assert.are.equal(0, r.from_lba)
    assert.are.equal(1000000, r.sectors)
    assert.are.equal(22160, r.nominal_kBps)
    assert.are.equal(physics.LIMIT_RPM, r.limit_rpm)
    local bare = physics.write_time(dvd, 0, 1000000, 22160, "cav", { overhead = false })
    near(bare.data_seconds, bare.seconds)
    near(r.data_seconds, bare.data_seconds)
    local open = physics.write_time(dvd, 0, 1000000, 22160, "cav", { close = false, opc = false })
    assert.are.same({ opc = 0, lead_in = 0, lead_out = 0, tracks = o.tracks, finalize = 0 }, open.overhead)
    local zero = physics.write_time(dvd, 0, 0, 22160)
    assert.are.equal(0, zero.seconds)
    assert.are.equal(0, zero.average_kBps)
  end)

  it("pads a short DVD's lead-out to 30 mm, and needs less for a full one", function()
    local short = physics.write_time(dvd, 0, 1000, 5540)
    -- 1000 sectors end near 24.05 mm; the lead-out runs on to radius 30
    local n = physics.lba(dvd, 30) - 1000 - 16   -- after the track's padding to an ECC block
    near(n / (4 * dvd.sectors_per_second_1x), short.overhead.lead_out, 1e-9)
    local full = physics.write_time(dvd, 0, dvd.capacity, 5540)
    assert.is_true(full.overhead.lead_out < short.overhead.lead_out)
  end)

  it("takes the CD lead-in and lead-out of later sessions and per-track overheads", function()
    local rate = 2822 / 2.352             -- sectors/s at "16x" as drives round it
    local r = physics.write_time(cd, 100000, 1000, 2822)
    near(4650 / rate, r.overhead.lead_in, 1e-9)
    near(2250 / rate, r.overhead.lead_out, 1e-9)
    local t3 = physics.write_time(cd, 100000, 1000, 2822, nil, { tracks = 3 })
    near((3 * 7 + 2 * 150) / rate, t3.overhead.tracks, 1e-9)
    local mine = physics.write_time(cd, 100000, 1000, 2822, nil, { lead_in = 100, lead_out = 0, opc = 1.5 })
    near(100 / rate, mine.overhead.lead_in, 1e-9)
    assert.are.equal(0, mine.overhead.lead_out)
    assert.are.equal(1.5, mine.overhead.opc)
    local first = physics.write_time(cd, 100000, 1000, 2822, nil, { session = 1 })
    near(6750 / rate, first.overhead.lead_out, 1e-9)
  end)

  it("never takes less time for more data", function()
    for _, d in ipairs(DISCS) do
      local g = physics.geometry(d[1], d[2])
      local top = media.LADDERS[g.class][#media.LADDERS[g.class]] * g.one_x_kBps
      for _, s in ipairs(STRATEGIES) do
        local prev = -1
        for i = 0, 300 do
          local n = math.floor(g.capacity * (i / 300) ^ 2)
          local t = physics.write_time(g, 0, n, top, s).seconds
          assert.is_true(t >= prev * (1 - 1e-12),
            ("%s %s: %d sectors take %.6f s, fewer took %.6f s"):format(d[3], s, n, t, prev))
          prev = t
        end
      end
    end
    -- and in bytes
    local prev = -1
    for mb = 0, 4400, 100 do
      local t = physics.write_time(dvd, 0, physics.sectors(mb * 1e6), 22160, "cav").seconds
      assert.is_true(t >= prev * (1 - 1e-12))
      prev = t
    end
  end)

  it("never reports an rpm above the limit nor a speed above nominal", function()
    for _, d in ipairs(DISCS) do
      local g = physics.geometry(d[1], d[2])
      for _, x in ipairs(media.LADDERS[g.class]) do
        for _, s in ipairs(STRATEGIES) do
          local r = physics.write_time(g, 0, g.capacity, x * g.one_x_kBps, s)
          assert.is_true(r.max_rpm <= physics.LIMIT_RPM * (1 + 1e-12))
          assert.is_true(r.max_kBps <= x * g.one_x_kBps * (1 + 1e-12))
          assert.is_true(r.data_kBps <= x * g.one_x_kBps * (1 + 1e-12))
        end
      end
    end
  end)

  it("raises on bad sizes and positions", function()
    assert.has_error(function() physics.write_time(dvd, -1, 10, 22160) end,
      "bad argument #2 to 'write_time' (LBA 0..2295104 expected, got -1)")
    assert.has_error(function() physics.write_time(dvd, 2295105, 0, 22160) end,
      "bad argument #2 to 'write_time' (LBA 0..2295104 expected, got 2295105)")
    assert.has_error(function() physics.write_time(dvd, 0, -1, 22160) end,
      "bad argument #3 to 'write_time' (sector count 0..2295104 expected, got -1)")
    assert.has_error(function() physics.write_time(dvd, 0, 0 / 0, 22160) end,
      "bad argument #3 to 'write_time' (sector count 0..2295104 expected, got nan)")
    assert.has_error(function() physics.write_time(dvd, 0, 1e15, 22160) end,
      "bad argument #3 to 'write_time' (sector count 0..2295104 expected, got 1000000000000000)")
    assert.has_error(function() physics.write_time(dvd, 2295000, 105, 22160) end,
      "bad argument #3 to 'write_time' (sector count 0..104 expected, got 105)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, -1) end,
      "bad argument #4 to 'write_time' (speed in kB/s > 0 expected, got -1)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, "CAV") end,
      "bad argument #5 to 'write_time' (strategy auto|clv|zclv|pcav|cav expected, got \"CAV\")")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { opc = -1 }) end,
      "bad field 'opc' (expected false or seconds >= 0, got -1)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { lead_in = "x" }) end,
      "bad field 'lead_in' (expected false or sectors >= 0, got \"x\")")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { finalize = -1 }) end,
      "bad field 'finalize' (expected false or seconds >= 0, got -1)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { close = 1 }) end,
      "bad field 'close' (expected a boolean, got 1)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { session = 0 }) end,
      "bad field 'session' (expected an integer 1..1073741824, got 0)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { tracks = 1.5 }) end,
      "bad field 'tracks' (expected an integer 1..1073741824, got 1.5)")
    assert.has_error(function() physics.write_time(dvd, 0, 10, 22160, nil, { speed = 1 }) end,
      "bad field 'speed' (unknown field; expected close|finalize|lead_in|lead_out|limit_rpm|opc|overhead|rpm"
      .. "|session|tracks|verify|zones)")
    assert.has_error(function() physics.write_time("dvd", 0, 10, 22160) end,
      "bad argument #1 to 'write_time' (geometry expected, got string)")
  end)
end)

describe("cdperf.physics", function()
  it("is reachable from the cdperf table", function()
    assert.are.equal(physics, require("cdperf").physics)
  end)
end)

describe("physics errors", function()
  it("point at the caller's line", function()
    local g = physics.geometry("dvd")
    for _, f in ipairs {
      function() physics.geometry("dvd", { layers = 9 }) end,
      function() physics.radius(g, -1) end,
      function() physics.speed_at(g, 0, 11080, "cav", { rpm = 1 }) end,
      function() physics.write_time(g, 0, 10, 11080, "zclv", { zones = 0 }) end,
      function() physics.write_time(g, 0, 10, 11080, nil, { verify = 1 }) end,
      function() physics.sectors(-1) end,
    } do
      local ok, err = pcall(f)
      assert.is_false(ok)
      assert.matches("physics_spec%.lua:%d+: bad ", err)
    end
  end)
end)

describe("physics.sectors", function()
  it("counts whole sectors", function()
    assert.are.equal(0, physics.sectors(0))
    assert.are.equal(1, physics.sectors(1))
    assert.are.equal(1, physics.sectors(2048))
    assert.are.equal(2, physics.sectors(2049))
    assert.are.equal(358400, physics.sectors(700 * 2 ^ 20))
    assert.are.equal(1, physics.sectors(2352, 2352))
    assert.are.equal(math.type(physics.sectors(4096.0)), "integer")
  end)
  it("raises on bad sizes", function()
    assert.has_error(function() physics.sectors(-1) end,
      "bad argument #1 to 'sectors' (byte count >= 0 expected, got -1)")
    assert.has_error(function() physics.sectors(0 / 0) end,
      "bad argument #1 to 'sectors' (byte count >= 0 expected, got nan)")
    assert.has_error(function() physics.sectors(1, 0) end,
      "bad argument #2 to 'sectors' (sector size in bytes > 0 expected, got 0)")
  end)
end)
