-- cdperf.burners: the argv each burner needs for a speed, and the kB/s it then
-- sends, against the rules read in the tools' sources (growisofs 7.1, libburn
-- and libisoburn 1.5.4, cdrkit 1.1.11, cdrtools 3.01; see burners.lua).

local burners = require "cdperf.burners"

local function e(write, extra)
  local t = { write = write }
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

local function list_of(writes, extra)
  local l = {}
  for i, w in ipairs(writes) do l[i] = e(w, extra) end
  return l
end

-- argv, exact, requested kB/s, command for one case; checks requested() agrees.
local function run(tool, entry, class, opts)
  local argv, info = burners.argument(tool, entry, class, opts)
  assert.is_table(argv, info)
  local kBps, command = burners.requested(tool, entry, class, opts)
  assert.are.equal(info.requested, kBps)
  assert.are.equal(info.command, command)
  assert.is_string(info.note)
  return argv, info.exact, kBps, command, info.note
end

local CD16, CD48, DVD24, DVD4, DVD8, DVD16 = 2822, 8467, 3324, 5540, 11080, 22160
local BD2, BD6, BD12_LG, BD12_PIONEER = 8990, 26970, 53952, 53940

describe("burners.tools", function()
  it("lists the five burners", function()
    assert.are.same({ "growisofs", "xorriso", "cdrskin", "wodim", "cdrecord" }, burners.tools)
  end)
end)

