--- cdperf.progress: what a burner says about its progress, as data.
--
-- Pure functions: parse(line [, tool]) reads one line a burner printed; splitter()
-- cuts a byte stream into lines at "\r" or "\n" (wodim and cdrskin redraw their
-- progress line with "\r" and end it only when the track is done); meter() adds the
-- events up with the times they came at and measures how long the data took to write.
-- Nothing here reads a pipe or a clock: cdperf.cli_burn does that.
--
-- Every pattern follows the tool's own format string (file and function named at it);
-- "MB" of the cdrecord family is MiB (bytes >> 20, or / 1024 / 1024).
--
--   progress.parse(line [, tool]) --> event | nil
--     event = { format =, kind = "write"|"pad"|"phase"|"speed"|"summary",
--               bytes =, total =, percent =, speed = (the tool's own x figure),
--               speed_unit = "x DVD"…, remaining = s, fifo = %, buf = %, track =,
--               phase = "closing"|"formatting"|"waiting"|"done", from =, to = }
--     (only the fields the line carries; bytes and total in bytes)
-- @module cdperf.progress

local progress = {}

local MIB = 1048576
local SECTOR = 2048

local function num(s) return s and tonumber(s) or nil end

-- ---------------------------------------------------------------------------
-- growisofs (dvd+rw-tools 7.1).  growisofs.c progress_print(), every 3.3 s on stdout:
--   "%11lld/%lld (%4.1f%%) @%.1fx, remaining %d:%02d RBU %5.1f%% UBU %5.1f%%"
--   "%11lld/%lld (%4.1f%%) @0x, remaining ??:?? RBU %5.1f%% UBU %5.1f%%"  (nothing new)
-- bytes written / bytes to write; x in the medium's 1x (__1x(): 1385 DVD, 4495 BD
-- KiB-based); RBU/UBU ring and unit buffer use.  cdrskin (libburn 1.5.4,
-- cdrskin.c Cdrskin_burn_pacifier() with flag bit0) prints the same shape without
-- "x" and the buffers: "%.f/%.f (%2.1f%%) @%1.1f, remaining %.f:%2.2d".
-- At the end builtin_dd() prints "builtin_dd: %lld*2KB out @ average %.1fx%dKBps";
-- growisofs_mmc.cpp names its steps "%s: flushing cache", "%s: closing track",
-- "%s: closing session|disc", "%s: writing lead-out", "%s: updating RMA", and
-- set_speed_B6h() / set_speed_BBh() complain ":-? Failed to change write speed: %d->%d"
-- (what the drive reports -> what growisofs asked, kB/s).

local GROW_PHASES = {
  ["flushing cache"] = "closing", ["closing track"] = "closing", ["closing session"] = "closing",
  ["closing disc"] = "closing", ["writing lead-out"] = "closing", ["updating RMA"] = "closing",
  ["closing DVD"] = "closing", ["closing BD"] = "closing",
}

local function parse_growisofs(line)
  local done, total, pct, rest = line:match("^%s*(%d+)/(%d+) %(%s*([%d.]+)%%%) @(.*)$")
  if done then
    local ev = { format = "growisofs", kind = "write", bytes = num(done), total = num(total), percent = num(pct) }
    local x, m, s = rest:match("^([%d.]+)x?, remaining (%-?%d+):(%-?%d+)")
    if x then
      ev.speed = num(x)
      if num(m) >= 0 and num(s) >= 0 then ev.remaining = num(m) * 60 + num(s) end
    elseif rest:match("^0x, remaining %?%?:%?%?") then
      ev.speed = 0
    else
      return nil
    end
    ev.fifo = num(rest:match("RBU%s+([%d.]+)%%"))
    ev.buf = num(rest:match("UBU%s+([%d.]+)%%"))
    return ev
  end
  local blocks, avg, unit = line:match("^builtin_dd: (%d+)%*2KB out @ average ([%d.]+)x(%d+)KBps")
  if blocks then
    return { format = "growisofs", kind = "summary", bytes = num(blocks) * SECTOR, speed = num(avg),
      one_x = num(unit) }
  end
  local from, to = line:match("^:%-[?(] Failed to change write speed: (%d+)%->(%d+)")
  if from then return { format = "growisofs", kind = "speed", from = num(from), to = num(to) } end
  local step = line:match("^%S+: (.-)%s*$")
  if step and GROW_PHASES[step] then
    return { format = "growisofs", kind = "phase", phase = GROW_PHASES[step], text = step }
  end
  if step and step:match("^closing ") then
    return { format = "growisofs", kind = "phase", phase = "closing", text = step }
  end
  return nil
