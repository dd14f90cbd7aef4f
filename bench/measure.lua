--- bench/measure.lua: the figures of issue 18 on emulated drives (virtual clocks, so the
-- numbers do not depend on this machine):
--   1. the sampled curve (16 zones) against a full read: the full-read time each predicts,
--      and the share of the full read's time the sampling took (goal: within 3 % at no more
--      than a tenth of the time), on a throttled-like CLV drive and on CAV/P-CAV/Z-CLV drives;
--   2. the estimate's error against the emulator's own clock: a full pass at each offered
--      speed on a drive that spins as physics says (CLV up to physics.write_limit_rpm),
--      against speeds.estimate's stopwatch figure (detail.data_seconds) and its old flat one.
--   3. the same on a real kernel and a real clock: QEMU's own scsi-cd and ide-cd with block
--      throttling, measured in the QEMU guest by test/kernel/measure.lua (make check-kernel
--      leaves its figures in build/kernel-rig/results/measure.lua; make bench runs it when
--      that file is missing).
--   lua5.4 bench/measure.lua [OUTPUT.md]      (prints the tables; writes them when named)
local root = (arg and arg[0] or ""):match("^(.*)/bench/measure%.lua$") or "."
package.path = table.concat({ root .. "/?.lua", root .. "/lua/?.lua", root .. "/lua/?/init.lua", package.path }, ";")
package.cpath = root .. "/build/?.so;" .. package.cpath

local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local measure = require "cdperf.measure"
local speeds = require "cdperf.speeds"

