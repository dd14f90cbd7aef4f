-- Transport faults, injected: the matrix of docs/faults.md. Each fault gives a one-line
-- message and info.kind, and leaves the handle open and usable, cleanly closed, or (iSCSI)
-- open with its session dropped -- never half-open.
--   SG_IO: test/kernel/fault_shim.c (LD_PRELOAD) in a child running test/kernel/faults.lua
--     on the shim's fake device (/dev/null answering as an SG device); the QEMU guest runs
--     the same rows on real drives (test/kernel/check.lua).
--   iSCSI: the same child against a private tgtd (127.0.0.1:3273, control port 23) that
--     it cuts off, stops and kills.
--   Lua-function devices: in this process.
-- CDPERF_FAULTS_LUA / CDPERF_FAULTS_CPATH / CDPERF_FAULTS_UNDER run the children under
-- the sanitized interpreter and module, or valgrind (mk/hardening.mk sets them).
local core = require "cdperf.core"
local cdperf = require "cdperf"
local faults = dofile("test/kernel/faults.lua")
local h = require "spec.helpers"

local SHIM = "build/faults/fault_shim.so"

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function tmpdir()
  local p = assert(io.popen("mktemp -d /tmp/cdperf-faults.XXXXXX"))
  local d = p:read("l")
  p:close()
  return d
end

-- Runs faults.lua MODE ... in a child under the shim; returns { [row number] = line }, output.
local function run_child(mode, args, env)
  local lua = os.getenv("CDPERF_FAULTS_LUA") or "lua5.4"
  local cpath = os.getenv("CDPERF_FAULTS_CPATH") or "./build/?.so"
  local under = os.getenv("CDPERF_FAULTS_UNDER") or ""
  local cmd = ("%s LD_PRELOAD=%s LUA_PATH_5_4=%s LUA_CPATH_5_4=%s ASAN_OPTIONS=%s %s %s "
    .. "test/kernel/faults.lua %s %s 2>&1"):format(env, sh_quote(os.getenv("PWD") .. "/" .. SHIM),
      sh_quote("./lua/?.lua;./lua/?/init.lua;;"), sh_quote(cpath .. ";;"),
      sh_quote("verify_asan_link_order=0:detect_leaks=1"), under, lua, mode, args)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  local ok = p:close()
  local lines = {}
  for line in out:gmatch("[^\n]+") do
    local n, rest = line:match("^ok (%d+) %- (.*)")
    if n then lines[tonumber(n)] = { ok = true, text = rest } end
    n, rest = line:match("^not ok (%d+) %- (.*)")
    if n then lines[tonumber(n)] = { ok = false, text = rest } end
  end
  return lines, out, ok
end

local function shim_reason()
  if core.platform ~= "linux" then return "the SG_IO fault shim is Linux only" end
  local f = io.open(SHIM, "rb")
  if not f then return SHIM .. " is not built (make faults-shim)" end
  f:close()
  return nil
end

