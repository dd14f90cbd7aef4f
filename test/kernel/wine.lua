-- test/kernel/wine.lua OUT LETTER... - in the Wine guest (test/kernel/wine-rig.sh): the
-- Windows DLL on Wine's drive letters, each a guest /dev/srN (Wine answers
-- IOCTL_SCSI_PASS_THROUGH with SG_IO); the results of test/kernel/wine_calls.lua's calls,
-- per letter, go to OUT for wine_compare.lua, with what cdperf.drives() listed ("@drives")
-- and the refusal of a letter that is not an optical drive ("@not_optical").
-- Run with CDPERF_TRACE=1: a marker line before each call (stdout unbuffered, the DLL's
-- trace on stderr, both into one pipe) lets wine_compare.lua tell the path each call took.
io.stdout:setvbuf("no")
local calls = dofile("test/kernel/wine_calls.lua")
local cdperf = require "cdperf"
local passed, failed = 0, 0
local function report(ok, name, detail)
  if ok then passed = passed + 1; print("ok - " .. name)
  else failed = failed + 1; print("not ok - " .. name .. " # " .. tostring(detail)) end
end
local listed, drives = {}, cdperf.drives()
for _, l in ipairs(drives) do listed[l] = true end
local all = { ["@drives"] = drives }
for i = 2, #arg do
  local cd = arg[i]
  report(listed[cd], "cdperf.drives() lists " .. cd)
  local d, msg = cdperf.open(cd, { write = true })
  report(d ~= nil, "open " .. cd .. " read-write", msg)
  if d then
    print("# " .. cd .. ": the calls")
    local res = calls.run(d, function(name) print(calls.marker(cd, name)) end)
    print(calls.marker(cd, "(end)"))
    d:close()
    for _, name in ipairs(calls.ORDER) do
      local r = res[name]
      print(("# windows %s %s: %s"):format(cd, name, r.value ~= nil and "value" or
        (r.raised or ("failed, kind " .. tostring(r.kind) .. " sense " .. tostring(r.sense_key)))))
    end
    all[cd] = res
    report(res.inquiry.value ~= nil, cd .. ": inquiry through Wine's pass-through",
      res.inquiry.failed and res.inquiry.kind)
  end
end
local nd, nmsg = cdperf.open("C:")
report(nd == nil and tostring(nmsg):find("not a CD/DVD drive", 1, true), "C: is not an optical drive, clearly", nmsg)
all["@not_optical"] = { name = "C:", opened = nd ~= nil, message = nmsg and tostring(nmsg) }
local f = assert(io.open(arg[1], "w"))
f:write(calls.serialize(all))
f:close()
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
