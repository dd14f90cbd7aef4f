--- cdperf.report: the cdperf report as a pure function of a snapshot.
--
-- build(snapshot, opts) turns what one drive said into the report's data (the JSON
-- document's drive entry); text(report) into the lines a person reads.  Neither sends a
-- command and neither raises on anything a drive can say: every part that failed or
-- made no sense shows as an error or a note in its place.
-- @module cdperf.report

local media = require "cdperf.media"
local format = require "cdperf.format"
local judge = require "cdperf.judge"
local speeds = require "cdperf.speeds"
local snapshot = require "cdperf.snapshot"
local disc = require "cdperf.disc"

local report = {}

local fmt = string.format

local function err_text(snap, part)
  local e = type(snap.errors) == "table" and snap.errors[part]
  if type(e) == "table" then return tostring(e.message) end
  if e ~= nil then return tostring(e) end
  return nil
end

local function table_or_nil(v) return type(v) == "table" and v or nil end

--- The report of one drive.  opts: policy (a policy for speeds.pick, default "max"),
-- policy_text (how to show it), size (bytes to estimate for; default the capacity).
-- @tparam table snap a snapshot
-- @tparam[opt] table opts
-- @treturn table the report (a drive entry of the JSON document)
-- @raise when snap is no snapshot
function report.build(snap, opts)
  if not snapshot.is(snap) then
    error(fmt("bad argument #1 to 'build' (snapshot expected, got %s)", type(snap)), 2)
  end
  opts = opts or {}
  local pol = opts.policy or "max"
  local r = { device = snap.device, errors = {}, notes = {}, commands = snap.commands }
  for part, _ in pairs(type(snap.errors) == "table" and snap.errors or {}) do r.errors[part] = err_text(snap, part) end
  for i, n in ipairs(type(snap.notes) == "table" and snap.notes or {}) do r.notes[i] = tostring(n) end
  r.inquiry = table_or_nil(snap.inquiry)
  r.profile = table_or_nil(snap.profile)
  r.capabilities = table_or_nil(snap.capabilities)
  r.write_speed_descriptors = table_or_nil(snap.write_speeds)
  local perf = table_or_nil(snap.performance) or {}
  r.write_performance = table_or_nil(perf.write)
  r.read_performance = table_or_nil(perf.read)
  -- The disc itself (cdperf.disc): its media ID or ATIP, the drive's features, whether
  -- the drive verifies what it writes, the disc's own rating.
  r.media_id = table_or_nil(snap.media_id)
  r.atip = table_or_nil(snap.atip)
  local features = table_or_nil(snap.features)
  if features then
    r.features = { profiles = table_or_nil(features.profiles), current = {}, supported = {} }
    for _, code in ipairs(type(features.codes) == "table" and features.codes or {}) do
      local f = disc.feature(features, code)
      if f and math.tointeger(code) then
        local list = f.current == true and r.features.current or r.features.supported
        list[#list + 1] = fmt("%04Xh %s", code, type(f.name) == "string" and f.name or "")
      end
    end
    local pow = disc.feature(features, 0x0038)
    r.pseudo_overwrite = pow and pow.current == true or nil
  end
  r.defect_management = disc.defect_management(snap)
  local rating, rating_from = disc.rating(snap)
  if rating then r.disc_rating = { x = rating, source = rating_from } end
  local class = r.profile and r.profile.class
  if not class then return r end

  local list, msg = speeds.list(snap)
  if not list then
    r.errors.speeds = msg
    return r
  end
  r.speeds = format.speed_table(list)
  local entry, why = speeds.pick(list, pol)
  r.recommended = { policy = opts.policy_text or (type(pol) == "string" and pol or "custom"), reason = why,
    entry = entry and format.plain(entry) or nil }
  if not entry then r.errors.recommended = why end
  -- The words each burner needs to ask for it, and what it then sends (cdperf.handoff).
  if entry then r.burners = require("cdperf.handoff").words(snap, entry) end

  -- Bytes for the estimates: opts.size, else the capacity the drive told.
  local capacity, from = snapshot.capacity(snap)
  if opts.size then
    r.size = { bytes = opts.size, source = "--size" }
  elseif capacity then
    r.size = { bytes = capacity * 2048, source = fmt("capacity: End LBA %d + 1 sectors, from the %s", capacity - 1,
      from) }
  end
  if r.size then
    r.estimates = {}
    for i, e in ipairs(list) do
      local secs, detail = speeds.estimate(snap, r.size.bytes, e)
      local d = secs and type(detail) == "table" and detail or {}
      r.estimates[i] = { write = e.write, seconds = secs, error = not secs and detail or nil,
        data_seconds = d.data_seconds, overhead_seconds = d.overhead_seconds, verify_seconds = d.verify_seconds,
        source = d.source, strategy = d.strategy, average_kBps = d.average_kBps }
      if secs and i == 1 then
        for _, n in ipairs(detail.notes) do r.speeds.notes[#r.speeds.notes + 1] = n end
      end
    end
  end
  return r, list, entry
end

-- "12x DVD (16620 kB/s)", or the raw value with why it is impossible.
local function speed_text(v, class, role, unit)
  local why = judge.speed(v, class, role, unit)
  if why == nil then return format.speed(v, class, unit) end
  return fmt("%s kB/s (impossible: %s)", judge.show(v), why)
end

local function perf_lines(curve, class, role)
  local lines = {}
  for _, d in ipairs(curve or {}) do
    if type(d) ~= "table" then
      lines[#lines + 1] = "(not a descriptor)"
    elseif d.start_performance == d.end_performance then
      lines[#lines + 1] = fmt("%s at LBA %s .. %s", speed_text(d.start_performance, class, role),
        judge.show(d.start_lba), judge.show(d.end_lba))
    else
      lines[#lines + 1] = fmt("%s at LBA %s -> %s at LBA %s", speed_text(d.start_performance, class, role),
        judge.show(d.start_lba), speed_text(d.end_performance, class, role), judge.show(d.end_lba))
    end
  end
  return lines
end

local function field(t, k)
  local v = t and t[k]
  if v == nil then return "" end
  return judge.show(v)
end

--- The report's lines.  opts: no_plot (leave out the curve's plot).
-- @tparam table r a report (`build`)
-- @tparam[opt] table opts
-- @treturn {string,...} lines
function report.text(r, opts)
  opts = opts or {}
  local lines = {}
  local function out(s) lines[#lines + 1] = s end
  local errors = r.errors or {}
  out(tostring(r.device))
  local inq = r.inquiry
  out("  Drive:   " .. (inq and fmt("%s %s %s", field(inq, "vendor"), field(inq, "product"), field(inq, "revision"))
    or ("unknown (" .. tostring(errors.inquiry or "not read") .. ")")))
  local p = r.profile
  local notes_done = false
  local function drive_notes()
    if notes_done then return end
    notes_done = true
    for _, n in ipairs(r.notes or {}) do out("  note: " .. n) end
  end
  if not p then
    out("  Medium:  unknown (" .. tostring(errors.profile or "not read") .. ")")
    drive_notes()
    return lines
  end
  if p.code == 0 then
    out("  Medium:  none")
    drive_notes()
    return lines
  end
  local name = p.name or (math.tointeger(p.code) and media.name(math.tointeger(p.code))) or tostring(p.code)
  if r.pseudo_overwrite and p.code == 0x41 then name = tostring(name) .. "+POW" end
  out(fmt("  Medium:  %s (profile %s)%s", name, math.tointeger(p.code) and fmt("%02Xh", p.code) or tostring(p.code),
    p.class and "" or ", no speed ladder"))
  for _, l in ipairs(report.disc_lines(r)) do out(l) end
  drive_notes()
  local class = p.class
  if not class then return lines end
  if not r.speeds then
    out("  Write speeds: none (" .. tostring(errors.speeds) .. ")")
    return lines
  end
  local est = {}
  for _, e in ipairs(r.estimates or {}) do est[e.write] = e end
  out("  Write speeds (fastest first):")
  for _, e in ipairs(r.speeds.speeds) do
    -- DVD-RAM's CLV is zoned (Z-CLV): constant within each of its zones
    local rot = (e.rotation or "clv"):upper()
    if rot == "CLV" and p.code == 0x12 then rot = "Z-CLV" end
    local flags = { rot }
    if e.exact then flags[#flags + 1] = "Exact" end
    if e.above_rating then flags[#flags + 1] = "above the disc's rating" end
    flags[#flags + 1] = e.source == "page_2a" and "page 2Ah" or "GET PERFORMANCE"
    local read = e.read and ("  read " .. speed_text(e.read, class, "read")) or ""
    out(fmt("    %-26s %s%s", format.speed(e.write, class, e.unit), table.concat(flags, ", "), read))
  end
  if #r.speeds.speeds == 0 then out("    (none)") end
  for _, n in ipairs(r.speeds.notes or {}) do out("    note: " .. n) end
  local wl = perf_lines(r.write_performance, class, "write")
  out("  Write performance:" .. (#wl == 0 and (" " .. (errors.write_performance or "none")) or ""))
  for _, l in ipairs(wl) do out("    " .. l) end
  local rl = perf_lines(r.read_performance, class, "read")
  out("  Read performance:" .. (#rl == 0 and (" " .. (errors.read_performance or "none")) or ""))
  for _, l in ipairs(rl) do out("    " .. l) end
  local curve = judge.curve(r.write_performance, class, "write")
  if not opts.no_plot and #curve > 0 then
    out("  Write performance curve:")
    for _, l in ipairs(format.plot(curve, class)) do out("  " .. l) end
  end
  local rec = r.recommended
  if rec and rec.entry then
    out(fmt("  Recommended (policy %s): %s", rec.policy, format.speed(rec.entry.write, class, rec.entry.unit)))
    out("    because: " .. rec.reason)
  elseif rec then
    out(fmt("  Recommended (policy %s): none: %s", rec.policy, rec.reason))
  end
  if r.size then
    out(fmt("  Time to write %d bytes (%s):", r.size.bytes, r.size.source))
    for _, e in ipairs(r.speeds.speeds) do
      local x = est[e.write]
      out(fmt("    %-26s %s", format.speed(e.write, class, e.unit),
        x and x.seconds and format.duration(x.seconds) or ("unknown: " .. tostring(x and x.error))))
    end
  elseif #r.speeds.speeds > 0 then
    out("  Time to write: unknown (the drive gives no capacity; use --size)")
  end
  local a = r.applied
  if a then
    out(fmt("  Applied with %s: asked %s, drive reports %s: %s",
      a.method == "set_streaming" and "SET STREAMING" or "SET CD SPEED", format.speed(a.asked, class),
      a.got and speed_text(a.got, class, "write") or "nothing", a.obeyed and "obeyed" or "NOT obeyed"))
    for _, n in ipairs(a.notes or {}) do out("    note: " .. n) end
  end
  return lines
end

-- A value from a drive (or a file) as one line of text.
local function clean(v)
  return (tostring(v):gsub("[%c\128-\255]", "?"))
end

local function msf_text(t)
  if type(t) ~= "table" then return nil end
  local m, s, f = math.tointeger(t.minute), math.tointeger(t.second), math.tointeger(t.frame)
  if not (m and s and f) then return nil end
  return fmt("%02d:%02d/%02d", m, s, f)
end

--- The report's lines about the disc itself: Media ID or ATIP, defect management.
-- @tparam table r a report
-- @treturn {string,...} lines
function report.disc_lines(r)
  local lines = {}
  local errors = r.errors or {}
  local m = r.media_id
  if type(m) == "table" then
    local src = ({ ADIP = "ADIP", ["pre-pit"] = "pre-pit data", DI = "Disc Information" })[m.source] or "disc"
    if m.empty or type(m.text) ~= "string" or m.text == "" then
      lines[#lines + 1] = fmt("  Media ID: none (the disc's %s holds no manufacturer ID)", src)
    else
      local parts = {}
      if type(m.manufacturer) == "string" then parts[#parts + 1] = "manufacturer " .. clean(m.manufacturer) end
      if type(m.media_type) == "string" and m.media_type ~= "" then
        parts[#parts + 1] = "type " .. clean(m.media_type)
      end
      if math.tointeger(m.revision) then parts[#parts + 1] = "revision " .. math.tointeger(m.revision) end
      lines[#lines + 1] = fmt("  Media ID: %s (%s: %s)", clean(m.text), src, table.concat(parts, ", "))
    end
  elseif errors.media_id then
    lines[#lines + 1] = "  Media ID: not read (" .. clean(errors.media_id) .. ")"
  end
  local a = r.atip
  if type(a) == "table" then
    local class = type(a.speed_class) == "string" and (" (" .. clean(a.speed_class) .. ")") or ""
    local t = { clean(a.disc_type or "CD") .. class }
    local lead = msf_text(a.lead_in)
    t[#t + 1] = fmt("%s%s", type(a.manufacturer) == "string" and clean(a.manufacturer) or "manufacturer unknown",
      lead and (" (lead-in " .. lead .. ")") or "")
    local hi, lo = math.tointeger(a.highest_speed), math.tointeger(a.lowest_speed)
    if hi then
      t[#t + 1] = lo and lo > 0 and lo < hi and fmt("rated %dx..%dx", lo, hi) or fmt("rated up to %dx", hi)
    else
      t[#t + 1] = "no speed range"
    end
    if math.tointeger(a.lead_out_lba) and a.lead_out_lba > 0 then
      t[#t + 1] = fmt("%d sectors", a.lead_out_lba)
    end
    lines[#lines + 1] = "  ATIP:    " .. table.concat(t, ", ")
  elseif errors.atip then
    lines[#lines + 1] = "  ATIP:    not read (" .. clean(errors.atip) .. ")"
  end
  local dm = r.defect_management
  if type(dm) == "table" and dm.active then
    local stream = dm.stream_recording == true and "stream recording skips it"
      or dm.stream_recording == false and "the drive offers no stream recording" or "stream recording may skip it"
    lines[#lines + 1] = fmt("  Defect management: on, verify after write (%s; %s)", clean(dm.reason), stream)
  end
  return lines
end

--- The parts of a snapshot each output needs (`-f` formats read only what they print):
-- output (`report`, `prcap`, `xorriso`, `mediainfo`, `atip`) -> list of part names.
report.PARTS = {
  report = snapshot.REPORT_PARTS,
  prcap = { "capabilities" },
  xorriso = { "profile", "capabilities", "write_speeds" },
  mediainfo = { "inquiry", "profile", "features", "media_id", "capabilities", "write_performance", "write_speeds" },
  atip = { "profile", "atip" },
}

return report