describe("faults: SG_IO under the fault shim (fake device)", function()
  local reason = shim_reason()
  local lines, out, ok
  setup(function()
    if reason then return end
    local dir = tmpdir()
    local control = dir .. "/control"
    lines, out, ok = run_child("sgio", "/dev/null " .. sh_quote(control),
      ("CDPERF_FAULT_FAKE=/dev/null CDPERF_FAULT_FILE=%s"):format(sh_quote(control)))
    os.execute("rm -rf " .. sh_quote(dir))
  end)

  for i, row in ipairs(faults.SGIO) do
    it(("%s: %s -> %s, handle %s"):format(row.what, row.call, row.ok and "success" or row.kind, row.state), function()
      if reason then pending(reason) return end
      assert(lines[i], "no result for row " .. i .. ":\n" .. out)
      assert(lines[i].ok, lines[i].text)
    end)
  end

  it("the child ends with every row passed and no leak", function()
    if reason then pending(reason) return end
    assert.truthy(out:find(#faults.SGIO .. " passed, 0 failed", 1, true), out)
    assert.is_true(ok, out)
  end)
end)

describe("faults: iSCSI against a tgtd that is cut off, stopped and killed #tgt", function()
  local reason = shim_reason()
  if not reason and not os.execute("command -v tgtd >/dev/null 2>&1 || test -x /usr/sbin/tgtd") then
    reason = "tgtd is not installed (Debian package tgt)"
  end
  if not reason and not core.have_iscsi then reason = "cdperf was built without libiscsi" end
  local ENV = "TGT_PORT=3273 TGT_CONTROL_PORT=23 "
  local dir, lines, out, ok

  setup(function()
    if reason then return end
    dir = tmpdir()
    local p = assert(io.popen(ENV .. "bash test/rig/tgt-start.sh " .. sh_quote(dir) .. " 2>&1"))
    local start = p:read("a")
    if not p:close() then reason = "tgt-start.sh failed: " .. start return end
    local f = assert(io.open(dir .. "/tgtd.pid"))
    local pid = f:read("l")
    f:close()
    local control = dir .. "/control"
    lines, out, ok = run_child("iscsi", ("iscsi://127.0.0.1:3273/iqn.2026-11.org.cdperf:rig/1 %s %s")
      :format(sh_quote(control), pid), ("CDPERF_FAULT_FILE=%s"):format(sh_quote(control)))
  end)

  teardown(function()
    if dir then
      os.execute(ENV .. "bash test/rig/tgt-stop.sh " .. sh_quote(dir) .. " >/dev/null 2>&1")
      os.execute("rm -rf " .. sh_quote(dir))
    end
  end)

  for i, row in ipairs(faults.ISCSI) do
    it(("%s: %s -> %s, session %s"):format(row.what, row.call, row.kind, row.state), function()
      if reason then pending(reason) return end
      assert(lines[i], "no result for row " .. i .. ":\n" .. out)
      assert(lines[i].ok, lines[i].text)
    end)
  end

  it("the child ends with every row passed and no leak", function()
    if reason then pending(reason) return end
    assert.truthy(out:find(#faults.ISCSI .. " passed, 0 failed", 1, true), out)
    assert.is_true(ok, out)
  end)
end)

describe("faults: Lua-function devices (the test transport)", function()
  local function failure(r, msg, info, kind, pattern)
    assert.is_nil(r)
    assert.is_nil(msg:find("\n"))
    assert.are.equal(kind, info.kind)
    assert.truthy(msg:find(pattern, 1, true), msg)
  end

  it("a device that raises: kind device, the drive answers the next command", function()
    local fail = true
    local d = assert(cdperf.open(function()
      if fail then error("cable pulled", 0) end
      return h.perf_response({})
    end))
    local r, msg, info = d:get_performance()
    failure(r, msg, info, "device", "GET PERFORMANCE: device function failed: cable pulled")
    fail = false
    assert(d:get_performance())
    assert.are.equal("drive", cdperf.type(d))
  end)

  it("a device that answers garbage: kind device, the drive stays open", function()
    local d = assert(cdperf.open(function() return 42 end))
    local r, msg, info = d:inquiry()
    failure(r, msg, info, "device", "device function returned number")
    assert.is_true(d:is_open())
  end)

  it("a device that closes its own drive mid-command: the drive is closed cleanly", function()
    local d
    d = assert(cdperf.open(function() d:close() return ("\0\0\6\68\0\0\0\0") end))
    assert.has_error(function() d:get_performance { request_type = "write_speed" } end,
      "attempt to use a closed drive")
    assert.are.equal("closed drive", cdperf.type(d))
    assert.are.equal("cdperf.drive (closed)", tostring(d))
    assert.is_true(d:close())
  end)

  it("a device that yields: kind device, the drive stays open", function()
    local d = assert(cdperf.open(function() return coroutine.yield() end))
    local co = coroutine.wrap(function() return d:command("\0\0\0\0\0\0", "none") end)
    local r, msg, info = co()
    failure(r, msg, info, "device", "attempt to yield across a C-call boundary")
    assert.is_true(d:is_open())
  end)
end)
