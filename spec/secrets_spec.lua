-- Secrets stay secret (issue 16): a CHAP password given in an iSCSI device name, in
-- libiscsi's LIBISCSI_CHAP_* variables or in a credentials file never shows in a message,
-- an info table, tostring(drive), a CDPERF_TRACE line or the output of bin/cdperf.
--
-- Every test knows the secrets and looks for them everywhere it can. The part against a
-- real target starts a private tgtd (test/rig/tgt-start.sh, 127.0.0.1:3264, control
-- port 9) whose target 1 accepts only CHAP user alice, and answers mutual CHAP as
-- cdperf-target; it is pending (not failed) when tgtd is not installed or cdperf was
-- built without libiscsi.

local SECRET = "Zq7s3cretXy9Lm"    -- alice's password (14 characters: fine for any initiator)
local TSECRET = "Tg4m0tualKp2Wv"   -- the target's password (mutual CHAP)
local WRONG = "Wr0ngpassAa1Qe"     -- a wrong password, which must not show either
local SECRETS = { SECRET, TSECRET, WRONG }

local PORT, CONTROL_PORT = "3264", "9"
local IQN = "iqn.2026-11.org.cdperf:chap"
local HOSTPATH = "127.0.0.1:" .. PORT .. "/" .. IQN .. "/"