describe("growisofs", function()
  it("says DVD and BD ladder speeds in x and sends the listed speed by SET STREAMING", function()
    for _, c in ipairs { { DVD24, "dvd", "-speed=2.4" }, { DVD4, "dvd", "-speed=4" }, { DVD8, "dvd", "-speed=8" },
      { DVD16, "dvd", "-speed=16" }, { BD2, "bd", "-speed=2" }, { BD6, "bd", "-speed=6" },
      { BD12_LG, "bd", "-speed=12" }, { BD12_PIONEER, "bd", "-speed=12" } } do
      local argv, exact, kBps, command = run("growisofs", e(c[1]), c[2])
      assert.are.same({ c[3] }, argv)
      assert.is_true(exact)
      assert.are.equal(c[1], kBps)
      assert.are.equal("SET STREAMING", command)
    end
  end)

  it("refuses CD media", function()
    local argv, msg = burners.argument("growisofs", e(CD48), "cd")
    assert.is_nil(argv)
    assert.matches("only DVD and BD", msg)
    assert.is_nil((burners.requested("growisofs", e(CD16), "cd")))
    assert.is_nil((burners.argument("growisofs", "max", "cd")))
  end)

  it("counts in units of the drive's slowest speed: 2x is 2.4x on a DVD+R (set_speed_B6h)", function()
    local plus_r = list_of { 8310, 5540, 4155, 3324, 2770 }
    -- DVD+R (1Bh): slowest 2770 > 2 x 1352, so growisofs calls it 2.4x: -speed=4
    -- would mean 4617 kB/s and pick 4155; 4.8 lands on 5540.
    local argv, exact, kBps = run("growisofs", e(DVD4), "dvd", { list = plus_r, profile = 0x1B })
    assert.are.same({ "-speed=4.8" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD4, kBps)
    -- The same list on a DVD-R (11h): 2770 is 2x, -speed=4 is 5540.
    argv, exact, kBps = run("growisofs", e(DVD4), "dvd", { list = plus_r, profile = 0x11 })
    assert.are.same({ "-speed=4" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD4, kBps)
    -- Profile unknown: an N that works under both readings.
    argv, exact, kBps = run("growisofs", e(DVD4), "dvd", { list = plus_r })
    assert.are.same({ "-speed=4.8" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD4, kBps)
  end)

  it("keeps ladder names when the drive's slowest speed is a ladder step", function()
    local plus_r = list_of { DVD16, 16620, DVD8, DVD4, DVD24 }
    for _, w in ipairs { DVD24, DVD4, DVD8, DVD16 } do
      local argv, exact, kBps = run("growisofs", e(w), "dvd", { list = plus_r, profile = 0x1B })
      assert.are.same(burners.argument("growisofs", e(w), "dvd"), argv)
      assert.is_true(exact)
      assert.are.equal(w, kBps)
    end
    local bd_r = list_of { BD12_PIONEER, 35964, BD6, 17984 }   -- slowest 4x: k = 4 (17984 > 3 x 4390)
    local argv, exact, kBps = run("growisofs", e(BD12_PIONEER), "bd", { list = bd_r, profile = 0x41 })
    assert.are.same({ "-speed=12" }, argv)
    assert.is_true(exact)
    assert.are.equal(BD12_PIONEER, kBps)
  end)

  it("can send only a listed speed: an unlisted one is inexact, with the nearest", function()
    local list = list_of { DVD16, DVD8, DVD4 }
    local argv, exact, kBps, _, note = run("growisofs", e(8864), "dvd", { list = list, profile = 0x1A })
    assert.is_false(exact)
    assert.are.equal(DVD8, kBps)
    assert.matches("does not list 8864", note)
    assert.are.equal(1, #argv)
    -- 6x is halfway between the two listed speeds: the first listed wins.
    argv, exact, kBps = run("growisofs", e(8310), "dvd", { list = list_of { DVD8, DVD4 }, profile = 0x11 })
    assert.are.same({ "-speed=6" }, argv)
    assert.is_false(exact)
    assert.are.equal(DVD8, kBps)
  end)

  it("uses SET CD SPEED over mode page 2Ah when that is all the drive gave (set_speed_BBh)", function()
    local page = list_of({ DVD8, DVD4 }, { source = "page_2a" })
    -- Slowest 5540 counts as 1x on a DVD-R: 2 x 5540 = 11080.
    local argv, exact, kBps, command = run("growisofs", e(DVD8, { source = "page_2a" }), "dvd",
      { list = page, profile = 0x11 })
    assert.are.same({ "-speed=2" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD8, kBps)
    assert.are.equal("SET CD SPEED", command)
  end)

  it("sends nothing when the drive lists no write speed", function()
    local kBps, msg = burners.requested("growisofs", e(DVD8), "dvd", { list = {} })
    assert.is_nil(kBps)
    assert.matches("no speed command", msg)
  end)

  it("max and min: 100 and 1 always pick the ends; with the list, the ends' own N", function()
    local argv, info = burners.argument("growisofs", "max", "dvd")
    assert.are.same({ "-speed=100" }, argv)
    assert.is_nil(info.requested)
    assert.are.same({ "-speed=1" }, (burners.argument("growisofs", "min", "bd")))
    local list = list_of { DVD16, DVD8, DVD4, DVD24 }
    local exact, kBps
    argv, exact, kBps = run("growisofs", "max", "dvd", { list = list, profile = 0x1B })
    assert.are.same({ "-speed=16" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD16, kBps)
    argv, exact, kBps = run("growisofs", "min", "dvd", { list = list, profile = 0x1B })
    assert.are.same({ "-speed=2.4" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD24, kBps)
  end)
end)

describe("xorriso", function()
  it("says every speed exactly in kB/s; libburn sends it as given", function()
    for _, c in ipairs { { CD16, "cd", "SET CD SPEED" }, { CD48, "cd", "SET CD SPEED" },
      { DVD24, "dvd", "SET STREAMING" }, { DVD4, "dvd", "SET STREAMING" }, { DVD8, "dvd", "SET STREAMING" },
      { DVD16, "dvd", "SET STREAMING" }, { BD2, "bd", "SET STREAMING" }, { BD6, "bd", "SET STREAMING" },
      { BD12_LG, "bd", "SET STREAMING" }, { BD12_PIONEER, "bd", "SET STREAMING" } } do
      local argv, exact, kBps, command = run("xorriso", e(c[1]), c[2])
      assert.are.same({ "-speed", c[1] .. "k" }, argv)
      assert.is_true(exact)
      assert.are.equal(c[1], kBps)
      assert.are.equal(c[3], command)
    end
  end)

  it("max and min are libburn's: the ends of the drive's list, or its defaults without one", function()
    local list = list_of { DVD16, DVD8, DVD4 }
    local argv, exact, kBps = run("xorriso", "max", "dvd", { list = list })
    assert.are.same({ "-speed", "max" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD16, kBps)
    argv, exact, kBps = run("xorriso", "min", "dvd", { list = list })
    assert.is_true(exact)
    assert.are.same({ "-speed", "min" }, argv)
    assert.are.equal(DVD4, kBps)
    assert.are.equal(0x10000000, (burners.requested("xorriso", "max", "bd", { list = {} })))
    assert.are.same({ 0xFFFF, "SET CD SPEED" }, { burners.requested("xorriso", "max", "cd", { list = {} }) })
    assert.are.same({ 177, "SET STREAMING" }, { burners.requested("xorriso", "min", "dvd", { list = {} }) })
  end)

  it("SET CD SPEED has 16 bits: more than 0xFFFF on CD is inexact", function()
    local _, exact, kBps = run("xorriso", e(70000), "cd")
    assert.is_false(exact)
    assert.are.equal(0xFFFF, kBps)
  end)
end)

describe("cdrskin", function()
  it("finds the decimal speed= that lands exactly (int)(X x f + a)", function()
    for _, c in ipairs { { CD16, "cd", "speed=15.771", "speed=16 would send 2862" },
      { CD48, "cd", "speed=47.773", "speed=48 would send 8507" },
      { DVD24, "dvd", "speed=2.3993", "speed=2.4 would send 3325" },
      { DVD4, "dvd", "speed=3.9993", "speed=4 would send 5541" },
      { DVD8, "dvd", "speed=7.9993" }, { DVD16, "dvd", "speed=15.9993" },
      { BD2, "bd", "speed=1.9995", "speed=2 would send 8992" }, { BD6, "bd", "speed=5.999" },
      { BD12_LG, "bd", "speed=12.001" }, { BD12_PIONEER, "bd", "speed=11.9982", "speed=12 would send 53948" } } do
      local argv, exact, kBps, command, note = run("cdrskin", e(c[1]), c[2])
      assert.are.same({ c[3] }, argv)
      assert.is_true(exact)
      assert.are.equal(c[1], kBps)
      assert.are.equal(c[2] == "cd" and "SET CD SPEED" or "SET STREAMING", command)
      if c[4] then assert.is_truthy(note:find(c[4], 1, true)) end
    end
  end)

  it("cannot go below speed=1: 216 kB/s CD, 1386 DVD", function()
    local argv, exact, kBps = run("cdrskin", e(176), "cd")
    assert.are.same({ "speed=1" }, argv)
    assert.is_false(exact)
    assert.are.equal(216, kBps)
    argv, exact, kBps = run("cdrskin", e(1385), "dvd")
    assert.are.same({ "speed=1" }, argv)
    assert.is_false(exact)
    assert.are.equal(1386, kBps)
    argv, exact, kBps = run("cdrskin", e(4496), "bd")   -- 1 x 4495.625 + 1 = 4496.6
    assert.are.same({ "speed=1" }, argv)
    assert.is_true(exact)
    assert.are.equal(4496, kBps)
  end)

  it("max is speed=-1, min speed=0 (cdrecord's meaning)", function()
    local list = list_of { CD48, CD16 }
    local argv, _, kBps = run("cdrskin", "max", "cd", { list = list })
    assert.are.same({ "speed=-1" }, argv)
    assert.are.equal(CD48, kBps)
    argv, _, kBps = run("cdrskin", "min", "cd", { list = list })
    assert.are.same({ "speed=0" }, argv)
    assert.are.equal(CD16, kBps)
  end)
end)

describe("wodim", function()
  it("CD: whole x of 177 kB/s by SET CD SPEED, never exact", function()
    local argv, exact, kBps, command = run("wodim", e(CD16), "cd")
    assert.are.same({ "speed=16" }, argv)
    assert.is_false(exact)
    assert.are.equal(2832, kBps)
    assert.are.equal("SET CD SPEED", command)
    argv, exact, kBps = run("wodim", e(CD48), "cd")
    assert.are.same({ "speed=48" }, argv)
    assert.is_false(exact)
    assert.are.equal(8496, kBps)
  end)

  it("DVD: whole x of 1385 by SET STREAMING; 2.4x cannot be said", function()
    local argv, exact, kBps, command, note = run("wodim", e(DVD24), "dvd")
    assert.are.same({ "speed=2" }, argv)
    assert.is_false(exact)
    assert.are.equal(2770, kBps)
    assert.are.equal("SET STREAMING", command)
    assert.matches("2.4x DVD %(3324 kB/s%) cannot be said", note)
    for _, c in ipairs { { DVD4, 4 }, { DVD8, 8 }, { DVD16, 16 } } do
      argv, exact, kBps, command, note = run("wodim", e(c[1]), "dvd")
      assert.are.same({ "speed=" .. c[2] }, argv)
      assert.is_true(exact)
      assert.are.equal(c[1], kBps)
      -- speed_select_mdvd() then calls speed_select_mmc() with 8N.
      assert.are.equal("SET STREAMING", command)
      assert.matches("then SET CD SPEED " .. 8 * c[2] * 177, note)
    end
  end)

  it("has no BD driver", function()
    local argv, msg = burners.argument("wodim", e(BD6), "bd")
    assert.is_nil(argv)
    assert.matches("does not write BD", msg)
  end)

  it("max/min: no words; the list's ends when given", function()
    local argv, info = burners.argument("wodim", "max", "dvd")
    assert.are.same({}, argv)
    assert.is_false(info.exact)
    argv, info = burners.argument("wodim", "min", "cd")
    assert.are.same({ "speed=0" }, argv)
    assert.is_false(info.exact)
    local list = list_of { DVD16, DVD8, DVD24 }
    local exact, kBps
    argv, exact, kBps = run("wodim", "max", "dvd", { list = list })
    assert.are.same({ "speed=16" }, argv)
    assert.is_true(exact)
    assert.are.equal(DVD16, kBps)
    argv, exact, kBps = run("wodim", "min", "dvd", { list = list })
    assert.are.same({ "speed=2" }, argv)
    assert.is_false(exact)
    assert.are.equal(2770, kBps)
  end)
end)

describe("cdrecord", function()
  it("CD: like wodim, N x 177", function()
    local argv, exact, kBps = run("cdrecord", e(CD48), "cd")
    assert.are.same({ "speed=48" }, argv)
    assert.is_false(exact)
    assert.are.equal(8496, kBps)
    assert.are.equal(2832, (burners.requested("cdrecord", e(CD16), "cd")))
  end)

  it("DVD: N x 1390 by SET STREAMING, so no ladder speed is exact", function()
    for _, c in ipairs { { DVD24, 2, 2780 }, { DVD4, 4, 5560 }, { DVD8, 8, 11120 }, { DVD16, 16, 22240 } } do
      local argv, exact, kBps, command = run("cdrecord", e(c[1]), "dvd")
      assert.are.same({ "speed=" .. c[2] }, argv)
      assert.is_false(exact)
      assert.are.equal(c[3], kBps)
      assert.are.equal("SET STREAMING", command)
    end
  end)

  it("BD: N x 4496, exact for LG's 12x, not Pioneer's", function()
    for _, c in ipairs { { BD2, 2, 8992, false }, { BD6, 6, 26976, false }, { BD12_LG, 12, 53952, true },
      { BD12_PIONEER, 12, 53952, false } } do
      local argv, exact, kBps = run("cdrecord", e(c[1]), "bd")
      assert.are.same({ "speed=" .. c[2] }, argv)
      assert.are.equal(c[4], exact)
      assert.are.equal(c[3], kBps)
    end
  end)
end)

describe("bad arguments", function()
  it("raise naming the argument", function()
    assert.has_error(function() burners.argument("foo", e(1), "dvd") end,
      'bad argument #1 to \'argument\' (tool growisofs|xorriso|cdrskin|wodim|cdrecord expected, got "foo")')
    assert.has_error(function() burners.requested(nil, e(1), "dvd") end,
      "bad argument #1 to 'requested' (tool growisofs|xorriso|cdrskin|wodim|cdrecord expected, got nil)")
    for _, w in ipairs { 0, -5, 1.5, 1 / 0, 0 / 0 } do
      assert.has_error(function() burners.argument("xorriso", e(w), "dvd") end,
        ("bad argument #2 to 'argument' (entry with a positive integer write speed in kB/s expected, got write = %s)")
          :format(tostring(w)))
    end
    assert.has_error(function() burners.argument("xorriso", {}, "dvd") end,
      "bad argument #2 to 'argument' (entry with a positive integer write speed in kB/s expected, got write = nil)")
    assert.has_error(function() burners.argument("xorriso", { write = "5540" }, "dvd") end, "bad argument #2 to "
      .. [['argument' (entry with a positive integer write speed in kB/s expected, got write = "5540")]])
    assert.has_error(function() burners.argument("xorriso", "fast", "dvd") end,
      'bad argument #2 to \'argument\' (speed-list entry or "max"|"min" expected, got "fast")')
    assert.has_error(function() burners.argument("xorriso", e(5540), "hddvd") end,
      'bad argument #3 to \'argument\' (media class cd|dvd|bd expected, got "hddvd")')
    assert.has_error(function() burners.requested("xorriso", e(5540)) end,
      "bad argument #3 to 'requested' (media class cd|dvd|bd expected, got nil)")
    assert.has_error(function() burners.argument("xorriso", e(5540), "dvd", 3) end,
      "bad argument #4 to 'argument' (options table expected, got number)")
    assert.has_error(function() burners.argument("growisofs", e(5540), "dvd", { list = { e(5540), e(0) } }) end,
      "bad argument #4 to 'argument' (opts.list[2] with a positive integer write speed expected, got table)")
    assert.has_error(function() burners.requested("xorriso", "max", "dvd") end,
      "bad argument #4 to 'requested' (opts.list (the drive's speed list) with \"max\" expected, got nil)")
  end)
end)

-- ---------------------------------------------------------------------------
-- Property: over many generated entries and lists, what requested() says equals
-- what each tool makes of the argv argument() gave (re-read here from the argv
-- words with the tool's rule), exact means exactly entry.write, and an inexact
-- answer is the nearest the tool can say.

local ONE_X = { cd = 176.4, dvd = 1385, bd = 4495.5 }
local LADDER = { cd = { 4, 8, 10, 12, 16, 20, 24, 32, 40, 48, 52 }, dvd = { 1, 2, 2.4, 4, 6, 8, 12, 16, 18, 20, 24 },
  bd = { 1, 2, 4, 6, 8, 10, 12, 14, 16 } }
local WHOLE = { wodim = { cd = 177, dvd = 1385 }, cdrecord = { cd = 177, dvd = 1390, bd = 4496 } }
local CDRSKIN = { cd = { 176.4, 40 }, dvd = { 1385, 1 }, bd = { 4495.625, 1 } }

local function value_of(argv, prefix)
  assert.are.equal(1, #argv)
  local v = argv[1]:match("^" .. prefix .. "(.*)$")
  assert.is_string(v, argv[1])
  return tonumber(v)
end

-- A drive's list: some ladder steps, each rounded its own way (floor, ceil,
-- KiB-ish), fastest first.
local function random_list(class)
  local steps, l = LADDER[class], {}
  local first = math.random(1, #steps - 2)
  for i = #steps, first, -1 do
    if i == first or math.random() < 0.6 then
      local w = steps[i] * ONE_X[class]
      local r = math.random(3)
      w = r == 1 and math.floor(w) or r == 2 and math.ceil(w) or math.floor(w / 1.024)
      if #l == 0 or l[#l].write > w then l[#l + 1] = e(w) end
    end
  end
  return l
end

describe("burners property", function()
  it("requested(argument()) is what the tool sends, exact or flagged and nearest", function()
    math.randomseed(19)
    local counted = 0
    for _ = 1, 400 do
      for _, class in ipairs { "cd", "dvd", "bd" } do
        local list = random_list(class)
        local in_list = list[math.random(#list)].write
        local free = math.random(100, math.floor(ONE_X[class] * (class == "cd" and 56 or 18)))
        local profile = class == "dvd" and (math.random(2) == 1 and 0x1B or 0x11) or class == "bd" and 0x41 or 0x09
        for _, W in ipairs { in_list, free } do
          for _, tool in ipairs(burners.tools) do
            for _, opts in ipairs { { list = list, profile = profile }, nil } do
              local argv, info = burners.argument(tool, e(W), class, opts)
              if argv then
                counted = counted + 1
                local kBps = burners.requested(tool, e(W), class, opts)
                assert.are.equal(info.requested, kBps)
                if info.exact then
                  assert.are.equal(W, kBps, tool .. " " .. table.concat(argv, " "))
                else
                  assert.are_not.equal(W, kBps)
                  assert.is_true(#info.note > 0)
                end
                if tool == "xorriso" then
                  assert.are.equal(argv[1], "-speed")
                  assert.are.equal(math.ceil(tonumber(argv[2]:match("^(%d+)k$"))), kBps)
                  assert.is_true(info.exact)
                elseif tool == "cdrskin" then
                  local x, f = value_of(argv, "speed="), CDRSKIN[class]
                  assert.is_true(x >= 1)
                  assert.are.equal(math.floor(x * f[1] + f[2]), kBps)
                  -- Exact whenever speed=1 does not already send more.
                  assert.are.equal(W >= math.floor(f[1] + f[2]), info.exact)
                elseif tool == "wodim" or tool == "cdrecord" then
                  local n, unit = value_of(argv, "speed="), WHOLE[tool][class]
                  assert.are.equal(math.tointeger(n), n)
                  assert.are.equal(n * unit, kBps)
                  assert.is_true(math.abs(kBps - W) <= unit / 2 or n == 1)
                else
                  local n = value_of(argv, "%-speed=")
                  assert.is_true(n > 0)
                  if opts then
                    -- Sends a listed speed, and the listed one when there is one.
                    local listed = false
                    for _, x in ipairs(list) do listed = listed or x.write == kBps end
                    assert.is_true(listed)
                    local w_listed = false
                    for _, x in ipairs(list) do w_listed = w_listed or x.write == W end
                    assert.are.equal(w_listed, info.exact)
                  else
                    assert.are.equal(W, kBps)
                  end
                end
              end
            end
          end
        end
      end
    end
    assert.is_true(counted > 10000)
  end)
end)
