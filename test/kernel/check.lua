-- test/kernel/check.lua RESULTS_DIR
--
-- Runs inside the QEMU guest that test/rig/qemu-guest.sh boots (lua5.4, the
-- host's build of cdperf, a real Linux kernel with sr_mod and sg).  For every
-- optical drive the host attached, found by vendor/model in sysfs, it
--   1. runs dvd+rw-mediainfo, wodim -prcap and xorriso -list_speeds on /dev/srN
--      (their outputs go to RESULTS_DIR for test/kernel/side_by_side.lua),
--   2. asks the same drive through cdperf on /dev/srN and /dev/sgN (the Linux
--      SG_IO transport) and checks the answers against what the peer is known
--      to implement (tgt's MMC, QEMU's scsi-cd and ide-cd),
--   3. checks set_speed with and without write access.
-- One TAP-like line per check, "SG_IO <path> <opcode> <command>" lines for
-- every command sent, and a final "N passed, N failed" line; exit status 1 on
-- any failure.
local OUT = arg[1] or "/results"

---------------------------------------------------------------- reporting
local tap = require("tap").new()
local check, note = tap.check, tap.note

---------------------------------------------------------------- helpers
local util = require "rig_util"
local readfile, writefile, trim, ls, sh = util.readfile, util.writefile, util.trim, util.ls, util.sh

-- a Lua literal of a plain value (tables of strings/numbers/booleans)
local function serialize(v, ind)
  ind = ind or ""
  local t = type(v)
  if t == "string" then return ("%q"):format(v):gsub("\\\n", "\\n")
  elseif t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "0/0" end
    return ("%.17g"):format(v)
  elseif t == "boolean" or t == "nil" then return tostring(v)
  elseif t == "table" then
    local keys, out, ind2 = {}, {}, ind .. "  "
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      return a < b
    end)
    local len = #v
    for _, k in ipairs(keys) do
      if not (math.type(k) == "integer" and k >= 1 and k <= len) then
        local ks = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or ("[" .. serialize(k) .. "]")
        out[#out + 1] = ind2 .. ks .. " = " .. serialize(v[k], ind2)
      end
    end
    for i = 1, len do out[#out + 1] = ind2 .. serialize(v[i], ind2) end
    if #out == 0 then return "{}" end
    return "{\n" .. table.concat(out, ",\n") .. "\n" .. ind .. "}"
  else return ("%q"):format(tostring(v)) end
end
local plain = util.plain
local function hex(s) return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end)) end

---------------------------------------------------------------- the devices
-- What test/rig/qemu-guest.sh attaches.  tgt answers INQUIRY with vendor
-- "IET" and product "VIRTUAL-CDROM" for every cd LUN, and scsi-generic and
-- scsi-block pass that through unchanged, so the four tgt drives are told
-- apart by the SCSI target id the host gave each on the QEMU command line.
-- tgt 1.0.85's cd device (usr/mmc.c): fixed answers but for the DVD-ROM's read
-- curve, which ends at the backing file's last 2 KiB block (end_lba = "capacity":
-- taken from /sys/block/srN/size; tgt-start.sh makes it 16 MiB, LUN 2 is empty).
local TGT = {
  rom = {  -- DVD-ROM
    write_speeds = { { end_lba = 2464153, read_speed = 2770, write_speed = 2770, wrc = 0, mrw = false },
                     { end_lba = 2464153, read_speed = 1385, write_speed = 1385, wrc = 0, mrw = false } },
    read = { { start_lba = 0, start_performance = 5540, end_lba = "capacity", end_performance = 5540 } },
  },
  dvdr = { -- blank DVD+R
    write_speeds = { { end_lba = 2295103, read_speed = 3324, write_speed = 3324, wrc = 0, mrw = true } },
    read = { { start_lba = 0, start_performance = 5540, end_lba = 2295103, end_performance = 5540 } },
  },
  -- mode page 2Ah, the same for every LUN: CD speeds
  caps = { max_read_speed = 4234, current_read_speed = 4234, max_write_speed = 4234,
           current_write_speed = 4234, buffer_size_kb = 2048,
           write_speeds = { 4234, 2822, 2117, 1411, 706 } },
}