local fmt = string.format
local lines = {}
local function out(s) lines[#lines + 1] = s; print(s) end

local function model(name, timing, patch)
  local m = emulator.deepcopy(emulator.models[name])
  m.timing = timing
  for k, v in pairs(patch or {}) do m[k] = v end
  return m
end

-- QEMU's throttled scsi-cd (throttling.bps-read=2770000) reads a CD-ROM at 2778 kB/s of
-- user data whatever the radius: CLV at 2778 x 2352 / 2048 kB/s as MMC counts CD speeds.
local throttled = model("ihas124f_cdr", { read = "clv" }, { capabilities = { max_read_speed = 3190,
  current_read_speed = 3190 } })

local CASES = {
  { "throttled CD (CLV, 2778 kB/s of data)", throttled },
  { "CD-R 48x CAV (iHAS124)", model("ihas124f_cdr", { read = "cav" }) },
  { "DVD+R 6x, P-CAV at 10,000 rpm: never binds (SH-224DB)", model("samsung_sh224db_dvdpr", { read = "pcav" }) },
  { "DVD+R DL Z-CLV (AD-7590S)", model("optiarc_ad7590s_dvdpr_dl", { read = "zclv" }) },
  { "BD-R 6x CLV at 10,000 rpm (WH16NS40)", model("lg_wh16ns40_bdr", { read = "auto" }) },
}

out("## Measured curve: 16 sampled zones against a full read (emulated drives, virtual clock)")
out("")
out("| drive | rotation | full read (s) | predicted by 16 zones (s) | error | sampling took | of the full read |")
out("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for _, c in ipairs(CASES) do
  local emu = emulator.new(c[2])
  local drive = assert(cdperf.open(emu))
  local full = assert(measure.measure(drive, { clock = emu:clock(), full = true }))
  local s = assert(measure.measure(drive, { clock = emu:clock(), zones = 16 }))
  drive:close()
  out(fmt("| %s | %s | %.1f | %.1f | %+.2f %% | %.1f s | %.1f %% |", c[1], s.rotation:upper(), full.full_read_seconds,
    s.full_read_seconds, (s.full_read_seconds / full.full_read_seconds - 1) * 100, s.seconds,
    s.seconds / full.seconds * 100))
end

-- A full pass at `kBps` on a drive whose spindle follows physics: CLV up to the limit a
-- writer whose fastest speed is `top` has (physics.write_limit_rpm), or CAV.
local function clock_pass(name, kBps, read, top, class)
  local g = require("cdperf.physics").geometry(class)
  local m = model(name, { read = read, spin_up = 0, access = 0,
    limit_rpm = require("cdperf.physics").write_limit_rpm(g, top) })
  m.read_speeds = { kBps }
  m.capabilities = emulator.deepcopy(m.capabilities or {})
  m.capabilities.max_read_speed, m.capabilities.current_read_speed = kBps, kBps
  local emu = emulator.new(m)
  local cap = emu:state().capacity
  local t0 = emu:now()
  local lba = 0
  while lba < cap do
    local n = math.min(1 << 20, cap - lba)
    assert(emu(string.pack(">BBI4I4BB", 0xA8, 0, lba, n, 0, 0), "in", 0))
    lba = lba + n
  end
  return emu:now() - t0, cap
end

out("")
out("## Estimate against the emulator's clock: a whole disc at each offered speed")
out("")
out("The emulated drive spins as its write-speed descriptor says (CLV up to the spindle limit a writer "
  .. "with that fastest speed has, physics.write_limit_rpm, or CAV); the clock times a full pass of "
  .. "the data. `estimate` is speeds.estimate's detail.data_seconds "
  .. "(its source: the drive's curve, or physics); the last column is the whole burn speeds.estimate "
  .. "returns (data, OPC, lead-in, lead-out, DVD finalization), which no data pass times.")
out("")
out("| drive, speed | clock (s) | estimate (s) | error | source | whole burn (s) |")
out("| --- | ---: | ---: | ---: | --- | ---: |")
for _, name in ipairs { "liteon_sohw1673s_dvdpr", "nec_nd3540a_dvdprw", "lg_wh16ns40_bdr", "ihas124f_cdr" } do
  local drive = assert(cdperf.open("emulated:" .. name))
  local snap = cdperf.snapshot(drive)
  drive:close()
  local list = assert(speeds.list(snap))
  for _, e in ipairs(list) do
    local t, cap = clock_pass(name, e.write, e.rotation == "cav" and "cav" or "auto", list[1].write, list.class)
    local secs, d = speeds.estimate(snap, cap * 2048, e)
    if secs and d.data_seconds then
      out(fmt("| %s %s | %.0f | %.0f | %+.1f %% | %s | %.0f |", name,
        cdperf.format.speed(e.write, list.class), t, d.data_seconds, (d.data_seconds / t - 1) * 100, d.source,
        secs))
    end
  end
end

-- 3. The guest's figures (wall clock, real kernel, QEMU's throttle).
out("")
out("## Measured curve on QEMU's throttled drives (real kernel, wall clock)")
out("")
local rig, rig_err, when = require("bench.util").rig_measure(root)
if not rig then
  out(fmt("Not measured: %s (make check-kernel writes it).", rig_err))
else
  out(fmt("test/kernel/measure.lua in the QEMU guest of make check-kernel (run of %s): QEMU's scsi-cd and "
    .. "ide-cd read an 80 MiB ISO through `throttling.bps-read`; rates are bytes of user data per second "
    .. "(a CD's MMC kB/s x 2048 / 2352). The sampled rows read 16 zones; the full row reads every sector.", when))
  out("")
  out("| drive | throttle (B/s) | 16 zones measured (B/s) | error | rotation | full read (s) "
    .. "| predicted by 16 zones (s) | error | sampling took | of the full read |")
  out("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
  for _, d in ipairs(rig.drives or {}) do
    local z, f = d.zones, d.full
    if z and d.throttle then
      local user = z.sector_bytes == 2352 and 2048 / 2352 or 1
      local rate = z.average_kBps * user * 1000
      local cells = { "", "", "", "", "" }
      if f then
        cells = { fmt("%.2f", f.seconds), fmt("%.2f", z.full_read_seconds),
          fmt("%+.2f %%", (z.full_read_seconds / f.full_read_seconds - 1) * 100), fmt("%.2f s", z.seconds),
          fmt("%.1f %%", z.seconds / f.seconds * 100) }
      end
      out(fmt("| %s (%s, %s) | %d | %.0f | %+.2f %% | %s | %s |", d.model, d.bus, d.device, d.throttle, rate,
        (rate / d.throttle - 1) * 100, z.rotation:upper(), table.concat(cells, " | ")))
    end
  end
end

if arg[1] then
  local f = assert(io.open(arg[1], "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end
