-- test/windows/check.lua - run under Wine (test/rig/wine-run.sh) against the
-- Windows build of cdperf (build/win/cdperf/core.dll + lua/cdperf/*.lua).
--
-- Shows that the DLL loads in a Windows Lua 5.4, that the emulator-backed
-- path gives the right numbers, and that the Windows transport fails cleanly:
-- a drive letter that is not a CD drive, and the native IOCTL that Wine does
-- not implement (ERROR_NOT_SUPPORTED, named as such).
--
-- Environment:
--   CDPERF_WINE_CDROM=D:  a Wine drive of type cdrom (configured by
--                         wine-run.sh); its checks are skipped when unset.
-- Prints "ok N - ..." / "not ok N - ..." lines, then "N passed, N failed";
-- exits 1 on any failure.

local tap = require("tap").new()
local report, skip = tap.check, tap.skip

-- check(name, fn): fn returns true, or false/nil and a detail; errors fail.
local function check(name, fn)
  local ok, res, detail = pcall(fn)
  if not ok then
    report(false, name, "raised: " .. tostring(res))
  else
    report(res == true, name, detail)
  end
end

local function one_line(s)
  return type(s) == "string" and s ~= "" and not s:find("[\r\n]")
end

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

local function eq(got, want, what)
  if got == want then return true end
  return false, ("%s: got %s, want %s"):format(what or "value", show(got), show(want))
end

-- A failure result: nil, a one-line message matching every pattern, a table.
local function clean_failure(res, msg, info, ...)
  if res ~= nil then return false, "expected nil, got " .. show(res) end
  if not one_line(msg) then return false, "message is not one non-empty line: " .. show(msg) end
  if type(info) ~= "table" then return false, "info is not a table: " .. show(info) end
  for _, pat in ipairs { ... } do
    if not msg:find(pat, 1, true) then
      return false, ("message %s lacks %q"):format(show(msg), pat)
    end
  end
  return true
end

print("# " .. _VERSION .. " on " .. (package.config:sub(1, 1) == "\\" and "Windows" or "not Windows"))

-- 1. loading -------------------------------------------------------------

local ok_load, cdperf = pcall(require, "cdperf")
report(ok_load and type(cdperf) == "table", 'require "cdperf"', not ok_load and cdperf or nil)
if not ok_load then
  tap.summary()
  os.exit(1)
end
local core = cdperf.core

check("cdperf.core is the Windows build", function()
  return eq(core.platform, "win32", "core.platform")
end)

check("core.sleep_ms sleeps at least as long as asked on core.monotonic (QueryPerformanceCounter)", function()
  local t0, res = core.monotonic()
  if not (type(res) == "number" and res > 0 and res <= 0.01) then return false, "resolution " .. tostring(res) end
  core.sleep_ms(50)
  local slept = core.monotonic() - t0
  if slept < 0.050 - 0.002 then return false, ("slept %.4f s for 50 ms"):format(slept) end
  local ok, err = pcall(core.sleep_ms, -1)
  if ok or not tostring(err):find("0..86400000 ms expected", 1, true) then return false, tostring(err) end
  return true
end)

check("Windows enum values exported under their Windows names", function()
  local want = {
    CdromPerformanceRequest = 1, CdromWriteSpeedRequest = 2,
    CdromReadPerformance = 1, CdromWritePerformance = 2,
    CdromNominalPerformance = 1, CdromEntirePerformanceList = 2,
    CdromPerformanceExceptionsOnly = 3, Cdrom10Nominal20Exceptions = 1,
    CdromSetSpeed = 0, CdromSetStreaming = 1,
    CdromDefaultRotation = 0, CdromCAVRotation = 1,
    IOCTL_CDROM_GET_PERFORMANCE = 0x00024070, IOCTL_CDROM_SET_SPEED = 0x00024060,
  }
  for k, v in pairs(want) do
    if core[k] ~= v then return eq(core[k], v, k) end
  end
  return true
end)

check("cdperf.drives() returns a list of drive letters", function()
  local list = cdperf.drives()
  if type(list) ~= "table" then return false, "not a table: " .. show(list) end
  for _, d in ipairs(list) do
    if not d:match("^%u:$") then return false, "bad entry " .. show(d) end
  end
  print("#   drives: {" .. table.concat(list, ", ") .. "}")
  return true
end)

-- 2. the emulated drive ----------------------------------------------------

local MODEL = "lg_wh16ns40_bdr"
local drive, open_msg = cdperf.open("emulated:" .. MODEL)
report(drive ~= nil, "open emulated:" .. MODEL, open_msg)

if drive ~= nil then
  check("tostring(drive) names the drive", function()
    local s = tostring(drive)
    return s:find("cdperf.drive", 1, true) ~= nil and s:find(MODEL, 1, true) ~= nil, s
  end)

  check("inquiry", function()
    local inq, msg = drive:inquiry()
    if not inq then return false, msg end
    local ok, why = eq(inq.vendor, "HL-DT-ST", "vendor")
    if not ok then return ok, why end
    ok, why = eq(inq.product, "BD-RE  WH16NS40", "product")
    if not ok then return ok, why end
    return eq(inq.peripheral_type, 5, "peripheral_type")
  end)

  check("profile: BD-R SRM", function()
    local p, msg = drive:profile()
    if not p then return false, msg end
    local ok, why = eq(p.code, 0x41, "code")
    if not ok then return ok, why end
    return eq(p.class, "bd", "class")
  end)

  check("write_speeds(): 5 descriptors, 53952 first, 17984 CLV last", function()
    local ws, msg = drive:write_speeds()
    if not ws then return false, msg end
    local ok, why = eq(#ws, 5, "#descriptors")
    if not ok then return ok, why end
    local want = { 53952, 44960, 35968, 26976, 17984 }
    for i, w in ipairs(want) do
      ok, why = eq(ws[i].write_speed, w, ("descriptor %d write_speed"):format(i))
      if not ok then return ok, why end
      ok, why = eq(ws[i].read_speed, 26976, ("descriptor %d read_speed"):format(i))
      if not ok then return ok, why end
      ok, why = eq(ws[i].end_lba, 12219391, ("descriptor %d end_lba"):format(i))
      if not ok then return ok, why end
    end
    ok, why = eq(ws[1].write_rotation_control, 1, "descriptor 1 write_rotation_control (CAV)")
    if not ok then return ok, why end
    ok, why = eq(ws[5].write_rotation_control, 0, "descriptor 5 write_rotation_control (CLV)")
    if not ok then return ok, why end
    return eq(ws[1].exact, false, "descriptor 1 exact")
  end)

  check("get_performance{request_type = CdromWriteSpeedRequest}: header and raw", function()
    local res, msg = drive:get_performance { request_type = core.CdromWriteSpeedRequest }
    if not res then return false, msg end
    local ok, why = eq(#res.descriptors, 5, "#descriptors")
    if not ok then return ok, why end
    ok, why = eq(res.header.data_length, 4 + 5 * 16, "header.data_length")
    if not ok then return ok, why end
    ok, why = eq(#res.raw, 8 + 5 * 16, "#raw")
    if not ok then return ok, why end
    -- byte 12..15 of the first descriptor (offset 8 + 12) is the write speed, big-endian
    return eq((">I4"):unpack(res.raw, 8 + 12 + 1), 53952, "raw write speed of descriptor 1")
  end)

  check("read performance, nominal: flat 26976 over the disc", function()
    local res, msg = drive:get_performance {
      request_type = "performance", performance_type = "read", exceptions = "nominal",
      tolerance = "10_nominal_20_exceptions", starting_lba = 0,
    }
    if not res then return false, msg end
    local ok, why = eq(res.header.except, false, "header.except")
    if not ok then return ok, why end
    ok, why = eq(#res.descriptors, 1, "#descriptors")
    if not ok then return ok, why end
    local d = res.descriptors[1]
    ok, why = eq(d.start_performance, 26976, "start_performance")
    if not ok then return ok, why end
    return eq(d.end_lba, 12219391, "end_lba")
  end)

  check("write_performance(): CAV ramp 22336 -> 53952", function()
    local list, msg = drive:write_performance()
    if not list then return false, msg end
    local ok, why = eq(#list, 1, "#descriptors")
    if not ok then return ok, why end
    ok, why = eq(list[1].start_performance, 22336, "start_performance")
    if not ok then return ok, why end
    return eq(list[1].end_performance, 53952, "end_performance")
  end)

  check("a bad field raises, naming it", function()
    local ok, err = pcall(drive.get_performance, drive, { exceptions = "al" })
    if ok then return false, "did not raise" end
    return tostring(err):find("exceptions", 1, true) ~= nil, err
  end)

  check("close is idempotent and use after close raises", function()
    drive:close()
    drive:close()
    local ok = pcall(drive.write_speeds, drive)
    if ok then return false, "write_speeds on a closed drive did not raise" end
    return tostring(drive):find("closed", 1, true) ~= nil, tostring(drive)
  end)
end

-- A Lua function as the device: the error path of the same build.
check("a function device answering CHECK CONDITION gives nil, message, decoded sense", function()
  local sense = string.char(0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0x00) .. ("\0"):rep(4)
  local dev = function() return nil, sense end
  local d <close> = assert(cdperf.open(dev))
  local res, m, info = d:get_performance { request_type = "write_speed" }
  local ok, why = clean_failure(res, m, info)
  if not ok then return ok, why end
  ok, why = eq(info.kind, "scsi", "info.kind")
  if not ok then return ok, why end
  ok, why = eq(info.sense_key, 5, "info.sense_key")
  if not ok then return ok, why end
  return eq(info.asc, 0x20, "info.asc")
end)

check("a function device whose header lies gets clamped, not trusted", function()
  -- header claims 0xFFFFFFFF bytes, one whole write-speed descriptor follows
  local desc = string.char(0x08, 0, 0, 0) .. (">I4I4I4"):pack(12219391, 26976, 53952)
  local dev = function(cdb, dir)
    if dir == "in" and cdb:byte(1) == 0xAC then
      return (">I4"):pack(0xFFFFFFFF) .. ("\0"):rep(4) .. desc
    end
    return nil, string.char(0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0)
  end
  local d <close> = assert(cdperf.open(dev))
  local res, m = d:get_performance { request_type = "write_speed" }
  if res == nil then
    print("#   " .. tostring(m))
    return one_line(m), "message: " .. show(m)
  end
  local ok, why = eq(#res.descriptors, 1, "#descriptors")
  if not ok then return ok, why end
  ok, why = eq(res.truncated, true, "truncated")
  if not ok then return ok, why end
  return eq(res.descriptors[1].write_speed, 53952, "write_speed")
end)

-- 3. the Windows transport, failing cleanly ----------------------------------

check('open("C:") fails: not a CD/DVD drive (fixed disk)', function()
  local d, msg, info = cdperf.open("C:")
  if d then d:close() end
  return clean_failure(d, msg, info, "C: is not a CD/DVD drive", "fixed disk")
end)

check('open("c:\\\\") and open("\\\\\\\\.\\\\C:") give the same answer', function()
  for _, name in ipairs { "c:\\", "\\\\.\\C:", "c:/" } do
    local d, msg, info = cdperf.open(name)
    if d then d:close() end
    local ok, why = clean_failure(d, msg, info, "C: is not a CD/DVD drive")
    if not ok then return false, name .. ": " .. why end
  end
  return true
end)

check('open("Q:") fails: no such drive', function()
  local d, msg, info = cdperf.open("Q:")
  if d then d:close() end
  return clean_failure(d, msg, info, "Q: is not a CD/DVD drive", "no such drive")
end)

check("open of a name that is not a device fails with ERROR_INVALID_NAME", function()
  local d, msg, info = cdperf.open("not-a-drive")
  if d then d:close() end
  local ok, why = clean_failure(d, msg, info, "ERROR_INVALID_NAME")
  if not ok then return ok, why end
  return eq(info.kind, "win32", "info.kind")
end)

check("open of a missing \\\\.\\CdRom device fails with a named Win32 error", function()
  local d, msg, info = cdperf.open("\\\\.\\CdRom9")
  if d then d:close() end
  local ok, why = clean_failure(d, msg, info, "ERROR_")
  if not ok then return ok, why end
  print("#   " .. msg)
  return eq(info.kind, "win32", "info.kind")
end)

local cd = os.getenv("CDPERF_WINE_CDROM")
if cd == nil or cd == "" then
  skip("native IOCTL_CDROM_GET_PERFORMANCE gives ERROR_NOT_SUPPORTED", "no Wine CD drive configured")
else
  check(("cdperf.drives() lists %s"):format(cd), function()
    for _, d in ipairs(cdperf.drives()) do
      if d == cd then return true end
    end
    return false, "drives: {" .. table.concat(cdperf.drives(), ", ") .. "}"
  end)

  check(("open(%q, {write = true}) and SCSI pass-through: an answer or a clean error"):format(cd),
    function()
      local w, m, info = cdperf.open(cd, { write = true })
      if w == nil then
        print("#   " .. tostring(m))
        return clean_failure(w, m, info)
      end
      local inq, m2, info2 = w:inquiry()
      w:close()
      if inq ~= nil then return type(inq) == "table" end
      print("#   " .. tostring(m2))
      return clean_failure(inq, m2, info2, "IOCTL_SCSI_PASS_THROUGH")
    end)

  local d, msg = cdperf.open(cd)
  report(d ~= nil, ("open(%q) (a Wine drive of type cdrom)"):format(cd), msg)
  if d then
    check("get_performance: ERROR_NOT_SUPPORTED, named, with info.code 50", function()
      local res, m, info = d:get_performance { performance_type = "read" }
      local ok, why = clean_failure(res, m, info, "ERROR_NOT_SUPPORTED",
        "IOCTL_CDROM_GET_PERFORMANCE")
      print("#   " .. tostring(m))
      if not ok then return ok, why end
      ok, why = eq(info.kind, "win32", "info.kind")
      if not ok then return ok, why end
      return eq(info.code, 50, "info.code")
    end)

    check("write_speeds(): the same clean ERROR_NOT_SUPPORTED", function()
      local res, m, info = d:write_speeds()
      return clean_failure(res, m, info, "ERROR_NOT_SUPPORTED")
    end)

    check("set_speed: IOCTL_CDROM_SET_SPEED fails cleanly", function()
      local res, m, info = d:set_speed { read = "max", write = "max" }
      print("#   " .. tostring(m))
      return clean_failure(res, m, info, "IOCTL_CDROM_SET_SPEED")
    end)

    check("inquiry through SCSI pass-through: an answer or a clean error", function()
      local inq, m, info = d:inquiry()
      if inq ~= nil then
        print(("#   inquiry: %s %s"):format(tostring(inq.vendor), tostring(inq.product)))
        return type(inq) == "table"
      end
      print("#   " .. tostring(m))
      return clean_failure(inq, m, info)
    end)

    check("closing the Windows handle", function()
      d:close()
      d:close()
      return tostring(d):find("closed", 1, true) ~= nil, tostring(d)
    end)
  end
end

collectgarbage()
collectgarbage()

if tap.skipped > 0 then print(("# %d skipped"):format(tap.skipped)) end
os.exit(tap.summary() and 0 or 1)
