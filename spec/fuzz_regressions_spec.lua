-- Regressions found by the fuzz harnesses (fuzz/): each feeds the bytes of a crashing
-- or contract-breaking input through cdperf.core and asserts the clean outcome.
local core = require "cdperf.core"
local h = require "spec.helpers"

local unhex = h.unhex

describe("fuzz regressions: a device that closes its own drive", function()
  -- fuzz_lua (driver.lua device mode 15, "close in the middle of its own command"):
  -- the first GET PERFORMANCE answered a header claiming 100 write-speed descriptors
  -- after its device had closed the drive; the second command dereferenced the freed
  -- transport (SIGSEGV, d->t == NULL in perf_command). Now: "attempt to use a closed
  -- drive" is raised, as for any use after close.
  local HEADER_CLAIMS_100 = unhex("00 00 06 44 00 00 00 00")   -- DataLength 4 + 16 x 100

  it("during the first of two GET PERFORMANCE commands", function()
    local drive, calls = nil, 0
    drive = assert(core.open(function()
      calls = calls + 1
      drive:close()
      return HEADER_CLAIMS_100
    end))
    local ok, err = pcall(drive.get_performance, drive, { request_type = "write_speed" })
    assert.is_false(ok)
    assert.matches("attempt to use a closed drive", err)
    assert.are.equal(1, calls)
    assert.is_false(drive:is_open())
    assert.are.equal("cdperf.drive (closed)", tostring(drive))
    assert.is_true(drive:close())
  end)

  it("during a performance request sized for exception descriptors", function()
    local drive
    drive = assert(core.open(function()
      drive:close()
      return unhex("00 00 FF FF 01 00 00 00")
    end))
    local ok, err = pcall(drive.get_performance, drive, { exceptions = "exceptions_only" })
    assert.is_false(ok)
    assert.matches("attempt to use a closed drive", err)
  end)

  it("during a one-command method: that command's answer is still decoded", function()
    local drive
    drive = assert(core.open(function(cdb)
      drive:close()
      if cdb:byte(1) == 0x12 then return unhex("05 80 00 32 1F 00 00 00") .. "HL-DT-ST" end
      return h.perf_response({ h.write_speed(8, 12219391, 26976, 53952) })
    end))
    local q = assert(drive:inquiry())
    assert.are.equal("HL-DT-ST", q.vendor)
    assert.has_error(function() drive:inquiry() end, "attempt to use a closed drive")
  end)

  it("then collected: the handle and its device are released once", function()
    local weak = setmetatable({}, { __mode = "k" })
    do
      local drive
      local dev = function()
        drive:close()
        return HEADER_CLAIMS_100
      end
      weak[dev] = true
      drive = assert(core.open(dev))
      pcall(drive.get_performance, drive, { request_type = "write_speed" })
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(next(weak))
  end)
end)

describe("fuzz regressions: fuzz_lua inputs replayed through fuzz/driver.lua", function()
  -- The input libFuzzer saved (fuzz/crash-lua-*), run by the harness's own driver on this
  -- cdperf.core; a broken contract raises here instead of aborting.
  local INPUTS = {
    -- device closes its drive during a write-speed GET PERFORMANCE whose header claims
    -- more: UBSan "member access within null pointer of type 'struct cdperf_transport'"
    -- in perf_command (src/cdperf.c) before the fix
    close_in_device = "01ff353535353535353535353535cf35353535353535353531313131313131313131313131313130" ..
      "ff42ff020007060806000600630000050609060a030600060d06",
  }
  local run
  setup(function()
    rawset(_G, "fuzz_violation", function(msg) error("fuzz contract violated: " .. tostring(msg), 0) end)
    run = assert(loadfile("fuzz/driver.lua"))()
  end)
  teardown(function() rawset(_G, "fuzz_violation", nil) end)

  for name, hexbytes in pairs(INPUTS) do
    it(name, function()
      local ok, err = pcall(run, unhex(hexbytes))
      assert(ok, err)
      collectgarbage()
    end)
  end
end)

describe("fuzz regressions: mode page 2Ah", function()
  -- fuzz_page2a invariant "WRONG_PAGE reports where the page it found starts": the page
  -- offset was left 0 for a wrong page, so the message named byte 0 of the mode header.
  it("a wrong page behind block descriptors is named by its own code", function()
    local raw = unhex("00 1A 00 00 00 00 00 08") .. ("\0"):rep(8) .. unhex("05 0E") .. ("\0"):rep(14)
    local r, msg, info = core.decode_capabilities(raw)
    assert.is_nil(r)
    assert.matches("expected mode page 2Ah, got page 05h", msg, 1, true)
    assert.are.equal("decode", info.kind)
  end)

  it("a block descriptor length pointing past the data is short, not a read past it", function()
    local r, msg = core.decode_capabilities(unhex("00 06 00 00 00 00 FF F8"))
    assert.is_nil(r)
    assert.matches("too short", msg)
  end)

  it("70 claimed speeds in a 255-byte page: 55 decoded, truncated", function()
    local speeds = {}
    for i = 1, 70 do speeds[i] = string.pack(">BBI2", 0, 0, 10000 - i) end
    local page = string.pack(">BB", 0x2A, 255) .. ("\0"):rep(28) .. string.pack(">I2", 70) ..
      table.concat(speeds)
    page = page:sub(1, 257)
    local raw = string.pack(">I2", 6 + #page) .. ("\0"):rep(6) .. page
    local c = assert(core.decode_capabilities(raw))
    assert.are.equal(70, c.claimed_write_speeds)
    assert.are.equal((257 - 32) // 4, #c.write_speeds)
    assert.is_true(c.truncated)
  end)
end)
