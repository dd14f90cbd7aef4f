--- test/tap.lua: the TAP-like lines every rig script prints, in one place: "ok N - name",
-- "not ok N - name # why", "ok N - name # SKIP why", "# note" and, last, "N passed, N failed".
-- A prefix ("record", "burn", ...) goes before each name and the summary, so a script that
-- runs after check.lua in the guest does not print the line the host counts as check.lua's.
--   local t = require("tap").new("record")
--   t.check(cond, name, diag); t.note("%d drives", n); os.exit(t.summary() and 0 or 1)
local tap = {}

local function line(s)
  print(s)
  io.stdout:flush()
end

local function one_line(v) return (tostring(v):gsub("\r?\n", " | ")) end

--- A counter; `prefix` (optional) labels its lines.
function tap.new(prefix)
  local t = { passed = 0, failed = 0, skipped = 0, n = 0 }
  local label = prefix and (prefix .. ": ") or ""

  --- One check: prints its line, counts it, returns cond.
  function t.check(cond, name, diag)
    t.n = t.n + 1
    if cond then
      t.passed = t.passed + 1
      line(("ok %d - %s%s"):format(t.n, label, name))
    else
      t.failed = t.failed + 1
      line(("not ok %d - %s%s%s"):format(t.n, label, name, diag ~= nil and (" # " .. one_line(diag)) or ""))
    end
    return cond
  end

  --- A check that could not run here: counts as passed and skipped.
  function t.skip(name, why)
    t.n, t.passed, t.skipped = t.n + 1, t.passed + 1, t.skipped + 1
    line(("ok %d - %s%s # SKIP %s"):format(t.n, label, name, one_line(why)))
  end

  function t.note(fmt, ...) line("# " .. label .. fmt:format(...)) end

  --- Prints the summary line; true when nothing failed.
  function t.summary()
    line(("%s%d passed, %d failed"):format(label, t.passed, t.failed))
    return t.failed == 0
  end
  return t
end

return tap
