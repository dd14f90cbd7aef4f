--- cdperf.cli: the `cdperf` command: its commands, exit codes and the helpers they share.
-- bin/cdperf calls cli.main(arg).  Each command is a module with `help`,
-- `configure(parser)` (its argparse options) and `run(args)` -> exit code; the report is
-- the default command, so `cdperf -d /dev/sr0` and `cdperf report -d /dev/sr0` are one.
-- @module cdperf.cli

local cli = {}

--- The program's name in messages and usage lines: `"cdperf"`.
cli.PROG = "cdperf"

--- Exit codes (also in the help, the README and cdperf(1)): `{ ok = 0, drive = 1,
-- usage = 2, disobeyed = 3, no_drive = 4 }`.
cli.EXIT = { ok = 0, drive = 1, usage = 2, disobeyed = 3, no_drive = 4 }

--- The sentence about the exit codes that ends every command's help.
cli.EXIT_HELP = "Exit status: 0 every drive reported; 1 a drive could not be opened or read for what was "
  .. "asked; 2 bad usage; 3 --apply: the drive did not obey; 4 no drive found."

--- The commands: a list of `{ name =, module = }`; the first, the report, is the default.
cli.COMMANDS = {
  { name = "report", module = "cdperf.cli_report" },
  { name = "record", module = "cdperf.cli_record" },
  { name = "test", module = "cdperf.cli_test" },
  { name = "burn", module = "cdperf.cli_burn" },
}

local Exit = {}    -- the error object of die(): unwinds to main() with a code

--- Stop with one line on stderr and an exit code (default 1).
function cli.die(msg, code)
  error(setmetatable({ msg = (tostring(msg):gsub("\n.*", "")), code = code or cli.EXIT.drive }, Exit), 0)
end

--- require, or die with a line that says which module is missing.
function cli.need(name)
  local ok, m = pcall(require, name)
  if not ok then cli.die(("cannot load module '%s': %s"):format(name, (tostring(m):gsub("\n.*", "")))) end
  return m
end

--- Write one line to stdout.
-- @tparam string s
function cli.out(s) io.stdout:write(s, "\n") end
--- Write one line to stderr, after "cdperf: ".
-- @tparam string s
function cli.warn(s) io.stderr:write(cli.PROG, ": ", s, "\n") end

--- The device name as it may be shown (iSCSI passwords hidden).
function cli.display(device)
  local core = require "cdperf.core"
  if type(core.display_name) == "function" and type(device) == "string" then return core.display_name(device) end
  return tostring(device)
end

--- An argparse parser for `command` (nil: the report at the top level).
function cli.parser(command, description)
  local argparse = cli.need "argparse"
  local parser = argparse(command and (cli.PROG .. " " .. command) or cli.PROG, description)
  parser:epilog(cli.EXIT_HELP)
  return parser
end

--- Parse with `parser` or die with exit code 2.
function cli.parse(parser, argv)
  local ok, args = parser:pparse(argv)
  if not ok then cli.die(args .. " (see --help)", cli.EXIT.usage) end
  return args
end

--- The options every command that picks a speed shares, checked before any drive is
-- opened: returns the size in bytes (or nil) and the wait in ms; dies (exit 2) on a bad
-- --policy, --size or --wait-ready.
function cli.check_common(args)
  local ok, msg = pcall(cli.need("cdperf.policy").compile, args.policy)
  if not ok then
    cli.die((tostring(msg):gsub("^bad argument #2 to 'pick' %((.*)%)$", "bad --policy: %1")), cli.EXIT.usage)
  end
  local size
  if args.size then
    size, msg = require("cdperf.format").parse_size(args.size)
    if not size then cli.die("--size: " .. msg, cli.EXIT.usage) end
  end
  local wait_ms = math.tointeger(tonumber(args.wait_ready or "0"))
  if not wait_ms or wait_ms < 0 then
    cli.die(("bad --wait-ready %q (milliseconds >= 0)"):format(tostring(args.wait_ready)), cli.EXIT.usage)
  end
  return size, wait_ms
end

local function command_of(name)
  for _, c in ipairs(cli.COMMANDS) do if c.name == name then return c end end
  return nil
end

--- Run the command line `argv` (a list of strings); returns the exit code.
function cli.main(argv)
  local args = {}
  for i, a in ipairs(argv or {}) do args[i] = a end
  local ok, code = pcall(function()
    local cmd = command_of(args[1])
    if cmd then table.remove(args, 1) else cmd = cli.COMMANDS[1] end
    local m = cli.need(cmd.module)
    return m.main(args)
  end)
  if ok then return code or cli.EXIT.ok end
  if getmetatable(code) == Exit then
    io.stderr:write(cli.PROG, ": ", code.msg, "\n")
    return code.code
  end
  io.stderr:write(cli.PROG, ": internal error: ", (tostring(code):gsub("\n.*", "")), "\n")
  return cli.EXIT.drive
end

return cli
