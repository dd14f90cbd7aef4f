-- test/kernel/wine_compare.lua DEVICE WINDOWS_RESULTS - in the Wine guest, after
-- test/kernel/wine.lua: the same calls through the Linux module on DEVICE must give the
-- same tables and refusals as the Windows DLL did through Wine.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local calls = dofile("test/kernel/wine_calls.lua")
local cdperf = require "cdperf"
local passed, failed = 0, 0
local function report(ok, name, detail)
  if ok then passed = passed + 1; print("ok - " .. name)
  else failed = failed + 1; print("not ok - " .. name .. " # " .. tostring(detail)) end
end
local win = dofile(arg[2])
local d = assert(cdperf.open(arg[1], { write = true }))
local lin = calls.run(d)
d:close()
for _, name in ipairs(calls.ORDER) do
  local ok, why = calls.same(lin[name], win[name], name)
  report(ok, name .. ": the Windows DLL through Wine equals the Linux module", why)
end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
