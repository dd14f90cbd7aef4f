-- docs/cdperf.1 and `cdperf COMMAND --help` agree: the same commands, each with the same
-- options (every flag, short and long), the same choices where an option takes a fixed
-- set of words, and the same policy words.

local function run(args)
  local p = assert(io.popen("lua5.4 bin/cdperf " .. args .. " 2>&1"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and 0 or code
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- Options of a --help text: flag -> { choices = "a,b" or nil, text = its description },
-- one table shared by an option's short and long flag.  argparse lists them after
-- "Options:" up to the first blank line: the flags in a column before the description
-- (two or more spaces), an option's flags and description across one or more lines.
local function help_options(text)
  local block = assert(text:match("\nOptions:\n(.-)\n\n"), "no Options: block in --help")
  local opts, entry = {}, nil
  for line in block:gmatch("[^\n]+") do
    local column, rest = line:match("^%s*(%S.-)%s%s+(%S.*)$")
    if not column then column, rest = line:match("^%s*(.-)%s*$"), "" end
    if column:match("^%-") then
      local flags = {}
      for flag in (" " .. column):gmatch("[%s,](%-%-?[%w][%w%-]*)") do flags[#flags + 1] = flag end
      -- a new option, unless this line continues the flags of the one before (-d <x>, / --device <x>)
      if not (entry and entry.open) then entry = { text = "" } end
      entry.open = column:match(",$") ~= nil
      for _, f in ipairs(flags) do opts[f] = entry end
      entry.choices = entry.choices or column:match("{([^}]+)}")
    else
      rest = column .. " " .. rest
    end
    if entry then entry.text = entry.text .. " " .. rest end
  end
  return opts
end

-- The man page as { SECTION = text } (roff requests kept), and the text of a roff line
-- with its escapes and fonts taken out.
local function sections(man)
  local t, name = {}, nil
  for line in (man .. "\n"):gmatch("(.-)\n") do
    local sh = line:match('^%.SH%s+"?(.-)"?$')
    if sh then
      name = sh
      t[name] = ""
    elseif name then
      t[name] = t[name] .. line .. "\n"
    end
  end
  return t
end

local function plain(line)
  line = line:gsub("\\f[BIRP]", ""):gsub("\\c$", ""):gsub("\\%-", "-"):gsub("\\e", "\\")
  line = line:gsub('^%.[BIR][BIR]?%s+', ""):gsub('"', "")
  return line
end

-- Options of a man section: the flags on the line after each .TP, with their choices
-- (words joined by "|" in bold) and the text of the entry.
local function man_options(section)
  local opts, lines = {}, {}
  for l in section:gmatch("[^\n]*") do lines[#lines + 1] = l end
  for i, l in ipairs(lines) do
    if l == ".TP" and lines[i + 1] then
      local head = plain(lines[i + 1])
      local body = {}
      for j = i + 2, #lines do
        if lines[j]:match("^%.TP") or lines[j]:match("^%.SH") then break end
        body[#body + 1] = plain(lines[j])
      end
      for flag in (" " .. head):gmatch("[%s,](%-%-?[%w][%w%-]*)") do
        opts[flag] = { choices = head:match("([%w%-]+|[%w%-|]+)"), text = table.concat(body, " ") }
      end
    end
  end
  return opts
end

local function sorted_keys(t)
  local k = {}
  for name in pairs(t) do k[#k + 1] = name end
  table.sort(k)
  return k
end

local man = read_file("docs/cdperf.1")
local sec = sections(man)

describe("docs/cdperf.1 and --help", function()
  it("name the same commands", function()
    local help = run("--help")
    local listed = assert(help:match("Commands: ([%w, ]+)"), "no Commands: line in --help")
    local commands = {}
    for c in listed:gmatch("%w+") do commands[#commands + 1] = c end
    assert.are.same({ "report", "record", "test", "burn" }, commands)
    for _, c in ipairs(commands) do
      assert.is_truthy(sec[c:upper() .. " OPTIONS"], "no section " .. c:upper() .. " OPTIONS")
      assert.is_truthy(sec.SYNOPSIS:find("cdperf", 1, true))
      assert.is_truthy(sec.COMMANDS:find("\n.B " .. c .. "\n", 1, true), "COMMANDS lacks " .. c)
    end
  end)

  for _, c in ipairs { "report", "record", "test", "burn" } do
    it("list the options of " .. c .. " with their choices", function()
      local text, status = run((c == "report" and "" or c) .. " --help")
      assert.are.equal(0, status)
      local h = help_options(text)
      local m = man_options(assert(sec[c:upper() .. " OPTIONS"]))
      assert.are.same(sorted_keys(h), sorted_keys(m))
      for flag, o in pairs(h) do
        if o.choices then
          local want = o.choices:gsub(",", "|")
          assert.are.equal(want, m[flag].choices, c .. " " .. flag .. ": the man page's choices")
        end
      end
    end)
  end

  it("give the defaults --help gives", function()
    for _, c in ipairs { "report", "record", "test", "burn" } do
      local h = help_options((run((c == "report" and "" or c) .. " --help")))
      local m = man_options(sec[c:upper() .. " OPTIONS"])
      for _, flag in ipairs(sorted_keys(h)) do
        -- "Zones to sample across the disc. (default: 16)"; --progress's "auto" is a choice
        local d = h[flag].text:match("%(default: ([^)]+)%)")
        if d and d ~= "auto" then
          assert.is_truthy(m[flag].text:find("Default: " .. d, 1, true),
            ("%s %s: the man page does not say 'Default: %s'"):format(c, flag, d))
        end
      end
    end
  end)

  it("know the same policy words", function()
    local policy = require "cdperf.policy"
    local words = {}
    for _, w in ipairs(policy.WORDS) do words[#words + 1] = w.word end
    local m = man_options(sec.POLICIES)
    local listed = {}
    for line in sec.POLICIES:gmatch("%.TP\n([^\n]+)") do
      for w in plain(line):gmatch("[%a][%a%-]*") do listed[w] = true end
    end
    for _, w in ipairs(words) do assert.is_truthy(listed[w], "POLICIES lacks " .. w) end
    assert.is_nil(next(m), "no option flags in POLICIES")
    local help = run("--help")
    assert.is_truthy(help:find(policy.usage(), 1, true))
  end)

  it("give the same exit codes", function()
    local cli = require "cdperf.cli"
    local codes = {}
    for line in sec["EXIT STATUS"]:gmatch("%.TP\n%.B (%d)\n") do codes[#codes + 1] = tonumber(line) end
    local want = {}
    for _, v in pairs(cli.EXIT) do want[#want + 1] = v end
    table.sort(want)
    assert.are.same(want, codes)
  end)
end)
