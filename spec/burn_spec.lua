-- `cdperf burn` and what it is made of: the progress-line parsers (cdperf.progress) on
-- lines built from the tools' own format strings, the hand-off of words into a burner's
-- command line (cdperf.handoff), the report's burner words (--for, JSON), and the whole
-- command against an emulated drive with spec/data/fake-burner.sh as the burner.

local json = require "dkjson"
local progress = require "cdperf.progress"
local handoff = require "cdperf.handoff"
local burners = require "cdperf.burners"

local have_core = pcall(require, "cdperf.core")
local describe_core = have_core and describe or pending

local MIB = 1048576

-- ---------------------------------------------------------------------------
-- The tools' format strings, as their sources have them (%lld -> %d for Lua).

-- growisofs.c progress_print()
local GROW = "%11d/%d (%4.1f%%) @%.1fx, remaining %d:%02d RBU %5.1f%% UBU %5.1f%%"
local GROW_IDLE = "%11d/%d (%4.1f%%) @0x, remaining ??:?? RBU %5.1f%% UBU %5.1f%%"
-- growisofs.c builtin_dd()
local GROW_DD = "builtin_dd: %d*2KB out @ average %.1fx%dKBps"
-- cdrskin.c Cdrskin_burn_pacifier() flag bit0
local CDRSKIN_GROW = "%.f/%.f (%2.1f%%) @%1.1f, remaining %.f:%2.2d"
-- xorriso write_run.c Xorriso_pacifier_loop() + text_io.c Xorriso_msgs_submit() prefix
local XPFX = "xorriso : UPDATE : "
local X_WRITING = "Writing: %10ds  %s%% "
local X_BEYOND = "Writing: %10ds   %s "
local X_FIFO = "  fifo %3d%%  buf %3d%%"
local X_SPEED = "  %5.1fx%s "
local X_CDR_OF, X_CDR = "%4d of %4d MB written", "%4d MB written"
local X_CDR_FIFO, X_CDR_BUF, X_CDR_SPEED = " (fifo %2d%%)", " [buf %3d%%]", "  %4.1fx."
-- wodim.c write_track_data(), pad_track() (cdrecord.c the same)
local W_FIRST = "\rTrack %02d:    0 of %4d MB written."
local W_PARTS = { "\rTrack %02d: %4d", " of %4d MB", " written", " (fifo %3d%%)", " [buf %3d%%]", " %5.1fx", "." }
local W_TOTAL = "Track %02d: Total bytes read/written: %d/%d (%d sectors)."
-- cdrskin.c Cdrskin_burn_pacifier()
local CDRSKIN = "\rTrack %-2.2d: %s MB written %s[buf %3d%%]  %4.1fx."

local function wodim_line(track, mb, total, fifo, buf, x, wait)
  local p = W_PARTS
  return p[1]:format(track, mb) .. p[2]:format(total) .. p[3] .. p[4]:format(fifo) .. p[5]:format(buf)
    .. (wait or "") .. p[6]:format(x) .. p[7]
end

describe("progress.parse: growisofs", function()
  it("reads bytes, total, percent, x, time left and the buffers", function()
    local ev = progress.parse(GROW:format(1234567168, 4700372992, 26.3, 4.0, 10, 5, 99.5, 100.0))
    assert.are.same({ format = "growisofs", kind = "write", bytes = 1234567168, total = 4700372992, percent = 26.3,
      speed = 4.0, remaining = 605, fifo = 99.5, buf = 100.0 }, ev)
  end)

  it("reads the line of nothing new (@0x, ??:??)", function()
    local ev = progress.parse(GROW_IDLE:format(32768, 4700372992, 0.0, 12.0, 0.0))
    assert.are.equal(32768, ev.bytes)
    assert.are.equal(0, ev.speed)
    assert.is_nil(ev.remaining)
  end)

  it("reads builtin_dd's average, the closing steps and a refused speed", function()
    assert.are.same({ format = "growisofs", kind = "summary", bytes = 2295104 * 2048, speed = 3.9, one_x = 1385 },
      progress.parse(GROW_DD:format(2295104, 3.9, 1385)))
    for _, step in ipairs { "flushing cache", "closing track", "closing session", "closing disc",
      "writing lead-out" } do
      local ev = progress.parse(("%s: %s"):format("/dev/sr1", step), "growisofs")
      assert.are.equal("closing", ev.phase)
    end
    -- growisofs_mmc.cpp set_speed_B6h() on tgt: the drive reports 4234, growisofs asked 3324
    assert.are.same({ format = "growisofs", kind = "speed", from = 4234, to = 3324 },
      progress.parse((":-? Failed to change write speed: %d->%d"):format(4234, 3324)))
    assert.is_nil(progress.parse("/dev/sr1: reloading tray"))
    assert.is_nil(progress.parse("Executing 'builtin_dd if=img of=/dev/sr1 obs=32k seek=0'"))
  end)

  it("reads cdrskin's lines in growisofs form, unknown time left as -1:-1", function()
    local ev = progress.parse(CDRSKIN_GROW:format(3145728, 10485760, 30.0, 4.0, 0, 7), "cdrskin")
    assert.are.equal(3145728, ev.bytes)
    assert.are.equal(10485760, ev.total)
    assert.are.equal(4.0, ev.speed)
    assert.are.equal(7, ev.remaining)
    ev = progress.parse(CDRSKIN_GROW:format(0, 10485760, 0.0, 0.0, -1, -1), "cdrskin")
    assert.are.equal(0, ev.bytes)
    assert.is_nil(ev.remaining)
  end)
end)

