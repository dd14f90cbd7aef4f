-- test/kernel/wine_compare.lua WINDOWS_RESULTS LETTER=DEVICE... - in the Wine guest, after
-- test/kernel/wine.lua: the same calls through the Linux module on each DEVICE must give
-- the same tables and refusals as the Windows DLL did through Wine on its LETTER.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local calls = dofile("test/kernel/wine_calls.lua")
local cdperf = require "cdperf"
local passed, failed = 0, 0
local function report(ok, name, detail)
  if ok then passed = passed + 1; print("ok - " .. name)
  else failed = failed + 1; print("not ok - " .. name .. " # " .. tostring(detail)) end
end
local win = dofile(arg[1])
for i = 2, #arg do
  local letter, dev = arg[i]:match("^(.-)=(.*)$")
  local d, msg = cdperf.open(dev, { write = true })
  report(d ~= nil and win[letter] ~= nil, ("%s and %s: both opened"):format(dev, letter), msg)
  if d and win[letter] then
    local inq = d:inquiry() or {}
    local lin = calls.run(d)
    d:close()
    local bad
    for _, name in ipairs(calls.ORDER) do
      local ok, why = calls.same(lin[name], win[letter][name], name)
      if not ok then bad = why; break end
    end
    report(bad == nil, ("%s (%s %s) and %s: the Windows DLL through Wine equals the Linux module on "
      .. "every call"):format(dev, tostring(inq.vendor), tostring(inq.product), letter), bad)
  end
end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
