-- tools/doc-check.lua: does every public name of cdperf have an entry in the LDoc reference?
--
--   lua5.4 tools/doc-check.lua [DIR]      (DIR: LDoc's output, default docs/api; make check-doc)
--
-- The public names are read from the modules themselves, as a script sees them:
-- `require "cdperf"` and every module config.ld lists (the string keys of each module's
-- table; names starting with "_" are private, but _VERSION), the methods of cdperf.Drive
-- and of the core's drives, and the methods of the objects the modules hand out (an
-- emulator, a recorder, a replay device, a progress meter).  The doc entries are the
-- anchors LDoc wrote for each module's page (docs/api/modules/NAME.html).  A name without
-- an entry fails, and so does an entry for a name that is not there (a renamed function),
-- and a module under lua/cdperf/ that config.ld does not list.
-- Exit status: 0 all documented, 1 not, 2 the reference or config.ld cannot be read.

local dir = arg[1] or "docs/api"
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./build/?.so;" .. package.cpath

local function fail(msg)
  io.stderr:write("doc-check: ", msg, "\n")
  os.exit(2)
end

-- config.ld is Lua: its `file` list says which sources LDoc reads.
local config = {}
local chunk, err = loadfile("config.ld", "t", config)
if not chunk then fail(err) end
chunk()
if type(config.file) ~= "table" then fail("config.ld has no file list") end

-- module name -> source file, for the Lua modules; the C core is read from its .luadoc
local modules, listed = {}, {}
for _, f in ipairs(config.file) do
  listed[f] = true
  local base = f:match("^lua/cdperf/([%w_]+)%.lua$")
  if base then
    modules[#modules + 1] = base == "init" and "cdperf" or "cdperf." .. base
  end
end
modules[#modules + 1] = "cdperf.core"

local problems = {}
local function problem(fmt, ...) problems[#problems + 1] = fmt:format(...) end

-- Every module of the Lua layer is in the reference (models are data; deepcopy is
-- emulator.deepcopy).
local ls = io.popen("ls lua/cdperf/*.lua")
for f in ls:lines() do
  if not listed[f] and f ~= "lua/cdperf/deepcopy.lua" then
    problem("%s is not in config.ld's file list", f)
  end
end
ls:close()

local function anchors(module)
  local path = ("%s/modules/%s.html"):format(dir, module)
  local fh = io.open(path, "rb")
  if not fh then return nil end
  local html = fh:read("a")
  fh:close()
  local set = {}
  for name in html:gmatch('<a name = "([^"]+)"></a>') do set[name] = true end
  return set
end

local function public(k)
  return type(k) == "string" and (k == "_VERSION" or not k:find("^_"))
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- The methods of an object's class: the functions of its __index table.
local function methods_of(obj)
  local mt = getmetatable(obj)
  local index = type(mt) == "table" and mt.__index
  local names = {}
  if type(index) == "table" then
    for k, v in pairs(index) do
      if type(v) == "function" and public(k) then names[#names + 1] = k end
    end
  end
  table.sort(names)
  return names
end

local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local record = require "cdperf.record"

-- Classes: module -> { class name -> list of method names }
local classes = {}
local function class(module, name, list)
  classes[module] = classes[module] or {}
  local seen, all = {}, classes[module][name] or {}
  for _, m in ipairs(all) do seen[m] = true end
  for _, m in ipairs(list) do
    if not seen[m] then all[#all + 1] = m; seen[m] = true end
  end
  classes[module][name] = all
end

local drive_methods = {}
for k, v in pairs(cdperf.Drive) do
  if type(v) == "function" then drive_methods[#drive_methods + 1] = k end
end
for k in pairs(cdperf.core.methods()) do drive_methods[#drive_methods + 1] = k end
class("cdperf", "Drive", drive_methods)

local emu = emulator.new(emulator.models.lg_wh16ns40_bdr)
class("cdperf.emulator", "Emu", methods_of(emu))
local rec = record.new(emu)
class("cdperf.record", "Recorder", methods_of(rec))
local replay = assert(record.replay(rec:recording()))
class("cdperf.record", "Replay", methods_of(replay))
class("cdperf.progress", "Meter", methods_of(require("cdperf.progress").meter()))

local checked = 0
for _, name in ipairs(modules) do
  local ok, m = pcall(require, name)
  local doc = anchors(name)
  if not ok then
    problem("%s: cannot be loaded: %s", name, tostring(m))
  elseif not doc then
    problem("%s: no page %s/modules/%s.html (run make doc)", name, dir, name)
  else
    local expected = {}
    if type(m) == "table" then
      for _, k in ipairs(sorted_keys(m)) do
        local v = m[k]
        local submodule = name == "cdperf" and k ~= "core" and package.loaded["cdperf." .. tostring(k)] == v
        if public(k) and not submodule and not (name == "cdperf" and k == "Drive") then
          expected[#expected + 1] = k
        end
      end
    end
    for cname, list in pairs(classes[name] or {}) do
      for _, meth in ipairs(list) do expected[#expected + 1] = cname .. ":" .. meth end
    end
    -- an anchor is the name, or the name after the module's own table ("speeds.list")
    local found = {}
    for a in pairs(doc) do
      found[a] = true
      local short = a:match("^[%w_]+%.([%w_]+)$")
      if short then found[short] = true end
    end
    local want = {}
    for _, k in ipairs(expected) do
      want[k] = true
      checked = checked + 1
      if not found[k] then problem("%s: %s has no doc entry", name, k) end
    end
    for _, a in ipairs(sorted_keys(doc)) do
      local short = a:match("^[%w_]+%.([%w_]+)$")
      if not want[a] and not (short and want[short]) then
        problem("%s: the doc entry %s names nothing the module has", name, a)
      end
    end
  end
end

if #problems > 0 then
  for _, p in ipairs(problems) do io.stderr:write("doc-check: ", p, "\n") end
  io.stderr:write(("doc-check: %d problem(s); %d public names checked\n"):format(#problems, checked))
  os.exit(1)
end
print(("doc-check: %d public names in %d modules, each with a doc entry"):format(checked, #modules))
