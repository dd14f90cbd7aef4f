-- test/windows/faults.lua - Windows transport faults, injected, under Wine: run by
-- test/rig/wine-run.sh with the fault-injecting build (build/win-faults: DeviceIoControl,
-- CreateFileA and CloseHandle through test/windows/fault_win32.c, which reads the fault
-- from the file CDPERF_FAULT_FILE names). The drive is Wine's CD drive CDPERF_WINE_CDROM
-- (D:), whose driver answers the native IOCTLs with ERROR_NOT_SUPPORTED: after each fault
-- the same handle must reach the driver again and get that answer.
-- Prints "ok N - ..." lines, "# matrix|..." rows for docs/faults.md, "N passed, N failed".

local tap = require("tap").new()
local report = tap.check
local cd, control = os.getenv("CDPERF_WINE_CDROM"), os.getenv("CDPERF_FAULT_FILE")

local function set_fault(s)
  local f = assert(io.open(control, "w"))
  f:write(s)
  f:close()
end


-- fault: what fault_win32.c injects; call: what is called; name/code/message: what the
-- failure must carry; state: the handle afterwards.
local ROWS = {
  { fault = "ioctl 1167", what = "the drive is unplugged (ERROR_DEVICE_NOT_CONNECTED)", call = "get_performance",
    name = "ERROR_DEVICE_NOT_CONNECTED", code = 1167, message = "close it and open it again", state = "open" },
  { fault = "ioctl 21", what = "no medium / not ready (ERROR_NOT_READY)", call = "inquiry",
    name = "ERROR_NOT_READY", code = 21, message = "IOCTL_SCSI_PASS_THROUGH, opcode 12h", state = "open" },
  { fault = "ioctl 1117", what = "I/O error (ERROR_IO_DEVICE)", call = "set_speed",
    name = "ERROR_IO_DEVICE", code = 1117, message = "check its cable or connection and retry", state = "open" },
  { fault = "ioctl 121", what = "the command times out (ERROR_SEM_TIMEOUT)", call = "command",
    name = "ERROR_SEM_TIMEOUT", code = 121, message = "the device timed out", state = "open" },
  { fault = "ioctl 55", what = "the device is gone (ERROR_DEV_NOT_EXIST)", call = "write_speeds",
    name = "ERROR_DEV_NOT_EXIST", code = 55, message = "the device is gone", state = "open" },
  { fault = "close 1117", what = "CloseHandle fails (ERROR_IO_DEVICE)", call = "close",
    name = "ERROR_IO_DEVICE", code = 1117, message = "CloseHandle; the handle is closed", state = "closed" },
  { fault = "open 1167", what = "the drive is unplugged at open (ERROR_DEVICE_NOT_CONNECTED)", call = "open",
    name = "ERROR_DEVICE_NOT_CONNECTED", code = 1167, message = "opening", state = "not opened" },
}

local CALLS = {
  get_performance = function(d) return d:get_performance { performance_type = "read" } end,
  write_speeds = function(d) return d:write_speeds() end,
  inquiry = function(d) return d:inquiry() end,
  set_speed = function(d) return d:set_speed { read = "max" } end,
  command = function(d) return d:command("\0\0\0\0\0\0", "none") end,
  close = function(d) return d:close() end,
}

print("# " .. _VERSION .. ", fault file " .. tostring(control) .. ", drive " .. tostring(cd))
local ok_load, cdperf = pcall(require, "cdperf")
if not ok_load or not cd or not control then
  report(false, "set-up", not ok_load and cdperf or "CDPERF_WINE_CDROM and CDPERF_FAULT_FILE must be set")
  tap.summary()
  os.exit(1)
end

local function open()
  local d, msg, info = cdperf.open(cd, { write = true })
  if not d then d, msg, info = cdperf.open(cd) end
  return d, msg, info
end

-- The handle after the fault is gone: its state, or what is wrong.
local function state_of(d)
  if d == nil then return "not opened" end
  if not d:is_open() then
    if tostring(d) ~= "cdperf.drive (closed)" or d:close() ~= true then return "half-closed" end
    return "closed"
  end
  local r, msg, info = d:get_performance { performance_type = "read" }
  -- Wine's driver answers ERROR_NOT_SUPPORTED (50); a real one, data
  if r ~= nil or (info and info.code == 50) then return "open" end
  return "broken: " .. tostring(msg)
end

set_fault("none")
local d, msg = open()
report(d ~= nil, ("open(%q) with no fault"):format(cd), msg)
for _, row in ipairs(ROWS) do
  local r, m, info
  set_fault(row.fault)
  if row.call == "open" then
    if d then d:close() end
    d, m, info = open()
    r = d
  else
    r, m, info = CALLS[row.call](d)
  end
  set_fault("none")
  local why
  if r ~= nil then
    why = "succeeded, want a failure"
  elseif type(m) ~= "string" or m:find("[\r\n]") or type(info) ~= "table" then
    why = "not nil, one line, info"
  elseif info.kind ~= "win32" or info.code ~= row.code then
    why = ("kind %s code %s: %s"):format(tostring(info.kind), tostring(info.code), m)
  elseif not m:find(row.name, 1, true) or not m:find(row.message, 1, true) then
    why = ("message %q lacks %q or %q"):format(m, row.name, row.message)
  end
  local state = state_of(d)
  if not why and state ~= row.state then why = ("handle %s, want %s"):format(state, row.state) end
  report(not why, ("%s: %s -> win32 %d, handle %s"):format(row.what, row.call, row.code, row.state), why)
  print(("# matrix|win32|%s|%s|win32|%d|%s|%s"):format(row.what, row.call, row.code,
    tostring(m):gsub("|", "/"), state))
  if state ~= "open" then
    d = open()
  end
end
if d then
  report(d:close() == true, "close with no fault")
end
collectgarbage()
os.exit(tap.summary() and 0 or 1)
