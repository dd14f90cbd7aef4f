--- fuzz/hostile_driver.lua: the Lua side of the fuzz_hostile harness (fuzz_lua.c built with
-- this driver).  Each input is the stream of choices of one generated drive
-- (fuzz/hostile.lua); a broken invariant calls fuzz_violation(), which aborts.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "fuzz"
-- hostile.lua beside this file; dkjson from the system's Lua path
package.path = here .. "/?.lua;" .. package.path .. ";/usr/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?.lua"
local hostile = require "hostile"
local violation = fuzz_violation -- luacheck: ignore

return function(data)
  local ok, v = pcall(hostile.run, hostile.from_bytes(data))
  if not ok then violation("hostile.run raised: " .. tostring(v)) end
  if v then violation(v) end
end