describe("progress.parse: xorriso", function()
  it("reads the xorriso style: sectors, percent, fifo, buffer and x with its unit", function()
    local line = XPFX .. X_WRITING:format(123456, ("%5.1f"):format(37.5)) .. X_FIFO:format(100, 87)
      .. X_SPEED:format(2.4, "D")
    local ev = progress.parse(line, "xorriso")
    assert.are.equal(123456 * 2048, ev.bytes)
    assert.are.equal(37.5, ev.percent)
    assert.are.equal(100, ev.fifo)
    assert.are.equal(87, ev.buf)
    assert.are.equal(2.4, ev.speed)
    assert.are.equal("x DVD", ev.speed_unit)
    assert.is_true(ev.total_approx)
    assert.are.equal(329216 * 2048, ev.total)
    for u, name in pairs { C = "x CD", B = "x BD" } do
      ev = progress.parse(XPFX .. X_WRITING:format(10, "  1.0") .. X_SPEED:format(8, u))
      assert.are.equal(name, ev.speed_unit)
    end
  end)

  it("reads the line past the expected end (a size, no percent)", function()
    local ev = progress.parse(XPFX .. X_BEYOND:format(400000, "819.2m"), "xorriso")
    assert.are.equal(400000 * 2048, ev.bytes)
    assert.is_nil(ev.percent)
    assert.is_nil(ev.total)
  end)

  it("reads the cdrecord style (-as cdrecord, xorrecord)", function()
    local ev = progress.parse(XPFX .. X_CDR_OF:format(12, 34) .. X_CDR_FIFO:format(94) .. X_CDR_BUF:format(100)
      .. X_CDR_SPEED:format(2.3), "xorriso")
    assert.are.same({ format = "xorriso_cdrecord", kind = "write", bytes = 12 * MIB, total = 34 * MIB, fifo = 94,
      buf = 100, speed = 2.3 }, ev)
    -- as in libisoburn's changelog: "xorriso : UPDATE : 3671 MB written (fifo 94%) [buf 100%]   2.3x."
    ev = progress.parse("xorriso : UPDATE : 3671 MB written (fifo 94%) [buf 100%]   2.3x.")
    assert.are.equal(3671 * MIB, ev.bytes)
    assert.is_nil(ev.total)
    ev = progress.parse(XPFX .. X_CDR:format(5) .. X_CDR_BUF:format(50))
    assert.are.equal(5 * MIB, ev.bytes)
    assert.is_nil(ev.speed)
  end)

  it("reads the mkisofs style, the states and the end; ignores other messages", function()
    assert.are.equal(37.87, progress.parse(XPFX .. (" %2.2f%% done"):format(37.87)
      .. ", estimate finish Tue Jul 15 18:55:07 2008").percent)
    assert.are.equal("closing",
      progress.parse(XPFX .. ("Closing track/session. Working since %.f seconds"):format(12)).phase)
    assert.are.equal("formatting", progress.parse(XPFX .. ("Formatting. Working since %.f seconds"):format(3)).phase)
    assert.are.equal("waiting",
      progress.parse(XPFX .. ("Thank you for being patient. Working since %.f seconds."):format(2)).phase)
    assert.are.equal("done", progress.parse("xorriso : NOTE : Writing to '/dev/sr1' completed successfully.").phase)
    assert.is_nil(progress.parse(XPFX .. "3 files added in 1 seconds", "xorriso"))
    assert.is_nil(progress.parse("xorriso : NOTE : Disc status unsuitable for writing", "xorriso"))
  end)
end)