end

-- ---------------------------------------------------------------------------
-- xorriso (libisoburn 1.5.4).  write_run.c Xorriso_pacifier_loop() composes the
-- text, text_io.c Xorriso_msgs_submit() prefixes "xorriso : UPDATE : " (stderr):
--   xorriso style:  "Writing: %10ds  %s%% "  (sectors, "%5.1f" of the percent),
--                   or "Writing: %10ds   %s " (sectors, a scaled size) past the
--                   expected end; then "  fifo %3d%%  buf %3d%%" and "  %5.1fx%s "
--                   with unit C, D or B;
--   cdrecord style: "%4d of %4d MB written" or "%4d MB written", " (fifo %2d%%)",
--                   " [buf %3d%%]", "  %4.1fx." (-as cdrecord, xorrecord, -pacifier);
--   mkisofs style:  " %2.2f%% done" and ", estimate finish DATE";
--   other states:   "Closing track/session. Working since %.f seconds",
--                   "Formatting. Working since %.f seconds",
--                   "Thank you for being patient. Working since %.f seconds."
-- and at the end (write_run.c Xorriso_write_session()) "Written to medium : %d sectors
-- at LBA %d" and "Writing to %s completed successfully.".

local XUNIT = { C = "x CD", D = "x DVD", B = "x BD" }

local function cdrecord_tail(ev, rest)
  ev.fifo = num(rest:match("%(fifo%s*(%d+)%%%)"))
  ev.buf = num(rest:match("%[buf%s*(%d+)%%%]"))
  ev.speed = num(rest:match("([%d.]+)x%.%s*$"))
  return ev
end

local function parse_xorriso(line)
  local text = line:match("^xorriso : UPDATE : (.*)$")
  if not text then
    local written = line:match("^Written to medium : (%d+) sectors at LBA %d+")
    if written then return { format = "xorriso", kind = "summary", bytes = num(written) * SECTOR } end
    if line:match("^xorriso : .- completed successfully%.")
        or line:match("^Writing to .- completed successfully%.") then
      return { format = "xorriso", kind = "phase", phase = "done" }
    end
    return nil
  end
  local sectors, rest = text:match("^Writing:%s+(%d+)s(.*)$")
  if sectors then
    local ev = { format = "xorriso", kind = "write", bytes = num(sectors) * SECTOR }
    local pct = rest:match("^%s+([%d.]+)%%")
    if pct then
      ev.percent = num(pct)
      if ev.percent > 0 then
        ev.total = math.floor(ev.bytes * 100 / ev.percent / SECTOR + 0.5) * SECTOR
        ev.total_approx = true
      end
    end
    local fifo, buf = rest:match("fifo%s+(%d+)%%%s+buf%s+(%d+)%%")
    ev.fifo, ev.buf = num(fifo), num(buf)
    local x, u = rest:match("([%d.]+)x([CDB])%s*$")
    ev.speed, ev.speed_unit = num(x), u and XUNIT[u]
    return ev
  end
  local done, total, tail = text:match("^%s*(%d+) of%s+(%d+) MB written(.*)$")
  if done then
    return cdrecord_tail({ format = "xorriso_cdrecord", kind = "write", bytes = num(done) * MIB,
      total = num(total) * MIB }, tail)
  end
  done, tail = text:match("^%s*(%d+) MB written(.*)$")
  if done then return cdrecord_tail({ format = "xorriso_cdrecord", kind = "write", bytes = num(done) * MIB }, tail) end
  local pct = text:match("^%s*([%d.]+)%% done")
  if pct then return { format = "xorriso_mkisofs", kind = "write", percent = num(pct) } end
  if text:match("^Closing track/session%.") then return { format = "xorriso", kind = "phase", phase = "closing" } end
  if text:match("^Formatting%.") then return { format = "xorriso", kind = "phase", phase = "formatting" } end
  if text:match("^Thank you for being patient%.") then
    return { format = "xorriso", kind = "phase", phase = "waiting" }
  end
  return nil
