-- bin/cdperf, run as a program: JSON that parses and round-trips, the peer
-- formats, policies, --apply, and one-line failures.  Needs the C core built.

local json = require "dkjson"

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

-- Run bin/cdperf with `args`; returns stdout, stderr, exit status.
local run = require("spec.helpers").cdperf

local function lines(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

describe_core("bin/cdperf", function()
  it("--json output parses and round-trips (every built-in model)", function()
    local models = json.decode((run("--list-models --json")))
    assert.is_true(#models >= 9)
    for _, m in ipairs(models) do
      local out, err, status = run("--emulate " .. m.name .. " --json")
      assert.are.equal("", err)
      assert.are.equal(0, status)
      local doc, pos, jerr = json.decode(out)
      assert(doc, ("%s: JSON does not parse at %s: %s"):format(m.name, tostring(pos), tostring(jerr)))
      assert.are.same(doc, json.decode(json.encode(doc)))
      assert.are.equal("emulated:" .. m.name, doc.drives[1].device)
    end
  end)

  it("--json carries the clean list, the recommendation and the estimates (Capture C, NEC)", function()
    local out = run("--emulate nec_nd3540a_dvdprw --json")
    local d = json.decode(out).drives[1]
    assert.are.equal("DVD_RW ND-3540A", d.inquiry.product)
    assert.are.equal(0x1A, d.profile.code)
    assert.are.equal(2, #d.speeds.speeds)
    assert.are.equal(5540, d.speeds.speeds[1].write)
    assert.are.equal(4, d.speeds.speeds[1].nominal)
    assert.are.equal(2.4, d.speeds.speeds[2].nominal)
    assert.are.equal(5540, d.recommended.entry.write)
    assert.are.equal("the fastest: 4x DVD (5540 kB/s) (from GET PERFORMANCE)", d.recommended.reason)
    -- capacity = End LBA 2295104 + 1 sectors.  The curve says 2.4x: it is the current setting, so
    -- at 2.4x the data takes 2295105 * 2.048 / 3324 s plus OPC, lead-in and lead-out; 4x is
    -- faster than the setting the curve describes, so the disc's physics give its time
    assert.are.equal(2295105 * 2048, d.size.bytes)
    assert.is_near(2295105 * 2.048 / 3324, d.estimates[2].data_seconds, 1e-6)
    assert.is_true(d.estimates[2].seconds > d.estimates[2].data_seconds)
    assert.is_true(d.estimates[1].seconds < d.estimates[2].seconds)
    assert.are.equal("physics", d.estimates[1].source)
    assert.are.equal(1, #d.speeds.notes)
  end)

  it("--format mediainfo prints the capture's lines (Capture E)", function()
    local out, _, status = run("--emulate optiarc_ad7590s_dvdpr_dl --format mediainfo")
    assert.are.equal(0, status)
    assert.are.same({
      "INQUIRY:                [Optiarc ][DVD RW AD-7590S ][1.00]",
      "GET [CURRENT] CONFIGURATION:",
      " Mounted Media:         2Bh, DVD+R Double Layer",
      " Media ID:              MKM/003",
      " Current Write Speed:   6.0x1385=8310KB/s",
      " Write Speed #0:        6.0x1385=8310KB/s",
      " Write Speed #1:        4.0x1385=5540KB/s",
      " Write Speed #2:        2.4x1385=3324KB/s",
      "GET [CURRENT] PERFORMANCE:",
      " Write Performance:     2.4x1385=3324KB/s@[0 -> 393215]",
      "                        4.0x1385=5540KB/s@[393216 -> 1114111]",
      "                        6.0x1385=8310KB/s@[1114112 -> 4173824]",
      " Speed Descriptor#0:    00/4173824 R@6.0x1385=8310KB/s W@6.0x1385=8310KB/s",
      " Speed Descriptor#1:    00/4173824 R@6.0x1385=8310KB/s W@4.0x1385=5540KB/s",
      " Speed Descriptor#2:    00/4173824 R@6.0x1385=8310KB/s W@2.4x1385=3324KB/s",
    }, lines(out))
  end)

  it("--format xorriso and prcap", function()
    assert.are.same({
      "Write speed  :  53952k , 12.0xB",
      "Write speed  :  44960k , 10.0xB",
      "Write speed  :  35968k ,  8.0xB",
      "Write speed  :  26976k ,  6.0xB",
      "Write speed  :  17984k ,  4.0xB",
      "Write speed L:  17984k ,  4.0xB",
      "Write speed H:  53952k , 12.0xB",
    }, lines((run("--emulate lg_wh16ns40_bdr --format xorriso"))))
    local p = lines((run("--emulate lg_gsa4163b_cdr --format prcap")))
    assert.are.equal("  Write speed # 5:   706 kB/s CLV/PCAV (CD   4x, DVD  0x)", p[#p])
    assert.are.equal("  Maximum read  speed:  7056 kB/s (CD  40x, DVD  5x)", p[1])
  end)

  it("the text report names the medium, the speeds and the recommendation", function()
    local out, _, status = run("--emulate samsung_shs182m_dvdram --policy min --no-plot")
    assert.are.equal(0, status)
    local text = out
    assert.truthy(text:find("Medium:  DVD-RAM (profile 12h)", 1, true))
    assert.truthy(text:find("note: removed 1 duplicate write speed descriptor(s): 2x DVD (2770 kB/s)", 1, true))
    assert.truthy(text:find("Recommended (policy min): 2x DVD (2770 kB/s)", 1, true))
    local _, n = text:gsub("\n    2x DVD %(2770 kB/s%)%s+Z%-CLV", "")
    assert.are.equal(1, n)
  end)

  it("plots the write performance curve", function()
    local out = run("--emulate samsung_sh224db_dvdpr")
    assert.truthy(out:find("Write performance curve:", 1, true))
    assert.truthy(out:find(" 12.0x |", 1, true))
    assert.truthy(out:find("LBA (DVD, 1x = 1385 kB/s)", 1, true))
  end)

  it("--size and a policy list", function()
    local out = run("--emulate optiarc_ad7590s_dvdpr_dl --size 1GiB --policy at-most=5,min --json")
    local d = json.decode(out).drives[1]
    assert.are.equal(2 ^ 30, d.size.bytes)
    assert.are.equal(3324, d.recommended.entry.write)
    -- 1 GiB = 524288 sectors: by the drive's zoned curve at 6x, capped at 2.4x: all at 2.4x
    assert.is_near(524288 * 2.048 / 3324, d.estimates[#d.estimates].data_seconds, 1e-6)
  end)

  it("--apply sets the speed and reports that the drive obeyed", function()
    local d = json.decode((run("--emulate samsung_sh224db_dvdpr --policy nearest=8 --apply --json"))).drives[1]
    assert.are.equal("set_streaming", d.applied.method)
    assert.are.equal(11080, d.applied.asked)
    assert.are.equal(11080, d.applied.got)
    assert.is_true(d.applied.obeyed)
  end)

  it("with no medium it reports the drive and says none", function()
    local out, _, status = run("--emulate lg_wh16ns40_empty")
    assert.are.equal(0, status)
    assert.truthy(out:find("Medium:  none", 1, true))
  end)

  it("fails with one line on stderr and a non-zero status", function()
    local _
    local out, err, status = run("--emulate no_such_model")
    assert.are.equal("", out)
    assert.are.equal(1, #lines(err))
    assert.truthy(err:find('^cdperf: unknown model "no_such_model"'))
    assert.are_not.equal(0, status)
    _, err, status = run("--emulate nec_nd3540a_dvdprw --policy fast")
    assert.are.equal(1, #lines(err))
    assert.truthy(err:find('unknown policy "fast"', 1, true))
    assert.are_not.equal(0, status)
    _, err, status = run("--bogus")
    assert.are.equal(1, #lines(err))
    assert.are_not.equal(0, status)
    _, err, status = run("--device /nonexistent/sr9")
    assert.are.equal(1, #lines(err))
    assert.truthy(err:find("^cdperf: /nonexistent/sr9: "))
    assert.are_not.equal(0, status)
  end)

  it("finds its modules when run from another directory", function()
    local p = assert(io.popen("cd / && lua5.4 '" .. os.getenv("PWD") .. "/bin/cdperf' --list-models 2>&1"))
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("nec_nd3540a_dvdprw", 1, true))
  end)
end)

-- Run bin/cdperf in-process-like: a child lua5.4 that reports which modules it loaded.
local function loaded_modules(args)
  local script = "local exit = os.exit; os.exit = function(c) local t = {} "
    .. "for k in pairs(package.loaded) do t[#t + 1] = k end table.sort(t) "
    .. "io.stderr:write('LOADED ', table.concat(t, ' '), '\\n') exit(c) end "
    .. "arg = { [0] = 'bin/cdperf' " .. args .. " } dofile('bin/cdperf')"
  local err = os.tmpname()
  local p = assert(io.popen("lua5.4 -e \"" .. script .. "\" >/dev/null 2>" .. err))
  p:close()
  local f = assert(io.open(err))
  local e = f:read("a")
  f:close()
  os.remove(err)
  local set = {}
  for m in (e:match("LOADED ([^\n]*)") or ""):gmatch("%S+") do set[m] = true end
  return set
end

describe_core("bin/cdperf: read once, say what failed, load what is used", function()
  it("CDPERF_TRACE: no CDB twice in the default report of any built-in model; -f prcap sends one", function()
    local models = json.decode((run("--list-models --json")))
    for _, m in ipairs(models) do
      local _, err = run("--emulate " .. m.name .. " --no-plot", "CDPERF_TRACE=1 ")
      local seen, n = {}, 0
      for cdb in err:gmatch("CDB ([%x ]+)\n") do
        assert(not seen[cdb], m.name .. ": sent twice: " .. cdb)
        seen[cdb], n = true, n + 1
      end
      assert.is_true(n >= 3 and n <= 7, m.name .. ": " .. n .. " commands")
      _, err = run("--emulate " .. m.name .. " -f prcap", "CDPERF_TRACE=1 ")
      local _, count = err:gsub("CDB ", "")
      assert.is_true(count <= 3, m.name .. ": -f prcap sent " .. count)
    end
  end)

  it("JSON: keys sorted, the same text on every run", function()
    local a = run("--emulate lg_wh16ns40_bdr --json")
    local b = run("--emulate lg_wh16ns40_bdr --json")
    assert.are.equal(a, b)
    assert.are.equal(a, require("cdperf.format").json(json.decode(a)) .. "\n")
  end)

  it("a drive that fails to open is in the JSON with its error", function()
    local out, err, status = run("-d /nonexistent/sr9 -e nec_nd3540a_dvdprw --json")
    local doc = json.decode(out)
    assert.are.equal(2, #doc.drives)
    assert.are.equal("/nonexistent/sr9", doc.drives[1].device)
    assert.is_string(doc.drives[1].error)
    assert.are.equal("os", doc.drives[1].error_info.kind)
    assert.are.equal(0x1A, doc.drives[2].profile.code)
    assert.are.equal(1, status)
    assert.truthy(err:find("^cdperf: /nonexistent/sr9: "))
  end)

  it("with no drive, --json is still JSON, and the exit status says so (4)", function()
    if #require("cdperf").drives() > 0 then return pending("this machine has an optical drive") end
    local out, err, status = run("--json")
    local doc = json.decode(out)
    assert.are.same({}, doc.drives)
    assert.are.equal("no optical drive found", doc.error)
    assert.are.equal(4, status)
    assert.truthy(err:find("no optical drive found", 1, true))
    local _
    _, _, status = run("")
    assert.are.equal(4, status)
  end)

  it("--size errors say what is wrong (exit 2)", function()
    local _
    local out, err, status = run("-e nec_nd3540a_dvdprw --size 1e99")
    assert.are.equal("", out)
    assert.are.equal(2, status)
    assert.truthy(err:find('^cdperf: %-%-size: bad size "1e99": 1e%+99 bytes, more than any disc holds'))
    _, err, status = run("-e nec_nd3540a_dvdprw --size 4.7parsecs")
    assert.are.equal(2, status)
    assert.truthy(err:find('unknown unit "parsecs"', 1, true))
  end)

  it("a size beyond the disc says it does not fit", function()
    local d = json.decode((run("-e samsung_sh224db_dvdpr --size 23G --json"))).drives[1]
    assert.is_nil(d.estimates[1].seconds)
    assert.truthy(d.estimates[1].error:find("do not fit", 1, true))
  end)

  it("-p takes the words Lua takes, with fallback", function()
    local d = json.decode((run("-e samsung_sh224db_dvdpr -p 'at-least=20|nearest=8' --json"))).drives[1]
    assert.are.equal(11080, d.recommended.entry.write)
    assert.truthy(d.recommended.reason:find("fallback 2", 1, true))
    local _, err, status = run("-e samsung_sh224db_dvdpr -p 'nearest=nan'")
    assert.are.equal(2, status)
    assert.are.equal("cdperf: bad --policy: policy word 'nearest' expects a number, got \"nan\"\n", err)
    _, err, status = run("-e samsung_sh224db_dvdpr -p 'nearest=0'")
    assert.are.equal(2, status)
    assert.are.equal("cdperf: bad --policy: policy field 'nearest' expects a positive number, got 0\n", err)
  end)

  it("--list-models --json shows each model's source", function()
    for _, m in ipairs(json.decode((run("--list-models --json")))) do
      -- the captures' models name their capture; the recordings of the rig's devices say so
      assert.truthy(m.source and (m.source:find("Capture", 1, true) or m.source:find("^recording ")), m.name)
    end
  end)

  it("-f mediainfo on a CD answers as dvd+rw-mediainfo does", function()
    local out, err, status = run("-e lg_gsa4163b_cdr -f mediainfo")
    assert.are.equal(1, status)
    assert.are.equal("GET [CURRENT] CONFIGURATION:", lines(out)[2])
    assert.are.equal(":-( non-DVD media mounted, exiting...\n", err)
  end)

  it("loads argparse, dkjson and the models only when used", function()
    local m = loaded_modules(", '-e', 'nec_nd3540a_dvdprw'")
    assert.is_true(m["cdperf.models.nec_nd3540a_dvdprw"])
    assert.is_nil(m["cdperf.models.lg_wh16ns40_bdr"])
    assert.is_nil(m.dkjson)
    m = loaded_modules("")
    assert.is_nil(m.argparse)
    assert.is_nil(m.dkjson)
    assert.is_nil(m["cdperf.emulator"])
  end)
end)
