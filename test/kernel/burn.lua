-- test/kernel/burn.lua RESULTS_DIR
--
-- Runs in the QEMU guest after check.lua (test/kernel/burn-rig.sh puts it there, with
-- growisofs, build/sglog.so, bin/cdperf and two blank DVD+R LUNs of tgt at SCSI targets
-- 6 and 7).  Issue 19 item 3: the speed cdperf chose must be the speed the burner asks
-- the drive for.  Each burner runs with LD_PRELOAD=sglog.so, which logs every SG_IO it
-- sends, apart from cdperf; the speed in its SET STREAMING (and SET CD SPEED) must be
-- cdperf.burners' `requested`.
--   drive A (target 6): xorriso's default SAO and wodim, which tgt stops at RESERVE
--     TRACK (5/20/00) before any data, so A stays blank; then `cdperf burn` with
--     xorriso -write_type tao, which burns (and closes A: tgt makes it a DVD-ROM);
--   drive B (target 7): `cdperf burn` with growisofs -Z.
-- Results: RESULTS_DIR/burn.STEP.{txt,sglog}, burn.log.jsonl (cdperf burn --log),
-- burn.summary.lua; TAP-like lines and "burn: N passed, N failed"; exit 1 on a failure.
local OUT = arg[1] or "/results"
local SGLOG_SO = "/opt/cdperf/lib/sglog.so"
local CDPERF = "lua5.4 /opt/cdperf/bin/cdperf"
local IMG, TREE = "/opt/cdperf/burn/img.iso", "/opt/cdperf/burn/tree"

local tap = require("tap").new("burn")
local check, note = tap.check, tap.note

local util = require "rig_util"
local readfile, writefile, trim, ls = util.readfile, util.writefile, util.trim, util.ls
local function quote(w)
  if w:match("^[%w@%%+=:,./_-]+$") then return w end
  return "'" .. w:gsub("'", "'\\''") .. "'"
end
local function words(argv)
  local t = {}
  for i, a in ipairs(argv) do t[i] = quote(a) end
  return table.concat(t, " ")
end
-- Run with the SG_IO logger; output (stdout+stderr), exit status, the log's lines.
local function traced(step, cmdline)
  local log = ("%s/burn.%s.sglog"):format(OUT, step)
  os.remove(log)
  local p = io.popen(("SGLOG_FILE=%s LD_PRELOAD=%s timeout 300 %s 2>&1; echo \"@@rc=$?\""):format(log, SGLOG_SO,
    cmdline))
  local s = p:read("a"); p:close()
  local rc = tonumber(s:match("@@rc=(%d+)%s*$"))
  s = s:gsub("@@rc=%d+%s*$", "")
  writefile(("%s/burn.%s.txt"):format(OUT, step), "$ " .. cmdline .. "\n" .. s)
  for l in s:gmatch("[^\n]+") do print("  | " .. l) end
  io.stdout:flush()
  return s, rc, readfile(log) or ""
end

---------------------------------------------------------------- the SG_IO log
local function unhex(h)
  return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end
local function be(s, i, len)
  local v = 0
  for k = i, i + len - 1 do v = v * 256 + (s:byte(k) or 0) end
  return v
end
local function sense_of(h)
  local s = unhex(h or "")
  if #s < 14 then return nil end
  if (s:byte(1) & 0x7F) >= 0x72 then return s:byte(2) & 0xF, s:byte(3), s:byte(4) end
  return s:byte(3) & 0xF, s:byte(13), s:byte(14)
end
-- Every command `comm` sent: { op =, cdb =, out =, status =, key =, asc =, ascq = }.
local function commands(log, comm)
  local t = {}
  for l in log:gmatch("[^\n]+") do
    local c = l:match(" comm=(%S+)")
    if c == comm then
      local cdb, out = unhex(l:match(" cdb=(%x*)") or ""), unhex(l:match(" out=(%x*)") or "")
      local key, asc, ascq = sense_of(l:match(" sense=(%x*)"))
      t[#t + 1] = { op = cdb:byte(1), cdb = cdb, out = out, status = tonumber(l:match(" status=(%d+)")),
        key = key, asc = asc, ascq = ascq }
    end
  end
  return t
