--- cdperf.handoff: from the speed cdperf chose to the burner's command line.
--
-- Pure functions of a snapshot and argv lists (cdperf.burners does the arithmetic of
-- each tool; this module feeds it what the drive said and edits command lines):
--   handoff.drive_list(snap)            --> the drive's write speeds as the tools read
--                                           them (GET PERFORMANCE 03h in the drive's
--                                           order, else mode page 2Ah), or nil
--   handoff.words(snap, entry)          --> { [tool] = { argv =, requested =, command =,
--                                           exact =, note = } or { error = } }
--   handoff.tool_of(program [, target]) --> tool, mode | nil, message
--   handoff.insert(tool, argv, words [, mode]) --> new argv, removed words
--   handoff.text(tool, info, class)     --> one line for a person
-- @module cdperf.handoff

local burners = require "cdperf.burners"
local format = require "cdperf.format"

local handoff = {}

local fmt = string.format

local function positive_int(v)
  local n = math.type(v) == "integer" and v or (type(v) == "number" and math.tointeger(v)) or nil
  return n and n > 0 and n or nil
end

--- The write speeds the burners choose among: the drive's GET PERFORMANCE (03h)
-- descriptors in the order it sent them, else mode page 2Ah's list (growisofs and
-- libburn read exactly these; cdperf's clean list may merge or drop some).  Entries
-- { write =, source = "get_performance"|"page_2a" }; {} when the drive listed none;
-- nil when the snapshot holds neither part.
-- @tparam table snap a snapshot
-- @treturn table|nil
function handoff.drive_list(snap)
  if type(snap) ~= "table" then return nil end
  local out, read = {}, false
  if type(snap.write_speeds) == "table" then
    read = true
    for _, d in ipairs(snap.write_speeds) do
      local w = type(d) == "table" and positive_int(d.write_speed)
      if w then out[#out + 1] = { write = w, source = "get_performance" } end
    end
  end
  if #out == 0 and type(snap.capabilities) == "table" then
    read = true
    local ws = snap.capabilities.write_speeds
    for _, d in ipairs(type(ws) == "table" and ws or {}) do
      local w = positive_int(type(d) == "table" and d.speed or d)
      if w then out[#out + 1] = { write = w, source = "page_2a" } end
    end
  end
  if not read then return nil end
  return out
end

--- What every burner needs to be told to ask for `entry` on the snapshot's medium:
-- { [tool] = { argv =, requested = kB/s or nil, command =, exact =, note = } } or
-- { [tool] = { error = why } } for a tool that cannot write the medium.  nil when the
-- medium has no speed class or the entry no usable speed.
-- @tparam table snap a snapshot
-- @tparam table entry a speed-list entry
-- @treturn table|nil
function handoff.words(snap, entry)
  local prof = type(snap) == "table" and type(snap.profile) == "table" and snap.profile or nil
  local class = prof and prof.class
  if class ~= "cd" and class ~= "dvd" and class ~= "bd" then return nil end
  if type(entry) ~= "table" or not positive_int(entry.write) then return nil end
  local opts = { list = handoff.drive_list(snap), profile = positive_int(prof.code) }
  local e = { write = positive_int(entry.write), nominal = entry.nominal, source = entry.source }
  if type(e.nominal) ~= "number" then e.nominal = nil end
  if type(e.source) ~= "string" then e.source = nil end
  local out = {}
  for _, tool in ipairs(burners.tools) do
    local argv, info = burners.argument(tool, e, class, opts)
    if argv then
      out[tool] = { argv = argv, requested = info.requested, command = info.command, exact = info.exact,
        note = info.note }
    else
      out[tool] = { error = info }
    end
  end
  return out
end

--- One line: "growisofs: -speed=4 (sends 4x DVD (5540 kB/s) by SET STREAMING)".
-- @tparam string tool
-- @tparam table info the tool's entry of `words`
-- @tparam string class
-- @treturn string
function handoff.text(tool, info, class)
  if type(info) ~= "table" then return fmt("%s: no words (no speed chosen)", tool) end
  if info.error then return fmt("%s: none: %s", tool, info.error) end
  local words = #info.argv > 0 and table.concat(info.argv, " ") or "(no speed word)"
  local sends = info.requested and fmt("sends %s by %s", format.speed(info.requested, class), info.command)
    or "sends what the drive offers"
  if info.exact then return fmt("%s: %s (%s)", tool, words, sends) end
  return fmt("%s: %s (not exact: %s)", tool, words, info.note)
end

-- ---------------------------------------------------------------------------
-- Command lines.

-- Program names -> tool, and how xorriso takes its arguments.  base_obj.c
-- Xorriso_new() (libisoburn 1.5.4): a xorriso started as xorrecord, wodim, cdrecord or
-- cdrskin takes cdrecord arguments.
local NAMES = { growisofs = "growisofs", xorriso = "xorriso", xorrecord = "xorriso", cdrskin = "cdrskin",
  wodim = "wodim", cdrecord = "cdrecord" }
local CDRECORD_NAMES = { xorrecord = true, wodim = true, cdrecord = true, cdrskin = true }

local function leaf(path)
  local name = tostring(path):match("([^/\\]+)$") or tostring(path)
  return (name:gsub("%.[eE][xX][eE]$", ""))
end

--- The burner a program is: tool, mode ("native" or "cdrecord": xorriso taking
-- cdrecord arguments).  target (optional): the file the program's path resolves to,
-- so that Debian's /usr/bin/cdrecord -> wodim counts as wodim.  nil, message when it
-- is none of burners.tools.
-- @tparam string program argv[1]
-- @tparam[opt] string target
-- @treturn string the tool
-- @treturn string the mode
-- @return[2] nil
-- @treturn[2] string message
function handoff.tool_of(program, target)
  local name, real = leaf(program), target and leaf(target)
  local tool = NAMES[real or ""] or NAMES[name]
  if not tool then
    return nil, fmt("%s is not a burner cdperf knows (%s; --tool names it)", name, table.concat(burners.tools, ", "))
  end
  if tool == "xorriso" and CDRECORD_NAMES[name] then return "xorriso", "cdrecord" end
  return tool, "native"
end

local XORRISO_AS = { cdrecord = true, wodim = true, cdrskin = true, xorrecord = true }

local function is_eq_speed(a) return a:match("^%-?speed=") ~= nil end          -- cdrecord family
local function is_dash_speed(a) return a:match("^%-%-?speed") ~= nil end       -- growisofs: any -speed*

--- argv (argv[1] the program) with `words` put where the tool reads them and every
-- speed word the user gave taken out; and the list of words taken out.
--
-- * growisofs: "-speed=N" first; "-speed=X", "-speedX", "--speed X", "-speed X" removed.
-- * wodim, cdrecord, cdrskin: "speed=N" first; "speed=X" and "-speed=X" removed.
-- * xorriso: "-speed V" first, or "speed=V" inside the first "-as cdrecord" part
--   (or first of all when xorriso runs as xorrecord, mode "cdrecord");
--   "-speed V" outside and "speed=V" inside those parts removed.
-- @tparam string tool
-- @tparam {string,...} argv
-- @tparam {string,...} words
-- @tparam[opt="native"] string mode
-- @treturn {string,...} the new argv
-- @treturn {string,...} the words taken out
function handoff.insert(tool, argv, words, mode)
  if type(argv) ~= "table" or type(argv[1]) ~= "string" then
    error("bad argument #2 to 'insert' (argv with the program first expected)", 2)
  end
  local out, removed = { argv[1] }, {}
  local at = 2                    -- where the words go
  if tool == "growisofs" then
    local i = 2
    while i <= #argv do
      local a = argv[i]
      if is_dash_speed(a) then
        removed[#removed + 1] = a
        if (a == "-speed" or a == "--speed") and argv[i + 1] then
          removed[#removed] = a .. " " .. argv[i + 1]
          i = i + 1
        end
      else
        out[#out + 1] = a
      end
      i = i + 1
    end
  elseif tool == "xorriso" then
    local value = words[#words]
    if mode == "cdrecord" then
      words = value and { "speed=" .. value } or {}
      for i = 2, #argv do
        if is_eq_speed(argv[i]) then removed[#removed + 1] = argv[i] else out[#out + 1] = argv[i] end
      end
    else
      local section, first_as = nil, nil   -- nil | "cdrecord" | "other"
      local i = 2
      while i <= #argv do
        local a = argv[i]
        if section and a == "--" then
          section = nil
          out[#out + 1] = a
        elseif section == "cdrecord" and is_eq_speed(a) then
          removed[#removed + 1] = a
        elseif section then
          out[#out + 1] = a
        elseif (a == "-as" or a == "--as") and argv[i + 1] then
          out[#out + 1] = a
          out[#out + 1] = argv[i + 1]
          section = XORRISO_AS[argv[i + 1]] and "cdrecord" or "other"
          if section == "cdrecord" and not first_as then first_as = #out + 1 end
          i = i + 1
        elseif (a == "-speed" or a == "--speed") and argv[i + 1] then
          removed[#removed + 1] = a .. " " .. argv[i + 1]
          i = i + 1
        else
          out[#out + 1] = a
        end
        i = i + 1
      end
      if first_as then
        at = first_as
        words = value and { "speed=" .. value } or {}
      end
    end
  else
    for i = 2, #argv do
      if is_eq_speed(argv[i]) then removed[#removed + 1] = argv[i] else out[#out + 1] = argv[i] end
    end
  end
  for k = #words, 1, -1 do table.insert(out, at, words[k]) end
  return out, removed
end

return handoff
