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
-- libburn's drive speed range (struct burn_drive's min/max write speed) as xorriso's
-- Xorriso_list_speeds reads it after burn_disc_read_atip: from mode page 2Ah (the current
-- write speed, bytes 28-29, widened by the write speed descriptors; without descriptors
-- the maximum write speed, bytes 18-19), widened by the GET PERFORMANCE type 03h write
-- speeds, then replaced by the ATIP's A1 lowest/highest CLV recording speed codes when A1
-- is valid (libburn's table of codes, kB/s; a code <= 0 is none).
local LIBBURN_A1 = { [0] = 0, 353, 706, 1059, 1764, -5, 2824, -7, 4234, 5646, 7056, 8468, -12, -13, -14, -15 }
local function libburn_range(q)
  local c = q.capabilities or {}
  local lo, hi
  if c.write_speeds and #c.write_speeds > 0 then
    local cur = c.current_write_speed_selected or c.current_write_speed or 0
    lo, hi = cur, cur
    for _, w in ipairs(c.write_speeds) do
      if w.speed > hi then hi = w.speed end
      if w.speed < lo then lo = w.speed end
    end
  else
    lo = c.max_write_speed or 0
    hi = lo
  end
  for _, d in ipairs(q.write_speed and q.write_speed.descriptors or {}) do
    local w = d.write_speed or 0
    if w > 0 and w < lo then lo = w end
    if w > hi then hi = w end
  end
  local a = q.atip
  if type(a) == "table" and not a.error and a.a1_valid and a.clv_low and a.clv_high then
    local l, h = LIBBURN_A1[a.clv_low] or 0, LIBBURN_A1[a.clv_high] or 0
    if l > 0 then lo = l; if h <= 0 then hi = l end end
    if h > 0 then hi = h; if l <= 0 then lo = h end end
  end
  return lo, hi
end

-- The speed unit xorriso picks with no medium loaded (Xorriso_choose_speed_factor):
-- guessed from the drive's profile list: BD if it writes a BD profile, else DVD if it
-- writes a DVD profile, else CD.
local function no_medium_class(profiles)
  local bd, dvd = false, false
  for _, p in ipairs(profiles) do
    if p > 0x40 and p <= 0x43 then bd = true elseif p > 0x10 and p < 0x30 then dvd = true end
  end
  return bd and "bd" or dvd and "dvd" or "cd"
end

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
  {
    tool = "atip", id = "wodim-no-dvd-ram",
    -- found by test/peers/run.lua (no rig drive holds a DVD-RAM): side_by_side.lua lists it
    -- only when a guest drive shows it
    emulated_only = true,
    reason = "wodim has no driver for DVD-RAM media: with one loaded it says 'Found unsupported "
      .. "DVD-RAM media.' and 'Sorry, no CD/DVD-Recorder or unsupported CD/DVD-Recorder found on "
      .. "this target.' and reads no ATIP; a DVD-RAM has none, and cdperf reads none either.",
    applies = function(ctx)
      return ctx.class == "dvd" and ctx.tool:find("Found unsupported DVD-RAM media", 1, true) ~= nil
        and not ctx.tool:find("ATIP info", 1, true)
    end,
    expect = function() return {} end,
  },
  {
    tool = "list_speeds", id = "libburn-atip-speed-range",
    -- found by test/peers/run.lua (no rig drive holds a CD-R/RW or is empty): side_by_side.lua
    -- lists it only when a guest drive shows it
    emulated_only = true,
    reason = "With a CD-R/RW loaded, xorriso ends its list with libburn's own speed range instead of "
      .. "the list's: Xorriso_list_speeds calls burn_disc_read_atip (which returns 1 on a CD-R/RW "
      .. "profile whether the drive answers READ ATIP or not) and then takes "
      .. "burn_drive_get_min_write_speed / burn_drive_get_write_speed as the 'Write speed L/H' "
      .. "figures (printing them as 'Write speed l/h' too). libburn's range starts from mode page 2Ah's "
      .. "current write speed (bytes 28-29) widened by its descriptors and by GET PERFORMANCE type 03h, "
      .. "and an ATIP with a valid A1 replaces it by A1's lowest/highest CLV recording speed codes "
      .. "(libburn's table: 2x 353 ... 48x 8468 kB/s). cdperf's L/H are its list's slowest and fastest "
      .. "entries. Expected tool lines: cdperf's speed lines, then L/H of that range.",
    applies = function(ctx)
      local q = ctx.a.sr
      local code = q.profile and q.profile.code
      return (code == 0x09 or code == 0x0A) and q.list and not q.list.error and #q.list > 0
    end,
    expect = function(ctx)
      local low, high
      for _, e in ipairs(ctx.a.sr.list) do
        if not low or e.write < low then low = e.write end
        if not high or e.write > high then high = e.write end
      end
      local lo, hi = libburn_range(ctx.a.sr)
      for i, v in ipairs { lo, hi } do
        if v > 0 then
          if v < low or (i == 1 and v ~= low) then low = v end
          if v > high or (i == 2 and v ~= high) then high = v end
        end
      end
      local t = {}
      for _, l in ipairs(ctx.ours) do
        if not l:match("^Write speed [LH]:") then t[#t + 1] = l end
      end
      local range = format.list_speeds({ low, high }, "cd")
      t[#t + 1], t[#t + 2] = range[#range - 1], range[#range]
      return t
    end,
  },
  {
    tool = "list_speeds", id = "libburn-no-medium-page-2a",
    -- found by test/peers/run.lua (no rig drive holds a CD-R/RW or is empty): side_by_side.lua
    -- lists it only when a guest drive shows it
    emulated_only = true,
    reason = "With no medium xorriso still lists mode page 2Ah's write speed descriptors (libburn "
      .. "keeps them as its speed list, source 1) in the unit it guesses from the drive's profile "
      .. "list (Xorriso_choose_speed_factor with profile 0: BD if the drive writes a BD profile, else "
      .. "DVD if it writes a DVD one, else CD). cdperf's speed list is for the loaded medium: none "
      .. "with the tray empty. Expected tool lines: page 2Ah's write speeds in its order, then L/H.",
    applies = function(ctx)
      local q = ctx.a.sr
      local c = q.capabilities
      return q.profile and q.profile.code == 0 and type(q.supported_profiles) == "table"
        and c and not c.error and c.write_speeds and #c.write_speeds > 0
    end,
    expect = function(ctx)
      local speeds = {}
      for i, w in ipairs(ctx.a.sr.capabilities.write_speeds) do speeds[i] = w.speed end
      return select_lines("list_speeds", format.list_speeds(speeds, no_medium_class(ctx.a.sr.supported_profiles)))
    end,
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

-- One judged row as a TAP-like line ("ok N - TOOL on WHERE: verdict"), and on a failure
-- both sides' lines, so the log says what differed.
local function print_row(n, row, where)
  print(("%s %d - %s on %s: %s"):format(row.ok and "ok" or "not ok", n, TOOLNAME[row.tool], where,
        (row.verdict:gsub("[`*]", ""))))
  if not row.ok then
    for _, l in ipairs(row.theirs) do print("#   tool:   " .. l) end
    for _, l in ipairs(row.ours) do print("#   cdperf: " .. l) end
  end
  io.stdout:flush()
end

-- A markdown table cell of lines: each in backquotes, joined by <br>; "(none)" for none.
local function cell(ls)
  if #ls == 0 then return "(none)" end
  local t = {}
  for _, l in ipairs(ls) do
    t[#t + 1] = "`" .. l:gsub("^%s+", ""):gsub("%s+", " "):gsub("|", "\\|") .. "`"
  end
  return table.concat(t, "<br>")
end

M.print_row, M.cell = print_row, cell
M.KINDS, M.select_lines, M.cdperf_lines, M.QUIRKS = KINDS, select_lines, cdperf_lines, QUIRKS
M.same, M.lines_of, M.judge, M.TOOLNAME, M.NOTHING = same, lines_of, judge, TOOLNAME, NOTHING
return M