local PLAN = {
  { name = "tgt-generic-rom",  vendor = "IET", model = "VIRTUAL-CDROM", target = 1,
    peer = "tgt", via = "scsi-generic", profile = 0x10, profile_name = "DVD-ROM", tgt = TGT.rom },
  { name = "tgt-generic-dvdr", vendor = "IET", model = "VIRTUAL-CDROM", target = 2,
    peer = "tgt", via = "scsi-generic", profile = 0x1B, profile_name = "DVD+R", tgt = TGT.dvdr },
  { name = "tgt-block-rom",    vendor = "IET", model = "VIRTUAL-CDROM", target = 3,
    peer = "tgt", via = "scsi-block", profile = 0x10, profile_name = "DVD-ROM", tgt = TGT.rom },
  { name = "tgt-block-dvdr",   vendor = "IET", model = "VIRTUAL-CDROM", target = 4,
    peer = "tgt", via = "scsi-block", profile = 0x1B, profile_name = "DVD+R", tgt = TGT.dvdr },
  { name = "qemu-scsi-cd", vendor = "QEMU", model = "QEMU CD-ROM",
    peer = "qemu", via = "scsi-cd" },
  { name = "qemu-ide-cd",  vendor = "QEMU", model = "QEMU DVD-ROM",
    peer = "qemu", via = "ide-cd" },
}
local cmdline = readfile("/proc/cmdline") or ""
local WITH_TGT = not cmdline:find("cdperf.tgt=0", 1, true)

local found = {}
for _, hctl in ipairs(ls("/sys/class/scsi_device")) do
  local d = "/sys/class/scsi_device/" .. hctl .. "/device/"
  local dev = {
    hctl = hctl, target = tonumber(hctl:match("^%d+:%d+:(%d+):%d+$")),
    vendor = trim(readfile(d .. "vendor")), model = trim(readfile(d .. "model")),
    rev = trim(readfile(d .. "rev")), type = tonumber(trim(readfile(d .. "type"))),
    sr = ls(d .. "block")[1], sg = ls(d .. "scsi_generic")[1],
  }
  for _, p in ipairs(PLAN) do
    if dev.vendor == p.vendor and dev.model == p.model and (not p.target or p.target == dev.target) then
      dev.plan = p
    end
  end
  note("scsi %s vendor=%q model=%q rev=%q type=%s %s %s -> %s", hctl, dev.vendor, dev.model,
       dev.rev, dev.type, dev.sr, dev.sg, dev.plan and dev.plan.name or "(not in the plan)")
  if dev.plan then
    if found[dev.plan.name] then dev.plan.duplicate = true end
    found[dev.plan.name] = dev
  end
end

