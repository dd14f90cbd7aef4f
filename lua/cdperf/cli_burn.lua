--- cdperf.cli_burn: the command `cdperf burn` (see cdperf(1)).
--
-- `cdperf burn -d DEV [-p POLICY] [--log FILE] -- TOOL ARGS...`:
-- One snapshot of the drive, the speed the policy picks, the words that make TOOL ask
-- for it (cdperf.handoff / cdperf.burners) put into TOOL's arguments in place of any
-- speed words given, then TOOL runs with its output read as it comes (stderr merged
-- into one pipe, Lua's io.popen only).  Its progress lines (cdperf.progress) become one
-- progress bar on stderr with the elapsed time beside cdperf's estimate; its other
-- lines pass through to stderr.  At the end the estimate meets the clock on stdout,
-- --log appends one JSON line, and cdperf exits with TOOL's exit status.
-- @module cdperf.cli_burn

local cli = require "cdperf.cli"
local cdperf = require "cdperf"

local command = {}

local EXIT, die, out = cli.EXIT, cli.die, cli.out
local fmt = string.format

--- The command's description (the first paragraph of its help).
command.help = "Pick a write speed by policy, hand it to the burner (growisofs, xorriso, cdrskin, wodim, "
  .. "cdrecord) in its own words, run it with one progress bar, and compare the burn with cdperf's estimate."

local WINDOWS = package.config:sub(1, 1) == "\\"

local function parse(argv)
  local policy = cli.need "cdperf.policy"
  local burners = cli.need "cdperf.burners"
  local parser = cli.parser("burn", command.help)
  parser:usage("Usage: cdperf burn -d DEV [-p POLICY] [--log FILE] [options] -- TOOL ARGS...")
  parser:epilog("Everything after -- is the burner's command line; its speed words (growisofs -speed=, "
    .. "xorriso -speed, speed= of the others) are replaced by cdperf's.  Exit status: the burner's; "
    .. "before it runs: 1 the drive could not be read or no speed fits, 2 bad usage.")
  parser:option("-d --device", "The drive the burner will write (a path, or emulated:MODEL)."):count(1)
  parser:option("-p --policy", "How to choose the speed: " .. policy.usage()
    .. "; ',' narrows in turn, '|' falls back to the next choice.", "max")
  parser:option("-s --size", "Bytes the burn writes, for the estimate before the burner says "
    .. "(default: the largest file named in its arguments).")
  parser:option("--log", "Append one JSON line per burn to this file.")
  parser:option("--tool", "The burner this program is, when its name does not say."):choices(burners.tools)
  parser:option("--progress", "How to show progress: bar (one redrawn line), lines (a line each 10 %), "
    .. "none (the burner's own lines); default: bar on a terminal, else lines.")
    :choices { "auto", "bar", "lines", "none" }:default("auto")
  parser:option("--credentials", "File with the iSCSI CHAP credentials (as for the report).")
  parser:option("--wait-ready", "Milliseconds to wait for a drive that is becoming ready.", "10000")
  parser:flag("-n --dry-run", "Print the burner's command line with cdperf's words and stop.")
  parser:argument("burner", "The burner and its arguments, after --."):args("+")
  return cli.parse(parser, argv)
end

-- ---------------------------------------------------------------------------
-- The edges: shell words, the clock, the terminal, files.

local function quote(word)
  if WINDOWS then return '"' .. word:gsub('(\\*)"', '%1%1\\"'):gsub("(\\+)$", "%1%1") .. '"' end
  if word:match("^[%w@%%+=:,./_-]+$") then return word end
  return "'" .. word:gsub("'", "'\\''") .. "'"
end

local function command_line(argv)
  local t = {}
  for i, a in ipairs(argv) do t[i] = quote(a) end
  return table.concat(t, " ")
end

-- Seconds, as finely as the system tells without a C helper: /proc/uptime on Linux.
local function clock()
  local f = io.open("/proc/uptime", "r")
  if f then
    local s = f:read("n")
    f:close()
    if s then return s end
  end
  return os.time()
end
--- Seconds, as finely as the system tells without a C helper (/proc/uptime on Linux,
-- else os.time); specs replace it.
-- @treturn number
-- @function clock
command.clock = clock

local function stderr_is_terminal()
  if WINDOWS then return false end
  local ok = os.execute("test -t 2")
  return ok == true
end

-- The file a program name runs (symlinks followed), or nil.
local function resolve(program)
  if WINDOWS then return nil end
  local p = io.popen("readlink -f -- \"$(command -v -- " .. quote(program) .. ")\" 2>/dev/null")
  if not p then return nil end
  local target = p:read("l")
  p:close()
  if target == nil or target == "" then return nil end
  return target
end

-- Size of a regular file, or nil.
local function file_size(path)
  if path:match("^/dev/") then return nil end
  local f = io.open(path, "rb")
  if not f then return nil end
  local ok = f:read(0)
  local size = ok and f:seek("end") or nil
  f:close()
  return size
end

-- The largest file the burner's arguments name ("IMAGE", "/dev/sr0=IMAGE", "-o=IMAGE").
local function size_from_args(argv)
  local best, name
  for i = 2, #argv do
    for _, cand in ipairs { argv[i], argv[i]:match("^[^=]*=(.+)$") } do
      local s = file_size(cand)
      if s and s > 0 and (not best or s > best) then best, name = s, cand end
    end
  end
  return best, name
end

-- ---------------------------------------------------------------------------
-- What is shown while the burner runs.

local function mb(bytes) return fmt("%.0f", bytes / 1e6) end

local function duration(s)
  if not s or s ~= s or s < 0 then return "?" end
  return cdperf.format.duration(s)
end

local BAR = 24

local function status_text(m, elapsed, estimate)
  local pct = m.percent
  local fill = pct and math.max(0, math.min(BAR, math.floor(BAR * pct / 100 + 0.5))) or 0
  local parts = { "[" .. ("#"):rep(fill) .. ("-"):rep(BAR - fill) .. "]",
    pct and fmt("%5.1f%%", pct) or "    ?%" }
  if m.total then
    parts[#parts + 1] = fmt("%s/%s%s MB", mb(m.bytes), m.total_approx and "~" or "", mb(m.total))
  elseif m.bytes > 0 then
    parts[#parts + 1] = mb(m.bytes) .. " MB"
  end
  if m.speed and m.speed > 0 then parts[#parts + 1] = fmt("%.1f%s", m.speed, m.speed_unit or "x") end
  if m.phase == "closing" or m.phase == "formatting" or m.phase == "pad" then parts[#parts + 1] = m.phase end
  parts[#parts + 1] = fmt("elapsed %s, estimate %s", duration(elapsed), duration(estimate))
  return "burn " .. table.concat(parts, "  ")
end

-- A display: show(meter, elapsed, estimate), say(line) for the burner's own lines, done().
local function display(mode)
  local shown_len, last_step, last_phase, last_text = 0, nil, nil, nil
  local d = {}
  local function clear()
    if mode == "bar" and shown_len > 0 then
      io.stderr:write("\r", (" "):rep(shown_len), "\r")
      shown_len = 0
    end
  end
  function d.show(m, elapsed, estimate)
    if mode == "none" then return end
    local text = status_text(m, elapsed, estimate)
    if mode == "bar" then
      local pad = math.max(0, shown_len - #text)
      io.stderr:write("\r", text, (" "):rep(pad))
      shown_len = #text
    else
      local step = m.percent and math.floor(m.percent / 10) or -1
      if step ~= last_step or m.phase ~= last_phase then
        io.stderr:write(text, "\n")
        last_step, last_phase, last_text = step, m.phase, text
      end
    end
    io.stderr:flush()
  end
  function d.say(line)
    clear()
    io.stderr:write(line, "\n")
    io.stderr:flush()
  end
  function d.done(m, elapsed, estimate)
    if mode == "bar" then
      if m.lines > 0 then
        local text = status_text(m, elapsed, estimate)
        io.stderr:write("\r", text, (" "):rep(math.max(0, shown_len - #text)), "\n")
      end
      shown_len = 0
    elseif mode == "lines" and m.lines > 0 then
      local text = status_text(m, elapsed, estimate)
      if text ~= last_text then io.stderr:write(text, "\n") end
    end
    io.stderr:flush()
  end
  return d
end

-- ---------------------------------------------------------------------------

local function snapshot_parts()
  local snapshot = cli.need "cdperf.snapshot"
  local parts, known = {}, {}
  for _, p in ipairs(snapshot.PARTS) do known[p.name] = true end
  for _, name in ipairs(snapshot.REPORT_PARTS) do parts[#parts + 1] = name end
  for _, name in ipairs { "media_id", "atip" } do     -- when the snapshot has them
    if known[name] then parts[#parts + 1] = name end
  end
  return parts
end

local function media_id_text(snap)
  local id = snap.media_id
  if type(id) == "table" and type(id.text) == "string" then return id.text end
  if type(id) == "string" then return id end
  return nil
end

-- Seconds to the millisecond, for the log.
local function ms(s) return s and math.floor(s * 1000 + 0.5) / 1000 or nil end

local function one_line_json(doc)
  return (cdperf.format.json(cdperf.format.plain(doc)):gsub("\n%s*", ""))
end

--- Run `argv` (merged output read as it comes); calls on_line(line) for each line.
-- Returns the exit status (128 + signal for a signal) and the seconds it ran.
local function run(argv, on_line)
  local progress = cli.need "cdperf.progress"
  local split = progress.splitter()
  local p, msg = io.popen(command_line(argv) .. " 2>&1", "r")
  if not p then return nil, msg end
  while true do
    local c = p:read(1)
    for _, l in ipairs(split(c)) do on_line(l) end
    if c == nil then break end
  end
  local _, how, code = p:close()
  if how == "signal" then return 128 + (code or 0) end
  return code or 0
end

--- Run `cdperf burn` with `argv` (the words after "burn").
-- @tparam {string,...} argv
-- @treturn integer the exit status: the burner's, or 1/2 before it runs
-- @raise cli.die's error object (cdperf.cli.main turns it into a message and a status)
function command.main(argv)
  local args = parse(argv)
  local speeds, format = cdperf.speeds, cdperf.format
  local handoff, progress = cli.need "cdperf.handoff", cli.need "cdperf.progress"
  local report = cli.need "cdperf.report"

  local size, wait_ms = cli.check_common(args)

  -- Which burner, in which mode.
  local burner = args.burner
  local tool, mode = handoff.tool_of(burner[1], resolve(burner[1]))
  if args.tool then
    mode = (tool == "xorriso" and args.tool == "xorriso") and mode or "native"
    tool = args.tool
  elseif not tool then
    die(mode, EXIT.usage)
  end

  -- The log file is opened before the burn, so that a typo costs no record.
  local log
  if args.log then
    local f, lmsg = io.open(args.log, "a")
    if not f then die("--log: " .. tostring(lmsg), EXIT.usage) end
    log = f
  end

  -- One read of the drive, then the drive is left to the burner.
  local device = args.device
  local shown = cli.display(device)
  local drive, omsg = cdperf.open(device, { credentials = args.credentials })
  if not drive then die(shown .. ": " .. tostring(omsg)) end
  local snap = cdperf.snapshot(drive, { parts = snapshot_parts(), ready_timeout_ms = wait_ms, device = shown })
  drive:close()
  local r, list, entry = report.build(snap, { policy = args.policy, policy_text = args.policy })
  if not entry then
    die(("%s: no speed to hand to %s: %s"):format(shown, tool, tostring(r.errors.recommended or r.errors.speeds
      or r.errors.profile or (r.profile and r.profile.code == 0 and "no medium") or "no write speed")))
  end
  local class = list.class
  local info = handoff.words(snap, entry)[tool]
  if info.error then die(("%s: %s"):format(shown, info.error)) end
  local new_argv, removed = handoff.insert(tool, burner, info.argv, mode)

  local inq = snap.inquiry or {}
  local medium = snap.profile and (snap.profile.name or fmt("profile %04Xh", snap.profile.code)) or "?"
  local id = media_id_text(snap)
  cli.warn(("%s: %s %s, %s%s; policy %s: %s"):format(shown, tostring(inq.vendor or "?"), tostring(inq.product or ""),
    medium, id and (" " .. id) or "", args.policy, format.speed(entry.write, class, entry.unit)))
  cli.warn(handoff.text(tool, info, class))
  if #removed > 0 then
    cli.warn(("replaced your speed word%s %s with %s"):format(#removed > 1 and "s" or "",
      table.concat(removed, ", "), #info.argv > 0 and table.concat(info.argv, " ") or "none"))
  end
  local named = device:match("^emulated:") ~= nil
  for i = 2, #burner do if burner[i]:find(device, 1, true) then named = true end end
  if not named then cli.warn(("the burner's arguments do not name %s: it may write another drive"):format(shown)) end
  if tool ~= "growisofs" and not (tool == "xorriso" and mode == "native") then
    local verbose = false
    for i = 2, #burner do if burner[i]:match("^%-v+$") or burner[i] == "-verbose" then verbose = true end end
    if not verbose then cli.warn(tool .. " prints its progress only with -v") end
  end

  if args.dry_run then
    out(command_line(new_argv))
    if log then log:close() end
    return EXIT.ok
  end

  -- The estimate: the speed the tool sends (capped by the drive's curve), for the bytes
  -- --size gives, else the image's size, else what the burner's lines say.
  local ask = { write = info.requested or entry.write }
  local function estimate(bytes)
    if not bytes or bytes <= 0 then return nil end
    local s = speeds.estimate(snap, math.floor(bytes), ask)
    return s
  end
  local planned = size or size_from_args(burner)
  local est, est_bytes = estimate(planned), planned

  local show = args.progress
  if show == "auto" then show = stderr_is_terminal() and "bar" or "lines" end
  local disp = display(show)
  local meter = progress.meter()
  cli.warn("running: " .. command_line(new_argv))
  local t0 = clock()
  local status, rmsg = run(new_argv, function(line)
    local ev = progress.parse(line, tool)
    local now = clock()
    if ev then
      meter:feed(ev, now)
      if not size and meter.total and meter.total ~= est_bytes then
        est, est_bytes = estimate(meter.total), meter.total
      end
      -- progress lines become the bar; the tool's steps and sums still show
      if show == "none" or (ev.kind ~= "write" and ev.kind ~= "pad") then disp.say(line) end
      if show ~= "none" then disp.show(meter, now - t0, est) end
    else
      disp.say(line)
    end
  end)
  local t1 = clock()
  if not status then
    cli.warn(("cannot run %s: %s"):format(burner[1], tostring(rmsg)))
    status = 127
  end
  disp.done(meter, t1 - t0, est)

  -- Estimate against the clock.
  local elapsed = t1 - t0
  local writing, counted = meter:writing_seconds(t0)
  local bytes = meter.summary_bytes or (meter.bytes > 0 and meter.bytes) or counted or planned
  local final_est = estimate(bytes) or est
  out(("%s exited %d after %s."):format(tool, status, duration(elapsed)))
  local speed_text = format.speed(ask.write, class)
  if bytes and final_est then
    local line = ("%d bytes at %s: estimate %s"):format(math.floor(bytes), speed_text, duration(final_est))
    if writing and counted >= 0.98 * bytes then
      line = line .. ("; writing took %s by %s's progress lines (%+.1f %%)"):format(duration(writing), tool,
        100 * (writing - final_est) / math.max(final_est, 1e-9))
    elseif writing then
      -- the lines timed only part of it: compare that part with its own estimate
      local part = estimate(counted) or 0
      line = line .. ("; %s's progress lines timed its first %d bytes: %s against an estimate of %s (%+.1f %%)")
        :format(tool, counted, duration(writing), duration(part), 100 * (writing - part) / math.max(part, 1e-9))
    else
      line = line .. ("; the burner printed too few progress lines to time the writing; the run took %s")
        :format(duration(elapsed))
    end
    out(line .. ".")
  else
    out(("No estimate: %s."):format(bytes and "the drive gives no performance curve for it"
      or "the burner did not say how many bytes it wrote (--size)"))
  end
  if meter.speed_asked and meter.speed_asked ~= info.requested then
    out(("%s says it asked %d kB/s; cdperf expected %s."):format(tool, meter.speed_asked,
      info.requested and (info.requested .. " kB/s") or "none"))
  end

  if log then
    local doc = {
      time = os.date("!%Y-%m-%dT%H:%M:%SZ"),
      device = shown,
      drive = { vendor = inq.vendor, product = inq.product, revision = inq.revision },
      medium = snap.profile and { profile = snap.profile.code, name = snap.profile.name, class = class } or nil,
      media_id = id,
      tool = tool,
      words = info.argv,
      replaced = #removed > 0 and removed or nil,
      policy = args.policy,
      speed = { write = entry.write, text = format.speed(entry.write, class, entry.unit), requested = info.requested,
        command = info.command, exact = info.exact },
      bytes = bytes and math.floor(bytes) or nil,
      estimate = ms(final_est),
      actual = ms(writing),
      timed_bytes = writing and counted or nil,           -- the bytes `actual` is for, and their estimate
      timed_estimate = writing and ms(estimate(counted)) or nil,
      elapsed = ms(elapsed),
      exit = status,
    }
    local wok, werr = log:write(one_line_json(doc), "\n")
    log:close()
    if not wok then cli.warn("--log: " .. tostring(werr)) end
  end
  return status
end

return command
