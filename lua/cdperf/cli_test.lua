--- cdperf.cli_test: `cdperf test`: measure what the drive really does (cdperf.measure),
-- optionally probe each offered read speed (cdperf.probe); print the measured curve beside
-- the claimed one, as text, JSON or an SVG picture.
-- @module cdperf.cli_test

local cli = require "cdperf.cli"
local cdperf = require "cdperf"

local command = {}

local EXIT, die, out = cli.EXIT, cli.die, cli.out
local fmt = string.format

--- The command's description (the first paragraph of its help).
command.help = "Measure a drive: timed reads across the disc (the real speed curve and how the drive spins), "
  .. "and with --probe whether it obeys each read speed it offers."

local function parse(argv)
  local parser = cli.parser("test", command.help)
  parser:option("-d --device", "Drive to measure.")
  parser:option("-e --emulate", "A built-in emulated drive model instead (its clock is virtual).")
  parser:option("--zones", "Zones to sample across the disc.", "16")
  parser:flag("--full", "Read every sector instead of sampling.")
  parser:flag("--probe", "Also set each offered read speed and measure it.")
  parser:option("--read-speed", "Set the read speed first, chosen from the drive's read speeds by a policy "
    .. "(as -p of the report: max, min, at-most=8, nearest=4, ...).")
  parser:flag("--json", "Print the result as JSON.")
  parser:option("--svg", "Write the measured and the claimed curve to this SVG file.")
  parser:flag("--no-progress", "No progress bar on stderr.")
  return cli.parse(parser, argv)
end

-- A progress bar on stderr, redrawn at most every 1/10 of the work.
local function progress_bar(label)
  local shown = -1
  return function(f)
    local step = math.floor(f * 40)
    if step ~= shown then
      shown = step
      io.stderr:write(fmt("\r%s [%s%s] %3d%%", label, ("#"):rep(step), ("."):rep(40 - step), math.floor(f * 100)))
      if step >= 40 then io.stderr:write("\n") end
      io.stderr:flush()
    end
  end
end

