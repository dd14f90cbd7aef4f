-- cdperf against tgt's MMC implementation (Debian package tgt), reached over iSCSI through
-- libiscsi (src/transport_iscsi.c). setup() starts a private tgtd with test/rig/tgt-start.sh
-- on 127.0.0.1:3262, control port 7 (TGT_PORT/TGT_CONTROL_PORT: other rigs use other
-- ports), LUN 1 = a 16 MiB DVD-ROM, LUN 2 = a blank DVD+R, LUN 0 = tgt's own controller LUN.
-- Pending (not failed) when tgtd is not installed or cdperf was built without libiscsi.
--
-- Every value asserted below was observed from tgt 1.0.85 (Debian 12, 1:1.0.85-1+deb12u1),
-- first by hand with a throwaway libiscsi driver, then through cdperf. By-hand facts that
-- the public API cannot show are noted where they matter:
--   * tgt pads every GET PERFORMANCE and GET CONFIGURATION answer with zeros up to the
--     allocation length and reports no residual (alloc 1032 -> 1032 bytes, alloc 65535 ->
--     65535 bytes); it builds GET PERFORMANCE in a 256-byte buffer, so through a kernel
--     (QEMU scsi-generic) the bytes past 256 are not written at all. INQUIRY (66 of 96
--     bytes, residual 30) and MODE SENSE(10) (72 of 256, residual 184) are not padded.
--   * tgt ignores the maximum-descriptor count (CDB bytes 8-9): asked for 1 or 0 write-speed
--     descriptors it still announces both (DataLength 36) and fills the allocation.
--   * Bad GET PERFORMANCE fields (Type other than 00h/03h, Tolerance other than 10b, Except
--     = 3) are answered NOT READY (2h), INVALID FIELD IN CDB (24h/00h):
--     70 00 02 00 00 00 00 0A 00 00 00 00 24 00 00 00 00 00 (CHECK CONDITION). Bad fields of
--     MODE SENSE (page 3Eh) and INQUIRY (EVPD page 99h) get ILLEGAL REQUEST 24h/00h; an
--     unknown opcode ILLEGAL REQUEST 20h/00h. cdperf never builds a CDB with a bad field, so
--     the NOT READY sense is checked through the decoder, and a live failure on LUN 0.
--   * SET CD SPEED and SET STREAMING (any parameter length, even 0) answer GOOD and change
--     nothing: the speeds read back are the same.
local h = require "spec.helpers"

local unhex, hex = h.unhex, h.hex

local PORT, CONTROL_PORT = "3262", "7"
local IQN = "iqn.2026-11.org.cdperf:rig"
local BASE = "iscsi://127.0.0.1:" .. PORT .. "/" .. IQN .. "/"

