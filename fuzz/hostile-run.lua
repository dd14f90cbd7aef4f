--- fuzz/hostile-run.lua FIRST LAST: run the generated drives of seeds FIRST..LAST
-- (fuzz/hostile.lua) and print each violation with its seed, then
-- "N passed, N failed".  Exit status 1 when any invariant broke.
local here = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/.."
package.path = here .. "/lua/?.lua;" .. here .. "/lua/?/init.lua;" .. here .. "/fuzz/?.lua;" .. package.path
package.cpath = here .. "/build/?.so;" .. package.cpath
local hostile = require "hostile"
local first, last = tonumber(arg[1] or "1"), tonumber(arg[2] or "1000")
local failed, shown = 0, 0
local t0 = os.time()
for seed = first, last do
  local ok, v = pcall(hostile.run, hostile.from_seed(seed))
  if not ok then v = "raised: " .. tostring(v) end
  if v then
    failed = failed + 1
    if shown < 20 then
      shown = shown + 1
      print(("seed %d: %s"):format(seed, v))
    end
  end
  collectgarbage("step")
end
io.stderr:write(("hostile-run: seeds %d..%d in %d s\n"):format(first, last, os.time() - t0))
print(("%d passed, %d failed"):format(last - first + 1 - failed, failed))
os.exit(failed == 0 and 0 or 1)