end
-- The speeds asked: { { command =, kBps =, status = } } from SET STREAMING (its
-- descriptor's Write Size kB per Write Time ms) and SET CD SPEED (write speed, CDB 4-5).
local function speeds_asked(cmds)
  local t = {}
  for _, c in ipairs(cmds) do
    if c.op == 0xB6 and #c.out >= 28 then
      local size, time = be(c.out, 21, 4), be(c.out, 25, 4)
      t[#t + 1] = { command = "SET STREAMING", kBps = time > 0 and size * 1000 // time or nil, status = c.status,
        read = be(c.out, 17, 4) > 0 and be(c.out, 13, 4) * 1000 // be(c.out, 17, 4) or nil }
    elseif c.op == 0xBB then
      t[#t + 1] = { command = "SET CD SPEED", kBps = be(c.cdb, 5, 2), read = be(c.cdb, 3, 2), status = c.status }
    end
  end
  return t
end
local function first(cmds, op)
  for _, c in ipairs(cmds) do if c.op == op then return c end end
  return nil
end
local function last(cmds) return cmds[#cmds] end
local function show_speeds(t)
  local s = {}
  for i, x in ipairs(t) do s[i] = ("%s %s kB/s (status %s)"):format(x.command, tostring(x.kBps), tostring(x.status)) end
  return #s > 0 and table.concat(s, "; ") or "none"
end

---------------------------------------------------------------- the drives
local function find(target)
  for _ = 1, 120 do
    for _, hctl in ipairs(ls("/sys/class/scsi_device")) do
      local d = "/sys/class/scsi_device/" .. hctl .. "/device/"
      if tonumber(hctl:match("^%d+:%d+:(%d+):%d+$")) == target and trim(readfile(d .. "vendor")) == "IET" then
        local sr = ls(d .. "block")[1]
        if sr and os.execute("test -e /dev/" .. sr) then return "/dev/" .. sr end
      end
    end
    os.execute("sleep 0.5")
  end
  return nil
end

local A, B = find(6), find(7)
if not check(A and B, "found the burn LUNs at SCSI targets 6 and 7", ("A=%s B=%s"):format(A, B)) then
  tap.summary()
  os.exit(1)
end
note("drive A %s, drive B %s", A, B)

local cdperf = require "cdperf"
local handoff = require "cdperf.handoff"
local json = require "dkjson"

-- What cdperf chooses and what each burner should then send, from one snapshot.
local function plan(dev)
  local drive = assert(cdperf.open(dev))
  local snap = cdperf.snapshot(drive)
  drive:close()
  local list = assert(cdperf.speeds.list(snap))
  local entry = assert(cdperf.speeds.pick(list, "max"))
  return snap, entry, handoff.words(snap, entry)
end

local summary = { drives = { A = A, B = B }, steps = {} }
local snapA, entryA, wordsA = plan(A)
check(snapA.profile and snapA.profile.code == 0x1B, "drive A holds a blank DVD+R", snapA.profile and snapA.profile.name)
note("cdperf picks %s on A; growisofs %s, xorriso %s, wodim %s", cdperf.format.speed(entryA.write, "dvd"),
  table.concat(wordsA.growisofs.argv or {}, " "), table.concat(wordsA.xorriso.argv or {}, " "),
  table.concat(wordsA.wodim.argv or {}, " "))

-- The capture spec/burn_spec.lua reads (spec/data/tgt-burns.txt is a copy of
-- RESULTS_DIR/tgt-burns.txt): per step its argv, exit status, the burner's speed,
-- reservation and closing commands as logged, and how many WRITE(10) it sent.
local KEEP = { [0xB6] = true, [0xBB] = true, [0x53] = true, [0x5B] = true, [0x35] = true }
local capture = { "# What each burner sent tgt's blank DVD+R in the QEMU guest (make check-kernel,",
  "# test/kernel/burn.lua; SG_IO logged by test/kernel/sglog.c, data-out in out=).",
  "# " .. (io.popen("growisofs -version 2>&1 | head -1"):read("l") or "growisofs ?"),
  "# " .. (io.popen("xorriso -version 2>&1 | head -1"):read("l") or "xorriso ?"),
  "# " .. (io.popen("wodim --version 2>&1 | grep -i -m1 '^wodim'"):read("l") or "wodim ?") }
local function capture_step(step, tool, argv, rc, log)
  capture[#capture + 1] = "step " .. step
  capture[#capture + 1] = "tool " .. tool
  capture[#capture + 1] = "argv " .. words(argv)
  capture[#capture + 1] = "exit " .. tostring(rc)
  local writes = 0
  for l in log:gmatch("[^\n]+") do
    local comm, op = l:match(" comm=(%S+) .* cdb=(%x%x)")
    op = op and tonumber(op, 16)
    if comm == tool and op == 0x2A then writes = writes + 1 end
    if comm == tool and KEEP[op] then capture[#capture + 1] = (l:gsub(" pid=%d+", "")) end
  end
  capture[#capture + 1] = "writes " .. writes
end

local function record(step, tool, argv, rc, asked, cmds, expect, log)
  capture_step(step, tool, argv, rc, log)
  local reserve = first(cmds, 0x53)
  summary.steps[#summary.steps + 1] = { step = step, tool = tool, argv = argv, rc = rc, requested = expect,
    asked = asked, commands = #cmds, reserve_track = reserve and { status = reserve.status, key = reserve.key,
      asc = reserve.asc, ascq = reserve.ascq } or nil, last_op = last(cmds) and last(cmds).op or nil }
end

-- The speed check: every SET STREAMING / SET CD SPEED asks `expect` (SET CD SPEED of
-- wodim on DVD: 8 x N x 177, see burners.lua).
local function check_speed(step, tool, asked, info, cd_expect)
  local streaming = {}
  for _, a in ipairs(asked) do if a.command == info.command then streaming[#streaming + 1] = a end end
  check(#streaming > 0, ("%s: %s sent %s"):format(step, tool, info.command), show_speeds(asked))
  for _, a in ipairs(streaming) do
    check(a.kBps == info.requested, ("%s: %s asked %s kB/s = burners.requested %s"):format(step, tool,
      tostring(a.kBps), tostring(info.requested)), show_speeds(asked))
  end
  if cd_expect then
    for _, a in ipairs(asked) do
      if a.command == "SET CD SPEED" then
        check(a.kBps == cd_expect, ("%s: %s's SET CD SPEED asks %d kB/s"):format(step, tool, cd_expect), a.kBps)
      end
    end
  end
end

-- 1. xorriso, default write type (SAO on a blank DVD+R): refused at RESERVE TRACK.
do
  local argv = handoff.insert("xorriso", { "xorriso", "-outdev", A, "-map", TREE, "/", "-commit" },
    wordsA.xorriso.argv, "native")
  local _, rc, log = traced("xorriso-sao", words(argv))
  local cmds = commands(log, "xorriso")
  local asked = speeds_asked(cmds)
  record("xorriso-sao", "xorriso", argv, rc, asked, cmds, wordsA.xorriso.requested, log)
  check_speed("xorriso SAO", "xorriso", asked, wordsA.xorriso)
  local r = first(cmds, 0x53)
  check(rc ~= 0 and r and r.key == 5 and r.asc == 0x20 and r.ascq == 0,
    "xorriso SAO: tgt refuses RESERVE TRACK with 5/20/00 and xorriso stops (known)",
    r and ("rc %s, RESERVE TRACK %s/%s/%s"):format(rc, r.key, r.asc, r.ascq) or ("rc " .. tostring(rc)))
end

-- 2. wodim: SET STREAMING N x 1385 and SET CD SPEED 8N x 177; refused at RESERVE TRACK.
do
  local argv = handoff.insert("wodim", { "wodim", "-v", "dev=" .. A, IMG }, wordsA.wodim.argv)
  local _, rc, log = traced("wodim", words(argv))
  local cmds = commands(log, "wodim")
  local asked = speeds_asked(cmds)
  record("wodim", "wodim", argv, rc, asked, cmds, wordsA.wodim.requested, log)
  local nx = tonumber((wordsA.wodim.argv[1] or ""):match("^speed=(%d+)$"))
  check_speed("wodim", "wodim", asked, wordsA.wodim, nx and math.min(8 * nx * 177, 0xFFFF))
  local r = first(cmds, 0x53)
  check(rc ~= 0 and r and r.key == 5 and r.asc == 0x20 and r.ascq == 0,
    "wodim: tgt refuses RESERVE TRACK with 5/20/00 and wodim stops (known)",
    r and ("rc %s, RESERVE TRACK %s/%s/%s"):format(rc, r.key, r.asc, r.ascq) or ("rc " .. tostring(rc)))
end

-- 3. and 4. `cdperf burn` with xorriso -write_type tao on A and growisofs on B.
local LOG = OUT .. "/burn.log.jsonl"
os.remove(LOG)
local function burn(step, dev, tool, argv)
  local _, _, w = plan(dev)
  local info = w[tool]
  local cmdline = ("%s burn -d %s --log %s -- %s"):format(CDPERF, dev, LOG, words(argv))
  local out, rc, log = traced(step, cmdline)
  local cmds = commands(log, tool)
  local asked = speeds_asked(cmds)
  record(step, tool, handoff.insert(tool, argv, info.argv, "native"), rc, asked, cmds, info.requested, log)
  check(rc == 0, ("%s: cdperf burn passes %s's exit status 0 through"):format(step, tool), rc)
  check(out:find(("cdperf: running: %s %s"):format(tool, table.concat(info.argv, " ")), 1, true),
    ("%s: cdperf put %s's words in: %s"):format(step, tool, table.concat(info.argv, " ")), out)
  check_speed(step, tool, asked, info)
  check(out:find("%d+ bytes at [^\n]*: estimate %d+:%d%d") ~= nil, ("%s: estimate against the clock"):format(step),
    out)
  return info
end
burn("xorriso-tao", A, "xorriso", { "xorriso", "-outdev", A, "-write_type", "tao", "-map", TREE, "/", "-commit" })
burn("growisofs", B, "growisofs", { "growisofs", "-Z", B .. "=" .. IMG })

local lines = {}
for l in (readfile(LOG) or ""):gmatch("[^\n]+") do lines[#lines + 1] = l end
check(#lines == 2, "cdperf burn --log appended one line per burn", #lines)
for i, l in ipairs(lines) do
  local doc = json.decode(l)
  check(type(doc) == "table" and doc.exit == 0 and doc.speed and doc.speed.requested and doc.bytes,
    ("log line %d is JSON with the speed, bytes and exit status"):format(i), l)
end
local after = cdperf.open(B)
if after then
  local prof = after:profile()
  after:close()
  note("drive B after the burn: %s", prof and prof.name or "?")
end

local function serialize(v, ind)
  ind = ind or ""
  local t = type(v)
  if t == "string" then return (("%q"):format(v):gsub("\\\n", "\\n")) end
  if t ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do
    local key = type(k) == "number" and ("[%d]"):format(k) or ("[%q]"):format(k)
    parts[#parts + 1] = ind .. "  " .. key .. " = " .. serialize(v[k], ind .. "  ")
  end
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. ind .. "}"
end
writefile(OUT .. "/burn.summary.lua", "return " .. serialize(summary) .. "\n")
writefile(OUT .. "/tgt-burns.txt", table.concat(capture, "\n") .. "\n")
os.exit(tap.summary() and 0 or 1)
