-- test/kernel/side_by_side.lua RESULTS_DIR [OUT.md]
--
-- Runs on the host after test/rig/qemu-guest.sh (issue 5 item 4).  The guest
-- left, for every drive, what dvd+rw-mediainfo, wodim -prcap, wodim -atip and
-- xorriso -list_speeds printed (NAME.TOOL.txt) and what cdperf answered on the same
-- drive (NAME.cdperf.lua).  This feeds cdperf's answers to its emitters of the
-- same line formats (cdperf.format.mediainfo*, .prcap, .atip_report, .list_speeds), compares
-- the speed lines, and fails on any difference that is not one of the tools'
-- documented quirks below.  Writes the table to OUT.md (docs/side-by-side.md), keeping
-- the Windows-path section that test/kernel/wine-rig.sh writes there (wine_table.lua).
-- Needs LUA_PATH to reach the project's lua/ (qemu-guest.sh sets it).
local DIR, OUTMD = arg[1], arg[2]
if not DIR then
  io.stderr:write("usage: lua5.4 test/kernel/side_by_side.lua RESULTS_DIR [OUT.md]\n")
  os.exit(2)
end
if OUTMD == "" then OUTMD = nil end
local format = require "cdperf.format"

local function readfile(p)
  local f = io.open(p, "rb"); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end
