-- test/kernel/measure.lua RESULTS_DIR  (issue 18 item 7; runs inside the QEMU guest after
-- record.lua: one line in test/rig/guest/init)
--
-- cdperf.measure and cdperf.probe against real kernels and real peers:
--   * QEMU's own scsi-cd (virtio-scsi) and ide-cd (libata), whose -drive carries
--     throttling.bps-read=N, a different N for each: the kernel command line says them as
--     cdperf.throttle.virtio=N and cdperf.throttle.ata=N (bytes of user data per second).
--     measure (16 zones) must call each drive CLV and find its N within 5 % (a CD's MMC
--     kB/s count 2352-byte sectors: user rate = kBps x 2048 / 2352), so the two rates
--     follow the two settings.  The scsi-cd is also read in full: make bench compares the
--     16 zones' prediction and time with it (RESULTS_DIR/measure.lua, which bench reads).
--   * tgt's LUNs (vendor "IET"): probe must say "ignored" (or "refused") for speeds tgt
--     does not happen to read at: tgt accepts SET CD SPEED and SET STREAMING and changes
--     nothing.
-- Prints "ok N - measure: ..." lines and ends with "measure: N passed, N failed".
local OUT = arg[1] or "/results"

local cdperf = require "cdperf"
local measure = require "cdperf.measure"
local record = require "cdperf.record"
local t = require("tap").new("measure")

local function readfile(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s and (s:gsub("%s+$", ""))
end
local function lines_of(cmd)
  local out, p = {}, io.popen(cmd)
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  return out
end

local cmdline = readfile("/proc/cmdline") or ""
local THROTTLE = {
  virtio = tonumber(cmdline:match("cdperf%.throttle%.virtio=(%d+)")),
  ata = tonumber(cmdline:match("cdperf%.throttle%.ata=(%d+)")),
}

-- every SCSI device with an sr node: { vendor, model, sr, bus = "virtio" | "ata" | nil }
local devices = {}
for _, h in ipairs(lines_of("ls -1 /sys/class/scsi_device 2>/dev/null")) do
  local base = "/sys/class/scsi_device/" .. h .. "/device"
  local sr = lines_of("ls " .. base .. "/block 2>/dev/null")[1]
  if sr then
    local real = lines_of("readlink -f " .. base)[1] or ""
    devices[#devices + 1] = { vendor = readfile(base .. "/vendor"), model = readfile(base .. "/model"), sr = sr,
      bus = real:find("/virtio", 1, true) and "virtio" or real:find("/ata", 1, true) and "ata" or nil }
  end
end

-- bytes of user data per second, from a measured MMC rate
local function user_rate(r, kBps) return kBps * (r.sector_bytes == 2352 and 2048 / 2352 or 1) * 1000 end
local function summary_of(r)
  local points = {}
  for i, p in ipairs(r.points) do
    points[i] = { lba = p.lba, kBps = p.kBps, sectors = p.sectors, seconds = p.seconds }
  end
  return { rotation = r.rotation, capacity = r.capacity, sector_bytes = r.sector_bytes, seconds = r.seconds,
    full_read_seconds = r.full_read_seconds, average_kBps = r.average_kBps, inner_kBps = r.inner_kBps,
    outer_kBps = r.outer_kBps, commands = r.commands, points = points, notes = r.notes }
end

local results, rates = { throttle = THROTTLE, drives = {} }, {}
for _, d in ipairs(devices) do
  local path = "/dev/" .. d.sr
  if d.vendor == "QEMU" then
    local throttle = THROTTLE[d.bus or ""]
    local drive, msg = cdperf.open(path)
    if t.check(drive, ("%s (QEMU %s on %s) opens"):format(path, d.model, tostring(d.bus)), msg) then
      local entry = { device = path, model = d.model, bus = d.bus, throttle = throttle }
      results.drives[#results.drives + 1] = entry
      local r, mmsg = measure.measure(drive, { zones = 16 })
      if t.check(r, path .. ": measure, 16 zones", mmsg) then
        entry.zones = summary_of(r)
        local rate = user_rate(r, r.average_kBps)
        t.note("%s: %s, %d sectors, inner %.0f outer %.0f kB/s, %.0f bytes/s of data, %.2f s, %d commands; %s", path,
          r.rotation, r.capacity, r.inner_kBps, r.outer_kBps, rate, r.seconds, r.commands, table.concat(r.notes, "; "))
        t.check(r.rotation == "clv", path .. ": a throttled drive reads CLV", r.rotation)
        if t.check(throttle, path .. ": the kernel command line names this drive's throttle", cmdline) then
          rates[#rates + 1] = { path = path, rate = rate, throttle = throttle }
          t.check(math.abs(rate - throttle) <= 0.05 * throttle,
            ("%s: measured %.0f bytes/s within 5 %% of the throttle %d"):format(path, rate, throttle),
            ("off by %.1f %%"):format((rate / throttle - 1) * 100))
        end
      end
      if d.bus == "virtio" then
        local f, fmsg = measure.measure(drive, { full = true })
        if t.check(f, path .. ": measure, the whole medium", fmsg) then
          entry.full = summary_of(f)
          t.note("%s: full read %.2f s (%.0f bytes/s of data); the 16 zones predicted %.2f s (%+.2f %%)"
            .. " in %.2f s (%.1f %% of it)",
            path, f.seconds, user_rate(f, f.average_kBps), entry.zones and entry.zones.full_read_seconds or 0,
            entry.zones and (entry.zones.full_read_seconds / f.full_read_seconds - 1) * 100 or 0,
            entry.zones and entry.zones.seconds or 0, entry.zones and entry.zones.seconds / f.seconds * 100 or 0)
          t.check(f.rotation == "clv", path .. ": the whole medium reads CLV too", f.rotation)
        end
      end
      drive:close()
    end
  elseif d.vendor == "IET" then
    local drive, msg = cdperf.open(path, { write = true })
    if t.check(drive, path .. " (tgt) opens read-write", msg) then
      local rows, pmsg = measure.probe(drive, { 1385, 2770, 5540 }, { zone_seconds = 0.2 })
      if not rows and tostring(pmsg):find("^READ") then
        t.note("%s: nothing to read (a blank medium?): %s", path, pmsg)
      elseif t.check(rows, path .. ": probe", pmsg) then
        for _, row in ipairs(rows) do
          t.note("%s: asked %d kB/s: %s (measured %s)", path, row.requested, row.verdict, tostring(row.measured_kBps))
          t.check(row.verdict == "ignored" or row.verdict == "refused",
            ("%s: tgt does not obey %d kB/s"):format(path, row.requested), row.verdict)
        end
      end
      drive:close()
    end
  end
end
-- two drives, two settings: the measured rates keep the settings' ratio
if t.check(#rates == 2, "both QEMU drives measured", #rates) then
  local a, b = rates[1], rates[2]
  local want, got = a.throttle / b.throttle, a.rate / b.rate
  t.check(math.abs(got / want - 1) <= 0.05,
    ("the rates follow the settings: %.3f measured, %.3f set"):format(got, want))
end

local ok, text = pcall(record.to_lua, results)
local f = t.check(ok, "the results are plain data", text) and io.open(OUT .. "/measure.lua", "w")
if f then
  f:write(text)
  f:close()
end
os.exit(t.summary() and 0 or 1)
