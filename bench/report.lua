--- bench/report.lua: what the report costs — commands per report (counted on the emulator,
-- every built-in model) and start cost (a process running the report against a bare
-- `require "cdperf"`), now and as measured on the commit before the read-once rework.

local report_bench = {}

-- Measured on cdd4ecf (the last commit before cdperf.snapshot), with the same method as
-- run() below: CDPERF_TRACE lines of `cdperf -e MODEL` and of `cdperf -e MODEL -f prcap`,
-- and callgrind instruction counts of the same commands from the source tree.
report_bench.BEFORE = {
  commit = "cdd4ecf",
  commands = { ihas124f_cdr = 19, lg_gsa4083n_dvdrw = 11, lg_gsa4120b_no_getperf = 9, lg_gsa4163b_cdr = 21,
    lg_wh16ns40_bdr = 19, lg_wh16ns40_bdr_written = 19, lg_wh16ns40_empty = 3, liteon_sohw1673s_dvdpr = 17,
    nec_nd3540a_dvdprw = 13, optiarc_ad7590s_dvdpr_dl = 15, samsung_sh224db_dvdpr = 19, samsung_shs182m_dvdram = 13 },
  distinct = 6,
  prcap = { samsung_sh224db_dvdpr = 19 },
  instructions = { bare = 3364591, report_no_drive = 32663096, report_emulated = 35968564 },
}

local function hex(s) return (s:gsub(".", function(c) return ("%02X"):format(c:byte()) end)) end

--- Commands per report for every built-in model: what the default report and -f prcap send.
function report_bench.commands(cdperf)
  local emulator, report = cdperf.emulator, require "cdperf.report"
  local rows = {}
  for _, name in ipairs(emulator.model_names()) do
    local function count(parts)
      local emu = emulator.new(emulator.models[name])
      local drive = assert(cdperf.open(emu))
      local snap = cdperf.snapshot(drive, { parts = parts })
      report.text(report.build(snap, {}))
      drive:close()
      local seen, distinct = {}, 0
      for _, cdb in ipairs(emu:log()) do
        if not seen[hex(cdb)] then seen[hex(cdb)], distinct = true, distinct + 1 end
      end
      return #emu:log(), distinct
    end
    local n, d = count(report.PARTS.report)
    local p = count(report.PARTS.prcap)
    rows[#rows + 1] = { model = name, commands = n, distinct = d, prcap = p,
      before = report_bench.BEFORE.commands[name] }
  end
  return rows
end

local function sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

-- Instructions one run of `cmd` executes (callgrind), or nil without valgrind.
local function instructions(cmd, env)
  local out = sh((env or "") .. "valgrind --tool=callgrind --callgrind-out-file=/dev/null " .. cmd
    .. " 2>&1 >/dev/null")
  local n = out:match("refs:%s*([%d,]+)")
  return n and tonumber((n:gsub(",", ""))) or nil
end

-- Median wall time of `cmd` in ms over `runs` runs.
local function wall_ms(cmd, runs)
  local script = ("for i in $(seq %d); do t0=$(date +%%s%%N); %s >/dev/null 2>&1; t1=$(date +%%s%%N); "
    .. "echo $((t1 - t0)); done"):format(runs, cmd)
  local t = {}
  for ns in sh("sh -c '" .. script:gsub("'", "'\\''") .. "'"):gmatch("%d+") do t[#t + 1] = tonumber(ns) / 1e6 end
  table.sort(t)
  return t[(#t + 1) // 2]
end

--- Start cost: each command's instructions and median wall time, from the source tree
-- (root) and, when given, from an installed tree (precompiled modules; opts.installed =
-- { bin =, lua_path =, lua_cpath = }).
function report_bench.start(root, opts)
  opts = opts or {}
  local runs = opts.runs or 21
  local have_valgrind = sh("command -v valgrind"):find("valgrind") ~= nil
  local lua = opts.lua or "lua5.4"
  local paths = ("package.path='%s/lua/?.lua;%s/lua/?/init.lua;'..package.path;"
    .. "package.cpath='%s/build/?.so;'..package.cpath;"):format(root, root, root)
  local cases = {
    { key = "bare", what = "lua5.4 -e 'require \"cdperf\"' (source tree)",
      cmd = ("%s -e \"%srequire'cdperf'\""):format(lua, paths) },
    { key = "report_no_drive", what = "cdperf (the default report; no drive here)",
      cmd = ("%s %s/bin/cdperf"):format(lua, root) },
    { key = "report_emulated", what = "cdperf -e samsung_sh224db_dvdpr (argparse, an emulated drive)",
      cmd = ("%s %s/bin/cdperf -e samsung_sh224db_dvdpr --no-plot"):format(lua, root) },
  }
  local inst = opts.installed
  if inst then
    local env = ("LUA_PATH_5_4='%s' LUA_CPATH_5_4='%s'"):format(inst.lua_path, inst.lua_cpath)
    cases[#cases + 1] = { key = "bare_installed", what = "lua5.4 -e 'require \"cdperf\"' (installed, precompiled)",
      env = env, cmd = lua .. " -e \"require'cdperf'\"" }
    cases[#cases + 1] = { key = "report_no_drive_installed", what = "cdperf (installed, precompiled)",
      env = env, cmd = lua .. " " .. inst.bin }
    cases[#cases + 1] = { key = "report_emulated_installed",
      what = "cdperf -e samsung_sh224db_dvdpr (installed, precompiled)",
      env = env, cmd = lua .. " " .. inst.bin .. " -e samsung_sh224db_dvdpr --no-plot" }
  end
  for _, c in ipairs(cases) do
    local env = c.env and (c.env .. " ") or ""
    c.ms = wall_ms(env .. c.cmd, runs)
    c.instructions = have_valgrind and instructions(c.cmd, env) or nil
    c.before = report_bench.BEFORE.instructions[c.key]
  end
  return cases
end

return report_bench
