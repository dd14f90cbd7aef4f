--- test/kernel/faults.lua: transport faults, injected, and what cdperf makes of each.
-- Run under the fault shim (test/kernel/fault_shim.c, LD_PRELOAD) with
-- CDPERF_FAULT_FILE = CONTROL (the shim reads the fault to inject from it):
--   lua5.4 test/kernel/faults.lua sgio  DEVICE CONTROL         SG_IO on /dev/srN, /dev/sgN, or
--                                                           the shim's fake device (/dev/null)
--   lua5.4 test/kernel/faults.lua iscsi URL CONTROL TGTD_PID   libiscsi against a tgtd it may
--                                                           stop and kill (last row kills it)
-- Prints one TAP line per row of the matrix and "N passed, N failed"; each row also as
-- "# matrix|transport|fault|call|kind|code|message|handle" for docs/faults.md.
-- Handle states: "open" (the same handle answers the next command once the fault is
-- gone), "closed" (closed cleanly: is_open() false, close() true), "dropped" (open, but
-- every command fails at once saying the session was dropped; close() works).
local M = {}

-- fault: the shim's word; what: the fault in words; call: the method; kind/code/message:
-- what the failure must carry (message: a plain substring); ok: the call must succeed.
M.SGIO = {
  { fault = "enodev", what = "the drive disappears mid-command (ENODEV)", call = "inquiry",
    kind = "os", code = "ENODEV", message = "the drive is gone", state = "open" },
  { fault = "enxio", what = "the drive disappears mid-command (ENXIO)", call = "get_performance",
    kind = "os", code = "ENXIO", message = "the drive is gone", state = "open" },
  { fault = "eio", what = "EIO from SG_IO", call = "inquiry",
    kind = "os", code = "EIO", message = "check its cable or connection and retry", state = "open" },
  { fault = "eintr 2", what = "EINTR twice (a signal during SG_IO)", call = "inquiry",
    ok = true, state = "open" },
  { fault = "eintr 9", what = "EINTR on every try", call = "inquiry",
    kind = "os", code = "EINTR", message = "4 times in a row; retry", state = "open" },
  { fault = "timeout", what = "the command times out (DID_TIME_OUT)", call = "get_performance",
    kind = "host", code = "DID_TIME_OUT", message = "the drive did not answer within", state = "open" },
  { fault = "driver_timeout", what = "the driver times out (DRIVER_TIMEOUT)", call = "inquiry",
    kind = "host", code = "DRIVER_TIMEOUT", message = "the drive did not answer within", state = "open" },
  { fault = "resid 20", what = "residual underrun: 20 of the bytes asked for", call = "command",
    ok = true, bytes = 20, state = "open" },
  { fault = "resid_bogus", what = "a residual larger than the buffer", call = "inquiry",
    kind = "decode", message = "INQUIRY data too short (0 bytes)", state = "open" },
  { fault = "short_sense", what = "CHECK CONDITION with 3 bytes of sense", call = "inquiry",
    kind = "scsi", message = "sense data cut short: no ASC/ASCQ", state = "open" },
  { fault = "busy", what = "SCSI status BUSY", call = "test_unit_ready",
    kind = "scsi", message = "SCSI status BUSY", state = "open" },
  { fault = "close_eio", what = "close(2) fails with EIO", call = "close",
    kind = "os", code = "EIO", message = "closing the drive failed", state = "closed" },
}

M.ISCSI = {
  { fault = "net_cut", what = "the connection is cut as a command goes out", call = "inquiry",
    kind = "iscsi", message = "", state = "dropped" },
  { fault = "stop", what = "tgtd stops answering mid-command (SIGSTOP): timeout", call = "inquiry",
    kind = "iscsi", message = "timed out after 3000 ms", state = "dropped" },
  { fault = "kill", what = "tgtd killed mid-command (SIGKILL)", call = "get_performance",
    kind = "iscsi", message = "", state = "dropped" },
}

local CALLS = {
  inquiry = function(d) return d:inquiry() end,
  get_performance = function(d) return d:get_performance { request_type = "write_speed" } end,
  test_unit_ready = function(d) return d:test_unit_ready() end,
  command = function(d) return d:command("\18\0\0\0\36\0", "in", 36) end,
  close = function(d) return d:close() end,
}

local function set_fault(control, word)
  local f = assert(io.open(control, "w"))
  f:write(word)
  f:close()
end