describe("progress.parse: wodim, cdrecord, cdrskin", function()
  it("reads wodim's lines: the first, each MiB, the RF_WR_WAIT pause, padding and the end", function()
    local ev = progress.parse(W_FIRST:format(1, 700), "wodim")
    assert.are.same({ format = "cdrecord", kind = "write", track = 1, bytes = 0, total = 700 * MIB }, ev)
    ev = progress.parse(wodim_line(1, 123, 700, 100, 97, 47.9), "wodim")
    assert.are.same({ format = "cdrecord", kind = "write", track = 1, bytes = 123 * MIB, total = 700 * MIB,
      fifo = 100, buf = 97, speed = 47.9 }, ev)
    ev = progress.parse(wodim_line(2, 5, 9, 88, 60, 4.0, (" |%3d %4dms|"):format(12, 40)), "cdrecord")
    assert.are.equal(4.0, ev.speed)
    assert.are.equal(2, ev.track)
    ev = progress.parse("\rTrack 01:    3 MB written (fifo 100%) [buf  99%]  16.0x.", "wodim")
    assert.are.equal(3 * MIB, ev.bytes)
    assert.is_nil(ev.total)
    ev = progress.parse(("\rTrack %02d:    0 of %4d MB pad written."):format(1, 2), "wodim")
    assert.are.equal("pad", ev.kind)
    assert.are.same({ format = "cdrecord", kind = "summary", track = 1, bytes = 10485760, sectors = 5120 },
      progress.parse(W_TOTAL:format(1, 10485760, 10485760, 5120)))
    assert.are.equal("closing", progress.parse("Fixating...").phase)
    assert.are.equal(47.1, progress.parse(("Average write speed %5.1fx."):format(47.1)).speed)
    assert.is_nil(progress.parse("Track 01: data  700 MB        ", "wodim"))
  end)

  it("reads cdrskin's line with and without the fifo", function()
    local ev = progress.parse(CDRSKIN:format(1, ("%4d of %4d"):format(20, 100), ("(fifo %3d%%) "):format(100), 87,
      8.0), "cdrskin")
    assert.are.same({ format = "cdrecord", kind = "write", track = 1, bytes = 20 * MIB, total = 100 * MIB,
      fifo = 100, buf = 87, speed = 8.0 }, ev)
    ev = progress.parse(CDRSKIN:format(3, ("%4d"):format(20), "", 50, 1.5), "cdrskin")
    assert.are.equal(3, ev.track)
    assert.is_nil(ev.fifo)
    assert.are.equal(1.5, ev.speed)
  end)

  it("tries only the tool's formats, and checks its arguments", function()
    local grow = GROW:format(1, 2, 50.0, 1.0, 0, 1, 1.0, 1.0)
    assert.is_nil(progress.parse(grow, "wodim"))
    assert.is_nil(progress.parse(wodim_line(1, 1, 2, 1, 1, 1), "growisofs"))
    assert.is_table(progress.parse(grow))
    assert.has_error(function() progress.parse(grow, "k3b") end,
      'bad argument #2 to \'parse\' (tool growisofs|xorriso|cdrskin|wodim|cdrecord expected, got "k3b")')
    assert.has_error(function() progress.parse(nil) end, "bad argument #1 to 'parse' (string expected, got nil)")
  end)
end)

describe("progress.splitter", function()
  it("cuts at \\r and \\n, across chunks, and gives the rest at the end", function()
    local split = progress.splitter()
    assert.are.same({}, split("\rTrack 01:    0 of   10 MB wr"))
    assert.are.same({ "Track 01:    0 of   10 MB written." }, split("itten.\rTr"))
    assert.are.same({ "Track 01:    1 of   10 MB written.", "Fixating..." },
      split("ack 01:    1 of   10 MB written.\r\nFixating...\n"))
    assert.are.same({}, split("no end"))
    assert.are.same({ "no end" }, split(nil))
    assert.are.same({}, split(nil))
  end)
end)

