--- cdperf.cli_record: `cdperf record -d DEV -o FILE`: read a drive once through a recorder
-- (cdperf.record) and write the recording, a file to send with a bug report
-- (docs/recording.md).  Progress on stderr; the commands it sent listed at the end.
-- @module cdperf.cli_record

local cli = require "cdperf.cli"
local cdperf = require "cdperf"

local command = {}

local EXIT, die, out = cli.EXIT, cli.die, cli.out
local fmt = string.format

--- The command's description (the first paragraph of its help).
command.help = "Record a drive: every command cdperf sends it and the drive's exact answer, with the "
  .. "snapshot, in one file (no serial numbers) that `cdperf -e FILE` and `cdperf -d replay:FILE` read back. "
  .. "Send the file with a bug report."

local function parse(argv)
  local parser = cli.parser("record", command.help)
  parser:option("-d --device", "Drive to record: a path (/dev/sr0, D:), iscsi://..., emulated:MODEL_OR_FILE "
    .. "or replay:FILE.")
  parser:option("-o --output", "File to write the recording to.")
  parser:option("--comment", "A line for whoever reads the recording (what went wrong, say).")
  parser:option("--credentials", "File with the iSCSI CHAP credentials (mode 600), as for the report.")
  parser:option("--wait-ready", "Milliseconds to wait for a drive that is becoming ready.", "10000")
  parser:flag("--no-exceptions", "Do not ask for the exception descriptors (GET PERFORMANCE Except=10b).")
  parser:flag("-q --quiet", "No progress on stderr.")
  local args = cli.parse(parser, argv)
  if not args.device then die("record needs a drive: -d DEV (see --help)", EXIT.usage) end
  if not args.output then die("record needs a file to write: -o FILE (see --help)", EXIT.usage) end
  return args
end

-- "96 bytes", "CHECK CONDITION 5/24/00", "error: ..."
local function answer_text(ex)
  if ex.error then return "error: " .. ex.error end
  if ex.sense then
    local s = require("cdperf.record").unhex(ex.sense)
    local core = require "cdperf.core"
    local ok, d = pcall(core.decode_sense, s)
    if ok and type(d) == "table" and d.sense_key then
      return fmt("CHECK CONDITION %X/%02X/%02X %s%s", d.sense_key, d.asc or 0, d.ascq or 0, tostring(d.sense),
        d.text and (", " .. d.text) or "")
    end
    return "CHECK CONDITION (sense " .. ex.sense .. ")"
  end
  if ex.direction == "in" then return fmt("%d bytes", #ex.data // 2) end
  return "GOOD"
end

--- Run `cdperf record` with `argv` (the words after the command's name).
-- @tparam {string,...} argv
-- @treturn integer the exit status (cdperf.cli.EXIT)
-- @raise cli.die's error object (cdperf.cli.main turns it into a message and a status)
function command.main(argv)
  local args = parse(argv)
  local record = cli.need "cdperf.record"
  local wait_ms = math.tointeger(tonumber(args.wait_ready))
  if not wait_ms or wait_ms < 0 then
    die(fmt("bad --wait-ready %q (milliseconds >= 0)", args.wait_ready), EXIT.usage)
  end
  local name = cli.display(args.device)
  local function progress(ex, n)
    if args.quiet then return end
    local cdb = record.unhex(ex.cdb)
    cli.warn(fmt("record %s: %d %s: %s", name, n, record.opcode_name(cdb), answer_text(ex)))
  end
  local rec, msg = cdperf.record(args.device, { credentials = args.credentials, on_exchange = progress })
  if not rec then die(name .. ": " .. tostring(msg), EXIT.drive) end
  local snap, smsg = rec:snapshot { ready_timeout_ms = wait_ms, exceptions = not args.no_exceptions }
  if not snap then
    rec:close()
    die(name .. ": " .. tostring(smsg), EXIT.drive)
  end
  local parts = {}
  for part in pairs(snap.errors or {}) do parts[#parts + 1] = part end
  table.sort(parts)
  for _, part in ipairs(parts) do
    cli.warn(fmt("%s: %s: %s (recorded as the drive answered)", name, part, tostring(snap.errors[part].message)))
  end
  local ok, werr = rec:save(args.output, { comment = args.comment })
  rec:close()
  if not ok then die(tostring(werr), EXIT.drive) end

  local exchanges = rec:exchanges()
  local inq = snap.inquiry
  out(fmt("Recorded %s (%s; %s) to %s: %d commands.", name,
    inq and fmt("%s %s %s", inq.vendor, inq.product, inq.revision) or "no INQUIRY answer",
    snap.profile and (snap.profile.code == 0 and "no medium" or tostring(snap.profile.name)) or "profile unknown",
    args.output, #exchanges))
  out(fmt("%3s  %-47s %-19s %s", "#", "CDB", "command", "answer"))
  for i, ex in ipairs(exchanges) do
    local cdb = record.unhex(ex.cdb)
    out(fmt("%3d  %-47s %-19s %s", i, record.spaced(cdb), record.opcode_name(cdb), answer_text(ex)))
  end
  out(fmt("It holds no serial numbers. `cdperf -d replay:%s` answers as the drive did; "
    .. "send the file with your bug report.", args.output))
  return EXIT.ok
end

return command