-- Checks one row's outcome; returns nil or what is wrong.
local function judge(row, r, msg, info)
  if row.ok then
    if r == nil then return "failed: " .. tostring(msg) end
    if row.bytes and #r ~= row.bytes then return ("%d bytes, want %d"):format(#r, row.bytes) end
    return nil
  end
  if r ~= nil then return "succeeded, want a failure" end
  if type(msg) ~= "string" or msg:find("\n") or type(info) ~= "table" then
    return "not nil, one line, info"
  end
  if info.kind ~= row.kind then return ("kind %s, want %s: %s"):format(tostring(info.kind), row.kind, msg) end
  if row.code and info.code ~= row.code then
    return ("code %s, want %s: %s"):format(tostring(info.code), row.code, msg)
  end
  if not msg:find(row.message, 1, true) then return ("message %q lacks %q"):format(msg, row.message) end
  return nil
end

-- The handle after the fault is gone: what state it is in, or what is wrong.
local function state_of(d)
  if not d:is_open() then
    if tostring(d) ~= "cdperf.drive (closed)" or d:close() ~= true then return "half-closed" end
    return "closed"
  end
  local r, msg = d:inquiry()
  if r ~= nil then return "open" end
  if tostring(msg):find("dropped", 1, true) then
    local r2, msg2 = d:test_unit_ready()
    if r2 == nil and tostring(msg2):find("dropped", 1, true) then return "dropped" end
  end
  return "broken: " .. tostring(msg)
end

local function one_line(s) return (tostring(s or ""):gsub("[|\n]", "/")) end

--- Runs the rows against opener() (a fresh drive, or nil, message); inject(row) and
-- clear(row) put the fault in place and take it away. Returns passed, failed.
function M.run(label, rows, opener, inject, clear)
  local passed, failed = 0, 0
  local d, msg = opener()
  for i, row in ipairs(rows) do
    local why, r, m, info, state
    if not d then
      why = "cannot open: " .. tostring(msg)
    else
      inject(row)
      r, m, info = CALLS[row.call](d)
      clear(row)
      why = judge(row, r, m, info)
      state = state_of(d)
      if not why and state ~= row.state then why = ("handle %s, want %s"):format(state, row.state) end
    end
    local name = ("%s %s: %s -> %s"):format(label, row.fault, row.call,
      row.ok and "ok" or (tostring(info and info.kind) .. " " .. tostring(info and info.code or "")))
    if why then
      failed = failed + 1
      print(("not ok %d - %s # %s"):format(i, name, one_line(why)))
    else
      passed = passed + 1
      print(("ok %d - %s"):format(i, name))
    end
    print(("# matrix|%s|%s|%s|%s|%s|%s|%s"):format(label, row.what, row.call,
      row.ok and "(none)" or tostring(info and info.kind), tostring(info and info.code or ""),
      one_line(row.ok and "succeeds" or m), tostring(state)))
    io.stdout:flush()
    if d and (state ~= "open") then
      if d:is_open() then d:close() end
      d, msg = opener()
    end
  end
  if d then d:close() end
  return passed, failed
end

local function main(mode, device, control, pid)
  local cdperf = require "cdperf"
  local passed, failed
  if mode == "sgio" then
    passed, failed = M.run("sg_io", M.SGIO, function() return cdperf.open(device) end,
      function(row) set_fault(control, row.fault) end,
      function() set_fault(control, "none") end)
  elseif mode == "iscsi" then
    passed, failed = M.run("iscsi", M.ISCSI, function() return cdperf.open(device, { timeout_ms = 3000 }) end,
      function(row)
        if row.fault == "net_cut" then
          set_fault(control, "net_cut")
        elseif row.fault == "stop" then
          os.execute("kill -STOP " .. pid)
        elseif row.fault == "kill" then
          -- stopped first, so that the command is in flight when tgtd dies
          os.execute(("kill -STOP %s; (sleep 0.3; kill -KILL %s) >/dev/null 2>&1 &"):format(pid, pid))
        end
      end,
      function(row)
        set_fault(control, "none")
        if row.fault == "stop" then os.execute("kill -CONT " .. pid) end
      end)
  else
    error("usage: faults.lua sgio DEVICE CONTROL | iscsi URL CONTROL TGTD_PID")
  end
  print(("%d passed, %d failed"):format(passed, failed))
  return failed == 0
end

if arg and arg[0] and arg[0]:find("faults%.lua$") and arg[1] then
  os.exit(main(arg[1], arg[2], arg[3], arg[4]) and 0 or 1)
end
return M