local function lines_of(s)
  local t = {}
  for l in (s or ""):gmatch("[^\n]*") do t[#t + 1] = l end
  if t[#t] == "" then t[#t] = nil end
  return t
end
local function sh1(cmd)
  local p = io.popen(cmd .. " 2>/dev/null"); local s = p and p:read("l"); if p then p:close() end
  return s
end

---------------------------------------------------------------- what is compared
-- Each tool's speed lines, the media ID and wodim's copy management revision, by kind
-- (the label).  Lines of other kinds are not figures cdperf emits (feature flags, the
-- legacy structures' lines, read speeds of xorriso).
local KINDS = {
  mediainfo = {
    { "^ Media ID:", "Media ID" },
    { "^ Speed Descriptor#%d+:", "Speed Descriptor" },
    { "^ Current Write Speed:", "Current Write Speed" },
    { "^ Write Speed #%d+:", "Write Speed #" },
    { "^ Write Performance:", "Write Performance" },
    { "^                        %S", "Write Performance", after = "Write Performance" },
  },
  prcap = {
    { "^  Maximum read  speed:", "Maximum read speed" },
    { "^  Current read  speed:", "Current read speed" },
    { "^  Maximum write speed:", "Maximum write speed" },
    { "^  Current write speed:", "Current write speed" },
    { "^  Rotational control selected:", "Rotational control" },
    { "^  Buffer size in KB:", "Buffer size" },
    { "^  Copy management revision supported:", "Copy management revision" },
    { "^  Number of supported write speeds:", "Number of write speeds" },
    { "^  Write speed # *%d+:", "Write speed #" },
  },
  atip = {   -- wodim's ATIP block: its heading and the indented lines under it
    { "^ATIP info from disk:", "ATIP" },
    { "^  %S", "ATIP", after = "ATIP" },
  },
  list_speeds = {
    { "^Write speed  :", "Write speed" },
    { "^Write speed L:", "Write speed L" },
    { "^Write speed H:", "Write speed H" },
  },
}
local function select_lines(tool, lines)
  local out, prev = {}, nil
  for _, l in ipairs(lines) do
    local kind
    for _, k in ipairs(KINDS[tool]) do
      if l:match(k[1]) and (not k.after or prev == k.after) then kind = k[2]; break end
    end
    if kind then out[#out + 1] = l end
    prev = kind
  end
  return out
end

---------------------------------------------------------------- cdperf's lines
local function cdperf_lines(tool, a)
  local q = a.sr
  local class = q.profile and q.profile.class
  local out = {}
  local function add(t) for _, l in ipairs(t) do out[#out + 1] = l end end
  if tool == "mediainfo" then
    if class ~= "dvd" and class ~= "bd" then return out end   -- its 1x is DVD's or BD's
    local id = q.media_id and require("cdperf.disc").mediainfo_text(q.media_id)
    if id then out[#out + 1] = " Media ID:              " .. id end
    if q.capabilities and not q.capabilities.error then add(format.mediainfo_capabilities(q.capabilities, class)) end
    if q.write_performance and q.write_performance.descriptors then
      add(format.mediainfo_performance(q.write_performance.descriptors, class))
    end
    if q.write_speed and q.write_speed.descriptors then add(format.mediainfo(q.write_speed.descriptors, class)) end
  elseif tool == "prcap" then
    if q.capabilities and not q.capabilities.error then add(format.prcap(q.capabilities)) end
  elseif tool == "atip" then
    -- what a snapshot holds: a CD-R/RW's ATIP, or why it has none; nothing on other media
    local code = q.profile and q.profile.code
    local snap = { profile = q.profile, errors = {} }
    if code == 0x09 or code == 0x0A then
      if q.atip and not q.atip.error then snap.atip = q.atip else snap.errors.atip = q.atip and q.atip.error end
    end
    add((format.atip_report(snap)))
  elseif tool == "list_speeds" then
    if q.list and not q.list.error and class then add(format.list_speeds(q.list, class)) end
  end
  return select_lines(tool, out)
end

---------------------------------------------------------------- known quirks
-- A quirk says what the tool prints instead, as a function of cdperf's own
-- answers; a difference is accepted only when the tool's lines are exactly
-- that.  (ctx: tool = its full output, a = cdperf's answers, ours = cdperf's
-- emitted lines.)
local QUIRKS = {
  {
    tool = "list_speeds", id = "libburn-merges-page-2a",
    reason = "libburn (xorriso) builds its write speed list from GET PERFORMANCE type 03h *and* "
      .. "the write speed descriptors of mode page 2Ah, whatever the medium; tgt's page 2Ah "
      .. "lists CD speeds (4234 ... 706 kB/s), so xorriso shows them as DVD speeds (3.1xD ... "
      .. "0.5xD) and its L/H span them. cdperf drops page-2Ah CD speeds while a DVD is loaded "
      .. "(DESIGN 6). Expected tool lines: cdperf's list merged with page 2Ah's speeds.",
    applies = function(ctx)
      local c = ctx.a.sr.capabilities
      return ctx.class ~= "cd" and c and c.write_speeds and #c.write_speeds > 0
    end,
    expect = function(ctx)
      local seen, speeds = {}, {}
      for _, e in ipairs(ctx.a.sr.list) do
        if not seen[e.write] then seen[e.write] = true; speeds[#speeds + 1] = e.write end
      end
      for _, w in ipairs(ctx.a.sr.capabilities.write_speeds) do
        if not seen[w.speed] then seen[w.speed] = true; speeds[#speeds + 1] = w.speed end
      end
      table.sort(speeds, function(x, y) return x > y end)
      return select_lines("list_speeds", format.list_speeds(speeds, ctx.class))
    end,
  },
  {
    tool = "mediainfo", id = "mediainfo-current-performance",
    reason = "dvd+rw-mediainfo asks for the current write performance with GET PERFORMANCE "
      .. "byte 1 = 04h, i.e. Tolerance 00b, and skips its 'Write Performance:' line without a "
      .. "word when that fails; tgt rejects a Tolerance other than 10b with NOT READY, INVALID "
      .. "FIELD IN CDB (the verbose run, `dvd+rw-mediainfo DEV -v`, prints 'GET CURRENT "
      .. "PERFORMACE failed with SK=2h/INVALID FIELD IN CDB'). cdperf asks with Tolerance 10b "
      .. "as Windows does (DESIGN 4), gets tgt's nominal write curve and "
      .. "format.mediainfo_performance prints it; everything else is the same.",
    applies = function(ctx)
      return (ctx.diag.mediainfo_verbose or ""):find("GET CURRENT PERFORMACE failed", 1, true) ~= nil
    end,
    expect = function(ctx)
      local t = {}
      for _, l in ipairs(ctx.ours) do
        if not l:match("^ Write Performance:") and not l:match("^                        %S") then t[#t + 1] = l end
      end
      return t
    end,
  },
  {
    tool = "prcap", id = "wodim-not-mmc",
    reason = "wodim probes mode pages with MODE SENSE(10) page 3Fh (all pages), which QEMU's "
      .. "ide-cd rejects (ILLEGAL REQUEST, INVALID FIELD IN CDB), then MODE SENSE(6) page 2Ah, "
      .. "which it does not implement (INVALID COMMAND OPERATION CODE) - see `wodim -V -prcap`. "
      .. "So wodim takes the drive for a 'Generic CD-ROM' and prints no page 2Ah at all; cdperf "
      .. "asks MODE SENSE(10) for page 2Ah alone, which the drive answers.",
    applies = function(ctx)
      local v = ctx.diag.prcap_verbose or ""
      return ctx.tool:find("Device seems to be: Generic CD-ROM.", 1, true)
        and not ctx.tool:find("Drive capabilities", 1, true)
        and v:find("CDB:  5A 00 3F", 1, true) and v:find("invalid field in cdb", 1, true)
    end,
    expect = function() return {} end,
  },
  {
    tool = "atip", id = "wodim-recorders-only",
    reason = "wodim -atip works on recorders only: QEMU's drives say they write nothing (page 2Ah, "
      .. "GET CONFIGURATION), so wodim stops with 'Sorry, no CD/DVD-Recorder or unsupported "
      .. "CD/DVD-Recorder found on this target.' before asking for the ATIP. Their disc is a "
      .. "CD-ROM, which has no ATIP to read: cdperf's snapshot does not ask for one either.",
    applies = function(ctx) return ctx.tool:find("Sorry, no CD/DVD-Recorder", 1, true) ~= nil end,
    expect = function() return {} end,
  },
  {
    tool = "atip", id = "wodim-atip-cd-only",
    reason = "An ATIP is a CD-R/RW's: with a DVD loaded wodim's DVD driver (mmc_mdvd) prints the "
      .. "drive and no ATIP block, and cdperf reads none (READ TOC format 0100b is for CD media).",
    applies = function(ctx)
      return ctx.class == "dvd" and ctx.tool:find("mmc_mdvd", 1, true) ~= nil
        and not ctx.tool:find("ATIP info", 1, true)
    end,
    expect = function() return {} end,
  },
  {
    tool = "mediainfo", id = "mediainfo-dvd-bd-only",
    reason = "dvd+rw-mediainfo handles DVD and BD media only: with a CD in the drive it prints "
      .. "':-( non-DVD media mounted, exiting...' before asking for any speed (QEMU's drives "
      .. "hold a small ISO, which they report as a CD-ROM). Nothing to compare: with a CD "
      .. "loaded side_by_side.lua emits no mediainfo lines for cdperf either (whose GET "
      .. "PERFORMANCE fails on those drives anyway).",
    applies = function(ctx) return ctx.tool:find("non-DVD media mounted", 1, true) ~= nil end,
    expect = function() return {} end,
  },
}

---------------------------------------------------------------- run
local manifest = assert(loadfile(DIR .. "/manifest.lua"), "no manifest.lua in " .. DIR)()
local passed, failed, rows = 0, 0, {}
local TOOLNAME = { mediainfo = "dvd+rw-mediainfo", prcap = "wodim -prcap", atip = "wodim -atip",
  list_speeds = "xorriso -list_speeds" }
local NOTHING = { atip = "neither prints an ATIP" }   -- the others: speeds
local used_quirks = {}

local function same(x, y)
  if #x ~= #y then return false end
  for i = 1, #x do if x[i] ~= y[i] then return false end end
  return true
end

for _, t in ipairs(manifest.tools) do
  if t.diag then goto continue end
  local name, tool = t.device, t.tool
  local text = readfile(("%s/%s.%s.txt"):format(DIR, name, tool)) or ""
  local chunk = loadfile(("%s/%s.cdperf.lua"):format(DIR, name))
  local a = chunk and chunk()
  local theirs = select_lines(tool, lines_of(text))
  local row = { tool = tool, device = name, theirs = theirs, rc = t.rc }
  if not a then
    row.ours, row.verdict, row.ok = {}, "no cdperf answers (core not built?)", false
  else
    local okc, ours = pcall(cdperf_lines, tool, a)
    if not okc then
      row.ours, row.verdict, row.ok = {}, "cdperf's emitter raised: " .. tostring(ours), false
    else
      row.ours = ours
      local diag = {}
      for _, d in ipairs(manifest.tools) do
        if d.diag and d.device == name then diag[d.tool] = readfile(("%s/%s.%s.txt"):format(DIR, name, d.tool)) end
      end
      local ctx = { tool = text, a = a, ours = ours, class = a.sr.profile and a.sr.profile.class, diag = diag }
      if same(theirs, ours) then
        local nothing = NOTHING[tool] or "neither prints speeds"
        row.ok, row.verdict = true, (#ours == 0 and "yes (" .. nothing .. ")" or "yes")
        for _, q in ipairs(QUIRKS) do   -- say why when a quirk explains the silence
          if #ours == 0 and q.tool == tool and q.applies(ctx) then
            row.verdict, row.quirk = "yes (" .. nothing .. ": known quirk `" .. q.id .. "`)", q
            used_quirks[q.id] = q
          end
        end
      else
        for _, q in ipairs(QUIRKS) do
          if q.tool == tool and q.applies(ctx) then
            local okq, exp = pcall(q.expect, ctx)
            if okq and same(theirs, exp) then
              row.ok, row.verdict, row.quirk = true, "yes, known quirk `" .. q.id .. "`", q
              used_quirks[q.id] = q
              break
            end
          end
        end
        if not row.ok then row.ok, row.verdict = false, "**NO**" end
      end
    end
  end
  rows[#rows + 1] = row
  if row.ok then passed = passed + 1 else failed = failed + 1 end
  print(("%s %d - %s on %s: %s"):format(row.ok and "ok" or "not ok", #rows, TOOLNAME[tool], name,
        (row.verdict:gsub("[`*]", ""))))
  if not row.ok then
    for _, l in ipairs(theirs) do print("#   tool:   " .. l) end
    for _, l in ipairs(row.ours) do print("#   cdperf: " .. l) end
  end
  ::continue::
end

---------------------------------------------------------------- the table
if OUTMD then
  local function cell(ls)
    if #ls == 0 then return "(none)" end
    local t = {}
    for _, l in ipairs(ls) do
      t[#t + 1] = "`" .. l:gsub("^%s+", ""):gsub("%s+", " "):gsub("|", "\\|") .. "`"
    end
    return table.concat(t, "<br>")
  end
  local dev_by_name = {}
  for _, d in ipairs(manifest.devices) do dev_by_name[d.name] = d end
  local o = {}
  local function w(s) o[#o + 1] = s or "" end
  w("# Side by side: cdperf and the established tools on the same drives")
  w()
  w("Generated by `make check-kernel` (test/rig/qemu-guest.sh, then test/kernel/side_by_side.lua);")
  w("do not edit by hand. In a QEMU TCG guest running the Debian kernel, the tools below and")
  w("cdperf (through the Linux SG_IO transport on /dev/srN; /dev/sgN gives the same answers) asked")
  w("the same drives. cdperf's answers were fed to its emitters of the same line formats")
  w("(`cdperf.format.mediainfo`, `mediainfo_capabilities`, `mediainfo_performance`, `prcap`,")
  w("`atip_report`, `list_speeds`), and the speed lines and wodim's ATIP block compared. A")
  w("difference is accepted only when it is exactly what a documented quirk of the tool")
  w("predicts (listed at the end).")
  w()
  local ver = {
    ("guest kernel %s"):format(manifest.kernel or "?"),
    sh1("qemu-system-x86_64 --version | head -1") or "QEMU ?",
    "tgt " .. (sh1("dpkg-query -W -f='${Version}' tgt") or "?"),
    "dvd+rw-tools " .. (sh1("dpkg-query -W -f='${Version}' dvd+rw-tools") or "?"),
    "wodim " .. (sh1("dpkg-query -W -f='${Version}' wodim") or "?"),
    "xorriso " .. (sh1("dpkg-query -W -f='${Version}' xorriso") or "?"),
  }
  w("Versions: " .. table.concat(ver, "; ") .. ".")
  w()
  w("| drive | attached as | vendor / model |")
  w("|---|---|---|")
  for _, d in ipairs(manifest.devices) do
    w(("| %s | %s (%s) | %s / %s |"):format(d.name, d.via, d.peer == "tgt" and "tgt LUN over iSCSI" or "QEMU's own",
      d.vendor, d.model))
  end
  w()
  w("| tool | device | the tool's figures | cdperf's figures | agree? |")
  w("|---|---|---|---|---|")
  for _, r in ipairs(rows) do
    local d = dev_by_name[r.device] or {}
    w(("| %s | %s (%s) | %s | %s | %s |"):format(TOOLNAME[r.tool], r.device, d.sr or "?",
      cell(r.theirs), cell(r.ours), r.verdict))
  end
  w()
  w(("Result: %d of %d agree%s."):format(passed, #rows, failed > 0 and (", " .. failed .. " DIFFER") or ""))
  w()
  w("## Known quirks of the tools")
  w()
  for _, q in ipairs(QUIRKS) do
    w(("- `%s` (%s)%s: %s"):format(q.id, TOOLNAME[q.tool], used_quirks[q.id] and "" or " (not seen in this run)",
      q.reason))
  end
  w()
  w("Not compared: xorriso's `Read speed` lines (cdperf has no emitter for them), and what")
  w("is neither a speed, the media ID nor the copy management revision (feature flags, the")
  w("legacy structures' lines).")
  -- The burners' rows come from test/kernel/burn.lua's run (docs/burners.md keeps them):
  -- carried over here so that regenerating this file never drops them.
  w()
  w("## Burners: the speed each sends for the speed cdperf chose")
  w()
  local here = (arg and arg[0] or ""):match("^(.*)/test/kernel/[^/]*$") or "."
  local bf = io.open(here .. "/docs/burners.md", "rb")
  local section = bf and bf:read("a"):match("\n## On a real kernel[^\n]*\n(.-)\n## ") or nil
  if bf then bf:close() end
  if not section then
    local bf2 = io.open(here .. "/docs/burners.md", "rb")
    section = bf2 and bf2:read("a"):match("\n## On a real kernel[^\n]*\n(.*)$") or nil
    if bf2 then bf2:close() end
  end
  w(section and (section:gsub("%s+$", "")) or "See [burners.md](burners.md), \"On a real kernel\".")
  -- The Windows path's rows are test/kernel/wine-rig.sh's (make check-wine-kernel, after this
  -- in tools/check.sh), written in place between its markers: kept from the file this one
  -- replaces, so that regenerating it never drops them.
  local wt = dofile(here .. "/test/kernel/wine_table.lua")
  w()
  w(wt.section_of(readfile(OUTMD)) or wt.placeholder())
  local dir = OUTMD:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'") end
  local f = assert(io.open(OUTMD, "wb"))
  f:write(table.concat(o, "\n"), "\n")
  f:close()
  print("# wrote " .. OUTMD)
end

print(("side-by-side: %d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
