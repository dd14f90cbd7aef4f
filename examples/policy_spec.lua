-- A busted spec for a policy: "the fastest Exact or CAV speed at most 8x, else the
-- slowest" (the policy of exact_or_cav.lua), against three emulated drives, one of them
-- with a quirk switched on.  Every drive here also has the switch requires_write: like a
-- real drive on Linux it refuses SET CD SPEED and SET STREAMING unless opened with
-- write = true, so a spec catches what a real drive would refuse.
--
--   lua5.4 /usr/bin/busted examples/policy_spec.lua      (with cdperf on LUA_PATH/LUA_CPATH)
local cdperf = require "cdperf"
local emulator, speeds = cdperf.emulator, cdperf.speeds

local function exact_or_cav(candidates)
  local out = {}
  for _, e in ipairs(candidates) do
    if e.exact or e.rotation == "cav" then out[#out + 1] = e end
  end
  if #out == 0 then return nil, "no Exact or CAV speed" end
  return out, "Exact or CAV speeds only"
end
local POLICY = { fallback = { { exact_or_cav, "at-most=8" }, "min" } }

-- An emulated drive from a built-in model, with quirks added and requires_write on.
local function drive(name, quirks, opts)
  local model = emulator.deepcopy(emulator.models[name])
  model.quirks = model.quirks or {}
  for k, v in pairs(quirks or {}) do model.quirks[k] = v end
  model.quirks.requires_write = true
  return assert(cdperf.open(emulator.new(model, { write = opts and opts.write }), opts))
end

local function pick(d)
  local list = assert(speeds.list(cdperf.snapshot(d)))
  local entry, why = speeds.pick(list, POLICY)
  return entry, why, list
end

describe("the policy 'fastest Exact or CAV at most 8x, else the slowest'", function()
  it("picks 8x CAV on the LG BD burner (CAV speeds 12x 10x 8x 6x)", function()
    local d <close> = drive("lg_wh16ns40_bdr")
    local entry, why = pick(d)
    assert.are.equal(35968, entry.write)
    assert.are.equal("cav", entry.rotation)
    assert.matches("Exact or CAV speeds only; at most 8x", why, 1, true)
  end)

  it("falls back to the slowest on the Samsung DVD burner (CLV only, no Exact bit)", function()
    local d <close> = drive("samsung_sh224db_dvdpr")
    local entry, why, list = pick(d)
    assert.are.equal(list[#list].write, entry.write)
    assert.are.equal(4, entry.nominal)
    assert.matches("fallback 2 (no Exact or CAV speed)", why, 1, true)
  end)

  it("falls back to the slowest on the LG BD burner without GET PERFORMANCE (quirk no_get_performance)", function()
    -- page 2Ah's list says no rotation (CLV) and has no Exact bit: the same drive, another choice
    local d <close> = drive("lg_wh16ns40_bdr", { no_get_performance = true })
    local entry, why, list = pick(d)
    assert.are.equal("page_2a", entry.source)
    assert.are.equal(list[#list].write, entry.write)
    assert.matches("no Exact or CAV speed", why, 1, true)
    assert.matches("using mode page 2Ah", table.concat(list.notes, "\n"), 1, true)
  end)

  it("is set and obeyed on a drive opened read-write, refused on one opened read-only", function()
    for _, name in ipairs { "lg_wh16ns40_bdr", "samsung_sh224db_dvdpr" } do
      local ro <close> = drive(name)
      local entry = pick(ro)
      local ok, msg = speeds.apply(ro, entry)
      assert.is_nil(ok)
      assert.matches("needs write access", msg, 1, true)

      local rw <close> = drive(name, nil, { write = true })
      local done, report = speeds.apply(rw, pick(rw))
      assert.is_true(done)
      assert.is_true(report.obeyed)
    end
  end)
end)