describe("progress.meter", function()
  it("times the writing from the lines, extrapolated back to 0 bytes", function()
    local m = progress.meter()
    m:feed(progress.parse(W_FIRST:format(1, 10)), 100.0)
    for k = 1, 10 do m:feed(progress.parse(wodim_line(1, k, 10, 100, 90, 4)), 100.5 + 0.5 * k) end
    m:feed(progress.parse("Fixating..."), 106)
    local secs, bytes = m:writing_seconds(100)
    assert.is_near(5.0, secs, 1e-9)
    assert.are.equal(10 * MIB, bytes)
    assert.are.equal(100, m.percent)
    assert.are.equal("closing", m.phase)
    -- never before the burner started
    assert.is_near(4.5, (m:writing_seconds(101)), 1e-9)
  end)

  it("adds tracks up and keeps growisofs's complaint and summary", function()
    local m = progress.meter()
    m:feed(progress.parse(wodim_line(1, 2, 2, 1, 1, 1)), 1)
    m:feed(progress.parse(wodim_line(2, 1, 3, 1, 1, 1)), 2)
    assert.are.equal(3 * MIB, m.bytes)
    assert.are.equal(5 * MIB, m.total)
    m = progress.meter()
    m:feed(progress.parse(":-? Failed to change write speed: 4234->3324"), 0)
    m:feed(progress.parse(GROW_DD:format(512, 2.4, 1385)), 1)
    assert.are.equal(3324, m.speed_asked)
    assert.are.equal(4234, m.speed_reported)
    assert.are.equal(512 * 2048, m.summary_bytes)
    assert.is_nil(m:writing_seconds())
  end)
end)

-- ---------------------------------------------------------------------------

describe("handoff.tool_of", function()
  it("names the burner by its program, following what the name resolves to", function()
    assert.are.same({ "growisofs", "native" }, { handoff.tool_of("/usr/bin/growisofs") })
    assert.are.same({ "xorriso", "cdrecord" }, { handoff.tool_of("xorrecord") })
    assert.are.same({ "wodim", "native" }, { handoff.tool_of("/usr/bin/cdrecord", "/usr/bin/wodim") })
    assert.are.same({ "cdrecord", "native" }, { handoff.tool_of("cdrecord") })
    assert.are.same({ "xorriso", "cdrecord" }, { handoff.tool_of("cdrecord", "/usr/bin/xorriso") })
    assert.are.same({ "cdrskin", "native" }, { handoff.tool_of("C:\\burn\\cdrskin.exe") })
    local tool, msg = handoff.tool_of("k3b")
    assert.is_nil(tool)
    assert.matches("k3b is not a burner cdperf knows", msg)
  end)
end)

describe("handoff.insert", function()
  it("growisofs: -speed=N first, every -speed form given taken out", function()
    local argv, removed = handoff.insert("growisofs",
      { "growisofs", "-speed=8", "-Z", "/dev/sr0=img.iso", "--speed", "2", "-speed4" }, { "-speed=2.4" })
    assert.are.same({ "growisofs", "-speed=2.4", "-Z", "/dev/sr0=img.iso" }, argv)
    assert.are.same({ "-speed=8", "--speed 2", "-speed4" }, removed)
  end)

  it("xorriso: -speed V first; speed=V inside -as cdrecord; xorrecord takes speed=V", function()
    local argv, removed = handoff.insert("xorriso",
      { "xorriso", "-outdev", "/dev/sr0", "-speed", "4d", "-map", "d", "/", "-commit" }, { "-speed", "3324k" })
    assert.are.same({ "xorriso", "-speed", "3324k", "-outdev", "/dev/sr0", "-map", "d", "/", "-commit" }, argv)
    assert.are.same({ "-speed 4d" }, removed)
    argv, removed = handoff.insert("xorriso", { "xorriso", "-as", "cdrecord", "-v", "dev=/dev/sr0", "speed=8",
      "img.iso", "--", "-as", "mkisofs", "-speed" }, { "-speed", "3324k" })
    assert.are.same({ "xorriso", "-as", "cdrecord", "speed=3324k", "-v", "dev=/dev/sr0", "img.iso", "--", "-as",
      "mkisofs", "-speed" }, argv)
    assert.are.same({ "speed=8" }, removed)
    argv, removed = handoff.insert("xorriso", { "xorrecord", "-v", "-speed=4", "dev=/dev/sr0", "img.iso" },
      { "-speed", "3324k" }, "cdrecord")
    assert.are.same({ "xorrecord", "speed=3324k", "-v", "dev=/dev/sr0", "img.iso" }, argv)
    assert.are.same({ "-speed=4" }, removed)
  end)

  it("wodim, cdrecord, cdrskin: speed=N first, speed= and -speed= taken out", function()
    for _, tool in ipairs { "wodim", "cdrecord", "cdrskin" } do
      local argv, removed = handoff.insert(tool, { tool, "-v", "speed=16", "dev=/dev/sr0", "-speed=4", "img.iso" },
        { "speed=2" })
      assert.are.same({ tool, "speed=2", "-v", "dev=/dev/sr0", "img.iso" }, argv)
      assert.are.same({ "speed=16", "-speed=4" }, removed)
    end
    -- no word (wodim asked for "max" without a list): the user's words still go
    assert.are.same({ "wodim", "img.iso" }, (handoff.insert("wodim", { "wodim", "speed=4", "img.iso" }, {})))
  end)
end)

