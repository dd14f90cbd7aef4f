-- cdperf.speeds: cleaning, policies, estimates and apply, on fake drives made
-- from every capture of spec/data/captures.md (a copy of ../shared/data/captures.md), and
-- (when the C core and the emulator are built) on the built-in emulated models.

local speeds = require "cdperf.speeds"
local media = require "cdperf.media"

-- ---------------------------------------------------------------------------
-- A fake drive: the Drive methods of DESIGN.md 2 answered from a model table
-- shaped like the emulator's.  It keeps the current write speed and logs the
-- SET commands; quirks.ignore_streaming makes it accept and ignore SET STREAMING.

local ILLEGAL = { kind = "scsi", command = "GET PERFORMANCE", sense_key = 5, asc = 0x20, ascq = 0,
  sense = "ILLEGAL REQUEST", text = "INVALID COMMAND OPERATION CODE" }

local function fake(model)
  local d = { log = {}, model = model }
  local current = model.capabilities and (model.capabilities.current_write_speed_selected) or nil
  local curve = model.performance and model.performance.write or {}
  function d.profile() return media.profile(model.profile) end
  function d.write_speeds()
    if not model.write_speeds then return nil, "GET PERFORMANCE: ILLEGAL REQUEST", ILLEGAL end
    local out = {}
    for i, w in ipairs(model.write_speeds) do out[i] = w end
    return out
  end
  function d.capabilities()
    if not model.capabilities then return nil, "MODE SENSE: ILLEGAL REQUEST", ILLEGAL end
    local c = {}
    for k, v in pairs(model.capabilities) do c[k] = v end
    c.current_write_speed_selected = current
    return c
  end
  function d.write_performance() return curve end
  function d.set_streaming(_, req)
    d.log[#d.log + 1] = { "set_streaming", req }
    if model.refuse_streaming then
      return nil, "SET STREAMING: ILLEGAL REQUEST", { kind = "scsi", sense_key = 5, asc = 0x24, ascq = 0 }
    end
    if not (model.quirks and model.quirks.ignore_streaming) then
      current = req.write_size
      curve = { { start_lba = req.start_lba, start_performance = req.write_size, end_lba = req.end_lba,
        end_performance = req.write_size } }
    end
    return true
  end
  function d.set_speed(_, req)
    d.log[#d.log + 1] = { "set_speed", req }
    current = req.write
    return true
  end
  return d
end

local function wsd(byte0, end_lba, r, w)
  return { mixed_read_write = byte0 & 1 ~= 0, exact = byte0 & 2 ~= 0,
    write_rotation_control = (byte0 >> 3) & 3, end_lba = end_lba, read_speed = r, write_speed = w }
end

local function nd(s, sp, e, ep) return { start_lba = s, start_performance = sp, end_lba = e, end_performance = ep } end

local function caps(cur, list, rot)
  local w = {}
  for i, v in ipairs(list) do w[i] = { speed = v, rotation_control = rot and rot[i] or 0 } end
  return { max_read_speed = list[1], current_read_speed = list[1], max_write_speed = list[1],
    current_write_speed = cur, current_write_speed_selected = cur, buffer_size_kb = 2048,
    rotation_control = 0, write_speeds = w }
end

local function ws_list(byte0s, end_lba, r, writes)
  local out = {}
  for i, w in ipairs(writes) do out[i] = wsd(byte0s[i] or byte0s[1], end_lba, r, w) end
  return out
end

-- The captures, as models.
local CAPTURES = {
  A = { profile = 0x14, write_speeds = { wsd(0x02, 2254431, 4584, 2770) }, capabilities = caps(2770, { 2770 }),
    performance = { write = { nd(0, 2770, 2254431, 2770) } } },
  B = { profile = 0x1B, write_speeds = ws_list({ 0 }, 0, 4432, { 22160, 16620, 11080, 8310 }),
    capabilities = caps(22160, { 22160, 16620, 11080, 8310 }), performance = { write = { nd(0, 8864, 0, 8864) } } },
  -- B as HAL saw page 2Ah: CD-derived values only
  B_hal = { profile = 0x1B, write_speeds = ws_list({ 0 }, 0, 4432, { 22160, 16620, 11080, 8310 }),
    capabilities = caps(8467, { 8467, 7056, 5645, 4234, 2822, 2112, 1764, 1411, 706 }),
    performance = { write = { nd(0, 8864, 0, 8864) } } },
  C = { profile = 0x1A, write_speeds = ws_list({ 0 }, 2295104, 6925, { 5540, 3324 }),
    capabilities = caps(1411, { 8467, 7056, 5645, 4234, 2822, 1411 }),
    performance = { write = { nd(0, 3324, 2295104, 3324) } } },
  D = { profile = 0x12, write_speeds = ws_list({ 0 }, 2236703, 4155, { 4155, 2770, 2770 }),
    capabilities = caps(4155, { 4155, 2770 }), performance = { write = { nd(0, 4155, 2236703, 4155) } } },
  E = { profile = 0x2B, write_speeds = ws_list({ 0 }, 4173824, 8310, { 8310, 5540, 3324 }),
    capabilities = caps(8310, { 8310, 5540, 3324 }),
    performance = { write = { nd(0, 3324, 393215, 3324), nd(393216, 5540, 1114111, 5540),
      nd(1114112, 8310, 4173824, 8310) } } },
  F = { profile = 0x1B, write_speeds = ws_list({ 0 }, 2295103, 8310, { 16620, 13850, 11080, 8310, 5540 }),
    capabilities = caps(16620, { 16620, 13850, 11080, 8310, 5540 }),
    performance = { write = { nd(0, 6924, 2295103, 16620) } } },
  G = { profile = 0x09, capabilities = caps(7056, { 7056, 5645, 4234, 2822, 1411, 706 }),
    performance = { write = {} } },
  H = { profile = 0x09, capabilities = caps(8468, { 8467, 7056, 5645, 4234, 2822 }, { 1, 0, 0, 0, 0 }),
    performance = { write = {} } },
  I = { profile = 0x41,
    write_speeds = ws_list({ 8, 8, 8, 8, 0 }, 12219391, 26976, { 53952, 44960, 35968, 26976, 17984 }),
    capabilities = caps(53952, { 53952, 44960, 35968, 26976, 17984 }), performance = { write = {} } },
}

local function writes(list)
  local t = {}
  for i, e in ipairs(list) do t[i] = e.write end
  return t
end

local function field(list, name)
  local t = {}
  for i, e in ipairs(list) do t[i] = e[name] == nil and false or e[name] end
  return t
end

local function has_note(list, pattern)
  for _, n in ipairs(list.notes) do if n:find(pattern) then return true end end
  return false
end

describe("speeds.list on the captures", function()
  it("A: one Exact 2x entry, the odd read speed kept", function()
    local l = assert(speeds.list(fake(CAPTURES.A)))
    assert.are.equal(1, #l)
    assert.are.same({ write = 2770, read = 4584, x = 2, nominal = 2, rotation = "clv", exact = true,
      end_lba = 2254431, source = "get_performance", mixed_read_write = false }, l[1])
    assert.are.equal("dvd", l.class)
    assert.are.same({}, l.notes)
  end)
  it("B: End LBA 0 on every descriptor is noted", function()
    local l = assert(speeds.list(fake(CAPTURES.B)))
    assert.are.same({ 22160, 16620, 11080, 8310 }, writes(l))
    assert.are.same({ 16, 12, 8, 6 }, field(l, "nominal"))
    assert.is_true(has_note(l, "End LBA is 0 on every write speed descriptor"))
  end)
  it("B as HAL saw it: page 2Ah CD speeds dropped for DVD+R", function()
    local l = assert(speeds.list(fake(CAPTURES.B_hal)))
    assert.are.same({ 22160, 16620, 11080, 8310 }, writes(l))
    assert.is_true(has_note(l, "CD speeds while DVD%+R is loaded: 48x CD %(8467 kB/s%), 40x CD %(7056 kB/s%)"))
  end)
  it("C: NEC with DVD+RW keeps GET PERFORMANCE's 4x and 2.4x, drops page 2Ah's CD speeds", function()
    local l = assert(speeds.list(fake(CAPTURES.C)))
    assert.are.same({ 5540, 3324 }, writes(l))
    assert.are.same({ 4, 2.4 }, field(l, "nominal"))
    assert.are.same({ "get_performance", "get_performance" }, field(l, "source"))
    assert.are.same({ "dropped mode page 2Ah speeds that are CD speeds while DVD+RW is loaded: "
      .. "48x CD (8467 kB/s), 40x CD (7056 kB/s), 32x CD (5645 kB/s), 24x CD (4234 kB/s), "
      .. "16x CD (2822 kB/s), 8x CD (1411 kB/s)" }, l.notes)
  end)
  it("D: the duplicate DVD-RAM descriptor appears once", function()
    local l = assert(speeds.list(fake(CAPTURES.D)))
    assert.are.same({ 4155, 2770 }, writes(l))
    assert.are.same({ 3, 2 }, field(l, "nominal"))
    assert.are.same({ "removed 1 duplicate write speed descriptor(s): 2x DVD (2770 kB/s)" }, l.notes)
  end)
  it("E: DVD+R DL 6x, 4x, 2.4x", function()
    local l = assert(speeds.list(fake(CAPTURES.E)))
    assert.are.same({ 8310, 5540, 3324 }, writes(l))
    assert.are.same({ 6, 4, 2.4 }, field(l, "nominal"))
    assert.are.same({ 4173824, 4173824, 4173824 }, field(l, "end_lba"))
  end)
  it("F: five CLV-marked speeds", function()
    local l = assert(speeds.list(fake(CAPTURES.F)))
    assert.are.same({ 16620, 13850, 11080, 8310, 5540 }, writes(l))
    assert.are.same({ 12, 10, 8, 6, 4 }, field(l, "nominal"))
    assert.are.same({ "clv", "clv", "clv", "clv", "clv" }, field(l, "rotation"))
  end)
  it("G: CD-R without GET PERFORMANCE falls back to page 2Ah", function()
    local l = assert(speeds.list(fake(CAPTURES.G)))
    assert.are.same({ 7056, 5645, 4234, 2822, 1411, 706 }, writes(l))
    assert.are.same({ 40, 32, 24, 16, 8, 4 }, field(l, "nominal"))
    assert.are.same({ "page_2a", "page_2a", "page_2a", "page_2a", "page_2a", "page_2a" }, field(l, "source"))
    assert.are.same({ "GET PERFORMANCE (write speeds) failed: GET PERFORMANCE: ILLEGAL REQUEST; using mode page 2Ah" },
      l.notes)
  end)
  it("H: the pure CAV 48x entry keeps its rotation", function()
    local l = assert(speeds.list(fake(CAPTURES.H)))
    assert.are.same({ 8467, 7056, 5645, 4234, 2822 }, writes(l))
    assert.are.same({ "cav", "clv", "clv", "clv", "clv" }, field(l, "rotation"))
    assert.are.same({ 48, 40, 32, 24, 16 }, field(l, "nominal"))
  end)
  it("I: the LG BD burner's 12x (53952 = 12 x 4496) is named 12x", function()
    local l = assert(speeds.list(fake(CAPTURES.I)))
    assert.are.same({ 53952, 44960, 35968, 26976, 17984 }, writes(l))
    assert.are.same({ 12, 10, 8, 6, 4 }, field(l, "nominal"))
    assert.are.same({ "cav", "cav", "cav", "cav", "clv" }, field(l, "rotation"))
    assert.are.equal("bd", l.class)
  end)
end)

describe("speeds.list cleaning", function()
  it("drops zero entries and repeated page 2Ah maxima", function()
    local l = assert(speeds.list(fake { profile = 0x1B,
      write_speeds = { wsd(0, 2295103, 8310, 0), wsd(0, 2295103, 8310, 11080) },
      capabilities = caps(11080, { 11080, 11080, 11080, 0 }) }))
    assert.are.same({ 11080 }, writes(l))
    assert.are.same({ "dropped 1 impossible write speed descriptor(s): #1 0 (zero)",
      "dropped 1 mode page 2Ah write speed(s) of 0", "removed 2 repeated mode page 2Ah write speed(s)" }, l.notes)
  end)
  it("merges a plausible page 2Ah speed GET PERFORMANCE lacks, not a faster one", function()
    local l = assert(speeds.list(fake { profile = 0x1B,
      write_speeds = ws_list({ 0 }, 2295103, 8310, { 11080, 5540 }),
      capabilities = caps(11080, { 16620, 11080, 8310, 5540 }) }))
    assert.are.same({ 11080, 8310, 5540 }, writes(l))
    assert.are.same({ "get_performance", "page_2a", "get_performance" }, field(l, "source"))
    assert.are.same({ "ignored mode page 2Ah speeds faster than any GET PERFORMANCE speed for this medium: "
      .. "12x DVD (16620 kB/s)" }, l.notes)
  end)
  it("keeps entries that differ only in rotation", function()
    local l = assert(speeds.list(fake { profile = 0x41,
      write_speeds = { wsd(0x08, 12219391, 26976, 26976), wsd(0, 12219391, 26976, 26976) },
      capabilities = caps(26976, { 26976 }) }))
    assert.are.same({ 26976, 26976 }, writes(l))
    assert.are.same({ "cav", "clv" }, field(l, "rotation"))
  end)
  it("detects and labels a KiB-based DVD list", function()
    local l = assert(speeds.list(fake { profile = 0x11,
      write_speeds = ws_list({ 0 }, 2298495, 10816, { 10816, 5408, 2704 }), capabilities = caps(10816, {}) }))
    assert.are.equal("KiB/s", l.unit)
    assert.are.same({ 8, 4, 2 }, field(l, "nominal"))
    assert.are.same({ "KiB/s", "KiB/s", "KiB/s" }, field(l, "unit"))
    assert.is_true(has_note(l, "multiples of 1352"))
  end)
  it("fails with no medium, and when both sources fail", function()
    local l, msg, info = speeds.list(fake { profile = 0 })
    assert.is_nil(l)
    assert.are.equal("no medium in the drive", msg)
    assert.are.equal("medium", info.kind)
    l, msg, info = speeds.list(fake { profile = 0x1B })
    assert.is_nil(l)
    assert.are.equal("no write speeds: GET PERFORMANCE: GET PERFORMANCE: ILLEGAL REQUEST; "
      .. "mode page 2Ah: MODE SENSE: ILLEGAL REQUEST", msg)
    assert.are.equal(5, info.sense_key)
  end)
  it("raises on misuse", function()
    assert.has_error(function() speeds.list("/dev/sr0") end,
      "bad argument #1 to 'list' (drive or snapshot expected, got string)")
  end)
end)

describe("speeds.pick", function()
  local F = assert(speeds.list(fake(CAPTURES.F)))   -- 12x 10x 8x 6x 4x DVD+R
  local C = assert(speeds.list(fake(CAPTURES.C)))
  local I = assert(speeds.list(fake(CAPTURES.I)))
  local A = assert(speeds.list(fake(CAPTURES.A)))

  it("max on the NEC is 4x from GET PERFORMANCE, not 6.1x from page 2Ah", function()
    local e, why = speeds.pick(C, "max")
    assert.are.equal(5540, e.write)
    assert.are.equal("get_performance", e.source)
    assert.are.equal("the fastest: 4x DVD (5540 kB/s) (from GET PERFORMANCE)", why)
  end)
  it("max, min, safe", function()
    assert.are.equal(16620, speeds.pick(F, "max").write)
    local e, why = speeds.pick(F, "min")
    assert.are.equal(5540, e.write)
    assert.are.equal("the slowest: 4x DVD (5540 kB/s) (from GET PERFORMANCE)", why)
    e, why = speeds.pick(F, "safe")
    assert.are.equal(8310, e.write)
    assert.are.equal("the nearest to 0.5 of the fastest (12x DVD (16620 kB/s)): 6x DVD (8310 kB/s) "
      .. "(from GET PERFORMANCE)", why)
    assert.are.equal(8310, speeds.pick(F, { fraction = 0.5 }).write)
    assert.are.equal(11080, speeds.pick(F, { fraction = 0.75 }).write)   -- 9x: 8x and 10x tie, the slower wins
    assert.are.equal(13850, speeds.pick(F, { fraction = 0.8 }).write)    -- 9.6x: 10x
  end)
  it("nearest, ties going to the slower speed", function()
    assert.are.equal(8310, speeds.pick(F, { nearest = 7 }).write)
    assert.are.equal(11080, speeds.pick(F, { nearest = 7.5 }).write)
    assert.are.equal(3324, speeds.pick(C, { nearest = 3 }).write)
  end)
  it("at_most and at_least", function()
    assert.are.equal(11080, speeds.pick(F, { at_most = 9 }).write)
    assert.are.equal(13850, speeds.pick(F, { at_least = 9 }).write)
    assert.are.equal(11080, speeds.pick(F, { at_most = 8 }).write)
    local e, msg = speeds.pick(F, { at_most = 2 })
    assert.is_nil(e)
    assert.are.equal("no speed at most 2x (slowest is 4x DVD (5540 kB/s))", msg)
    e, msg = speeds.pick(F, { at_least = 16 })
    assert.is_nil(e)
    assert.are.equal("no speed at least 16x (fastest is 12x DVD (16620 kB/s))", msg)
  end)
  it("exact_only and rotation filter", function()
    assert.are.equal(2770, speeds.pick(A, { exact_only = true }).write)
    local e, msg = speeds.pick(F, { exact_only = true })
    assert.is_nil(e)
    assert.are.equal("no speed with the Exact bit set", msg)
    assert.are.equal(17984, speeds.pick(I, { rotation = "clv" }).write)
    assert.are.equal(53952, speeds.pick(I, { rotation = "cav" }).write)
    local why
    e, why = speeds.pick(I, { rotation = "cav", at_most = 9 })
    assert.are.equal(35968, e.write)
    assert.are.equal("CAV only; at most 9x; the fastest left: 8x BD (35968 kB/s) (from GET PERFORMANCE)", why)
  end)
  it("source_kBps: no faster than the data source", function()
    local e, why = speeds.pick(F, { source_kBps = 12000 })
    assert.are.equal(11080, e.write)
    assert.are.equal("the fastest not faster than the source (12000 kB/s): 8x DVD (11080 kB/s) (from GET PERFORMANCE)",
      why)
    e, why = speeds.pick(F, { source_kBps = 1000 })
    assert.are.equal(5540, e.write)
    assert.truthy(why:find("every speed is faster than the source", 1, true))
  end)
  it("a list of policies narrows in turn", function()
    assert.are.equal(5540, speeds.pick(F, { { at_most = 10 }, "min" }).write)
    assert.are.equal(8310, speeds.pick(F, { { at_most = 10 }, { fraction = 0.6 } }).write)  -- 0.6 of 10x = 6x
  end)
  it("a Lua function", function()
    local e, why = speeds.pick(F, function(c) return c[#c] end)
    assert.are.equal(5540, e.write)
    assert.are.equal("chosen by a function: 4x DVD (5540 kB/s) (from GET PERFORMANCE)", why)
    e, why = speeds.pick(F, function() return nil, "nothing suits" end)
    assert.is_nil(e)
    assert.are.equal("nothing suits", why)
  end)
  it("an empty list is an answer, not an error", function()
    local e, msg = speeds.pick({ notes = {} }, "max")
    assert.is_nil(e)
    assert.are.equal("no write speeds to choose from", msg)
  end)
  it("raises on misuse, naming the argument", function()
    assert.has_error(function() speeds.pick(F, "fast") end,
      'bad argument #2 to \'pick\' (unknown policy "fast" (use max|min|safe|exact|clv|cav|nearest=X|at-most=X|'
      .. 'at-least=X|fraction=F|source=KBPS|fastest-for=SIZE|media=PATTERN|disc-rating))')
    assert.has_error(function() speeds.pick(F, { fastest = true }) end,
      'bad argument #2 to \'pick\' (unknown policy field "fastest")')
    assert.has_error(function() speeds.pick(F, { fraction = 2 }) end,
      "bad argument #2 to 'pick' (policy field 'fraction' expects 0 < f <= 1, got 2)")
    assert.has_error(function() speeds.pick(F, { rotation = "zclv" }) end,
      "bad argument #2 to 'pick' (policy field 'rotation' expects clv|cav, got zclv)")
    assert.has_error(function() speeds.pick(nil, "max") end,
      "bad argument #1 to 'pick' (speed list expected, got nil)")
  end)
end)

describe("speeds.estimate", function()
  -- Hand computation: n = ceil(bytes / 2048) sectors; a sector takes
  -- 2048 / (1000 v) s; on a ramp v = v0 + k L: t = 2.048 / k * ln(v(n) / v0).
  it("CLV: 4.7e9 bytes at 8x (11080 kB/s)", function()
    -- ceil(4.7e9 / 2048) = 2294922 sectors; 2294922 * 2048 / 11080000 = 424.187748736 s
    local t = speeds.estimate({ nd(0, 11080, 2295103, 11080) }, 4.7e9)
    assert.is_near(424.187748736, t, 1e-6)
  end)
  it("CAV ramp (Capture F): 5x..12x over the whole disc", function()
    -- k = 9696 / 2295103; n = 2295104; t = 2.048 / k * ln((6924 + k n) / 6924) = 424.474815728 s
    local curve = CAPTURES.F.performance.write
    assert.is_near(424.474815728, speeds.estimate(curve, 2295104 * 2048), 1e-6)
    -- capped at 8x: the ramp reaches 11080 at m = 4156 / k sectors, then 8x CLV:
    -- 2.048 / k * ln(11080 / 6924) + (n - m) * 2.048 / 11080 = 470.302956853 s
    local entry = assert(speeds.pick(assert(speeds.list(fake(CAPTURES.F))), { nearest = 8 }))
    assert.is_near(470.302956853, speeds.estimate(curve, 2295104 * 2048, entry), 1e-6)
  end)
  it("zoned (Capture E): 2.4x, 4x, 6x", function()
    -- 393216 * 2.048 / 3324 + 720896 * 2.048 / 5540 + 3059713 * 2.048 / 8310 = 1262.834013959 s
    local curve = CAPTURES.E.performance.write
    assert.is_near(1262.834013959, speeds.estimate(curve, 4173825 * 2048), 1e-6)
    -- capped at 4x: 393216 * 2.048 / 3324 + 3780609 * 2.048 / 5540 = 1639.867240433 s
    assert.is_near(1639.867240433, speeds.estimate(curve, 4173825 * 2048, { write = 5540 }), 1e-6)
    -- only the first zone: 1 GiB = 524288 sectors: 393216 * 2.048 / 3324 + 131072 * 2.048 / 5540
    assert.is_near(393216 * 2.048 / 3324 + 131072 * 2.048 / 5540, speeds.estimate(curve, 2 ^ 30), 1e-9)
  end)
  it("takes a drive and asks its write performance", function()
    local secs, detail = speeds.estimate(fake(CAPTURES.E), 4173825 * 2048)
    assert.is_near(1262.834013959, detail.curve_seconds, 1e-6)
    assert.is_near(detail.data_seconds + detail.overhead_seconds, secs, 1e-9)   -- OPC, lead-in, lead-out too
  end)
  it("an empty curve uses the entry's speed, or says it cannot", function()
    assert.is_near(2295104 * 2048 / 53952000, speeds.estimate({}, 2295104 * 2048, { write = 53952 }), 1e-9)
    local t, msg = speeds.estimate({}, 1e9)
    assert.is_nil(t)
    assert.are.equal("no performance curve and no speed to assume", msg)
  end)
  it("continues past the curve at its last speed", function()
    -- 0 .. 999 at 8864, then the last speed
    assert.is_near(4000 * 2048 / 8864000, speeds.estimate({ nd(0, 8864, 999, 8864) }, 4000 * 2048), 1e-9)
  end)
  it("ignores a curve that spans no sectors (Capture B's [0 -> 0]) and says so", function()
    -- Capture B says [0 -> 0] at 8864: that curve cannot cap a 16x, 12x or 8x entry alike
    local curve = { nd(0, 8864, 0, 8864) }
    local t16, detail = speeds.estimate(curve, 1e9, { write = 22160 })
    local t8 = speeds.estimate(curve, 1e9, { write = 11080 })
    assert.is_near(math.ceil(1e9 / 2048) * 2.048 / 22160, t16, 1e-9)
    assert.is_near(math.ceil(1e9 / 2048) * 2.048 / 11080, t8, 1e-9)
    assert.are.equal("none", detail.curve)
    assert.are.same({ "ignored the write performance curve: it spans no sectors (LBA 0 .. 0)" }, detail.notes)
    local t, msg = speeds.estimate(curve, 1e9)
    assert.is_nil(t)
    assert.are.equal("no performance curve and no speed to assume", msg)
  end)
  it("raises on misuse", function()
    assert.has_error(function() speeds.estimate({}, -1) end,
      "bad argument #2 to 'estimate' (byte count >= 0 expected, got -1: negative)")
    assert.has_error(function() speeds.estimate({ { lba = 0 } }, 1) end,
      "bad argument #1 to 'estimate' (descriptor 1 is not a nominal performance descriptor)")
  end)
end)

describe("speeds.apply", function()
  it("sets a DVD speed with SET STREAMING and verifies it", function()
    local drive = fake(CAPTURES.F)
    local e = speeds.pick(assert(speeds.list(drive)), { nearest = 8 })
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok)
    assert.are.same({ "set_streaming", { start_lba = 0, end_lba = 2295103, write_size = 11080, write_time = 1000,
      read_size = 8310, read_time = 1000, rotation = "clv", exact = false } }, drive.log[1])
    assert.are.equal("set_streaming", report.method)
    assert.are.equal(11080, report.asked)
    assert.are.equal(11080, report.got)
    assert.is_true(report.obeyed)
    assert.are.same({}, report.notes)
  end)
  it("reports a drive that accepts SET STREAMING and ignores it", function()
    local model = setmetatable({ quirks = { ignore_streaming = true } }, { __index = CAPTURES.F })
    local drive = fake(model)
    local e = speeds.pick(assert(speeds.list(drive)), "min")
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok)
    assert.is_false(report.obeyed)
    assert.are.equal(16620, report.got)
    assert.are.same({ "the drive did not obey: asked 4x DVD (5540 kB/s), it reports 12x DVD (16620 kB/s)" },
      report.notes)
  end)
  it("uses SET CD SPEED for CD media", function()
    local drive = fake(CAPTURES.G)
    local e = speeds.pick(assert(speeds.list(drive)), { nearest = 24 })
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok)
    assert.are.same({ { "set_speed", { read = "max", write = 4234, rotation = "clv" } } }, drive.log)
    assert.are.equal("set_cd_speed", report.method)
    assert.is_true(report.obeyed)
  end)
  it("falls back to SET CD SPEED when streaming is refused, after retrying End LBA - 1", function()
    local model = setmetatable({ refuse_streaming = true }, { __index = CAPTURES.C })
    local drive = fake(model)
    local e = speeds.pick(assert(speeds.list(drive)), "max")
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok)
    assert.are.equal(2295104, drive.log[1][2].end_lba)
    assert.are.equal(2295103, drive.log[2][2].end_lba)
    assert.are.same({ "set_speed", { read = 6925, write = 5540, rotation = "clv" } }, drive.log[3])
    assert.are.equal("set_cd_speed", report.method)
    assert.is_true(report.obeyed)
    assert.are.equal(2, #report.notes)
  end)
  it("skips SET STREAMING when no End LBA is known (Capture B)", function()
    local drive = fake(CAPTURES.B)
    local ok, report = speeds.apply(drive, speeds.pick(assert(speeds.list(drive)), "max"))
    assert.is_true(ok)
    assert.are.equal("set_cd_speed", report.method)
    assert.are.equal("no End LBA known (every descriptor says 0): SET STREAMING skipped", report.notes[1])
  end)
  it("raises on misuse", function()
    assert.has_error(function() speeds.apply(fake(CAPTURES.F), { write = "8x" }) end,
      "bad argument #2 to 'apply' (entry.write 8x is no speed a drive can be set to: not a number (string))")
  end)
end)

-- ---------------------------------------------------------------------------
-- The same acceptance checks on the built-in emulated models, once the core
-- exists: each capture's clean list, nominal names, the peer tools' lines
-- (verbatim from captures.md) and what the policies pick.

local have_core = pcall(require, "cdperf.core") and pcall(require, "cdperf.emulator")
local describe_core = have_core and describe or pending

local function squeeze(s) return (s:gsub("^%s+", ""):gsub("%s+", " ")) end

local EMULATED = {
  { capture = "A", model = "lg_gsa4083n_dvdrw", writes = { 2770 }, nominal = { 2 },
    squeeze = true,   -- Wikipedia collapsed the tool's spaces
    mediainfo = { "Speed Descriptor#0:    02/2254431 R@3.3x1385=4584KB/s W@2.0x1385=2770KB/s" },
    performance = { "Write Performance: 2.0x1385=2770KB/s@[0 -> 2254431]" },
    picks = { max = 2770, min = 2770, exact = 2770 } },
  { capture = "B", model = "liteon_sohw1673s_dvdpr", writes = { 22160, 16620, 11080, 8310 },
    nominal = { 16, 12, 8, 6 },
    mediainfo = {
      " Speed Descriptor#0:    00/0 R@3.2x1385=4432KB/s W@16.0x1385=22160KB/s",
      " Speed Descriptor#1:    00/0 R@3.2x1385=4432KB/s W@12.0x1385=16620KB/s",
      " Speed Descriptor#2:    00/0 R@3.2x1385=4432KB/s W@8.0x1385=11080KB/s",
      " Speed Descriptor#3:    00/0 R@3.2x1385=4432KB/s W@6.0x1385=8310KB/s" },
    performance = { " Write Performance:     6.4x1385=8864KB/s@[0 -> 0]" },
    picks = { max = 22160, min = 8310, safe = 11080 } },
  { capture = "C", model = "nec_nd3540a_dvdprw", writes = { 5540, 3324 }, nominal = { 4, 2.4 },
    mediainfo = {
      " Speed Descriptor#0:    00/2295104 R@5.0x1385=6925KB/s W@4.0x1385=5540KB/s",
      " Speed Descriptor#1:    00/2295104 R@5.0x1385=6925KB/s W@2.4x1385=3324KB/s" },
    performance = { " Write Performance:     2.4x1385=3324KB/s@[0 -> 2295104]" },
    capabilities = {
      " Current Write Speed:   1.0x1385=1411KB/s",
      " Write Speed #0:        6.1x1385=8467KB/s",
      " Write Speed #1:        5.1x1385=7056KB/s",
      " Write Speed #2:        4.1x1385=5645KB/s",
      " Write Speed #3:        3.1x1385=4234KB/s",
      " Write Speed #4:        2.0x1385=2822KB/s",
      " Write Speed #5:        1.0x1385=1411KB/s" },
    picks = { max = 5540, min = 3324, safe = 3324 } },
  { capture = "D", model = "samsung_shs182m_dvdram", writes = { 4155, 2770 }, nominal = { 3, 2 },
    mediainfo = {
      " Speed Descriptor#0:    00/2236703 R@3.0x1385=4155KB/s W@3.0x1385=4155KB/s",
      " Speed Descriptor#1:    00/2236703 R@3.0x1385=4155KB/s W@2.0x1385=2770KB/s",
      " Speed Descriptor#2:    00/2236703 R@3.0x1385=4155KB/s W@2.0x1385=2770KB/s" },
    performance = { " Write Performance:     3.0x1385=4155KB/s@[0 -> 2236703]" },
    picks = { max = 4155, min = 2770 } },
  { capture = "E", model = "optiarc_ad7590s_dvdpr_dl", writes = { 8310, 5540, 3324 }, nominal = { 6, 4, 2.4 },
    mediainfo = {
      " Speed Descriptor#0:    00/4173824 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s",
      " Speed Descriptor#1:    00/4173824 R@6.0x1385=8310KB/s W@4.0x1385=5540KB/s",
      " Speed Descriptor#2:    00/4173824 R@6.0x1385=8310KB/s W@2.4x1385=3324KB/s" },
    performance = {
      " Write Performance:     2.4x1385=3324KB/s@[0 -> 393215]",
      "                        4.0x1385=5540KB/s@[393216 -> 1114111]",
      "                        6.0x1385=8310KB/s@[1114112 -> 4173824]" },
    prcap = {
      "  Maximum read  speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Current read  speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Maximum write speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Current write speed:  8310 kB/s (CD  47x, DVD  6x)",
      "  Number of supported write speeds: 3",
      "  Write speed # 0:  8310 kB/s CLV/PCAV (CD  47x, DVD  6x)",
      "  Write speed # 1:  5540 kB/s CLV/PCAV (CD  31x, DVD  4x)",
      "  Write speed # 2:  3324 kB/s CLV/PCAV (CD  18x, DVD  2x)" },
    picks = { max = 8310, min = 3324, safe = 3324 } },   -- 3x: 2.4x is nearer than 4x
  { capture = "F", model = "samsung_sh224db_dvdpr", writes = { 16620, 13850, 11080, 8310, 5540 },
    nominal = { 12, 10, 8, 6, 4 },
    mediainfo = {
      " Speed Descriptor#0:    00/2295103 R@6.0x1385=8310KB/s W@12.0x1385=16620KB/s",
      " Speed Descriptor#1:    00/2295103 R@6.0x1385=8310KB/s W@10.0x1385=13850KB/s",
      " Speed Descriptor#2:    00/2295103 R@6.0x1385=8310KB/s W@8.0x1385=11080KB/s",
      " Speed Descriptor#3:    00/2295103 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s",
      " Speed Descriptor#4:    00/2295103 R@6.0x1385=8310KB/s W@4.0x1385=5540KB/s" },
    performance = { " Write Performance:     5.0x1385=6924KB/s@0 -> 12.0x1385=16620KB/s@2295103" },
    picks = { max = 16620, min = 5540, safe = 8310 } },
  { capture = "G", model = "lg_gsa4163b_cdr", writes = { 7056, 5645, 4234, 2822, 1411, 706 },
    nominal = { 40, 32, 24, 16, 8, 4 },
    prcap = {
      "  Maximum read  speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Current read  speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Maximum write speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Current write speed:  7056 kB/s (CD  40x, DVD  5x)",
      "  Rotational control selected: CLV/PCAV",
      "  Buffer size in KB: 2048",
      "  Number of supported write speeds: 6",
      "  Write speed # 0:  7056 kB/s CLV/PCAV (CD  40x, DVD  5x)",
      "  Write speed # 1:  5645 kB/s CLV/PCAV (CD  32x, DVD  4x)",
      "  Write speed # 2:  4234 kB/s CLV/PCAV (CD  24x, DVD  3x)",
      "  Write speed # 3:  2822 kB/s CLV/PCAV (CD  16x, DVD  2x)",
      "  Write speed # 4:  1411 kB/s CLV/PCAV (CD   8x, DVD  1x)",
      "  Write speed # 5:   706 kB/s CLV/PCAV (CD   4x, DVD  0x)" },
    picks = { max = 7056, min = 706, safe = 2822 } },   -- 20x: 16x and 24x tie, the slower wins
  { capture = "G (GSA-4120B, no GET PERFORMANCE)", model = "lg_gsa4120b_no_getperf",
    writes = { 7056, 5645, 4234, 2822, 1411, 706 }, nominal = { 40, 32, 24, 16, 8, 4 }, source = "page_2a",
    prcap = {
      "  Number of supported write speeds: 6",
      "  Write speed # 0:  7056 kB/s CLV/PCAV (CD  40x, DVD  5x)",
      "  Write speed # 1:  5645 kB/s CLV/PCAV (CD  32x, DVD  4x)",
      "  Write speed # 2:  4234 kB/s CLV/PCAV (CD  24x, DVD  3x)",
      "  Write speed # 3:  2822 kB/s CLV/PCAV (CD  16x, DVD  2x)",
      "  Write speed # 4:  1411 kB/s CLV/PCAV (CD   8x, DVD  1x)",
      "  Write speed # 5:   706 kB/s CLV/PCAV (CD   4x, DVD  0x)" },
    picks = { max = 7056, min = 706 } },
  { capture = "H", model = "ihas124f_cdr", writes = { 8467, 7056, 5645, 4234, 2822 },
    nominal = { 48, 40, 32, 24, 16 }, rotation = { "cav", "clv", "clv", "clv", "clv" },
    picks = { max = 8467, min = 2822, clv = 7056 } },
  { capture = "I (blank)", model = "lg_wh16ns40_bdr", writes = { 53952, 44960, 35968, 26976, 17984 },
    nominal = { 12, 10, 8, 6, 4 }, rotation = { "cav", "cav", "cav", "cav", "clv" },
    mediainfo = {
      " Speed Descriptor#0:    08/12219391 R@6.0x4495=26976KB/s W@12.0x4495=53952KB/s",
      " Speed Descriptor#1:    08/12219391 R@6.0x4495=26976KB/s W@10.0x4495=44960KB/s",
      " Speed Descriptor#2:    08/12219391 R@6.0x4495=26976KB/s W@8.0x4495=35968KB/s",
      " Speed Descriptor#3:    08/12219391 R@6.0x4495=26976KB/s W@6.0x4495=26976KB/s",
      " Speed Descriptor#4:    00/12219391 R@6.0x4495=26976KB/s W@4.0x4495=17984KB/s" },
    capabilities = {
      " Current Write Speed:   12.0x4495=53952KB/s",
      " Write Speed #0:        12.0x4495=53952KB/s",
      " Write Speed #1:        10.0x4495=44960KB/s",
      " Write Speed #2:        8.0x4495=35968KB/s",
      " Write Speed #3:        6.0x4495=26976KB/s",
      " Write Speed #4:        4.0x4495=17984KB/s" },
    picks = { max = 53952, min = 17984, safe = 26976, clv = 17984 } },
  { capture = "I (written)", model = "lg_wh16ns40_bdr_written", writes = { 53952, 44960, 35968, 26976, 17984 },
    nominal = { 12, 10, 8, 6, 4 },
    mediainfo = {
      " Speed Descriptor#0:    08/12088319 R@6.0x4495=26976KB/s W@12.0x4495=53952KB/s",
      " Speed Descriptor#1:    08/12088319 R@6.0x4495=26976KB/s W@10.0x4495=44960KB/s",
      " Speed Descriptor#2:    08/12088319 R@6.0x4495=26976KB/s W@8.0x4495=35968KB/s",
      " Speed Descriptor#3:    08/12088319 R@6.0x4495=26976KB/s W@6.0x4495=26976KB/s",
      " Speed Descriptor#4:    00/12088319 R@6.0x4495=26976KB/s W@4.0x4495=17984KB/s" },
    picks = { max = 53952 } },
}

-- every line of `expected` appears in `got`, in order (captures elide lines with ...)
local function assert_lines_in_order(expected, got, squeezed)
  local j = 1
  for _, line in ipairs(expected) do
    local found = false
    while j <= #got do
      local g = got[j]
      j = j + 1
      if (squeezed and squeeze(g) == squeeze(line)) or g == line then found = true break end
    end
    assert(found, "line not emitted (in order): " .. line .. "\ngot:\n" .. table.concat(got, "\n"))
  end
end

describe_core("the built-in emulated models of every capture", function()
  local cdperf = have_core and require "cdperf"
  local format = require "cdperf.format"

  for _, case in ipairs(EMULATED) do
    it("Capture " .. case.capture .. " (" .. case.model .. ")", function()
      local drive <close> = assert(cdperf.open("emulated:" .. case.model))
      local class = drive:profile().class
      local l = assert(speeds.list(drive))
      assert.are.same(case.writes, writes(l))
      assert.are.same(case.nominal, field(l, "nominal"))
      if case.rotation then assert.are.same(case.rotation, field(l, "rotation")) end
      for _, e in ipairs(l) do assert.are.equal(case.source or "get_performance", e.source) end
      if case.mediainfo then
        assert_lines_in_order(case.mediainfo, format.mediainfo(assert(drive:write_speeds()), class), case.squeeze)
      end
      if case.performance then
        assert_lines_in_order(case.performance,
          format.mediainfo_performance(assert(drive:write_performance()), class), case.squeeze)
      end
      if case.capabilities then
        assert_lines_in_order(case.capabilities, format.mediainfo_capabilities(assert(drive:capabilities()), class))
      end
      if case.prcap then assert_lines_in_order(case.prcap, format.prcap(assert(drive:capabilities()))) end
      local policies = { max = "max", min = "min", safe = "safe", exact = { exact_only = true },
        clv = { rotation = "clv" } }
      for name, want in pairs(case.picks) do
        local e, why = speeds.pick(l, policies[name])
        assert(e, why)
        assert.are.equal(want, e.write, name .. ": " .. why)
      end
    end)
  end

  it("NEC ND-3540A with DVD+RW: max is 4x from GET PERFORMANCE, not 6.1x from page 2Ah", function()
    local drive <close> = assert(cdperf.open("emulated:nec_nd3540a_dvdprw"))
    local e, why = speeds.pick(assert(speeds.list(drive)), "max")
    assert.are.equal(5540, e.write)
    assert.are.equal(4, e.nominal)
    assert.are.equal("the fastest: 4x DVD (5540 kB/s) (from GET PERFORMANCE)", why)
  end)
  it("no medium: list says so", function()
    local drive <close> = assert(cdperf.open("emulated:lg_wh16ns40_empty"))
    local l, msg = speeds.list(drive)
    assert.is_nil(l)
    assert.are.equal("no medium in the drive", msg)
  end)
  it("estimates from the emulated curves: zoned (E) and CAV ramp (F)", function()
    local e <close> = assert(cdperf.open("emulated:optiarc_ad7590s_dvdpr_dl"))
    assert.is_near(1262.834013959, select(2, speeds.estimate(e, 4173825 * 2048)).curve_seconds, 1e-6)
    local f <close> = assert(cdperf.open("emulated:samsung_sh224db_dvdpr"))
    assert.is_near(424.474815728, select(2, speeds.estimate(f, 2295104 * 2048)).curve_seconds, 1e-6)
  end)
  it("apply changes what the emulated drive reports", function()
    local drive <close> = assert(cdperf.open("emulated:samsung_sh224db_dvdpr", { write = true }))
    local e = speeds.pick(assert(speeds.list(drive)), { nearest = 8 })
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok, report)
    assert.are.equal("set_streaming", report.method)
    assert.are.equal(2295103, report.end_lba)
    assert.is_true(report.obeyed)
    assert.are.equal(11080, report.got)
    assert.are.equal(11080, drive:capabilities().current_write_speed_selected)
  end)
  local function with_quirks(name, quirks)
    local emulator = require "cdperf.emulator"
    local m = {}
    for k, v in pairs(emulator.models[name]) do m[k] = v end
    m.quirks = quirks
    return assert(cdperf.open(emulator.new(m), { write = true }))
  end
  it("apply on a drive that ignores SET STREAMING reports that it did not obey", function()
    local drive <close> = with_quirks("samsung_sh224db_dvdpr", { ignores_set_streaming = true })
    local e = speeds.pick(assert(speeds.list(drive)), "min")
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok, report)
    assert.are.equal("set_streaming", report.method)
    assert.is_false(report.obeyed)
    assert.are.equal(16620, report.got)
    assert.are.same({ "the drive did not obey: asked 4x DVD (5540 kB/s), it reports 12x DVD (16620 kB/s)" },
      report.notes)
  end)
  it("apply notes a list that changes after setting (BenQ DQ60)", function()
    local drive <close> = with_quirks("samsung_sh224db_dvdpr", { list_changes_after_set = true })
    local e = speeds.pick(assert(speeds.list(drive)), { nearest = 8 })
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok, report)
    assert.is_true(report.obeyed)
    assert.are.same({ "the drive's write speed list changed after setting; re-read it before the next choice" },
      report.notes)
    assert.are.equal(16620 * 2, assert(speeds.list(drive))[1].write)
  end)
  it("page 2Ah CD speeds and zeros from the emulator's quirks are cleaned", function()
    local drive <close> = with_quirks("samsung_sh224db_dvdpr", { page_2a_cd_speeds = true })
    local l = assert(speeds.list(drive))
    assert.are.same({ 16620, 13850, 11080, 8310, 5540 }, writes(l))
    assert.is_true(has_note(l, "CD speeds while DVD%+R is loaded: 48x CD"))
    local dup <close> = with_quirks("samsung_sh224db_dvdpr", { duplicate_descriptors = true })
    l = assert(speeds.list(dup))
    assert.are.same({ 16620, 13850, 11080, 8310, 5540 }, writes(l))
    assert.is_true(has_note(l, "removed 1 duplicate write speed descriptor%(s%): 4x DVD %(5540 kB/s%)"))
  end)
  it("apply on a CD uses SET CD SPEED and the drive follows", function()
    local drive <close> = assert(cdperf.open("emulated:lg_gsa4163b_cdr", { write = true }))
    local e = speeds.pick(assert(speeds.list(drive)), { nearest = 16 })
    local ok, report = speeds.apply(drive, e)
    assert.is_true(ok, report)
    assert.are.equal("set_cd_speed", report.method)
    assert.is_true(report.obeyed)
    assert.are.equal(2822, report.got)
  end)
end)
