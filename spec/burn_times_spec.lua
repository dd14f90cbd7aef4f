-- The estimate against published real burns (spec/data/burn_times.lua): every case is
-- estimated as cdperf estimates a drive's speed list (bench/burns.lua: speeds.estimate on
-- the list the drive offered, at the speed set) and must meet the published stopwatch
-- figure within the case's tolerance: 10 % for timed burns, 15 % for rounded statements
-- ("around 6.5 minutes"), 20 % where the drive's strategy is one a speed list cannot show
-- (Z-CLV).  Cases marked check = false are kept for the record only.  The error table is
-- printed once (busted -o utfTerminal shows it) and bench/burns.lua prints it for make bench.
local burns = dofile("bench/burns.lua")

local data = burns.load(".")

describe("published burn times", function()
  it("hold the fields every case needs, with a source", function()
    local seen = {}
    for i, b in ipairs(data) do
      local where = b.id or ("#" .. i)
      assert(type(b.id) == "string" and not seen[b.id], where .. ": a unique id")
      seen[b.id] = true
      assert(type(b.source) == "string" and b.source:match("^https?://"), where .. ": a source URL")
      assert(b.class == "cd" or b.class == "dvd" or b.class == "bd", where .. ": class")
      assert(type(b.bytes) == "number" and b.bytes > 0, where .. ": bytes")
      assert(type(b.speed) == "number" and type(b.offered) == "table" and #b.offered > 0, where .. ": speeds")
      assert(b.offered[1] >= b.speed, where .. ": the speed set is offered")
      assert(b.measured == "total" or b.measured == "write", where .. ": measured")
      assert(type(burns.measured(b)) == "number", where .. ": the measured figure")
      assert(type(b.tolerance) == "number" and b.tolerance > 0 and b.tolerance <= 0.2, where .. ": tolerance")
    end
    assert.is_true(#data >= 15)
  end)

  local rows = burns.rows(data)
  for _, r in ipairs(rows) do
    local b = r.b
    if b.check ~= false then
      it(("%s: %s %gx, %.0f s measured, within %.0f %%"):format(b.id, b.medium, b.speed, r.measured,
        100 * b.tolerance), function()
        assert.is_number(r.estimate)
        assert.are.equal("physics", r.detail.source)
        if math.abs(r.error) > b.tolerance then
          error(("%s: estimate %.0f s, measured %.0f s: %+.1f %% (tolerance %.0f %%)"):format(b.id, r.estimate,
            r.measured, 100 * r.error, 100 * b.tolerance))
        end
      end)
    end
  end

  it("are met on average within 7 % (the table)", function()
    local lines = burns.table_lines(rows)
    io.stderr:write("\n", table.concat(lines, "\n"), "\n")
    local sum, n = 0, 0
    for _, r in ipairs(rows) do
      if r.b.check ~= false then sum, n = sum + math.abs(r.error), n + 1 end
    end
    assert.is_true(sum / n < 0.07, ("mean absolute error %.1f %%"):format(100 * sum / n))
  end)

  it("use the drive's top speed for the spindle: a 16x DVD writer burns CAV from 6.6x, as NEC's did", function()
    local nec
    for _, r in ipairs(rows) do if r.b.id == "cdfreaks-nec-16x-dvd+r" then nec = r end end
    assert.are.equal("cav", nec.detail.strategy)
    -- 16x at 58 mm: 9187 rpm; at 24 mm that is 16 x 24 / 58 = 6.62x (published: 6.75x)
    assert.is_true(math.abs(nec.detail.limit_rpm - 9187) < 1)
    -- data at the published 11.70x average: 4700372992 / (11.70 x 1385000) = 290 s; the
    -- spiral's CAV gives 300 s
    assert.is_true(math.abs(nec.detail.data_seconds - 300.06) < 0.01)
  end)
end)
