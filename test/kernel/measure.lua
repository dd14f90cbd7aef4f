-- test/kernel/measure.lua RESULTS_DIR  (issue 18 item 7; runs inside the QEMU guest)
--
-- cdperf.measure and cdperf.probe against real kernels and real peers:
--   * QEMU's own scsi-cd and ide-cd (vendor "QEMU", model "QEMU CD-ROM" in sysfs), whose
--     -drive carries throttling.bps-read=N: the kernel command line says N as
--     cdperf.throttle=N (bytes of user data per second).  measure must call the drive CLV
--     and find N within 5 % (a CD's MMC kB/s count 2352-byte sectors: user rate =
--     kBps x 2048 / 2352).  Without cdperf.throttle the rate is printed, not checked.
--   * tgt's LUNs (vendor "IET"): probe must say "ignored" for every speed tgt does not
--     happen to read at: tgt accepts SET CD SPEED and SET STREAMING and changes nothing.
-- The medium must be large enough for the throttle's burst (~0.1 s) not to matter: 16
-- zones of at least 124 sectors each read for 50 clock ticks; the host's ISO should be
-- tens of MB.  Prints "ok N - ..." lines and ends with "measure: N passed, N failed"
-- (prefixed, so the rig's own summary line stays check.lua's).
local OUT = arg[1] or "/results"

local cdperf = require "cdperf"
local measure = require "cdperf.measure"

local passed, failed, n = 0, 0, 0
local function check(cond, name, diag)
  n = n + 1
  if cond then passed = passed + 1 else failed = failed + 1 end
  print(("%s %d - %s%s"):format(cond and "ok" or "not ok", n, name, diag and (" # " .. tostring(diag)) or ""))
  io.stdout:flush()
  return cond
end

local function readfile(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s and (s:gsub("%s+$", ""))
end

local throttle
local cmdline = readfile("/proc/cmdline") or ""
throttle = tonumber(cmdline:match("cdperf%.throttle=(%d+)"))

-- every SCSI device with an sr node: { vendor, model, sr }
local devices = {}
local p = io.popen("ls -1 /sys/class/scsi_device 2>/dev/null")
for h in p:lines() do
  local base = "/sys/class/scsi_device/" .. h .. "/device"
  local q = io.popen("ls " .. base .. "/block 2>/dev/null")
  local sr = q:read("l")
  q:close()
  if sr then
    devices[#devices + 1] = { vendor = readfile(base .. "/vendor"), model = readfile(base .. "/model"), sr = sr }
  end
end
p:close()

local log = io.open(OUT .. "/measure.txt", "w")
local function note(fmt, ...)
  local s = fmt:format(...)
  print("# " .. s)
  if log then log:write(s, "\n") end
end

for _, d in ipairs(devices) do
  local path = "/dev/" .. d.sr
  if d.vendor == "QEMU" then
    local drive, msg = cdperf.open(path)
    if check(drive, path .. " (QEMU " .. d.model .. ") opens", msg) then
      local r, mmsg = measure.measure(drive, { zones = 16 })
      if check(r, path .. ": measure", mmsg) then
        local user = r.sector_bytes == 2352 and 2048 / 2352 or 1
        local rate = r.average_kBps * user * 1000
        note("%s: %s, %d sectors, inner %.0f outer %.0f kB/s, %.0f bytes/s of data, %.2f s, %s", path,
          r.rotation, r.capacity, r.inner_kBps, r.outer_kBps, rate, r.seconds, table.concat(r.notes, "; "))
        check(r.rotation == "clv", path .. ": a throttled drive reads CLV", r.rotation)
        if throttle then
          check(math.abs(rate - throttle) <= 0.05 * throttle,
            ("%s: measured %.0f bytes/s within 5 %% of the throttle %d"):format(path, rate, throttle))
        end
      end
      drive:close()
    end
  elseif d.vendor == "IET" then
    local drive, msg = cdperf.open(path, { write = true })
    if check(drive, path .. " (tgt) opens read-write", msg) then
      local rows, pmsg = measure.probe(drive, { 1385, 2770, 5540 }, { zone_seconds = 0.2 })
      if not rows and tostring(pmsg):find("^READ") then
        note("%s: nothing to read (a blank medium?): %s", path, pmsg)
      elseif check(rows, path .. ": probe", pmsg) then
        for _, row in ipairs(rows) do
          note("%s: asked %d kB/s: %s (measured %s)", path, row.requested, row.verdict,
            tostring(row.measured_kBps))
          check(row.verdict == "ignored" or row.verdict == "refused",
            ("%s: tgt does not obey %d kB/s"):format(path, row.requested), row.verdict)
        end
      end
      drive:close()
    end
  end
end
if log then log:close() end
print(("measure: %d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
