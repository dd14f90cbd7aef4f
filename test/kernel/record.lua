-- test/kernel/record.lua RESULTS_DIR
--
-- Runs inside the QEMU guest that test/rig/qemu-guest.sh boots, after check.lua (one line
-- in test/rig/guest/init).  For each of the rig's six drives (tgt's DVD-ROM and blank
-- DVD+R LUNs through scsi-generic and scsi-block, QEMU's scsi-cd and ide-cd), found by
-- vendor/model/SCSI target in sysfs as check.lua finds them, it
--   1. reads the live drive once (cdperf.snapshot on /dev/srN) and builds its report,
--   2. records the same drive (cdperf.record: every CDB through drive:command) and writes
--      RESULTS_DIR/recordings/NAME.lua (NAME as the built-in model is called),
--   3. replays the file (cdperf.open("replay:FILE")) and checks that the snapshot, the
--      report text and the report's data (what --json prints; written here with
--      cdperf.record.to_lua, as the guest has no dkjson) are the live drive's, byte for
--      byte, with no command missing from the recording, and that the recording loads as
--      a model (emulator.load) whose emulated report is the live one too.
-- The host copies the recordings to lua/cdperf/models/ (by hand, when they change).
-- One TAP-like line per check and "record: N passed, N failed" at the end (not the
-- "N passed, N failed" line the host counts: check.lua's is that); exit status 1 on any
-- failure, which the guest's init turns into a failed run.
local OUT = arg[1] or "/results"

local tap = require("tap").new("record")
local check, note = tap.check, tap.note

local util = require "rig_util"
local readfile, trim, ls = util.readfile, util.trim, util.ls

-- What test/rig/qemu-guest.sh attaches (as in check.lua), with the built-in model names.
local PLAN = {
  { model = "tgt_dvdrom_scsi_generic", vendor = "IET", product = "VIRTUAL-CDROM", target = 1, peer = "tgt" },
  { model = "tgt_dvdpr_blank_scsi_generic", vendor = "IET", product = "VIRTUAL-CDROM", target = 2, peer = "tgt" },
  { model = "tgt_dvdrom_scsi_block", vendor = "IET", product = "VIRTUAL-CDROM", target = 3, peer = "tgt" },
  { model = "tgt_dvdpr_blank_scsi_block", vendor = "IET", product = "VIRTUAL-CDROM", target = 4, peer = "tgt" },
  { model = "qemu_scsi_cd", vendor = "QEMU", product = "QEMU CD-ROM", peer = "qemu" },
  { model = "qemu_ide_cd", vendor = "QEMU", product = "QEMU DVD-ROM", peer = "qemu" },
}
local VIA = {
  tgt_dvdrom_scsi_generic = "tgt LUN 1 (DVD-ROM, 16 MiB backing file) through QEMU scsi-generic",
  tgt_dvdpr_blank_scsi_generic = "tgt LUN 2 (blank DVD+R) through QEMU scsi-generic",
  tgt_dvdrom_scsi_block = "tgt LUN 1 (DVD-ROM, 16 MiB backing file) through QEMU scsi-block",
  tgt_dvdpr_blank_scsi_block = "tgt LUN 2 (blank DVD+R) through QEMU scsi-block",
  qemu_scsi_cd = "QEMU scsi-cd (virtio-scsi) with a small ISO",
  qemu_ide_cd = "QEMU ide-cd (ata_piix) with a small ISO",
}
local WITH_TGT = not (readfile("/proc/cmdline") or ""):find("cdperf.tgt=0", 1, true)

local found = {}
for _, hctl in ipairs(ls("/sys/class/scsi_device")) do
  local d = "/sys/class/scsi_device/" .. hctl .. "/device/"
  local vendor, product = trim(readfile(d .. "vendor")), trim(readfile(d .. "model"))
  local target = tonumber(hctl:match("^%d+:%d+:(%d+):%d+$"))
  for _, p in ipairs(PLAN) do
    if vendor == p.vendor and product == p.product and (not p.target or p.target == target) then
      local sr = ls(d .. "block")[1]
      if sr then found[p.model] = "/dev/" .. sr end
    end
  end
end

local ok_req, cdperf = pcall(require, "cdperf")
if not check(ok_req, "require 'cdperf'", not ok_req and cdperf) then
  tap.summary()
  os.exit(1)
end
local record = require "cdperf.record"
local report = require "cdperf.report"
local format = require "cdperf.format"
local emulator = require "cdperf.emulator"

assert(os.execute("mkdir -p " .. OUT .. "/recordings"))

local function data(v) return record.to_lua(format.plain(v)) end

local function texts(snap)
  local r = report.build(snap)
  return table.concat(report.text(r), "\n"), data(r)
end

-- the first line where two texts differ
local function first_diff(a, b)
  local la, lb = {}, {}
  for l in (a .. "\n"):gmatch("([^\n]*)\n") do la[#la + 1] = l end
  for l in (b .. "\n"):gmatch("([^\n]*)\n") do lb[#lb + 1] = l end
  for i = 1, math.max(#la, #lb) do
    if la[i] ~= lb[i] then return ("line %d: %q vs %q"):format(i, tostring(la[i]), tostring(lb[i])) end
  end
  return nil
end

for _, p in ipairs(PLAN) do
  local path = found[p.model]
  if p.peer == "tgt" and not WITH_TGT then
    note("skip %s: no tgt drives (RIG_TGT=0)", p.model)
  elseif check(path, ("found %s (%s %s%s)"):format(p.model, p.vendor, p.product,
      p.target and (", scsi target " .. p.target) or ""), "not attached") then
    local opts = { exceptions = true, device = p.model }
    -- 1. the live drive
    local live = assert(cdperf.open(path))
    local live_snap = cdperf.snapshot(live, opts)
    live:close()
    local live_text, live_json = texts(live_snap)
    -- 2. the recording
    local rec, rmsg = cdperf.record(path, { name = p.model })
    if check(rec, ("%s: cdperf.record(%q)"):format(p.model, path), rmsg) then
      local rec_snap = rec:snapshot { exceptions = true }
      local file = ("%s/recordings/%s.lua"):format(OUT, p.model)
      local saved, smsg = rec:save(file, { comment = VIA[p.model] .. ", recorded in the QEMU guest of "
        .. "test/rig/qemu-guest.sh by test/kernel/record.lua" })
      rec:close()
      check(saved, ("%s: saved %s (%d commands)"):format(p.model, file, #rec:exchanges()), smsg)
      check(data(rec_snap) == data(live_snap),
        ("%s: the snapshot read through the recorder is the live one"):format(p.model),
        first_diff(data(rec_snap), data(live_snap)))
      -- 3. the replay, byte for byte
      local misses = {}
      local dev, dmsg = record.replay(file, { on_miss = function(t) misses[#misses + 1] = t end })
      if check(dev, ("%s: record.replay(%q)"):format(p.model, file), dmsg) then
        local d = assert(cdperf.open(dev, { name = path }))
        local replay_snap = cdperf.snapshot(d, opts)
        d:close()
        local replay_text, replay_json = texts(replay_snap)
        check(#misses == 0, ("%s: replay asked nothing the recording lacks"):format(p.model), misses[1])
        check(data(replay_snap) == data(live_snap),
          ("%s: replayed snapshot = live snapshot"):format(p.model),
          first_diff(data(replay_snap), data(live_snap)))
        check(replay_text == live_text, ("%s: replayed report text = live report text, byte for byte (%d bytes)")
          :format(p.model, #live_text), first_diff(replay_text, live_text))
        check(replay_json == live_json, ("%s: replayed report data = live report data, byte for byte (%d bytes)")
          :format(p.model, #live_json), first_diff(replay_json, live_json))
      end
      -- the recording as a model: the emulator answers from its snapshot
      local model, lmsg = emulator.load(file)
      if check(model, ("%s: emulator.load(%q)"):format(p.model, file), lmsg) then
        local e = assert(cdperf.open(emulator.new(model)))
        local emu_text = texts(cdperf.snapshot(e, opts))
        e:close()
        check(emu_text == live_text, ("%s: emulated report text = live report text"):format(p.model),
          first_diff(emu_text, live_text))
      end
      print(("----- BEGIN report %s (%s) -----"):format(p.model, path))
      print(live_text)
      print(("----- END report %s -----"):format(p.model))
    end
  end
end

os.exit(tap.summary() and 0 or 1)
