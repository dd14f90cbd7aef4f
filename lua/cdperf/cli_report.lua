--- cdperf.cli_report: `cdperf [report]`, the default command: one snapshot per drive,
-- then the report (text, JSON or a peer tool's lines) as pure functions of it.
-- @module cdperf.cli_report

local cli = require "cdperf.cli"
local cdperf = require "cdperf"

local command = {}

local EXIT, die, out = cli.EXIT, cli.die, cli.out

--- The command's description (the first paragraph of its help).
command.help = "Report the speeds optical drives support for the disc they hold, recommend one and "
  .. "estimate burn times (MMC GET PERFORMANCE, mode page 2Ah)."

-- What the report needs when the command line says nothing: no parsing, no argparse.
local DEFAULTS = { device = {}, emulate = {}, policy = "max", wait_ready = "10000" }

local function parse(argv)
  local policy = cli.need "cdperf.policy"
  local parser = cli.parser(nil, command.help)
  local names = {}
  for i, c in ipairs(cli.COMMANDS) do names[i] = c.name end
  parser:epilog("Commands: " .. table.concat(names, ", ") .. " (report is the default; "
    .. "`cdperf COMMAND --help` for each).  " .. cli.EXIT_HELP)
  parser:option("-d --device", "Drive to query (default: every drive found)."):count("*")
  parser:option("-e --emulate", "Use a built-in emulated drive model (see --list-models)."):count("*")
  parser:flag("--list-models", "List the built-in emulated drive models and exit.")
  parser:option("-p --policy", "How to choose the speed: " .. policy.usage()
    .. "; ',' narrows in turn, '|' falls back to the next choice.", "max")
  parser:option("-s --size", "Bytes to burn for the time estimates (suffixes k M G T = 1000^n, "
    .. "KiB MiB GiB TiB = 1024^n); default: the disc's capacity.")
  parser:option("--credentials", "File with the iSCSI CHAP credentials (user, password, target_user, "
    .. "target_password; mode 600), instead of a password in the device name.")
  parser:option("--wait-ready", "Milliseconds to wait for a drive that is becoming ready.", "10000")
  parser:flag("--apply", "Set the recommended speed (SET STREAMING / SET CD SPEED) and verify it.")
  parser:flag("--json", "Print the report as JSON (keys sorted).")
  parser:option("-f --format", "Print the lines another tool prints instead: mediainfo (dvd+rw-mediainfo), "
    .. "xorriso (-list_speeds), prcap (wodim -prcap) or atip (wodim -atip)."):choices { "mediainfo", "xorriso",
    "prcap", "atip" }
  parser:flag("--no-plot", "Leave out the plot of the write performance curve.")
  parser:option("--for", "After the report, the words that make this burner ask for the recommended speed "
    .. "(the JSON report carries them for every burner)."):choices(cli.need("cdperf.burners").tools)
  parser:flag("-V --version", "Print the version and exit.")
  return cli.parse(parser, argv)
end

local function list_models(json)
  local emulator, media, format = cdperf.emulator, cdperf.media, cdperf.format
  local models = {}
  local names = emulator.model_names()
  -- and the recordings of real devices shipped as models (cdperf.record)
  for _, name in ipairs(emulator.recorded_model_names and emulator.recorded_model_names() or {}) do
    names[#names + 1] = name
  end
  for _, name in ipairs(names) do
    local m = emulator.models[name]
    local inq = m.inquiry or {}
    local code = type(m.profile) == "table" and m.profile.code or m.profile
    models[#models + 1] = { name = name, vendor = inq.vendor, product = inq.product, revision = inq.revision,
      profile = math.tointeger(code) and media.name(code) or nil, source = m.source }
  end
  if json then
    out(format.json(models))
  else
    for _, m in ipairs(models) do
      out(("%-28s %s %s %s, %s"):format(m.name, m.vendor or "?", m.product or "?", m.revision or "",
        m.profile or "no medium"))
    end
  end
  return EXIT.ok
end

--- Run `cdperf [report]` with `argv` (the words after the command's name).
-- @tparam {string,...} argv
-- @treturn integer the exit status (cdperf.cli.EXIT)
-- @raise cli.die's error object (cdperf.cli.main turns it into a message and a status)
function command.main(argv)
  local args = #argv == 0 and DEFAULTS or parse(argv)
  if args.version then
    out(cli.PROG .. " " .. tostring(cdperf._VERSION))
    return EXIT.ok
  end
  if args.json and args.format then die("--json and --format exclude each other", EXIT.usage) end
  if args.list_models then return list_models(args.json) end

  local format = cdperf.format
  local size, wait_ms = cli.check_common(args)

  local devices = {}
  for _, d in ipairs(args.device) do devices[#devices + 1] = d end
  for _, m in ipairs(args.emulate) do
    if not cdperf.emulator.models[m] then
      -- a file: a model, a snapshot or a recording (checked before any drive is opened)
      local file = io.open(m, "rb")
      if not file then
        die(("unknown model %q (known: %s; or a model file, snapshot or recording)"):format(m,
          table.concat(cdperf.emulator.model_names(), ", ")), EXIT.usage)
      end
      file:close()
      local model, lmsg = cdperf.emulator.load(m)
      if not model then die(lmsg, EXIT.usage) end
    end
    devices[#devices + 1] = "emulated:" .. m
  end
  local no_drive = false
  if #devices == 0 then
    devices = cdperf.drives()
    no_drive = #devices == 0
  end

  -- the report's modules load only when there is a drive to report on
  local report = #devices > 0 and cli.need "cdperf.report" or { PARTS = {} }
  local speeds = #devices > 0 and cdperf.speeds or nil
  local parts = report.PARTS[args.format or "report"]
  if args.apply then parts = report.PARTS.report end

  local reports, status = {}, EXIT.ok
  local function fail(device, text, code)
    cli.warn(cli.display(device) .. ": " .. (tostring(text):gsub("\n.*", "")))
    status = math.max(status, code or EXIT.drive)
  end

  for i, device in ipairs(devices) do
    local drive, omsg, info = cdperf.open(device, { write = args.apply or nil, credentials = args.credentials })
    if not drive then
      fail(device, omsg)
      reports[#reports + 1] = { device = cli.display(device), error = tostring(omsg), error_info = info }
    else
      local snap = cdperf.snapshot(drive, { parts = parts, ready_timeout_ms = wait_ms, device = cli.display(device) })
      local r, _, entry = report.build(snap, { policy = args.policy, policy_text = args.policy, size = size })
      if args.apply then
        if not entry then
          fail(device, "nothing to apply: " .. tostring(r.errors.recommended or r.errors.speeds or r.errors.profile
            or (r.profile and r.profile.code == 0 and "no medium") or "no speed"))
        else
          local done, rep, ainfo = speeds.apply(drive, entry, snap)
          if not done then
            fail(device, rep)
            r.errors.apply = rep
            r.applied = { error = rep, info = ainfo }
          else
            r.applied = format.plain(rep)
            if not rep.obeyed then fail(device, "the drive did not obey the speed it was given", EXIT.disobeyed) end
          end
        end
      end
      drive:close()
      reports[#reports + 1] = r
      if args.format == "prcap" then
        if not snap.capabilities then
          fail(device, "mode page 2Ah: " .. tostring(r.errors.capabilities))
        else
          for _, l in ipairs(format.prcap(snap.capabilities)) do out(l) end
        end
      elseif args.format == "xorriso" then
        local list, lmsg = speeds.list(snap)
        if not list then
          fail(device, lmsg)
        else
          for _, l in ipairs(format.list_speeds(list, list.class)) do out(l) end
        end
      elseif args.format == "mediainfo" then
        local lines, errs, failed = format.mediainfo_report(snap)
        for _, l in ipairs(lines) do out(l) end
        for _, l in ipairs(errs) do io.stderr:write(l, "\n") end
        if failed then status = math.max(status, EXIT.drive) end
      elseif args.format == "atip" then
        local lines, errs, failed = format.atip_report(snap)
        for _, l in ipairs(lines) do out(l) end
        for _, l in ipairs(errs) do cli.warn(cli.display(device) .. ": " .. l) end
        if failed then status = math.max(status, EXIT.drive) end
      elseif not args.json then
        if i > 1 then out("") end
        for _, l in ipairs(report.text(r, { no_plot = args.no_plot })) do out(l) end
        if args["for"] and r.recommended then
          out("  For " .. cli.need("cdperf.handoff").text(args["for"], r.burners and r.burners[args["for"]],
            r.profile.class))
        end
      end
    end
  end

  local NO_DRIVE = "no optical drive found; try --emulate MODEL (--list-models lists the built-in drives)"
  if args.json then
    local doc = { cdperf = cdperf._VERSION, policy = args.policy, drives = format.plain(reports) }
    if no_drive then doc.error = "no optical drive found" end
    for _, r in ipairs(doc.drives) do
      if r.errors and next(r.errors) == nil then r.errors = nil end
    end
    out(format.json(doc))
    if no_drive then cli.warn(NO_DRIVE) end
  elseif no_drive then
    die(NO_DRIVE, EXIT.no_drive)
  end
  if no_drive then return EXIT.no_drive end
  return status
end

return command
