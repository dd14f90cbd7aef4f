-- test/windows/fake.lua - Windows semantics under Wine: run by test/rig/wine-run.sh with
-- the fake-class-driver build (build/win-fake; test/windows/fake_cdrom.c plays the cdrom
-- class driver of Microsoft's driver sample over a Lua-function device). For every
-- built-in model, every API call through \\.\CdRomFake (native IOCTLs, the driver's
-- validation and sense-to-Win32 mapping, pass-through after them) gives the same tables
-- and the same info.kind as the same calls on the emulator directly (the Linux path).
-- Prints "ok N - ..." lines and "N passed, N failed".

local tap = require("tap").new()
local report = tap.check

-- same() and outcome(): the comparison the Wine rig makes of the Linux and Windows results
local wine_calls = dofile("test/kernel/wine_calls.lua")
local same, outcome = wine_calls.same, wine_calls.outcome

local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local core_dll = package.searchpath("cdperf.core", package.cpath)
local fake = assert(package.loadlib(core_dll, "luaopen_cdperf_fakecdrom"))()
local FAKE = "\\\\.\\CdRomFake"

local CALLS = {
  inquiry = function(d) return d:inquiry() end,
  profile = function(d) return d:profile() end,
  capabilities = function(d) return d:capabilities() end,
  test_unit_ready = function(d) return d:test_unit_ready() end,
  write_speeds = function(d) return d:write_speeds() end,
  read_performance = function(d) return d:get_performance { performance_type = "read" } end,
  write_performance = function(d) return d:get_performance { performance_type = "write" } end,
  set_speed = function(d) return d:set_speed { read = "max", write = "max" } end,
  set_streaming_past_end = function(d)
    return d:set_streaming { end_lba = 0x7FFFFFFF, write_size = 7056, read_size = 7056 }
  end,
}
local ORDER = { "inquiry", "profile", "capabilities", "test_unit_ready", "write_speeds",
  "read_performance", "write_performance", "set_speed", "set_streaming_past_end" }

local names = emulator.model_names()
for _, r in ipairs(emulator.recorded_model_names()) do names[#names + 1] = r end
local native_total, pt_total, applied_total = 0, 0, 0
print(("# %d built-in models through the fake class driver"):format(#names))
local streaming_sense = 0
for _, name in ipairs(names) do
  local lin_dev = emulator.open_model(name)
  local win_dev = emulator.open_model(name)
  fake.attach(win_dev)
  local lin = assert(cdperf.open(lin_dev, { write = true }))
  local win, msg = cdperf.open(FAKE, { write = true })
  if not win then
    report(false, name .. ": open " .. FAKE, msg)
  else
    local bad
    for _, call in ipairs(ORDER) do
      local a = outcome(pcall(CALLS[call], lin))
      local b = outcome(pcall(CALLS[call], win))
      local ok, why = same(a, b, call)
      if not ok then bad = why; break end
      if call == "set_streaming_past_end" and a.failed and a.kind == "scsi" then
        streaming_sense = streaming_sense + 1
      end
    end
    report(bad == nil, name .. ": every call gives the same tables and refusals on Windows", bad)
    -- the default report (cdperf report's parts and text), on fresh devices
    -- and cdperf report --apply: the recommended entry set with speeds.apply (SET STREAMING,
    -- the End-LBA retry on sense, SET CD SPEED), then read back
    local applied = { lin = nil, win = nil }
    local function report_of(drive, side)
      local rep = require "cdperf.report"
      local snap = cdperf.snapshot(drive, { parts = rep.PARTS.report, device = name })
      local r, _, entry = rep.build(snap, {})
      if entry then applied[side] = outcome(pcall(cdperf.speeds.apply, drive, entry, snap)) end
      return table.concat(rep.text(r, { no_plot = true }), "\n")
    end
    local lin2 = assert(cdperf.open(emulator.open_model(name), { write = true }))
    fake.attach(emulator.open_model(name))
    local win2 = assert(cdperf.open(FAKE, { write = true }))
    local a, b = report_of(lin2, "lin"), report_of(win2, "win")
    lin2:close()
    win2:close()
    if name == names[1] then
      print(("# %s report: %d lines, e.g. %q"):format(name, select(2, a:gsub("\n", "")) + 1,
        a:match("[^\n]*Write[^\n]*") or a:sub(1, 60)))
    end
    report(a == b, name .. ": the default report equals the Linux report", "Linux:\n" .. a .. "\nWindows:\n" .. b)
    local ok_apply, why_apply = same(applied.lin, applied.win, "apply")
    report(ok_apply, name .. ": speeds.apply of the recommended entry gives the same result", why_apply)
    if applied.win and applied.win.value then applied_total = applied_total + 1 end
    local pt, native = fake.count()
    native_total, pt_total = native_total + native, pt_total + pt
    win:close()
  end
  lin:close()
end
report(streaming_sense > 0, ("a refused SET STREAMING carries sense on both (%d models)"):format(streaming_sense))

report(applied_total > 0, ("speeds.apply set the recommended speed on %d models"):format(applied_total))
report(native_total > 0 and pt_total > 0, ("the native IOCTLs answered %d times, pass-through %d")
  :format(native_total, pt_total))

-- open() without `write`: read-write where permitted (pass-through works); write = false
-- forces a read-only handle: native IOCTLs only, pass-through refused and said so
do
  fake.attach(emulator.open_model(names[1]))
  local dflt = assert(cdperf.open(FAKE))
  report(dflt:inquiry() ~= nil, "open() with no write field: read-write, so pass-through (INQUIRY) works")
  local gp = dflt:get_performance { request_type = "write_speed" }
  report(gp and (gp.path == "native" or gp.path == "pass-through"),
    "get_performance says which path answered (" .. tostring(gp and gp.path) .. ")")
  dflt:close()
  fake.attach(emulator.open_model(names[1]))
  local ro = assert(cdperf.open(FAKE, { write = false }))
  local res, msg, info = ro:inquiry()
  print("#   " .. tostring(msg))
  report(res == nil and info and info.kind == "win32" and msg:find("read-write handle", 1, true),
    "read-only handle: inquiry refused, naming the read-write handle it needs", msg)
  local wr = ro:write_speeds()
  report(wr ~= nil, "read-only handle: write_speeds through the native IOCTL", wr)
  ro:close()
  local rw = assert(cdperf.open(FAKE, { write = true }))
  fake.lock(true)
  res, msg = rw:inquiry()
  fake.lock(false)
  print("#   " .. tostring(msg))
  report(res == nil and msg:find("exclusively", 1, true), "exclusive access by another program is named as such", msg)
  fake.lock(true)
  res, msg = rw:write_speeds()
  fake.lock(false)
  print("#   " .. tostring(msg))
  report(res == nil and msg:find("IOCTL_CDROM_GET_PERFORMANCE", 1, true) and msg:find("exclusively", 1, true),
    "exclusive access refuses the native IOCTL too, named as such", msg)
  rw:close()
  fake.read_only(true)
  local no, omsg, oinfo = cdperf.open(FAKE, { write = true })
  fake.read_only(false)
  print("#   " .. tostring(omsg))
  report(no == nil and oinfo and oinfo.kind == "win32" and omsg:find("run as administrator", 1, true),
    "no right to open read-write: said so at open", omsg)
end

os.exit(tap.summary() and 0 or 1)