local have_core, core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local function sh_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Every string in v (tables walked, keys too), as one list.
local function strings(v, out, seen)
  out, seen = out or {}, seen or {}
  if type(v) == "string" then
    out[#out + 1] = v
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do
      strings(k, out, seen)
      strings(x, out, seen)
    end
  end
  return out
end

-- Fails naming where a secret showed, even five characters of one (a message cut short
-- may end in the start of a password), without repeating it.
local function assert_no_secret(where, ...)
  for i = 1, select("#", ...) do
    for _, s in ipairs(strings((select(i, ...)))) do
      for n, secret in ipairs(SECRETS) do
        for k = 1, #secret - 4 do
          local part = secret:sub(k, k + 4)
          if s:find(part, 1, true) then
            error(("%s: secret #%d shows in %q"):format(where, n, (s:gsub(part, "<SECRET>"))), 2)
          end
        end
      end
    end
  end
end

local function tmpname()
  local name = os.tmpname()
  os.remove(name)
  return name
end

-- Runs a command; returns stdout, stderr, exit status.
local run = require("spec.helpers").run

-- Runs Lua code in a child lua5.4 with the tree's modules and the given environment
-- (a string of NAME=value words); returns stdout, stderr, exit status.
local function run_lua(env, code)
  local file = tmpname()
  local f = assert(io.open(file, "w"))
  f:write('package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path\n',
          'package.cpath = "./build/?.so;" .. package.cpath\n', code)
  f:close()
  local out, err, status = run((env or "") .. " lua5.4 " .. file)
  os.remove(file)
  return out, err, status
end

-- A credentials file with the given lines and mode (e.g. "600").
local function credentials_file(text, mode)
  local name = tmpname()
  local f = assert(io.open(name, "w"))
  f:write(text)
  f:close()
  assert(os.execute("chmod " .. mode .. " " .. sh_quote(name)))
  return name
end

describe_core("secrets", function()
  local display_name = core.display_name

  describe("core.display_name", function()
    local cases = {
      -- initiator password, after '%' or ':'
      { "iscsi://alice%" .. SECRET .. "@127.0.0.1/iqn.2026-11.org.cdperf:rig/1",
        "iscsi://alice%***@127.0.0.1/iqn.2026-11.org.cdperf:rig/1" },
      { "iscsi://alice:" .. SECRET .. "@127.0.0.1:3260/iqn.2026-11.org.cdperf:rig/1",
        "iscsi://alice:***@127.0.0.1:3260/iqn.2026-11.org.cdperf:rig/1" },
      -- target password, alone, with others, repeated (every copy)
      { "iscsi://alice%" .. SECRET .. "@h/iqn/1?target_user=bob&target_password=" .. TSECRET,
        "iscsi://alice%***@h/iqn/1?target_user=bob&target_password=***" },
      { "iscsi://h/iqn/1?target_password=" .. TSECRET .. "&header_digest=none",
        "iscsi://h/iqn/1?target_password=***&header_digest=none" },
      { "iscsi://h/i/1?target_password=" .. TSECRET .. "&&target_password=" .. WRONG .. "&",
        "iscsi://h/i/1?target_password=***&&target_password=***&" },
      -- percent-encoded: libiscsi decodes only the iqn; a password is hidden as written
      { "iscsi://alice%p%40ss%3A" .. SECRET .. "@h/iqn.2026-11.org.cdperf%3Arig/1",
        "iscsi://alice%***@h/iqn.2026-11.org.cdperf%3Arig/1" },
      -- an IQN as the CHAP user: ':' belongs to the user when a '%' follows
      { "iscsi://iqn.1993-08.org.debian:01:abc%" .. SECRET .. "@h/iqn/1",
        "iscsi://iqn.1993-08.org.debian:01:abc%***@h/iqn/1" },
      -- '@' and '/' inside a password: the user info ends at the last '@'
      { "iscsi://alice%pa@ss/" .. SECRET .. "@h/iqn/1", "iscsi://alice%***@h/iqn/1" },
      -- an '@' after the '?' is no user info
      { "iscsi://a%" .. SECRET .. "@h/i/1?x=1@y", "iscsi://a%***@h/i/1?x=1@y" },
      -- no password: unchanged
      { "iscsi://alice@h/iqn/1", "iscsi://alice@h/iqn/1" },
      { "iscsi://h/iqn/1", "iscsi://h/iqn/1" },
      { "iscsi://alice%@h/iqn/1", "iscsi://alice%@h/iqn/1" },
      { "iscsi://h/i/1?target_user=bob&target_password", "iscsi://h/i/1?target_user=bob&target_password" },
      -- the scheme in any case, and iSER
      { "ISCSI://alice%" .. SECRET .. "@h/i/1", "ISCSI://alice%***@h/i/1" },
      { "iser://alice%" .. SECRET .. "@h/i/1", "iser://alice%***@h/i/1" },
      -- odd and malformed
      { "iscsi://", "iscsi://" },
      { "iscsi://@", "iscsi://@" },
      { "iscsi://%" .. SECRET .. "@", "iscsi://%***@" },
      { "iscsi://alice%" .. SECRET .. "@/bad", "iscsi://alice%***@/bad" },
      { "iscsi://alice%" .. SECRET .. "@", "iscsi://alice%***@" },
      { "iscsi://a%" .. SECRET .. "\0x@h/i/1", "iscsi://a%***@h/i/1" },
      { "iscsi://h/i/1?", "iscsi://h/i/1?" },
      { "", "" },
      -- not iSCSI: untouched
      { "/dev/sr0", "/dev/sr0" },
      { "D:", "D:" },
      { "\\\\.\\CdRom0", "\\\\.\\CdRom0" },
      { "emulated:lg_wh16ns40_bdr", "emulated:lg_wh16ns40_bdr" },
      { "alice%secret@host/iqn/1", "alice%secret@host/iqn/1" },
      { "http://user:pass@host/", "http://user:pass@host/" },
      { "iscsi:/alice%pw@h", "iscsi:/alice%pw@h" },
    }
    for i, c in ipairs(cases) do
      it(("case %d: %q"):format(i, (c[2]:gsub("%z", "\\0"))), function()
        local shown = display_name(c[1])
        assert.are.equal(c[2], shown)
        assert_no_secret("display_name", shown)
        assert.are.equal(shown, display_name(shown))   -- showing twice changes nothing
      end)
    end

    it("raises on anything but a string", function()
      for _, v in ipairs{ 42, true, {}, print } do
        local ok, msg = pcall(display_name, v)
        assert.is_false(ok)
        assert.truthy(msg:find("bad argument #1 to '[%w.]*display_name' %(string expected, got " .. type(v) .. "%)"),
          msg)
      end
      local ok, msg = pcall(display_name)
      assert.is_false(ok)
      assert.truthy(msg:find("(string expected, got no value)", 1, true), msg)
      -- called plainly, the error names the function as the brief says
      ok, msg = pcall(function() return core.display_name(nil) end)
      assert.is_false(ok)
      assert.truthy(msg:find("bad argument #1 to 'display_name' (string expected, got nil)", 1, true), msg)
    end)
  end)

  describe("open failures", function()
    local cdperf = require "cdperf"

    local function check_open(device, opts)
      local d, msg, info = cdperf.open(device, opts)
      assert.is_nil(d)
      assert.is_string(msg)
      assert.is_table(info)
      assert_no_secret("open " .. display_name(device), msg, info)
      return msg, info
    end

    it("hides the password of a malformed URL (libiscsi's text quotes the URL)", function()
      local msg, info = check_open("iscsi://alice%" .. SECRET .. "@/bad")
      if core.have_iscsi then
        assert.are.equal("iscsi", info.kind)
        assert.truthy(msg:find("'iscsi://alice%***@/bad'", 1, true), msg)
        assert.falsy(msg:find("\n", 1, true))
      end
    end)

    it("hides the passwords when the portal is unreachable", function()
      local msg, info = check_open("iscsi://alice%" .. SECRET .. "@127.0.0.1:1/" .. IQN
        .. "/1?target_user=cdperf-target&target_password=" .. TSECRET, { timeout_ms = 3000 })
      if core.have_iscsi then
        assert.are.equal("iscsi", info.kind)
        assert.truthy(msg:find("127.0.0.1:1", 1, true), msg)
      end
    end)

    it("hides them in every malformed-URL message", function()
      for _, tail in ipairs{ "127.0.0.1/", "127.0.0.1/" .. IQN, "127.0.0.1/" .. IQN .. "/x",
                             "127.0.0.1/" .. IQN .. "/1?header_digest",
                             "127.0.0.1/" .. IQN .. "/1?header_digest=bogus" } do
        check_open("iscsi://alice%" .. SECRET .. "@" .. tail .. "", { timeout_ms = 2000 })
        check_open("iscsi://" .. tail .. (tail:find("?", 1, true) and "&" or "?")
          .. "target_password=" .. TSECRET, { timeout_ms = 2000 })
      end
    end)

    it("hides the password of a mistyped scheme another transport quotes", function()
      local msg = check_open("ISCSI://alice%" .. SECRET .. "@h/i/1")
      assert.truthy(msg:find("ISCSI://alice%***@h/i/1", 1, true), msg)
    end)

    it("hides even the start of a password cut off at the end of a long message", function()
      -- "cannot open NAME: ..." is cut at 255 bytes inside the password
      for pad = 220, 250 do
        check_open("ISCSI://" .. ("u"):rep(pad) .. "%" .. SECRET .. "@h/i/1")
      end
    end)

    it("hides a secret in the name option: tostring and trace lines", function()
      local name = "iscsi://alice%" .. SECRET .. "@h/iqn/1"
      local d <close> = assert(cdperf.open(function() return ("\0"):rep(96) end, { name = name }))
      assert.are.equal("cdperf.drive (iscsi://alice%***@h/iqn/1)", tostring(d))
      assert_no_secret("tostring", tostring(d))
      local out, err = run_lua("CDPERF_TRACE=1", ([[
        local cdperf = require "cdperf"
        local d = assert(cdperf.open(function() return ("\0"):rep(96) end, { name = %q }))
        print(tostring(d), d:inquiry().vendor)
        d:close()
      ]]):format(name))
      assert.truthy(err:find("cdperf: lua iscsi://alice%***@h/iqn/1 CDB 12", 1, true), err)
      assert_no_secret("trace", out, err)
    end)

    it("raises on a credentials option of the wrong type", function()
      for _, v in ipairs{ 42, true, {} } do
        local ok, msg = pcall(cdperf.open, "iscsi://127.0.0.1:1/" .. IQN .. "/1", { credentials = v })
        assert.is_false(ok)
        assert.truthy(msg:find("bad field 'credentials' (expected a file name, got " .. type(v) .. ")", 1, true),
          msg)
      end
      local ok, msg = pcall(cdperf.open, "/dev/null", { credentials = "a\0b" })
      assert.is_false(ok)
      assert.truthy(msg:find("bad field 'credentials'", 1, true), msg)
    end)
  end)

  describe("credentials files", function()
    local cdperf = require "cdperf"
    local URL = "iscsi://127.0.0.1:1/" .. IQN .. "/1"   -- refused: the file is read first
    if not core.have_iscsi then
      pending("cdperf was built without libiscsi")
      return
    end

    local function try(text, mode, url)
      local file = credentials_file(text, mode)
      local d, msg, info = cdperf.open(url or URL, { credentials = file, timeout_ms = 2000 })
      os.remove(file)
      assert.is_nil(d)
      assert_no_secret("credentials file", msg, info)
      return msg, info, file
    end

    it("refuses a file group or others may read", function()
      for _, mode in ipairs{ "644", "640", "604", "620", "601" } do
        local msg, info, file = try("user = alice\npassword = " .. SECRET .. "\n", mode)
        local go = mode:sub(2)
        local what = go:match("[46]") and "readable" or go:match("2") and "writable" or "executable"
        assert.are.equal(("open: credentials file %s is %s by group or others (mode 0%s); chmod 600 %s")
          :format(file, what, mode, file), msg)
        assert.are.equal("credentials", info.kind)
        assert.are.equal("open", info.command)
      end
    end)

    it("reads a file of mode 600: on to the (refused) connection", function()
      local msg, info = try("# alice on the rig\nuser = alice\n\n  password=" .. SECRET
        .. "  \r\ntarget_user = cdperf-target\ntarget_password = " .. TSECRET .. "\n", "600")
      assert.are.equal("iscsi", info.kind)
      assert.truthy(msg:find("Connection refused", 1, true), msg)
    end)

    it("says what is wrong with a line without quoting it", function()
      local cases = {
        { SECRET .. "\n", "line 1: expected key = value" },
        { "user = alice\n" .. SECRET .. " = x\n", "line 2: unknown key" },
        { "passwd = " .. SECRET .. "\n", "line 1: unknown key" },
        { "user = alice\npassword = " .. SECRET .. "\npassword = " .. WRONG .. "\n",
          "line 3: 'password' is given twice" },
        { "user = alice\npassword = " .. ("x"):rep(256) .. "\n", "line 2: the password is longer than 255 bytes" },
        { "password = " .. SECRET .. "\n", "has a password but no user" },
        { "user = alice\n", "iSCSI user 'alice' has no CHAP password" },
        { "user = alice\npassword = " .. SECRET .. "\ntarget_user = t\n", "target user 't' has no password" },
        { "target_user = t\ntarget_password = " .. TSECRET .. "\n", "needs an initiator user and password too" },
        { "user = a\0b\npassword = " .. SECRET .. "\n", "contains a NUL byte" },
      }
      for _, c in ipairs(cases) do
        local msg, info = try(c[1], "600")
        assert.truthy(msg:find(c[2], 1, true), msg)
        assert.are.equal("credentials", info.kind)
      end
    end)

    it("must name the user the device names", function()
      local msg, info = try("user = bob\npassword = " .. SECRET .. "\n", "600",
        "iscsi://alice@127.0.0.1:1/" .. IQN .. "/1")
      assert.truthy(msg:find("is for user 'bob' but the device names user 'alice'", 1, true), msg)
      assert.are.equal("credentials", info.kind)
    end)

    it("reports a missing file with its errno", function()
      local d, msg, info = cdperf.open(URL, { credentials = "/nonexistent/cdperf-credentials" })
      assert.is_nil(d)
      assert.are.equal("open: cannot open credentials file /nonexistent/cdperf-credentials: "
        .. "No such file or directory", msg)
      assert.are.same({ kind = "credentials", command = "open", errno = 2, code = "ENOENT" }, info)
    end)

    it("says a user without a password is one, without asking the target", function()
      local d, msg, info = cdperf.open("iscsi://alice@127.0.0.1:1/" .. IQN .. "/1")
      assert.is_nil(d)
      assert.are.equal("credentials", info.kind)
      assert.truthy(msg:find("iSCSI user 'alice' has no CHAP password", 1, true), msg)
    end)
  end)

  describe("bin/cdperf", function()
    -- Its device field and messages use core.display_name.
    for _, json in ipairs{ "", " --json" } do
      it("prints no secret for a bad device" .. json, function()
        local unreachable = "iscsi://alice%" .. SECRET .. "@127.0.0.1:1/" .. IQN
          .. "/1?target_user=t&target_password=" .. TSECRET
        for _, dev in ipairs{ "iscsi://alice%" .. SECRET .. "@/bad", unreachable } do
          local out, err, status = run("lua5.4 bin/cdperf -d " .. sh_quote(dev) .. json)
          assert.are_not.equal(0, status)
          assert_no_secret("bin/cdperf" .. json, out, err)
        end
      end)
    end
  end)
end)

-- Against a CHAP-protected tgt target -----------------------------------------------------

local function skip_reason()
  if not os.execute("command -v tgtd >/dev/null 2>&1 || test -x /usr/sbin/tgtd") then
    return "tgtd is not installed (Debian package tgt)"
  end
  if not have_core then
    return "cdperf.core does not load"
  end
  if not core.have_iscsi then
    return "cdperf was built without libiscsi (install libiscsi-dev and rebuild)"
  end
  return nil
end

describe("secrets against a CHAP-protected tgt #tgt", function()
  local reason = skip_reason()
  if reason then
    pending("CHAP specs skipped: " .. reason)
    return
  end

  local cdperf = require "cdperf"
  local dir
  local env = "TGT_PORT=" .. PORT .. " TGT_CONTROL_PORT=" .. CONTROL_PORT .. " TGT_IQN=" .. IQN
    .. " TGT_CHAP_USER=alice TGT_CHAP_PASSWORD=" .. SECRET
    .. " TGT_CHAP_TARGET_USER=cdperf-target TGT_CHAP_TARGET_PASSWORD=" .. TSECRET .. " "
  local MUTUAL = "target_user=cdperf-target&target_password="

  setup(function()
    local p = assert(io.popen("mktemp -d /tmp/cdperf-chap.XXXXXX"))
    dir = p:read("l")
    p:close()
    assert(dir and dir ~= "", "mktemp -d failed")
    local out, err, status = run(env .. "test/rig/tgt-start.sh " .. sh_quote(dir))
    assert(status == 0, "test/rig/tgt-start.sh failed:\n" .. out .. err)
    assert(out:find(IQN, 1, true), "tgt-start.sh did not print the iqn:\n" .. out)
    assert_no_secret("tgt-start.sh", out, err)
  end)

  teardown(function()
    collectgarbage()   -- close any drive a failed test left open, before tgtd goes away
    if dir then
      local out, err, status = run("test/rig/tgt-stop.sh " .. sh_quote(dir))
      assert(status == 0, "test/rig/tgt-stop.sh failed:\n" .. out .. err)
      os.execute("rm -rf " .. sh_quote(dir))
    end
  end)

  -- The drive answers, and nothing it says or is called shows a secret.
  local function check_drive(d)
    local inq = assert(d:inquiry())
    assert.are.equal("IET", inq.vendor)
    assert.are.equal("VIRTUAL-CDROM", inq.product)
    assert.are.same({ code = 0x10, name = "DVD-ROM", class = "dvd" }, assert(d:profile()))
    local ws = assert(d:write_speeds())
    assert.are.same({ 2770, 1385 }, { ws[1].write_speed, ws[2].write_speed })
    local res = assert(d:get_performance{ performance_type = "write", exceptions = "nominal" })
    assert.are.equal(5540, res.descriptors[1].end_performance)
    assert_no_secret("drive", tostring(d), inq, ws, res)
  end

  local CHILD = [[
    local cdperf = require "cdperf"
    local d, msg, info = cdperf.open(%q, { timeout_ms = 10000 })
    if not d then
      print("FAILED", msg, info.kind)
      return
    end
    local ws = assert(d:write_speeds())
    print(tostring(d), d:inquiry().product, d:profile().name, ws[1].write_speed, ws[2].write_speed)
    d:close()
  ]]

  describe("the right password", function()
    it("works in the device name", function()
      local url = "iscsi://alice%" .. SECRET .. "@" .. HOSTPATH .. "1"
      local d <close> = assert(cdperf.open(url, { timeout_ms = 10000 }))
      assert.are.equal("cdperf.drive (iscsi://alice%***@" .. HOSTPATH .. "1)", tostring(d))
      check_drive(d)
    end)

    it("works in the device name with mutual CHAP", function()
      local url = "iscsi://alice%" .. SECRET .. "@" .. HOSTPATH .. "1?" .. MUTUAL .. TSECRET
      local d <close> = assert(cdperf.open(url, { timeout_ms = 10000 }))
      assert.are.equal("cdperf.drive (iscsi://alice%***@" .. HOSTPATH .. "1?" .. MUTUAL .. "***)", tostring(d))
      check_drive(d)
    end)

    it("works from a credentials file of mode 600, mutual CHAP included", function()
      for _, text in ipairs{ "user = alice\npassword = " .. SECRET .. "\n",
                             "# the rig\nuser=alice\npassword=" .. SECRET .. "\ntarget_user = cdperf-target\n"
                               .. "target_password = " .. TSECRET .. "\n" } do
        local file = credentials_file(text, "600")
        local d <close> = assert(cdperf.open("iscsi://" .. HOSTPATH .. "1",
          { credentials = file, timeout_ms = 10000 }))
        os.remove(file)
        assert.are.equal("cdperf.drive (iscsi://" .. HOSTPATH .. "1)", tostring(d))
        check_drive(d)
      end
    end)

    it("works from a credentials file holding only the password of the user in the name", function()
      local file = credentials_file("password = " .. SECRET .. "\n", "600")
      local d <close> = assert(cdperf.open("iscsi://alice@" .. HOSTPATH .. "2",
        { credentials = file, timeout_ms = 10000 }))
      os.remove(file)
      assert.are.same({ code = 0x1B, name = "DVD+R", class = "dvd" }, assert(d:profile()))
    end)

    it("works from LIBISCSI_CHAP_PASSWORD (and LIBISCSI_CHAP_TARGET_PASSWORD), traced", function()
      for _, c in ipairs{
        { "LIBISCSI_CHAP_PASSWORD=" .. SECRET, "iscsi://alice@" .. HOSTPATH .. "1" },
        { "LIBISCSI_CHAP_PASSWORD=" .. SECRET .. " LIBISCSI_CHAP_TARGET_PASSWORD=" .. TSECRET,
          "iscsi://alice@" .. HOSTPATH .. "1?target_user=cdperf-target" },
        { "LIBISCSI_CHAP_USERNAME=alice LIBISCSI_CHAP_PASSWORD=" .. SECRET, "iscsi://" .. HOSTPATH .. "1" },
      } do
        local out, err, status = run_lua("CDPERF_TRACE=1 " .. c[1], CHILD:format(c[2]))
        assert.are.equal(0, status, err)
        assert.are.equal(("cdperf.drive (%s)\tVIRTUAL-CDROM\tDVD-ROM\t2770\t1385\n"):format(c[2]), out)
        assert.truthy(err:find("cdperf: iscsi " .. c[2] .. " CDB 12", 1, true), err)   -- INQUIRY traced
        assert_no_secret("child " .. c[1]:gsub("=%S+", "=..."), out, err)
      end
    end)
  end)

  describe("a wrong password", function()
    local function refused(device, opts)
      local d, msg, info = cdperf.open(device, opts or { timeout_ms = 10000 })
      assert.is_nil(d)
      assert.are.equal("iscsi", info.kind)
      assert_no_secret("refused " .. core.display_name(device), msg, info)
      return msg, info
    end

    it("is refused by the target, naming the user but not the password", function()
      local msg = refused("iscsi://alice%" .. WRONG .. "@" .. HOSTPATH .. "1")
      assert.truthy(msg:find("the target refused CHAP user 'alice'", 1, true), msg)
      assert.truthy(msg:find("Authentication failure", 1, true), msg)
    end)

    it("from a credentials file is refused the same way", function()
      local file = credentials_file("user = alice\npassword = " .. WRONG .. "\n", "600")
      local msg = refused("iscsi://" .. HOSTPATH .. "1", { credentials = file, timeout_ms = 10000 })
      os.remove(file)
      assert.truthy(msg:find("the target refused CHAP user 'alice'", 1, true), msg)
    end)

    it("of the target (mutual CHAP) names the target user", function()
      local msg = refused("iscsi://alice%" .. SECRET .. "@" .. HOSTPATH .. "1?" .. MUTUAL .. WRONG)
      assert.truthy(msg:find("target user 'cdperf-target'", 1, true), msg)
    end)

    it("or none at all: the message says the target wants CHAP", function()
      local msg = refused("iscsi://" .. HOSTPATH .. "1")
      assert.truthy(msg:find("the target wants CHAP", 1, true), msg)
    end)

    it("from the environment is refused in a child process too", function()
      local out, err = run_lua("CDPERF_TRACE=1 LIBISCSI_CHAP_PASSWORD=" .. WRONG,
        CHILD:format("iscsi://alice@" .. HOSTPATH .. "1"))
      assert.truthy(out:find("^FAILED\topen: iSCSI login"), out)
      assert.truthy(out:find("'alice'", 1, true), out)
      assert.truthy(out:find("\tiscsi\n$"), out)
      assert_no_secret("child", out, err)
    end)
  end)

  describe("bin/cdperf", function()
    for _, json in ipairs{ "", " --json" } do
      it("reports the drive without the secrets" .. json, function()
        local url = "iscsi://alice%" .. SECRET .. "@" .. HOSTPATH .. "1?" .. MUTUAL .. TSECRET
        local out, err, status = run("lua5.4 bin/cdperf -d " .. sh_quote(url) .. json)
        assert.are.equal(0, status, err)
        assert.truthy(out:find("VIRTUAL-CDROM", 1, true), out)
        assert_no_secret("bin/cdperf" .. json, out, err)
      end)

      it("reports a wrong password without it" .. json, function()
        local out, err, status = run("lua5.4 bin/cdperf -d "
          .. sh_quote("iscsi://alice%" .. WRONG .. "@" .. HOSTPATH .. "1") .. json)
        assert.are_not.equal(0, status)
        assert.truthy((out .. err):find("alice", 1, true), out .. err)
        assert_no_secret("bin/cdperf" .. json, out, err)
      end)
    end
  end)
end)