describe("handoff.drive_list and handoff.words", function()
  local function snap(extra)
    local s = { format = "cdperf.snapshot", profile = { code = 0x1B, name = "DVD+R", class = "dvd" } }
    for k, v in pairs(extra or {}) do s[k] = v end
    return s
  end

  it("gives the drive's GET PERFORMANCE list in its order, else page 2Ah's", function()
    assert.are.same({ { write = 2770, source = "get_performance" }, { write = 8310, source = "get_performance" } },
      handoff.drive_list(snap { write_speeds = { { write_speed = 2770 }, { write_speed = 0 },
        { write_speed = 8310 } }, capabilities = { write_speeds = { { speed = 5540 } } } }))
    assert.are.same({ { write = 5540, source = "page_2a" } },
      handoff.drive_list(snap { write_speeds = {},
        capabilities = { write_speeds = { { speed = 5540 }, { speed = 0 } } } }))
    assert.are.same({}, handoff.drive_list(snap { write_speeds = {} }))
    assert.is_nil(handoff.drive_list(snap()))
  end)

  it("gives every tool's words and requested speed as burners says for that list", function()
    local s = snap { write_speeds = { { write_speed = 8310 }, { write_speed = 5540 }, { write_speed = 2770 } } }
    local words = handoff.words(s, { write = 5540 })
    for _, tool in ipairs(burners.tools) do
      local argv, info = burners.argument(tool, { write = 5540 }, "dvd",
        { list = handoff.drive_list(s), profile = 0x1B })
      assert.are.same({ argv = argv, requested = info.requested, command = info.command, exact = info.exact,
        note = info.note }, words[tool])
    end
    assert.are.same({ "-speed=4.8" }, words.growisofs.argv)   -- 2770 counts as 2.4x on DVD+R
    local bd = handoff.words({ format = "cdperf.snapshot", profile = { code = 0x41, class = "bd" } }, { write = 26976 })
    assert.matches("wodim does not write BD media", bd.wodim.error)
    assert.is_nil(handoff.words(snap(), { write = 0 }))
    assert.is_nil(handoff.words({ profile = { code = 0 } }, { write = 5540 }))
  end)

  it("says each in one line", function()
    assert.are.equal("growisofs: -speed=4 (sends 4x DVD (5540 kB/s) by SET STREAMING)",
      handoff.text("growisofs", { argv = { "-speed=4" }, requested = 5540, command = "SET STREAMING", exact = true },
        "dvd"))
    assert.are.equal("wodim: speed=2 (not exact: why)",
      handoff.text("wodim", { argv = { "speed=2" }, note = "why" }, "dvd"))
    assert.are.equal("growisofs: none: no CD", handoff.text("growisofs", { error = "no CD" }, "cd"))
  end)
end)

-- ---------------------------------------------------------------------------
-- The real peers: what growisofs, xorriso and wodim sent tgt's blank DVD+R in the QEMU
-- guest (test/kernel/burn.lua under `make check-kernel`, SG_IO logged by
-- test/kernel/sglog.c; spec/data/tgt-burns.txt is its RESULTS/tgt-burns.txt).