end

-- ---------------------------------------------------------------------------
-- wodim (cdrkit 1.1.11, wodim.c write_track_data() and pad_track()) and cdrecord
-- (cdrtools 3.01, cdrecord.c, the same code), with -v, each MiB on stdout after "\r":
--   "Track %02d: %4lld" then " of %4lld MB" or " MB", then " written",
--   " (fifo %3d%%)", " [buf %3d%%]", on RF_WR_WAIT drives " |%3d %4dms|",
--   then " %5.1fx" and "." (the x is CD x, divided by 9 on DVD in wodim);
--   first "Track %02d:    0 of %4lld MB written."; padding "... MB pad written";
--   at the end "Track %02d: Total bytes read/written: %lld/%lld (%lld sectors).",
--   "Fixating...", "Average write speed %5.1fx.".
-- cdrskin (libburn 1.5.4, cdrskin.c Cdrskin_burn_pacifier()) with -v:
--   "Track %-2.2d: %s MB written %s[buf %3d%%]  %4.1fx." where %s is "%4d of %4d"
--   or "%4d" and the fifo text "(fifo %3d%%) ", and "\nFixating...\n".

local function parse_cdrecord(line)
  local track, rest = line:match("^%s*Track (%d+):(.*)$")
  if not track then
    if line:match("^Fixating%.%.%.") then return { format = "cdrecord", kind = "phase", phase = "closing" } end
    local avg = line:match("^Average write speed%s+([%d.]+)x%.")
    if avg then return { format = "cdrecord", kind = "summary", speed = num(avg) } end
    return nil
  end
  local read, written, secs = rest:match("^ Total bytes read/written: (%d+)/(%d+) %((%d+) sectors%)%.")
  if read then
    return { format = "cdrecord", kind = "summary", track = num(track), bytes = num(written), sectors = num(secs) }
  end
  local kind, head, tail = "pad", rest:match("^(.-) MB pad written(.*)$")
  if not head then kind, head, tail = "write", rest:match("^(.-) MB written(.*)$") end
  if not head then return nil end
  local done, total = head:match("^%s*(%d+) of%s+(%d+)$")
  if not done then done = head:match("^%s*(%d+)$") end
  if not done then return nil end
  local ev = { format = "cdrecord", kind = kind, track = num(track), bytes = num(done) * MIB,
    total = total and num(total) * MIB or nil }
  return cdrecord_tail(ev, tail)
end

-- ---------------------------------------------------------------------------

local PARSERS = { growisofs = parse_growisofs, xorriso = parse_xorriso, cdrecord = parse_cdrecord }

--- Which formats each tool prints, in the order they are tried: tool -> list of format
-- names (`"growisofs"`, `"xorriso"`, `"cdrecord"`).
progress.FORMATS = {
  growisofs = { "growisofs" },
  xorriso = { "xorriso" },
  cdrskin = { "cdrecord", "growisofs" },
  wodim = { "cdrecord" },
  cdrecord = { "cdrecord" },
}
local ALL = { "growisofs", "xorriso", "cdrecord" }

--- One line a burner printed -> an event table, or nil when the line says nothing
-- about progress.  tool (optional): the burner, to try only its formats.
function progress.parse(line, tool)
  if type(line) ~= "string" then
    error(("bad argument #1 to 'parse' (string expected, got %s)"):format(type(line)), 2)
  end
  local formats = ALL
  if tool ~= nil then
    formats = progress.FORMATS[tool]
    if not formats then
      error(("bad argument #2 to 'parse' (tool growisofs|xorriso|cdrskin|wodim|cdrecord expected, got %s)")
        :format(type(tool) == "string" and ("%q"):format(tool) or type(tool)), 2)
    end
  end
  line = line:gsub("[\b\r\n]", "")
  for _, f in ipairs(formats) do
    local ev = PARSERS[f](line)
    if ev then return ev end
  end
  return nil