local devices = {}
for _, p in ipairs(PLAN) do
  local dev = found[p.name]
  if p.peer == "tgt" and not WITH_TGT then
    note("skip %s: the host attached no tgt drives (RIG_TGT=0)", p.name)
  elseif check(dev and dev.sr and dev.sg and not p.duplicate,
               ("found %s (%s %s%s) with an sr and an sg node"):format(p.name, p.vendor, p.model,
                 p.target and (", scsi target " .. p.target) or ""),
               dev and ("sr=%s sg=%s"):format(dev.sr, dev.sg) or "not found") then
    dev.name, dev.sr, dev.sg = p.name, "/dev/" .. dev.sr, "/dev/" .. dev.sg
    devices[#devices + 1] = dev
  end
end

---------------------------------------------------------------- the peers' tools
-- before cdperf touches anything (set_speed below changes the drives' state)
local TOOLS = {
  { id = "mediainfo", cmd = "dvd+rw-mediainfo %s" },
  { id = "prcap",     cmd = "wodim -prcap dev=%s" },
  { id = "atip",      cmd = "wodim -atip dev=%s" },
  { id = "list_speeds", cmd = "xorriso -abort_on NEVER -outdev %s -list_speeds" },
  -- diagnostics for side_by_side.lua's quirk table: with any extra argument
  -- dvd+rw-mediainfo is verbose and reports the commands that failed
  { id = "mediainfo_verbose", cmd = "dvd+rw-mediainfo %s -v", diag = true },
  { id = "prcap_verbose", cmd = "wodim -V -prcap dev=%s", diag = true },
}
local manifest = { devices = {}, tools = {} }
for _, dev in ipairs(devices) do
  manifest.devices[#manifest.devices + 1] = {
    name = dev.name, hctl = dev.hctl, vendor = dev.vendor, model = dev.model, rev = dev.rev,
    sr = dev.sr, sg = dev.sg, peer = dev.plan.peer, via = dev.plan.via }
  for _, tool in ipairs(TOOLS) do
    local cmd = "timeout 120 " .. tool.cmd:format(dev.sr)
    local t0 = os.time()
    local out, rc = sh(cmd)
    writefile(("%s/%s.%s.txt"):format(OUT, dev.name, tool.id), out)
    manifest.tools[#manifest.tools + 1] = { device = dev.name, tool = tool.id, command = cmd,
                                            rc = rc, seconds = os.time() - t0, diag = tool.diag }
    print(("----- BEGIN %s %s (%s) -----"):format(tool.id, dev.name, cmd))
    io.stdout:write(out)
    print(("----- END %s %s rc=%s -----"):format(tool.id, dev.name, rc))
    check(rc ~= 124 and rc ~= 127 and #out > 0,
          ("%s ran on %s (%s)"):format(tool.id, dev.name, dev.sr), "rc=" .. tostring(rc))
  end
end

---------------------------------------------------------------- cdperf
local okreq, cdperf = pcall(require, "cdperf")
if not check(okreq and type(cdperf) == "table", "require 'cdperf' (the host's build/cdperf/core.so + lua/)",
             not okreq and cdperf) then
  cdperf = nil
end
local speeds = cdperf and (cdperf.speeds or select(2, pcall(require, "cdperf.speeds")))
note("cdperf %s, CDPERF_TRACE=%s", cdperf and tostring(cdperf._VERSION) or "-", tostring(os.getenv("CDPERF_TRACE")))

local OPNAME = { [0x12] = "INQUIRY", [0x46] = "GET CONFIGURATION", [0x5A] = "MODE SENSE(10)",
                 [0xAC] = "GET PERFORMANCE", [0xBB] = "SET CD SPEED" }
-- one line per command the core sends for each API call (the core's own trace,
-- CDPERF_TRACE=1, prints the CDBs themselves on stderr when it has one)
local function sgio(path, op, what, ok, msg)
  print(("SG_IO %s %02X %s%s -> %s"):format(path, op, OPNAME[op], what and (" " .. what) or "",
        ok and "ok" or ("error: " .. tostring(msg))))
  io.stdout:flush()
end

local function call(path, op, what, f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then
    sgio(path, op, what, false, "raised " .. tostring(r[2]))
    return nil, tostring(r[2]), { kind = "raised" }
  end
  sgio(path, op, what, r[2] ~= nil, r[3])
  return table.unpack(r, 2, r.n)
end

local ILLEGAL = "ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE"

-- everything cdperf says about one node; read-only handle
local function query(dev, path)
  local a = { path = path }
  local d, err = cdperf.open(path)
  if not check(d, ("cdperf.open(%q) [%s]"):format(path, dev.name), err) then a.open_error = err; return a end
  a.tostring = tostring(d)
  local inq, e1 = call(path, 0x12, nil, d.inquiry, d)
  a.inquiry = inq and plain(inq) or { error = e1 }
  check(inq and trim(inq.vendor) == dev.vendor and trim(inq.product) == dev.model and inq.peripheral_type == 5,
        ("%s inquiry: %s %s, peripheral type 5 [%s]"):format(path, dev.vendor, dev.model, dev.name),
        inq and ("%s/%s/%s"):format(inq.vendor, inq.product, inq.peripheral_type) or e1)

  local prof, e2 = call(path, 0x46, nil, d.profile, d)
  a.profile = prof and plain(prof) or { error = e2 }
  local p = dev.plan
  if p.profile then
    check(prof and prof.code == p.profile and prof.name == p.profile_name and prof.class == "dvd",
          ("%s profile 0x%02X %s, class dvd [%s]"):format(path, p.profile, p.profile_name, dev.name),
          prof and ("0x%02X %s %s"):format(prof.code, prof.name, prof.class) or e2)
  else
    -- QEMU calls a medium of under ~800 MB a CD-ROM (profile 08h)
    check(prof and prof.code == 0x08 and prof.class == "cd",
          ("%s profile 0x08 CD-ROM (QEMU, small ISO) [%s]"):format(path, dev.name),
          prof and ("0x%02X %s %s"):format(prof.code, tostring(prof.name), tostring(prof.class)) or e2)
  end

  local ws, e3, i3 = call(path, 0xAC, "type 03h", d.get_performance, d, { request_type = "write_speed" })
  a.write_speed = ws and plain(ws) or { error = e3, info = plain(i3) }
  if ws and ws.raw then a.write_speed.raw_hex = hex(ws.raw); a.write_speed.raw = nil end
  local perf, e4, i4 = call(path, 0xAC, "type 00h read nominal", d.get_performance, d,
                            { request_type = "performance", performance_type = "read", exceptions = "nominal" })
  a.read_performance = perf and plain(perf) or { error = e4, info = plain(i4) }
  if perf and perf.raw then a.read_performance.raw_hex = hex(perf.raw); a.read_performance.raw = nil end

  local wperf, e7, i7 = call(path, 0xAC, "type 00h write nominal", d.get_performance, d,
                            { request_type = "performance", performance_type = "write", exceptions = "nominal" })
  a.write_performance = wperf and plain(wperf) or { error = e7, info = plain(i7) }
  if wperf and wperf.raw then a.write_performance.raw_hex = hex(wperf.raw); a.write_performance.raw = nil end

  if p.peer == "tgt" then
    local want = p.tgt
    local got = {}
    for _, w in ipairs(ws and ws.descriptors or {}) do
      got[#got + 1] = ("%d/%d/%d wrc=%s mrw=%s"):format(w.end_lba, w.read_speed, w.write_speed,
        tostring(w.write_rotation_control), tostring(w.mixed_read_write))
    end
    local exp = {}
    for _, w in ipairs(want.write_speeds) do
      exp[#exp + 1] = ("%d/%d/%d wrc=%s mrw=%s"):format(w.end_lba, w.read_speed, w.write_speed,
                                                         tostring(w.wrc), tostring(w.mrw))
    end
    check(ws and table.concat(got, ", ") == table.concat(exp, ", ") and ws.header and not ws.truncated,
          ("%s GET PERFORMANCE write speed: %s [%s]"):format(path, table.concat(exp, ", "), dev.name),
          ws and table.concat(got, ", ") or e3)
    got = {}
    for _, c in ipairs(perf and perf.descriptors or {}) do
      got[#got + 1] = ("%d:%d-%d:%d"):format(c.start_lba, c.start_performance, c.end_lba, c.end_performance)
    end
    exp = {}
    for _, c in ipairs(want.read) do
      local end_lba = c.end_lba
      if end_lba == "capacity" then
        end_lba = (tonumber(readfile("/sys/block/" .. dev.sr:match("sr%d+") .. "/size")) or 0) // 4 - 1
      end
      exp[#exp + 1] = ("%d:%d-%d:%d"):format(c.start_lba, c.start_performance, end_lba, c.end_performance)
    end
    check(perf and not perf.header.except and table.concat(got, ", ") == table.concat(exp, ", "),
          ("%s GET PERFORMANCE read nominal: %s [%s]"):format(path, table.concat(exp, ", "), dev.name),
          perf and table.concat(got, ", ") or e4)
    note("%s GET PERFORMANCE write nominal: %s", path,
         wperf and (#wperf.descriptors .. " descriptor(s)") or tostring(e7))
  else
    for _, r in ipairs { { ws, e3, i3, "write speed" }, { perf, e4, i4, "read nominal" },
                       { wperf, e7, i7, "write nominal" } } do
      check(r[1] == nil and type(r[2]) == "string" and r[2]:find(ILLEGAL, 1, true)
            and type(r[3]) == "table" and r[3].kind == "scsi" and r[3].sense_key == 5 and r[3].asc == 0x20,
            ("%s GET PERFORMANCE %s: nil + %q, info kind scsi, sense 5/20h [%s]")
            :format(path, r[4], ILLEGAL, dev.name), r[1] and "answered" or r[2])
    end
  end

  local caps, e5, i5 = call(path, 0x5A, "page 2Ah", d.capabilities, d)
  a.capabilities = caps and plain(caps) or { error = e5, info = plain(i5) }
  -- the disc's identity, for dvd+rw-mediainfo's " Media ID:" line (side_by_side.lua)
  local okm, mid = pcall(d.media_id, d)
  a.media_id = okm and type(mid) == "table" and plain(mid) or nil
  -- and a CD's ATIP, for wodim -atip's lines (an error says why there is none)
  local oka, atip, ea = pcall(d.atip, d)
  a.atip = oka and type(atip) == "table" and plain(atip) or { error = tostring(oka and ea or atip) }
  check(caps and (caps.max_read_speed or 0) > 0,
        ("%s capabilities (page 2Ah): max read %s kB/s, %d write speed(s) [%s]")
        :format(path, caps and tostring(caps.max_read_speed) or "-",
                caps and caps.write_speeds and #caps.write_speeds or 0, dev.name), e5)
  if p.peer == "tgt" then
    local c, w = TGT.caps, {}
    for _, x in ipairs(caps and caps.write_speeds or {}) do w[#w + 1] = tostring(x.speed) end
    check(caps and caps.max_read_speed == c.max_read_speed and caps.current_read_speed == c.current_read_speed
          and caps.max_write_speed == c.max_write_speed and caps.buffer_size_kb == c.buffer_size_kb
          and (caps.current_write_speed_selected or caps.current_write_speed) == c.current_write_speed
          and table.concat(w, " ") == table.concat(c.write_speeds, " "),
          ("%s page 2Ah: read %d/%d, write %d/%d, buffer %d kB, write speeds %s [%s]"):format(path,
            c.max_read_speed, c.current_read_speed, c.max_write_speed, c.current_write_speed,
            c.buffer_size_kb, table.concat(c.write_speeds, " "), dev.name),
          caps and ("%s/%s %s/%s %s [%s]"):format(caps.max_read_speed, caps.current_read_speed,
            caps.max_write_speed, caps.current_write_speed, caps.buffer_size_kb, table.concat(w, " ")) or e5)
  end
  if p.via == "scsi-cd" then
    check(caps and (caps.write_speeds == nil or #caps.write_speeds == 0),
          ("%s scsi-cd page 2Ah has no write speed table [%s]"):format(path, dev.name))
  end

  if speeds then
    local list, e6 = call(path, 0xAC, "speeds.list (+ fallbacks)", speeds.list, d)
    a.list = list and plain(list) or { error = e6 }
    if list then
      for i, e in ipairs(list) do
        note("%s speeds.list[%d]: write=%s read=%s x=%s nominal=%s rotation=%s source=%s", path, i,
             tostring(e.write), tostring(e.read), tostring(e.x), tostring(e.nominal),
             tostring(e.rotation), tostring(e.source))
      end
      for _, s in ipairs(list.notes or {}) do note("%s speeds.list note: %s", path, tostring(s)) end
    end
    local sources, notes = {}, table.concat(list and list.notes or {}, " | ")
    for _, e in ipairs(list or {}) do sources[tostring(e.source)] = true end
    if p.peer == "tgt" then
      -- the GET PERFORMANCE write speeds, fastest first; page 2Ah's CD speeds dropped for a DVD
      local w, exp = {}, {}
      for _, e in ipairs(list or {}) do w[#w + 1] = tostring(e.write) end
      for _, x in ipairs(p.tgt.write_speeds) do exp[#exp + 1] = tostring(x.write_speed) end
      check(list and table.concat(w, " ") == table.concat(exp, " ") and sources.get_performance
            and not sources.page_2a and list.class == "dvd",
            ("%s speeds.list from GET PERFORMANCE: %s kB/s [%s]"):format(path, table.concat(exp, " "), dev.name),
            list and ("%s (sources %s; %s)"):format(table.concat(w, " "), next(sources) or "-", notes) or e6)
    else
      check(list and notes:find("mode page 2Ah", 1, true) and notes:find(ILLEGAL, 1, true)
            and not sources.get_performance,
            ("%s speeds.list falls back to page 2Ah after ILLEGAL REQUEST: %d entries [%s]")
            :format(path, list and #list or 0, dev.name),
            list and ("notes: " .. notes) or e6)
    end
  else
    check(false, ("%s speeds.list [%s]"):format(path, dev.name), "cdperf.speeds not loadable")
  end
  d:close()
  check(tostring(d):find("closed", 1, true), ("%s close [%s]"):format(path, dev.name), tostring(d))
  return a
end

-- (path, tostring and a snapshot's device name the node: they differ by design)
local NAMES_THE_NODE = { path = true, tostring = true, device = true }
local function same(x, y)
  if type(x) ~= type(y) then return false end
  if type(x) ~= "table" then return x == y end
  for k, v in pairs(x) do if not NAMES_THE_NODE[k] and not same(v, y[k]) then return false end end
  for k in pairs(y) do if not NAMES_THE_NODE[k] and x[k] == nil then return false end end
  return true
end

local function set_speed_checks(dev, path)
  local d, err = cdperf.open(path)
  if not d then check(false, ("%s open read-only for set_speed [%s]"):format(path, dev.name), err); return end
  local ok, msg, info = call(path, 0xBB, "read=max (read-only handle)", d.set_speed, d, { read = "max" })
  check(ok == nil and type(msg) == "string" and msg:find("needs write access", 1, true),
        ("%s set_speed{read='max'} without write access: %q [%s]"):format(path, "needs write access", dev.name),
        ok and "succeeded" or msg)
  d:close()
  local dw, errw = cdperf.open(path, { write = true })
  if not check(dw, ("cdperf.open(%q, {write=true}) [%s]"):format(path, dev.name), errw) then return end
  local ok2, msg2, info2 = call(path, 0xBB, "read=max (write=true)", dw.set_speed, dw, { read = "max" })
  -- the drive's own answer: success, or a SCSI error from the drive; never
  -- cdperf's own refusal nor an OS/host error
  local answered = ok2 ~= nil or (type(info2) == "table" and info2.kind == "scsi")
  check(answered and not tostring(msg2):find("needs write access", 1, true),
        ("%s set_speed{read='max'} with write=true reaches the drive: %s [%s]")
        :format(path, ok2 and "ok" or tostring(msg2), dev.name), info2 and serialize(plain(info2)) or nil)
  dw:close()
  return { read_only = { ok = ok, message = msg, info = plain(info) },
           writable = { ok = ok2 and true or nil, message = msg2, info = plain(info2) } }
end

local answers = {}
if cdperf then
  for _, dev in ipairs(devices) do
    local a = { device = dev.name, peer = dev.plan.peer, via = dev.plan.via }
    a.sr = query(dev, dev.sr)
    a.sg = query(dev, dev.sg)
    check(same(a.sr, a.sg), ("%s and %s give the same answers [%s]"):format(dev.sr, dev.sg, dev.name))
    answers[dev.name] = a
  end
  -- set_speed last: it may change what the drives report
  for _, dev in ipairs(devices) do
    local a = answers[dev.name]
    a.set_speed = { sr = set_speed_checks(dev, dev.sr), sg = set_speed_checks(dev, dev.sg) }
    writefile(("%s/%s.cdperf.lua"):format(OUT, dev.name), "return " .. serialize(a) .. "\n")
  end
end

---------------------------------------------------------------- transport faults
-- test/kernel/faults.lua's SG_IO rows on real drives (the host's spec runs them on the
-- shim's fake device): the fault shim bends or fails each real SG_IO and close.
local SHIM = "/opt/cdperf/lib/fault_shim.so"
if cdperf and readfile(SHIM) then
  for _, dev in ipairs(devices) do
    if dev.name == "tgt-generic-rom" or dev.name == "qemu-scsi-cd" then
      local path = dev.name == "qemu-scsi-cd" and dev.sr or dev.sg
      local control = "/tmp/fault-control"
      writefile(control, "none")
      local out = sh(("LD_PRELOAD=%s CDPERF_FAULT_FILE=%s lua5.4 /opt/cdperf/test/faults.lua sgio %s %s")
        :format(SHIM, control, path, control))
      local rows = 0
      for line in out:gmatch("[^\n]+") do
        local good, bad = line:match("^ok %d+ %- (.*)"), line:match("^not ok %d+ %- (.*)")
        if good or bad then
          rows = rows + 1
          check(good ~= nil, ("faults %s %s [%s]"):format(path, good or bad, dev.name))
        elseif line:find("^# matrix|") then
          print(line)
        end
      end
      check(rows > 0 and out:find(" passed, 0 failed", 1, true),
        ("faults %s: every row ran and passed [%s]"):format(path, dev.name), out:sub(-300))
    end
  end
elseif cdperf then
  check(false, "the fault shim " .. SHIM .. " is in the guest", "not copied by qemu-guest.sh")
end

manifest.passed, manifest.failed = tap.passed, tap.failed
manifest.kernel = trim((sh("uname -r")))
manifest.cdperf = cdperf and tostring(cdperf._VERSION) or false
writefile(OUT .. "/manifest.lua", "return " .. serialize(manifest) .. "\n")
os.exit(tap.summary() and 0 or 1)