local function tgt_steps()
  local f = assert(io.open("spec/data/tgt-burns.txt"))
  local steps, cur = {}, nil
  for l in f:lines() do
    local key, rest = l:match("^(%a+) (.*)$")
    if key == "step" then
      cur = { name = rest, commands = {} }
      steps[#steps + 1] = cur
      steps[rest] = cur
    elseif key == "sglog" then
      local function bytes(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
      local c = { cdb = bytes(l:match(" cdb=(%x*)")), out = bytes(l:match(" out=(%x*)")),
        sense = bytes(l:match(" sense=(%x*)")), status = tonumber(l:match(" status=(%d+)")) }
      c.op = c.cdb:byte(1)
      cur.commands[#cur.commands + 1] = c
    elseif cur and key then
      cur[key] = tonumber(rest) or rest
    end
  end
  f:close()
  return steps
end

-- tgt 1.0.85's blank DVD+R as test/kernel/check.lua knows it: one write speed
-- descriptor, 3324 kB/s up to LBA 2295103; page 2Ah lists CD speeds.
local TGT_DVDR = { format = "cdperf.snapshot", profile = { code = 0x1B, name = "DVD+R", class = "dvd" },
  write_speeds = { { write_speed = 3324, read_speed = 3324, end_lba = 2295103 } },
  capabilities = { write_speeds = { { speed = 4234 }, { speed = 2822 }, { speed = 2117 }, { speed = 1411 },
    { speed = 706 } } } }

local function of(step, op)
  local t = {}
  for _, c in ipairs(step.commands) do if c.op == op then t[#t + 1] = c end end
  return t
end

describe("the burners on tgt's blank DVD+R in the kernel test", function()
  local steps = tgt_steps()
  local words = handoff.words(TGT_DVDR, { write = 3324 })

  it("ran xorriso (SAO), wodim, xorriso -write_type tao and growisofs with cdperf's words", function()
    assert.are.same({ "xorriso-sao", "wodim", "xorriso-tao", "growisofs" },
      { steps[1].name, steps[2].name, steps[3].name, steps[4].name })
    for _, st in ipairs(steps) do
      local argv = " " .. st.argv .. " "
      assert.truthy(argv:find(" " .. table.concat(words[st.tool].argv, " ") .. " ", 1, true), st.argv)
    end
  end)

  it("each SET STREAMING asks for what burners.requested says (Write Size kB per Write Time ms)", function()
    for _, st in ipairs(steps) do
      local sets = of(st, 0xB6)
      assert.are.equal(1, #sets, st.name)
      local d = sets[1].out
      local size, time = string.unpack(">I4I4", d, 21)
      assert.are.equal(words[st.tool].requested, size * 1000 // time, st.name)
      assert.are.equal(0, sets[1].status)
    end
    assert.are.equal(3324, words.growisofs.requested)
    assert.are.equal(3324, words.xorriso.requested)
    assert.are.equal(2770, words.wodim.requested)    -- speed=2: whole x of 1385 only
    -- growisofs sends the drive's descriptor whole (End LBA 2295103, read 3324); libburn
    -- its own End LBA and read speed; wodim End LBA 0 and read 65535
    assert.are.equal(2295103, string.unpack(">I4", of(steps.growisofs, 0xB6)[1].out, 9))
    assert.are.equal(3324, string.unpack(">I4", of(steps.growisofs, 0xB6)[1].out, 13))
    assert.are.equal(0, string.unpack(">I4", of(steps.wodim, 0xB6)[1].out, 9))
  end)

  it("wodim on DVD also sends SET CD SPEED with 8 x N x 177 kB/s", function()
    local cd = of(steps.wodim, 0xBB)
    assert.are.equal(1, #cd)
    assert.are.equal(8 * 2 * 177, string.unpack(">I2", cd[1].cdb, 5))
  end)

  it("tgt has no RESERVE TRACK (5/20/00): xorriso's default SAO and wodim stop before writing", function()
    for _, name in ipairs { "xorriso-sao", "wodim" } do
      local st = steps[name]
      local r = of(st, 0x53)
      assert.are.equal(1, #r, name)
      assert.are.equal(2, r[1].status)                       -- CHECK CONDITION
      assert.are.same({ 5, 0x20, 0 }, { r[1].sense:byte(3) & 0xF, r[1].sense:byte(13), r[1].sense:byte(14) })
      assert.are_not.equal(0, st.exit)
      assert.are.equal(0, st.writes)
    end
  end)

  it("xorriso -write_type tao and growisofs -Z write, close track and session, and exit 0", function()
    for _, name in ipairs { "xorriso-tao", "growisofs" } do
      local st = steps[name]
      assert.are.equal(0, st.exit, name)
      assert.is_true(st.writes > 0)
      local closes = of(st, 0x5B)
      assert.are.equal(2, #closes)
      for _, c in ipairs(closes) do assert.are.equal(0, c.status) end
      assert.are.equal(0, #of(st, 0x53))
    end
  end)
end)

-- ---------------------------------------------------------------------------
-- bin/cdperf as a program.

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local run = require("spec.helpers").cdperf

local function lines(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

describe_core("cdperf report --for and the JSON report's burners", function()
  it("prints the words after the report", function()
    local out, _, status = run("-e nec_nd3540a_dvdprw --no-plot --for growisofs")
    assert.are.equal(0, status)
    local l = lines(out)
    assert.are.equal("  For growisofs: -speed=4 (sends 4x DVD (5540 kB/s) by SET STREAMING)", l[#l])
    l = lines((run("-e ihas124f_cdr --no-plot --for wodim")))
    assert.are.equal("  For wodim: speed=48 (not exact: wodim says only whole multiples of 177 kB/s, so 48x CD "
      .. "(8467 kB/s) cannot be said: speed=48 sends 48 x 177 = 8496 kB/s by SET CD SPEED)", l[#l])
    local _, err, bad = run("-e ihas124f_cdr --for k3b")
    assert.are.equal(2, bad)
    assert.matches("'%-%-for' must be one of 'growisofs', 'xorriso', 'cdrskin', 'wodim', 'cdrecord'", err)
  end)

  it("on the recorded tgt drive gives the words the kernel test ran with", function()
    local d = json.decode((run("-e tgt_dvdpr_blank_scsi_generic --json"))).drives[1]
    local want = handoff.words(TGT_DVDR, { write = 3324 })
    for _, tool in ipairs(burners.tools) do assert.are.same(want[tool], d.burners[tool], tool) end
  end)

  it("--json carries every burner's words for the recommended entry", function()
    local d = json.decode((run("-e lg_wh16ns40_bdr --json"))).drives[1]
    assert.are.same({ "-speed=12" }, d.burners.growisofs.argv)
    assert.are.equal(53952, d.burners.growisofs.requested)
    assert.are.equal("SET STREAMING", d.burners.growisofs.command)
    assert.is_true(d.burners.growisofs.exact)
    assert.are.same({ "-speed", "53952k" }, d.burners.xorriso.argv)
    assert.are.same({ "speed=12" }, d.burners.cdrecord.argv)
    assert.are.equal(12 * 4496, d.burners.cdrecord.requested)   -- 53952: LG's 12x is cdrecord's too
    assert.is_true(d.burners.cdrecord.exact)
    assert.matches("does not write BD", d.burners.wodim.error)
    assert.is_nil(json.decode((run("-e lg_wh16ns40_empty --json"))).drives[1].burners)
  end)
end)

describe_core("cdperf burn", function()
  local cdperf = have_core and require "cdperf"
  local dir, argv_file, log_file
  local FAKE = os.getenv("PWD") .. "/spec/data/fake-burner.sh"
  local MODEL = "nec_nd3540a_dvdprw"        -- DVD+RW: 4x (5540) and 2.4x (3324); the curve says 2.4x

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    for _, t in ipairs { "growisofs", "xorriso", "xorrecord", "cdrskin", "wodim", "cdrecord" } do
      assert(os.execute(("ln -s '%s' '%s/%s'"):format(FAKE, dir, t)))
    end
    argv_file, log_file = dir .. "/argv", dir .. "/log.jsonl"
  end)
  teardown(function() os.execute("rm -rf '" .. dir .. "'") end)
  before_each(function() os.remove(argv_file); os.remove(log_file) end)

  local function burn(opts, tool, tool_args, env)
    local e = ("FAKE_BURNER_ARGV=%s FAKE_BURNER_STEPS=%d FAKE_BURNER_PACE=%s %s"):format(argv_file, 10, "0.05",
      env or "")
    return run(("burn -d emulated:%s --progress lines %s -- %s/%s %s"):format(MODEL, opts, dir, tool, tool_args), e)
  end

  local function burner_argv()
    local s = slurp(argv_file)
    return s and lines(s)
  end

  -- What cdperf should say: the pick, the words and the estimate, worked out here.
  local function expected(tool, bytes)
    local drive = assert(cdperf.open("emulated:" .. MODEL))
    local snap = cdperf.snapshot(drive)
    drive:close()
    local list = cdperf.speeds.list(snap)
    local entry = cdperf.speeds.pick(list, "max")
    local info = handoff.words(snap, entry)[tool]
    return info, cdperf.speeds.estimate(snap, bytes, { write = info.requested })
  end

  it("puts each tool's words in, runs it, passes its exit status through and logs one JSON line", function()
    for _, c in ipairs {
      { "growisofs", "-speed=8 -Z /dev/sr0=img.iso", { "-speed=4", "-Z", "/dev/sr0=img.iso" }, "-speed=8" },
      { "xorriso", "-outdev /dev/sr0 -speed 2d -commit", { "-speed", "5540k", "-outdev", "/dev/sr0", "-commit" },
        "-speed 2d" },
      { "xorrecord", "-v dev=/dev/sr0 speed=2 img.iso", { "speed=5540k", "-v", "dev=/dev/sr0", "img.iso" }, "speed=2" },
      { "cdrskin", "-v dev=/dev/sr0 img.iso", { "speed=3.9993", "-v", "dev=/dev/sr0", "img.iso" } },
      { "wodim", "-v speed=16 dev=/dev/sr0 img.iso", { "speed=4", "-v", "dev=/dev/sr0", "img.iso" }, "speed=16" },
    } do
      local tool, args, want, replaced = c[1], c[2], c[3], c[4]
      os.remove(log_file)
      local out, err, status = burn("--log " .. log_file, tool, args, "FAKE_BURNER_EXIT=3")
      assert.are.equal(3, status, err)
      assert.are.same(want, burner_argv(), tool)
      if replaced then
        assert.truthy(err:find("replaced your speed word " .. replaced .. " with ", 1, true), err)
      else
        assert.is_nil(err:find("replaced", 1, true))
      end
      assert.truthy(err:find("pretending to burn", 1, true))            -- the burner's own lines pass through
      assert.truthy(err:find("burn [########################]  100.0%", 1, true), err)
      assert.truthy(err:find("elapsed 0:0%d, estimate %d+:%d%d"), err)
      local name = tool == "xorrecord" and "xorriso" or tool
      local info, est = expected(name, 10 * MIB)
      assert.truthy(out:find(name .. " exited 3 after ", 1, true), out)
      assert.truthy(out:find(("10485760 bytes at 4x DVD (5540 kB/s): estimate %s; writing took "):format(
        cdperf.format.duration(est)), 1, true), out)
      assert.truthy(out:find(("took 0:0%%d by %s's progress lines %%([+-]%%d+%%.%%d %%%%%%)%%.\n"):format(name)), out)
      local log = lines(slurp(log_file))
      assert.are.equal(1, #log)
      local doc = assert(json.decode(log[1]))
      assert.are.equal("emulated:" .. MODEL, doc.device)
      assert.are.same({ vendor = "_NEC", product = "DVD_RW ND-3540A", revision = "1.04" }, doc.drive)
      assert.are.same({ profile = 0x1A, name = "DVD+RW", class = "dvd" }, doc.medium)
      assert.are.equal(name, doc.tool)
      assert.are.same(info.argv, doc.words)
      assert.are.same({ write = 5540, text = "4x DVD (5540 kB/s)", requested = info.requested, command = info.command,
        exact = info.exact }, doc.speed)
      assert.are.equal(10 * MIB, doc.bytes)
      assert.is_near(est, doc.estimate, 0.001)
      -- 10 lines 0.05 s apart: the writing took about 0.5 s, and never more than the run
      assert.is_true(doc.actual >= 0.4 and doc.actual <= doc.elapsed + 0.02, log[1])
      assert.are.equal(3, doc.exit)
      assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", doc.time)
    end
  end)

  it("appends to the log and passes exit status 0 through", function()
    for _ = 1, 2 do
      local _, err, status = burn("--log " .. log_file, "growisofs", "-Z /dev/sr0=img.iso")
      assert.are.equal(0, status, err)
    end
    local log = lines(slurp(log_file))
    assert.are.equal(2, #log)
    for _, l in ipairs(log) do assert.are.equal(0, json.decode(l).exit) end
  end)

  it("takes the estimate's size from --size or the image before the burner says", function()
    local img = dir .. "/img.iso"
    local f = assert(io.open(img, "wb"))
    f:write(("\0"):rep(2 * MIB))
    f:close()
    local _, est = expected("growisofs", 2 * MIB)
    local _, err = burn("", "growisofs", "-Z /dev/sr0=" .. img, "FAKE_BURNER_STEPS=0")
    assert.truthy(err:find("estimate " .. cdperf.format.duration(est), 1, true), err)
  end)

  it("--dry-run prints the command line and runs nothing", function()
    local out, err, status = burn("-n -p min", "wodim", "-v speed=8 dev=/dev/sr0 img.iso")
    assert.are.equal(0, status, err)
    assert.are.equal(dir .. "/wodim speed=2 -v dev=/dev/sr0 img.iso\n", out)  -- min: 2.4x, wodim says 2x
    assert.truthy(err:find("wodim: speed=2 (not exact: ", 1, true), err)
    assert.is_nil(burner_argv())
  end)

  it("stops before the burn when the tool cannot write the medium or is unknown", function()
    local _, err, status = run(("burn -d emulated:lg_wh16ns40_bdr -- %s/wodim -v img.iso"):format(dir),
      "FAKE_BURNER_ARGV=" .. argv_file)
    assert.are.equal(1, status)
    assert.matches("wodim does not write BD media", err)
    assert.is_nil(burner_argv())
    _, err, status = run("burn -d emulated:" .. MODEL .. " -- /bin/true")
    assert.are.equal(2, status)
    assert.matches("true is not a burner cdperf knows", err)
    _, _, status = run(("burn -d emulated:%s --tool growisofs -n -- /bin/true"):format(MODEL))
    assert.are.equal(0, status)
    _, err, status = run("burn -d emulated:" .. MODEL)
    assert.are.equal(2, status)
    assert.truthy(err:find("see --help", 1, true))
  end)
end)