-- The claimed read curve (nominal, GET PERFORMANCE) as points, or the claimed read speed flat.
local function claimed(snap, class, capacity)
  local judge = require "cdperf.judge"
  local perf = type(snap.performance) == "table" and snap.performance or {}
  local curve = judge.curve(perf.read, class, "read")
  local pts = {}
  for _, z in ipairs(curve) do
    pts[#pts + 1] = { lba = z.start_lba, kBps = z.start_performance }
    pts[#pts + 1] = { lba = z.end_lba, kBps = z.end_performance }
  end
  if #pts == 0 then
    local caps = type(snap.capabilities) == "table" and snap.capabilities or {}
    local v = caps.current_read_speed or caps.max_read_speed
    if type(v) == "number" and v > 0 and not judge.speed(v, class, "read") then
      pts = { { lba = 0, kBps = v }, { lba = capacity, kBps = v } }
    end
  end
  return pts
end

-- Two curves in one terminal plot: '*' measured, 'o' claimed ('#' where both fall).
local function plot(measured, claim, class, capacity)
  local format, media = require "cdperf.format", require "cdperf.media"
  local one = media.ONE_X[class]
  local width, height = 60, 10
  local top = 0
  for _, p in ipairs(measured) do top = math.max(top, p.kBps) end
  for _, p in ipairs(claim) do top = math.max(top, p.kBps) end
  if top <= 0 then return {} end
  local rows = {}
  for r = 1, height do rows[r] = {} for c = 1, width do rows[r][c] = " " end end
  local function put(curve, ch)
    for c = 1, width do
      local lba = capacity * (c - 1) / (width - 1)
      local v = format.speed_at(curve, lba)
      if v then
        local r = height - math.floor(v / top * (height - 1) + 0.5)
        rows[r][c] = (rows[r][c] ~= " " and rows[r][c] ~= ch) and "#" or ch
      end
    end
  end
  local function as_curve(points)
    local c = {}
    for i = 1, #points - 1 do
      c[i] = { start_lba = points[i].lba, start_performance = points[i].kBps, end_lba = points[i + 1].lba,
        end_performance = points[i + 1].kBps }
    end
    if #points == 1 then c[1] = { start_lba = 0, start_performance = points[1].kBps, end_lba = capacity,
      end_performance = points[1].kBps } end
    return c
  end
  if #claim > 0 then put(as_curve(claim), "o") end
  put(as_curve(measured), "*")
  local lines = {}
  for r = 1, height do
    local v = top * (height - r) / (height - 1)
    local label = (r == 1 or r == height or r == (height + 1) // 2) and fmt("%5.1fx", v / one) or "      "
    lines[#lines + 1] = label .. " |" .. (table.concat(rows[r]):gsub("%s+$", ""))
  end
  lines[#lines + 1] = "       +" .. ("-"):rep(width)
  lines[#lines + 1] = "        0" .. (" "):rep(width - 1 - #tostring(capacity)) .. tostring(capacity)
  lines[#lines + 1] = fmt("        LBA; * measured, o claimed (%s, 1x = %s kB/s)", media.LABEL[class], tostring(one))
  return lines
end

local function open(args)
  if args.emulate then
    local emulator = cdperf.emulator
    local m = emulator.models[args.emulate]
    if not m then
      die(fmt("unknown model %q (known: %s)", args.emulate, table.concat(emulator.model_names(), ", ")), EXIT.usage)
    end
    m = emulator.deepcopy(m)
    m.timing = m.timing or {}          -- a drive that reads, on a virtual clock
    local emu = emulator.new(m)
    local drive, msg = cdperf.open(emu, { name = "emulated:" .. args.emulate })
    if not drive then die(msg) end
    return drive, "emulated:" .. args.emulate, emu:clock()
  end
  local drive, msg = cdperf.open(args.device, { write = (args.probe or args.read_speed) and true or nil })
  if not drive then die(cli.display(args.device) .. ": " .. tostring(msg)) end
  return drive, cli.display(args.device), nil
end

--- Run `cdperf test` with `argv` (the words after the command's name).
-- @tparam {string,...} argv
-- @treturn integer the exit status (cdperf.cli.EXIT)
-- @raise cli.die's error object (cdperf.cli.main turns it into a message and a status)
function command.main(argv)
  local args = parse(argv)
  if not args.device and not args.emulate then die("give a drive with -d DEVICE (or -e MODEL)", EXIT.usage) end
  if args.device and args.emulate then die("-d and -e exclude each other", EXIT.usage) end
  local zones = math.tointeger(tonumber(args.zones))
  if not zones or zones < 1 or zones > 10000 then die(fmt("bad --zones %q (1..10000)", args.zones), EXIT.usage) end
  local measure, format, media = cli.need "cdperf.measure", cdperf.format, cdperf.media
  local policy
  if args.read_speed then
    local ok, msg = pcall(require("cdperf.policy").compile, args.read_speed)
    if not ok then die("bad --read-speed: " .. tostring(msg):gsub("^.-%((.*)%)$", "%1"), EXIT.usage) end
    policy = args.read_speed
  end

  local drive, name, clock = open(args)
  local snap = cdperf.snapshot(drive, { device = name })
  local doc = { device = name, inquiry = snap.inquiry, profile = snap.profile, notes = {} }
  local status = EXIT.ok

  if policy then
    local list, lmsg = measure.read_speeds(snap)
    local entry, why
    if list then entry, why = measure.pick_read(list, policy) else why = lmsg end
    if not entry then die(name .. ": --read-speed: " .. tostring(why)) end
    local cap = require("cdperf.snapshot").capacity(snap)
    local ok, how = measure.set_read_speed(drive, entry.read, { class = list.class, capacity = cap })
    if not ok then die(name .. ": --read-speed: " .. tostring(how)) end
    doc.read_speed = { kBps = entry.read, reason = why, method = how }
  end

  local tty = not args.json and not args.no_progress and os.getenv("TERM") and os.getenv("TERM") ~= "dumb"
  local res, msg = measure.measure(drive, { zones = zones, full = args.full, clock = clock,
    progress = tty and progress_bar(args.full and "reading" or "sampling") or nil })
  if not res then
    drive:close()
    die(name .. ": " .. tostring(msg))
  end
  doc.measured = res
  local class, capacity = res.class, res.capacity
  local claim = claimed(snap, class, capacity)
  doc.claimed = claim

  if args.probe then
    local rows, pmsg = measure.probe(drive, nil, { clock = clock, progress = tty and progress_bar("probing") or nil })
    if rows then doc.probe = rows else
      doc.errors = { probe = pmsg }
      cli.warn(name .. ": probe: " .. tostring(pmsg))
      status = EXIT.drive
    end
  end
  drive:close()

  if args.svg then
    local svg = cli.need "cdperf.svg"
    local series = { { name = fmt("measured (%s)", res.rotation and res.rotation:upper() or "?"),
      points = res.points } }
    if #claim > 0 then series[2] = { name = "claimed (GET PERFORMANCE read)", points = claim, dashed = true } end
    local text = svg.curves { class = class, capacity = capacity, series = series,
      title = fmt("%s: read speed across the disc", name) }
    local f, ferr = io.open(args.svg, "wb")
    if not f then die("--svg: " .. tostring(ferr)) end
    f:write(text)
    f:close()
  end

  if args.json then
    if doc.probe then
      for _, r in ipairs(doc.probe) do if type(r.entry) == "table" then r.entry = format.plain(r.entry) end end
    end
    out(format.json(format.plain(doc)))
    return status
  end

  local function speed(v) return format.speed(math.floor(v + 0.5), class) end
  out(name)
  local inq = snap.inquiry
  if inq then out(fmt("  Drive:   %s %s %s", inq.vendor or "", inq.product or "", inq.revision or "")) end
  out(fmt("  Medium:  %s, %d sectors", snap.profile and snap.profile.name or media.LABEL[class], capacity))
  if doc.read_speed then
    out(fmt("  Read speed set to %s (%s)", speed(doc.read_speed.kBps), doc.read_speed.reason))
  end
  if #res.points == 0 then
    out("  Measured: nothing (" .. table.concat(res.notes, "; ") .. ")")
    return EXIT.drive
  end
  out(fmt("  Measured (%s, %s of clock time): %s, %s at the inner edge, %s at the outer edge",
    res.full and "every sector" or fmt("%d zones", res.zones), format.duration(res.seconds),
    res.rotation:upper(), speed(res.inner_kBps), speed(res.outer_kBps)))
  out(fmt("  A full read: %s, %s on average%s", format.duration(res.full_read_seconds), speed(res.average_kBps),
    res.full and "" or " (from the sampled curve)"))
  if res.max_rpm then out(fmt("  Spindle: %.0f rpm at most", res.max_rpm)) end
  for _, l in ipairs(plot(res.points, claim, class, capacity)) do out("  " .. l) end
  for _, n in ipairs(res.notes) do out("  note: " .. n) end
  if doc.probe then
    out("  Read speeds set and measured (near the outer edge):")
    for _, r in ipairs(doc.probe) do
      out(fmt("    %-26s %-8s %s", speed(r.requested), r.verdict,
        r.measured_kBps and ("measured " .. speed(r.measured_kBps)) or tostring(r.message)))
    end
    for _, n in ipairs(doc.probe.notes) do out("    note: " .. n) end
  end
  return status
end

return command
