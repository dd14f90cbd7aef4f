-- test/kernel/peer_lines.lua: what side_by_side.lua (the QEMU guest's drives) and
-- test/peers/run.lua (the real tools on cdperf's emulated drives) compare between the
-- established tools (dvd+rw-mediainfo, wodim -prcap, wodim -atip, xorriso -list_speeds)
-- and cdperf's emitters of the same line formats: the kinds of line compared, cdperf's
-- lines from its answers (the shape test/kernel/check.lua's query() gives, under `a.sr`),
-- the tools' documented quirks, and the verdict on one tool's output (judge).
-- Needs LUA_PATH to reach the project's lua/.
local format = require "cdperf.format"

local M = {}

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


local function same(x, y)
  if #x ~= #y then return false end
  for i = 1, #x do if x[i] ~= y[i] then return false end end
  return true
end

local function lines_of(s)
  local t = {}
  for l in (s or ""):gmatch("[^\n]*") do t[#t + 1] = l end
  if t[#t] == "" then t[#t] = nil end
  return t
end

local TOOLNAME = { mediainfo = "dvd+rw-mediainfo", prcap = "wodim -prcap", atip = "wodim -atip",
  list_speeds = "xorriso -list_speeds" }
local NOTHING = { atip = "neither prints an ATIP" }   -- the others: speeds

-- The verdict on one tool's output (text) against cdperf's answers a (a.sr: query()'s
-- shape), diag = { [diagnostic tool id] = its output }. Returns the row: theirs, ours (the
-- compared lines), ok, verdict, quirk (the QUIRKS entry that explains it, if one does) and
-- quirks (every entry that applied to it).
local function judge(tool, text, a, diag)
  local theirs = select_lines(tool, lines_of(text))
  local row = { tool = tool, theirs = theirs, quirks = {} }
  if not a then
    row.ours, row.verdict, row.ok = {}, "no cdperf answers (core not built?)", false
    return row
  end
  local okc, ours = pcall(cdperf_lines, tool, a)
  if not okc then
    row.ours, row.verdict, row.ok = {}, "cdperf's emitter raised: " .. tostring(ours), false
    return row
  end
  row.ours = ours
  local ctx = { tool = text, a = a, ours = ours, class = a.sr.profile and a.sr.profile.class, diag = diag or {} }
  if same(theirs, ours) then
    local nothing = NOTHING[tool] or "neither prints speeds"
    row.ok, row.verdict = true, (#ours == 0 and "yes (" .. nothing .. ")" or "yes")
    for _, q in ipairs(QUIRKS) do   -- say why when a quirk explains the silence
      if #ours == 0 and q.tool == tool and q.applies(ctx) then
        row.verdict, row.quirk = "yes (" .. nothing .. ": known quirk `" .. q.id .. "`)", q
        row.quirks[#row.quirks + 1] = q
      end
    end
  else
    for _, q in ipairs(QUIRKS) do
      if q.tool == tool and q.applies(ctx) then
        local okq, exp = pcall(q.expect, ctx)
        if okq and same(theirs, exp) then
          row.ok, row.verdict, row.quirk = true, "yes, known quirk `" .. q.id .. "`", q
          row.quirks[#row.quirks + 1] = q
          break
        end
      end
    end
    if not row.ok then row.ok, row.verdict = false, "**NO**" end
  end
  return row
end

M.KINDS, M.select_lines, M.cdperf_lines, M.QUIRKS = KINDS, select_lines, cdperf_lines, QUIRKS
M.same, M.lines_of, M.judge, M.TOOLNAME, M.NOTHING = same, lines_of, judge, TOOLNAME, NOTHING
return M
