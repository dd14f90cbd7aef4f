-- `cdperf test`: bin/cdperf run as a program on emulated drives (virtual clocks): the text
-- with the measured curve beside the claimed one, JSON, --probe, --read-speed, and an SVG
-- that rsvg-convert renders.  Needs the C core built.

local json = require "dkjson"

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local function run(args) return require("spec.helpers").cdperf("test " .. args) end

local function have(cmd)
  local p = io.popen("command -v " .. cmd .. " 2>/dev/null")
  local s = p:read("a")
  p:close()
  return s ~= ""
end

describe_core("cdperf test", function()
  it("measures, classifies and plots the measured curve beside the claimed one", function()
    local out, err, status = run("-e samsung_sh224db_dvdpr --no-progress")
    assert.are.equal("", err)
    assert.are.equal(0, status)
    assert.truthy(out:find("Measured (16 zones, 0:44 of clock time): CAV, 2.5x DVD (3453 kB/s) at the inner edge, "
      .. "6x DVD (8305 kB/s) at the outer edge", 1, true))
    assert.truthy(out:find("A full read: 13:21, 4.2x DVD (5872 kB/s) on average (from the sampled curve)", 1, true))
    assert.truthy(out:find("LBA; * measured, o claimed (DVD, 1x = 1385 kB/s)", 1, true))
    assert.truthy(out:find(" 6.0x |ooo", 1, true))
  end)

  it("--json carries the points, the rotation and the claimed curve", function()
    local out, _, status = run("-e lg_wh16ns40_bdr --json --zones 8")
    assert.are.equal(0, status)
    local doc = json.decode(out)
    assert.are.equal("emulated:lg_wh16ns40_bdr", doc.device)
    assert.are.equal(8, #doc.measured.points)
    assert.are.equal("cav", doc.measured.rotation)
    assert.are.equal(26976, doc.claimed[1].kBps)
  end)

  it("--probe and --read-speed set read speeds and say what the drive did", function()
    local out, err, status = run("-e samsung_sh224db_dvdpr --no-progress --probe --read-speed min")
    assert.are.equal("", err)
    assert.are.equal(0, status)
    assert.truthy(out:find("Read speed set to 6x DVD (8310 kB/s)", 1, true))
    assert.truthy(out:find("6x DVD (8310 kB/s)         obeyed   measured 5.9x DVD (8194 kB/s)", 1, true))
  end)

  it("says what is wrong with the command line", function()
    local _, err, status = run("--zones 0 -e samsung_sh224db_dvdpr")
    assert.are.equal(2, status)
    assert.are.equal("cdperf: bad --zones \"0\" (1..10000)\n", err)
    _, err, status = run("")
    assert.are.equal(2, status)
    assert.truthy(err:find("give a drive with -d DEVICE", 1, true))
    _, err, status = run("-e nosuch")
    assert.are.equal(2, status)
    assert.truthy(err:find("unknown model", 1, true))
    _, err, status = run("-e lg_wh16ns40_empty --no-progress")
    assert.are.equal(1, status)
    assert.are.equal("cdperf: emulated:lg_wh16ns40_empty: no medium in the drive\n", err)
  end)

  local svg_it = have("rsvg-convert") and it or pending
  svg_it("--svg writes a picture rsvg-convert renders (axes, units, legend)", function()
    local svg, png = os.tmpname(), os.tmpname()
    local _, err, status = run("-e ihas124f_cdr --no-progress --zones 8 --svg " .. svg)
    assert.are.equal("", err)
    assert.are.equal(0, status)
    local f = assert(io.open(svg))
    local text = f:read("a")
    f:close()
    assert.truthy(text:find("LBA (sectors of 2048 bytes)", 1, true))
    assert.truthy(text:find("speed (x CD, kB/s; 1x = 176.4 kB/s)", 1, true))
    assert.truthy(text:find("measured (CAV)", 1, true))
    assert.truthy(text:find("claimed (GET PERFORMANCE read)", 1, true))
    local ok = os.execute("rsvg-convert -o " .. png .. " " .. svg)
    assert.is_true(ok)
    f = assert(io.open(png, "rb"))
    local head = f:read(24)
    f:close()
    assert.are.equal("\137PNG", head:sub(1, 4))
    assert.are.same({ 800, 480 }, { (string.unpack(">I4", head, 17)), (string.unpack(">I4", head, 21)) })
    os.remove(svg)
    os.remove(png)
  end)
end)
