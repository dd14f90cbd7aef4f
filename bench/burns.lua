--- bench/burns.lua: cdperf's burn-time estimate against published real burns
-- (spec/data/burn_times.lua: reviews' stopwatch figures, each with its source).  Every case
-- is estimated the way cdperf estimates a drive's speed list: speeds.estimate on the list
-- the drive offered for the medium (fastest first, rotation control 00b as drives report),
-- at the speed set, for the bytes written; the error is (estimate - measured) / measured.
--   lua5.4 bench/burns.lua          (prints the table)
-- As a module (dofile, require "bench.burns"): burns.load(), burns.estimate(b), burns.rows(),
-- burns.table_lines(rows).
local script = arg and arg[0] or ""
local main = script:match("bench/burns%.lua$") ~= nil
local root = script:match("^(.*)/bench/burns%.lua$") or "."
package.path = table.concat({ root .. "/?.lua", root .. "/lua/?.lua", root .. "/lua/?/init.lua", package.path }, ";")
package.cpath = root .. "/build/?.so;" .. package.cpath

local speeds = require "cdperf.speeds"
local media = require "cdperf.media"

local fmt = string.format
local burns = {}

--- The published burns (spec/data/burn_times.lua).
function burns.load(dir)
  return dofile((dir or root) .. "/spec/data/burn_times.lua")
end

local function kBps(b, x) return math.floor(x * media.ONE_X[b.class] + 0.5) end

--- The estimate of burn `b`: seconds (the stopwatch figure) and speeds.estimate's detail.
function burns.estimate(b)
  local list = { class = b.class, capacity = b.capacity }
  for i, x in ipairs(b.offered) do list[i] = { write = kBps(b, x), rotation = "clv" } end
  return speeds.estimate(list, b.bytes, { write = kBps(b, b.speed), rotation = "clv" })
end

--- The seconds the case is checked against: the total, or the write time.
function burns.measured(b)
  return b.measured == "write" and b.write_s or b.total_s
end

local function clock(s)
  s = math.floor(s + 0.5)
  return fmt("%d:%02d", s // 60, s % 60)
end

--- One row per burn: { b =, measured =, estimate =, error =, detail = }.
function burns.rows(data)
  local rows = {}
  for _, b in ipairs(data or burns.load()) do
    local secs, d = burns.estimate(b)
    local m = burns.measured(b)
    rows[#rows + 1] = { b = b, measured = m, estimate = secs, detail = d,
      error = secs and (secs - m) / m or nil }
  end
  return rows
end

--- The rows as a Markdown table and a summary line.
function burns.table_lines(rows)
  local out = {
    "| Case | Medium, speed | Strategy (published) | Measured | Estimate | Error | Tolerance |",
    "|---|---|---|---|---|---|---|",
  }
  local abs_sum, n, worst, worst_id = 0, 0, 0, nil
  for _, r in ipairs(rows) do
    local b = r.b
    local checked = b.check ~= false
    out[#out + 1] = fmt("| %s | %s %gx | %s | %s%s (%s) | %s | %s | %s |", b.id, b.medium, b.speed,
      b.strategy or "-", b.approx and "~" or "", clock(r.measured), b.measured,
      r.estimate and clock(r.estimate) or "-", r.error and fmt("%+.1f %%", 100 * r.error) or "-",
      checked and fmt("%.0f %%", 100 * b.tolerance) or "not checked")
    if checked and r.error then
      abs_sum, n = abs_sum + math.abs(r.error), n + 1
      if math.abs(r.error) > worst then worst, worst_id = math.abs(r.error), b.id end
    end
  end
  out[#out + 1] = ""
  out[#out + 1] = fmt("%d burns checked: mean absolute error %.1f %%, worst %.1f %% (%s).", n,
    n > 0 and 100 * abs_sum / n or 0, 100 * worst, worst_id or "-")
  return out
end

if main then
  print(table.concat(burns.table_lines(burns.rows()), "\n"))
end

return burns
