-- Hostile drives above the core (fuzz/hostile.lua): generated drives from the whole
-- quirk space drive snapshot, speeds, the report, the emitters and JSON.  A seeded run
-- here; the libFuzzer harness (make fuzz-hostile) and long runs (make hostile-run) use
-- the same generator and invariants.

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

describe_core("hostile drives", function()
  package.path = "./fuzz/?.lua;" .. package.path
  local hostile = require "hostile"

  -- under valgrind (make check-valgrind) a tenth: the C path is what valgrind is for there
  local seeds = tonumber(os.getenv("CDPERF_HOSTILE_SEEDS") or "") or 2000
  it(seeds .. " generated drives keep every invariant", function()
    local failures = {}
    for seed = 1, seeds do
      local ok, v = pcall(hostile.run, hostile.from_seed(seed))
      if not ok then v = "raised: " .. tostring(v) end
      if v and #failures < 5 then failures[#failures + 1] = ("seed %d: %s"):format(seed, v) end
    end
    assert.are.same({}, failures)
  end)

  it("the same generator runs on a fuzzer's bytes", function()
    for _, data in ipairs { "", "\0", ("\255"):rep(64), "cdperf hostile drive", ("\1\2\3\4"):rep(100) } do
      assert.is_nil(hostile.run(hostile.from_bytes(data)))
    end
  end)

  it("finds a broken invariant (the check can fail)", function()
    local speeds = require "cdperf.speeds"
    local list = speeds.list
    speeds.list = function(...)
      local l, m, i = list(...)
      if l then l[#l + 1] = { write = 0 / 0, rotation = "clv" } end
      return l, m, i
    end
    local broke = false
    for seed = 1, 200 do
      if hostile.run(hostile.from_seed(seed)) then broke = true break end
    end
    speeds.list = list
    assert.is_true(broke)
  end)
end)