local function sh_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function run(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, out, code
end

-- Why the specs cannot run here, or nil.
local function skip_reason()
  if not os.execute("command -v tgtd >/dev/null 2>&1 || test -x /usr/sbin/tgtd") then
    return "tgtd is not installed (Debian package tgt)"
  end
  local ok, cdperf = pcall(require, "cdperf")
  if not ok then
    return "cdperf does not load: " .. tostring(cdperf):match("[^\n]*")
  end
  if not cdperf.core.have_iscsi then
    return "cdperf was built without libiscsi (install libiscsi-dev and rebuild)"
  end
  return nil
end

describe("tgt #tgt", function()
  local reason = skip_reason()
  if reason then
    pending("tgt specs skipped: " .. reason)
    return
  end

  local cdperf = require "cdperf"
  local core = cdperf.core
  local dir
  local env = "TGT_PORT=" .. PORT .. " TGT_CONTROL_PORT=" .. CONTROL_PORT .. " TGT_IQN=" .. IQN .. " "

  setup(function()
    local p = assert(io.popen("mktemp -d /tmp/cdperf-tgt.XXXXXX"))
    dir = p:read("l")
    p:close()
    assert(dir and dir ~= "", "mktemp -d failed")
    local ok, out = run(env .. "test/rig/tgt-start.sh " .. sh_quote(dir))
    assert(ok, "test/rig/tgt-start.sh failed:\n" .. out)
    assert(out:find(IQN, 1, true), "tgt-start.sh did not print the iqn:\n" .. out)
  end)

  teardown(function()
    collectgarbage()   -- close any drive a failed test left open, before tgtd goes away
    if dir then
      local ok, out = run("test/rig/tgt-stop.sh " .. sh_quote(dir))
      assert(ok, "test/rig/tgt-stop.sh failed:\n" .. out)
      os.execute("rm -rf " .. sh_quote(dir))
    end
  end)

  local function open(lun, opts)
    return assert(cdperf.open(BASE .. lun, opts or { timeout_ms = 10000 }))
  end

  describe("the rig", function()
    it("runs tgtd on 127.0.0.1 only, with its pid and log in the rig directory", function()
      local f = assert(io.open(dir .. "/tgtd.pid"))
      local pid = f:read("l")
      f:close()
      assert.truthy(pid:match("^%d+$"))
      local ok, out = run("tgtadm -C " .. CONTROL_PORT .. " --lld iscsi --mode portal --op show")
      assert.is_true(ok)
      assert.are.equal("Portal: 127.0.0.1:" .. PORT .. ",1\n", out)
      assert.truthy(io.open(dir .. "/tgtd.log")):close()
    end)

    it("is idempotent: a second start changes nothing", function()
      local f = assert(io.open(dir .. "/tgtd.pid"))
      local before = f:read("a")
      f:close()
      local ok, out = run(env .. "test/rig/tgt-start.sh " .. sh_quote(dir))
      assert.is_true(ok, out)
      f = assert(io.open(dir .. "/tgtd.pid"))
      assert.are.equal(before, f:read("a"))
      f:close()
    end)
  end)

  describe("open", function()
    it("names the device and closes idempotently", function()
      local d = open(1)
      assert.are.equal("cdperf.drive (" .. BASE .. "1)", tostring(d))
      d:close()
      d:close()
      assert.are.equal("cdperf.drive (closed)", tostring(d))
    end)

    it("reports a missing target as an iSCSI error", function()
      local d, msg, info = cdperf.open("iscsi://127.0.0.1:" .. PORT .. "/iqn.2026-11.org.cdperf:nope/1")
      assert.is_nil(d)
      assert.are.equal("iscsi", info.kind)
      assert.truthy(msg:find("Target not found", 1, true), msg)
    end)

    it("reports a LUN that does not exist as an iSCSI error", function()
      local d, msg, info = cdperf.open(BASE .. "7")
      assert.is_nil(d)
      assert.are.equal("iscsi", info.kind)
      assert.truthy(msg:find("LOGICAL_UNIT_NOT_SUPPORTED", 1, true), msg)
    end)

    it("reports a refused connection with its errno", function()
      -- nothing listens on 127.0.0.1:9 (discard) here
      local d, msg, info = cdperf.open("iscsi://127.0.0.1:9/" .. IQN .. "/1", { timeout_ms = 3000 })
      assert.is_nil(d)
      assert.are.equal("iscsi", info.kind)
      assert.truthy(msg:find("Connection refused", 1, true), msg)
      assert.are.equal(111, info.code)   -- ECONNREFUSED on Linux
    end)

    it("reports a malformed URL on one line", function()
      local d, msg, info = cdperf.open("iscsi://127.0.0.1:" .. PORT .. "/")
      assert.is_nil(d)
      assert.are.equal("iscsi", info.kind)
      assert.falsy(msg:find("\n", 1, true))
      assert.truthy(msg:find("iscsi://host[:port]/target-iqn/lun", 1, true), msg)
    end)
  end)

  describe("inquiry", function()
    it("reports tgt's vendor and product for the cd LUNs", function()
      for _, lun in ipairs{ 1, 2 } do
        local d <close> = open(lun)
        local inq = assert(d:inquiry())
        assert.are.equal(5, inq.peripheral_type)
        assert.are.equal("IET", inq.vendor)
        assert.are.equal("VIRTUAL-CDROM", inq.product)
        assert.are.equal("0001", inq.revision)
      end
    end)

    it("reports LUN 0 as tgt's storage controller", function()
      local d <close> = open(0)
      local inq = assert(d:inquiry())
      assert.are.equal(0x0C, inq.peripheral_type)
      assert.are.equal("IET", inq.vendor)
      assert.are.equal("Controller", inq.product)
    end)
  end)

  describe("profile", function()
    it("is DVD-ROM for the non-empty backing file", function()
      local d <close> = open(1)
      assert.are.same({ code = 0x10, name = "DVD-ROM", class = "dvd" }, assert(d:profile()))
    end)

    it("is DVD+R for the empty backing file", function()
      local d <close> = open(2)
      assert.are.same({ code = 0x1B, name = "DVD+R", class = "dvd" }, assert(d:profile()))
    end)
  end)

  describe("get_performance write_speed (Type 03h)", function()
    it("lists tgt's two DVD-ROM write speeds, 2x and 1x", function()
      local d <close> = open(1)
      local res = assert(d:get_performance{ request_type = "write_speed" })
      assert.are.same({ data_length = 36, except = false, write = false }, res.header)
      assert.are.equal(2, #res.descriptors)
      local a, b = res.descriptors[1], res.descriptors[2]
      -- End LBA 0x259999 on both, whatever the size of the backing file
      assert.are.equal(2464153, a.end_lba)
      assert.are.equal(2770, a.read_speed)
      assert.are.equal(2770, a.write_speed)
      assert.are.equal(2464153, b.end_lba)
      assert.are.equal(1385, b.read_speed)
      assert.are.equal(1385, b.write_speed)
      for _, w in ipairs(res.descriptors) do
        assert.are.equal(0, w.write_rotation_control)
        assert.is_false(w.exact)
        assert.is_false(w.mixed_read_write)
      end
      assert.are.equal("00 00 00 24 00 00 00 00 "
        .. "00 00 00 00 00 25 99 99 00 00 0A D2 00 00 0A D2 "
        .. "00 00 00 00 00 25 99 99 00 00 05 69 00 00 05 69", hex(res.raw))
      assert.is_false(res.truncated)
    end)

    it("lists one 2.4x speed for the blank DVD+R, with the MRW bit set", function()
      local d <close> = open(2)
      local res = assert(d:get_performance{ request_type = "write_speed" })
      assert.are.same({ data_length = 20, except = false, write = false }, res.header)
      assert.are.equal(1, #res.descriptors)
      local w = res.descriptors[1]
      -- tgt sends descriptor byte 0 = 01h: MRW set on a DVD+R (a tgt oddity)
      assert.is_true(w.mixed_read_write)
      assert.is_false(w.exact)
      assert.are.equal(0, w.write_rotation_control)
      assert.are.equal(2295103, w.end_lba)   -- 0x23053F
      assert.are.equal(3324, w.read_speed)
      assert.are.equal(3324, w.write_speed)
      assert.are.equal("00 00 00 14 00 00 00 00 01 00 00 00 00 23 05 3F 00 00 0C FC 00 00 0C FC",
        hex(res.raw))
    end)

    it("keeps only the bytes the header counts, not tgt's zero padding", function()
      -- cdperf asks for 64 descriptors (allocation 1032); tgt fills all 1032 bytes
      for _, lun in ipairs{ 1, 2 } do
        local d <close> = open(lun)
        local res = assert(d:get_performance{ request_type = "write_speed" })
        assert.are.equal(res.header.data_length + 4, #res.raw)
      end
    end)

    it("matches drive:write_speeds()", function()
      local d <close> = open(1)
      local res = assert(d:get_performance{ request_type = "write_speed" })
      assert.are.same(res.descriptors, assert(d:write_speeds()))
    end)
  end)

  describe("get_performance performance (Type 00h)", function()
    local END_LBA = { [1] = 8191, [2] = 2295103 }   -- 16 MiB / 2048 - 1; 0x23053F

    for _, lun in ipairs{ 1, 2 } do
      for _, ptype in ipairs{ "read", "write" } do
        it(("LUN %d: one nominal %s descriptor, 4x DVD from LBA 0 to the end"):format(lun, ptype), function()
          local d <close> = open(lun)
          local res = assert(d:get_performance{ performance_type = ptype, exceptions = "nominal" })
          assert.are.same({ data_length = 20, except = false, write = ptype == "write" }, res.header)
          assert.are.same({ { start_lba = 0, start_performance = 5540,
                              end_lba = END_LBA[lun], end_performance = 5540 } }, res.descriptors)
          assert.are.equal(24, #res.raw)
          assert.is_false(res.truncated)
        end)
      end

      for _, exc in ipairs{ "entire", "exceptions_only" } do
        for _, ptype in ipairs{ "read", "write" } do
          it(("LUN %d: %s %s gives an empty exception list"):format(lun, ptype, exc), function()
            local d <close> = open(lun)
            local res = assert(d:get_performance{ performance_type = ptype, exceptions = exc })
            -- tgt sets Except but never Write in these answers, even for write performance
            assert.are.same({ data_length = 4, except = true, write = false }, res.header)
            assert.are.same({}, res.descriptors)
            assert.are.equal("00 00 00 04 01 00 00 00", hex(res.raw))
          end)
        end
      end
    end

    it("agrees with the convenience methods", function()
      local d <close> = open(2)
      assert.are.same({ { start_lba = 0, start_performance = 5540, end_lba = 2295103,
                          end_performance = 5540 } }, assert(d:write_performance()))
      assert.are.same({}, assert(d:exceptions()))
    end)
  end)

  describe("tgt's ignored descriptor count", function()
    it("decodes tgt's answer to a request for one write-speed descriptor as truncated", function()
      -- By hand: CDB AC 00 00 00 00 00 00 00 00 01 03 00, allocation 24 (room for one
      -- descriptor). tgt ignores the count, announces both descriptors and cuts at 24.
      local answer = unhex("00 00 00 24 00 00 00 00 00 00 00 00 00 25 99 99 00 00 0A D2 00 00 0A D2")
      local res = assert(core.decode_performance(answer, { request_type = "write_speed" }))
      assert.are.equal(36, res.header.data_length)
      assert.are.equal(1, #res.descriptors)
      assert.are.equal(2770, res.descriptors[1].write_speed)
      assert.is_true(res.truncated)
    end)

    it("decodes tgt's answer to a request for no descriptor: header only, truncated", function()
      local res = assert(core.decode_performance(unhex("00 00 00 24 00 00 00 00"),
                                                 { request_type = "write_speed" }))
      assert.are.equal(36, res.header.data_length)
      assert.are.same({}, res.descriptors)
      assert.is_true(res.truncated)
    end)
  end)

  describe("capabilities (mode page 2Ah)", function()
    it("reports tgt's fixed CD-speed page for both LUNs", function()
      for _, lun in ipairs{ 1, 2 } do
        local d <close> = open(lun)
        local cap = assert(d:capabilities())
        -- 24x CD everywhere; tgt lists CD speeds (24x 16x 12x 8x 4x) for its DVDs
        assert.are.equal(4234, cap.max_read_speed)
        assert.are.equal(4234, cap.current_read_speed)
        assert.are.equal(4234, cap.max_write_speed)
        assert.are.equal(4234, cap.current_write_speed)
        assert.are.equal(4234, cap.current_write_speed_selected)
        assert.are.equal(2048, cap.buffer_size_kb)
        assert.are.equal(0, cap.rotation_control)
        assert.are.same({ { speed = 4234, rotation_control = 0 }, { speed = 2822, rotation_control = 0 },
                          { speed = 2117, rotation_control = 0 }, { speed = 1411, rotation_control = 0 },
                          { speed = 706, rotation_control = 0 } }, cap.write_speeds)
      end
    end)

    it("makes speeds.list drop the page's CD speeds for DVD media", function()
      local d <close> = open(1)
      local list = assert(cdperf.speeds.list(d))
      assert.are.equal(2, #list)
      assert.are.equal(2770, list[1].write)
      assert.are.equal(2, list[1].nominal)
      assert.are.equal(1385, list[2].write)
      local notes = table.concat(list.notes or {}, "\n")
      assert.truthy(notes:find("CD speeds", 1, true), notes)
    end)
  end)

  describe("set_speed and set_streaming", function()
    local function snapshot(d)
      return { ws = assert(d:get_performance{ request_type = "write_speed" }).raw,
               cap = assert(d:capabilities()) }
    end

    it("SET CD SPEED succeeds and changes nothing", function()
      for _, lun in ipairs{ 1, 2 } do
        local d <close> = open(lun, { write = true, timeout_ms = 10000 })
        local before = snapshot(d)
        assert.is_true(d:set_speed{ read = "max", write = "max" })
        assert.is_true(d:set_speed{ read = 1385, write = 1385, rotation = "cav" })
        assert.are.same(before, snapshot(d))
      end
    end)

    it("SET STREAMING succeeds and changes nothing", function()
      local d <close> = open(2, { write = true, timeout_ms = 10000 })
      local before = snapshot(d)
      assert.is_true(d:set_streaming{ start_lba = 0, end_lba = 2295103, read_size = 5540, read_time = 1000,
                                      write_size = 3324, write_time = 1000 })
      assert.is_true(d:set_streaming{ restore_defaults = true })
      assert.are.same(before, snapshot(d))
    end)
  end)

  describe("errors", function()
    it("decodes tgt's bad-field sense as NOT READY, INVALID FIELD IN CDB", function()
      -- by hand: GET PERFORMANCE with Type 05h (or 01h) on LUN 1
      local s = assert(core.decode_sense(unhex("70 00 02 00 00 00 00 0A 00 00 00 00 24 00 00 00 00 00")))
      assert.are.equal(2, s.sense_key)
      assert.are.equal(0x24, s.asc)
      assert.are.equal(0, s.ascq)
      assert.are.equal("NOT READY", s.sense)
      assert.are.equal("INVALID FIELD IN CDB", s.text)
    end)

    it("gives nil, message, info with tgt's sense for commands LUN 0 lacks", function()
      local d <close> = open(0)
      local sense = "70 00 05 00 00 00 00 0A 00 00 00 00 20 00 00 00 00 00"
      local calls = {
        { "GET PERFORMANCE", function() return d:get_performance{ request_type = "write_speed" } end },
        { "GET CONFIGURATION", function() return d:profile() end },
        { "MODE SENSE", function() return d:capabilities() end },
        { "SET CD SPEED", function() return d:set_speed{ read = "max" } end },
        { "SET STREAMING", function() return d:set_streaming{ end_lba = 100 } end },
      }
      for _, c in ipairs(calls) do
        local res, msg, info = c[2]()
        assert.is_nil(res)
        assert.are.equal(c[1] .. ": ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE", msg)
        assert.are.equal("scsi", info.kind)
        assert.are.equal(c[1], info.command)
        assert.are.equal(2, info.status)
        assert.are.equal(5, info.sense_key)
        assert.are.equal(0x20, info.asc)
        assert.are.equal(0, info.ascq)
        assert.are.equal("ILLEGAL REQUEST", info.sense)
        assert.are.equal(sense, hex(info.sense_bytes))
      end
    end)

    it("answers TEST UNIT READY and REQUEST SENSE with no sense", function()
      local d <close> = open(1)
      assert.is_true(d:test_unit_ready())
      local s = assert(d:request_sense())
      assert.are.equal(0, s.sense_key)
      assert.are.equal(0, s.asc)
    end)

    it("fails cleanly, without hanging, once tgtd is gone", function()
      -- a second rig of our own, so the main one stays up for the other tests
      local p = assert(io.popen("mktemp -d /tmp/cdperf-tgt.XXXXXX"))
      local dir2 = p:read("l")
      p:close()
      local env2 = "TGT_PORT=3267 TGT_CONTROL_PORT=17 "
      local ok, out = run(env2 .. "test/rig/tgt-start.sh " .. sh_quote(dir2))
      assert.is_true(ok, out)
      local d = assert(cdperf.open("iscsi://127.0.0.1:3267/" .. IQN .. "/1", { timeout_ms = 3000 }))
      assert(d:profile())
      ok, out = run("test/rig/tgt-stop.sh " .. sh_quote(dir2))
      os.execute("rm -rf " .. sh_quote(dir2))
      assert.is_true(ok, out)
      local t0 = os.time()
      local res, msg, info = d:profile()
      assert.is_nil(res)
      assert.are.equal("iscsi", info.kind)
      assert.is_string(msg)
      assert.is_true(os.time() - t0 <= 5)
      -- the session is dropped: later commands fail at once and say so
      res, msg = d:inquiry()
      assert.is_nil(res)
      assert.truthy(msg:find("dropped", 1, true), msg)
      d:close()
    end)
  end)
end)