end

--- A line cutter: feed(chunk) returns the complete lines in it (cut at "\r", "\n"
-- or "\r\n"; empty lines dropped); feed(nil) returns what is left at the end.
function progress.splitter()
  local rest = ""
  return function(chunk)
    local out = {}
    if chunk == nil then
      if rest ~= "" then out[1] = rest end
      rest = ""
      return out
    end
    rest = rest .. chunk
    local start = 1
    while true do
      local i = rest:find("[\r\n]", start)
      if not i then break end
      local l = rest:sub(start, i - 1)
      if l ~= "" then out[#out + 1] = l end
      start = i + 1
    end
    rest = rest:sub(start)
    return out
  end
end

-- ---------------------------------------------------------------------------
-- The meter: events with the times they came at (seconds, any origin).

local Meter = {}
Meter.__index = Meter

--- A fresh meter.  meter:feed(event, t) adds one event; fields: bytes (written so
-- far, all tracks), total (bytes to write, when a line told), percent, speed,
-- speed_unit, phase ("write" until a closing step), lines (progress lines seen),
-- speed_asked / speed_reported (growisofs's complaint), summary_bytes.
-- @treturn Meter
function progress.meter()
  return setmetatable({ bytes = 0, base = 0, track = nil, phase = "starting", lines = 0, points = {} }, Meter)
end

--- A meter: what the progress lines of one burn add up to.
-- @type Meter

--- Add one event (from `progress.parse`) that came at time `t` (seconds, any origin).
-- @tparam table ev the event; anything else is ignored
-- @tparam number t
-- @treturn Meter the meter itself
function Meter:feed(ev, t)
  if type(ev) ~= "table" then return self end
  if ev.kind == "write" or ev.kind == "pad" then
    self.lines = self.lines + 1
    if ev.track and self.track and ev.track > self.track then self.base = self.bytes end
    if ev.track then self.track = ev.track end
    if ev.bytes then
      self.bytes = self.base + ev.bytes
      if ev.kind == "write" then self.points[#self.points + 1] = { t = t, bytes = self.bytes } end
    end
    if ev.total then
      self.total = self.base + ev.total
      self.total_approx = ev.total_approx
    end
    if ev.total and ev.bytes and ev.total > 0 then
      self.percent = math.min(100, 100 * ev.bytes / ev.total)
    elseif ev.percent then
      self.percent = ev.percent
    end
    if ev.speed then self.speed, self.speed_unit = ev.speed, ev.speed_unit end
    self.phase = ev.kind
  elseif ev.kind == "phase" then
    self.phase = ev.phase
    if ev.phase == "closing" or ev.phase == "done" then self.percent = self.percent and math.max(self.percent, 100) end
  elseif ev.kind == "speed" then
    self.speed_asked, self.speed_reported = ev.to, ev.from
  elseif ev.kind == "summary" then
    if ev.bytes then self.summary_bytes = (ev.track and self.summary_bytes or 0) + ev.bytes end
    if ev.speed then self.average = ev.speed end
  end
  return self
end

--- Seconds the data took by the progress lines: from the start of writing (the
-- first two lines that differ, extrapolated back to 0 bytes, never before `t0`)
-- to the last line that counted bytes; and the bytes they counted.  nil when fewer
-- than two lines counted bytes.
function Meter:writing_seconds(t0)
  local pts = self.points
  if #pts < 2 then return nil end
  local first, second
  for i = 1, #pts do
    if pts[i].bytes > 0 then first = pts[i]; second = nil
      for j = i + 1, #pts do
        if pts[j].bytes > first.bytes and pts[j].t > first.t then second = pts[j] break end
      end
      break
    end
  end
  local last = pts[#pts]
  if not first then return nil end
  local start = first.t
  if second then
    start = first.t - first.bytes * (second.t - first.t) / (second.bytes - first.bytes)
  end
  if t0 and start < t0 then start = t0 end
  if last.t <= start then return nil end
  return last.t - start, last.bytes
end

return progress
