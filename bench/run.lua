--- make bench: runs bench/decode.lua, bench/overhead.lua and bench/commands.lua, prints the
-- tables and writes them to BENCHMARKS.md (or the file named by the first argument).
--   lua5.4 bench/run.lua [OUTPUT.md]
-- Environment: CC, CFLAGS (reported as the compiler), CDPERF_BENCH_ROUNDS (default 15),
-- CDPERF_BENCH_TARGET (seconds per timed sample, default 0.04).
local root = (arg and arg[0] or ""):match("^(.*)/bench/run%.lua$") or "."
package.path = table.concat({ root .. "/?.lua", root .. "/lua/?.lua", root .. "/lua/?/init.lua", package.path }, ";")
package.cpath = root .. "/build/?.so;" .. package.cpath

local started = os.clock()
local wall_started = os.time()

local cdperf = require "cdperf"
local util = require "bench.util"
local decode = require "bench.decode"
local overhead = require "bench.overhead"
local commands = require "bench.commands"

local output = arg[1] or (root .. "/BENCHMARKS.md")
local rounds = tonumber(os.getenv("CDPERF_BENCH_ROUNDS") or "") or 15
local target = tonumber(os.getenv("CDPERF_BENCH_TARGET") or "") or 0.04
local DECODE_GOAL = 3

-- ---------------------------------------------------------------------------------------
-- The machine

local function first_line(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  if not p then return nil end
  local line = p:read("l")
  p:close()
  return line
end

local function machine()
  local m = {}
  local f = io.open("/proc/cpuinfo", "r")
  if f then
    local text = f:read("a")
    f:close()
    m.cpu = text:match("model name%s*:%s*([^\n]+)") or text:match("Hardware%s*:%s*([^\n]+)")
    local n = 0
    for _ in text:gmatch("\nprocessor%s*:") do n = n + 1 end
    if text:match("^processor%s*:") then n = n + 1 end
    m.cores = n
  end
  m.os = first_line("uname -sr")
  local interp = arg and arg[-1] or "lua"
  m.lua = (first_line(interp .. " -v") or _VERSION):match("^(Lua %S+)") or _VERSION
  local cc = os.getenv("CC") or "cc"
  m.cc = first_line(cc .. " --version") or cc
  m.cflags = os.getenv("CFLAGS")
  m.git = first_line("git -C '" .. root .. "' rev-parse --short HEAD")
  if m.git then
    local dirty = first_line("git -C '" .. root .. "' status --porcelain --untracked-files=no")
    if dirty and dirty ~= "" then m.git = m.git .. " + uncommitted changes" end
  end
  return m
end

-- ---------------------------------------------------------------------------------------
-- Formatting

local function ms(s) return ("%.3f ms"):format(s * 1e3) end
local function us(v) return ("%.2f µs"):format(v) end
local function x(v) return ("%.2fx"):format(v) end
local function kib(v) return ("%.0f KiB"):format(v) end

local function md_table(header, rows)
  local out = { "| " .. table.concat(header, " | ") .. " |" }
  local sep = {}
  for i = 1, #header do sep[i] = "---" end
  out[#out + 1] = "|" .. table.concat(sep, "|") .. "|"
  for _, r in ipairs(rows) do out[#out + 1] = "| " .. table.concat(r, " | ") .. " |" end
  return table.concat(out, "\n")
end

-- ---------------------------------------------------------------------------------------
-- Run

io.stderr:write("bench: machine\n")
local mach = machine()
io.stderr:write(("bench: 1. decoding (%d rounds)\n"):format(rounds))
local dec = decode.run(cdperf.core, { rounds = rounds, target = target })
io.stderr:write(("bench: 2. per-call overhead (%d rounds)\n"):format(rounds))
local ovh = overhead.run(cdperf, { rounds = rounds, target = target })
io.stderr:write("bench: 3. commands per query\n")
local cmd = commands.run(cdperf)
io.stderr:write("bench: 4. the report: commands and start cost\n")
local report_bench = require "bench.report"
local rep_cmds = report_bench.commands(cdperf)
local installed
do
  -- `make bench` installs into build/bench-install first (modules precompiled, as make install does)
  local tree = root .. "/build/bench-install/usr/local"
  local f = io.open(tree .. "/bin/cdperf")
  if f then
    f:close()
    installed = { bin = tree .. "/bin/cdperf", lua_path = tree .. "/share/lua/5.4/?.lua;" .. tree
      .. "/share/lua/5.4/?/init.lua;;", lua_cpath = tree .. "/lib/lua/5.4/?.so;;" }
  end
end
local rep_start = report_bench.start(root, { installed = installed })
local hwm_end = util.proc_status("VmHWM")

-- ---------------------------------------------------------------------------------------
-- Goals

local goals = {}

for _, c in ipairs(dec.cases) do
  local status
  if c.ratio >= DECODE_GOAL then
    status = ("met (%s)"):format(x(c.ratio))
  else
    status = ("MISSED: short by a factor of %.2f (cdperf.core would have to be %s faster); a decoder "
      .. "that cost nothing but building these tables the way Lua constructors do would reach %s"):format(
      DECODE_GOAL / c.ratio, x(DECODE_GOAL / c.ratio), x(c.lua / c.floor))
  end
  goals[#goals + 1] = { "Decoding " .. c.name .. ": cdperf.core vs pure Lua", ">= " .. x(DECODE_GOAL),
    x(c.ratio), status }
end

local typical, worst, worst_where = nil, 0, nil
for _, r in ipairs(cmd.rows) do
  if r.scenario_key == "honest8" and r.operation_key == "write_speeds" then typical = r.gp end
  if r.max_per_query > worst then worst, worst_where = r.max_per_query, r.scenario .. ", " .. r.operation end
end
if typical then
  goals[#goals + 1] = { "GET PERFORMANCE per typical write-speed query (8 descriptors)", "1",
    tostring(typical), typical <= 1 and "met" or ("MISSED by %d command(s)"):format(typical - 1) }
end
goals[#goals + 1] = { "GET PERFORMANCE per write-speed query, any drive above", "<= 2", tostring(worst),
  worst <= 2 and "met" or ("MISSED by %d command(s) (%s)"):format(worst - 2, worst_where) }

local once, most_prcap = true, 0
for _, r in ipairs(rep_cmds) do
  if r.distinct ~= r.commands then once = false end
  most_prcap = math.max(most_prcap, r.prcap)
end
goals[#goals + 1] = { "Commands per report, every built-in model", "each needed command once",
  once and "no CDB twice" or "a CDB sent twice", once and "met" or "MISSED" }
goals[#goals + 1] = { "Commands of `cdperf -f prcap`", "<= 3", tostring(most_prcap),
  most_prcap <= 3 and "met" or "MISSED" }
do
  local by = {}
  for _, c in ipairs(rep_start) do by[c.key] = c end
  local bare, rep = by.bare_installed or by.bare, by.report_no_drive_installed or by.report_no_drive
  local function ratio(a, b, f) return a[f] and b[f] and a[f] / b[f] or nil end
  local r = ratio(rep, bare, "instructions") or ratio(rep, bare, "ms")
  if r then
    goals[#goals + 1] = { "Report start cost vs `require \"cdperf\"` (" .. (rep.key:find("installed") and
      "installed" or "source tree") .. ", " .. (rep.instructions and "instructions" or "wall time") .. ")",
      "<= 2.00x", x(r), r <= 2 and "met" or ("MISSED by a factor of %.2f"):format(r / 2) }
  end
end

do
  local rig = util.rig_measure(root)
  local s = rig and util.rig_sampling(rig)
  local goal_text = "within 3 % in <= 1/10 of the time"
  if s then
    local ok = math.abs(s.error) <= 0.03 and s.share <= 0.1
    goals[#goals + 1] = { "16 sampled zones vs a full read, QEMU's throttled scsi-cd in the guest (section 5)",
      goal_text, ("%+.2f %% in %.1f %% of the time"):format(s.error * 100, s.share * 100), ok and "met" or "MISSED" }
  else
    goals[#goals + 1] = { "16 sampled zones vs a full read, QEMU's throttled scsi-cd in the guest (section 5)",
      goal_text, "not measured", "NOT RUN: make check-kernel did not leave build/kernel-rig/results/measure.lua" }
  end
end

-- ---------------------------------------------------------------------------------------
-- The report

local doc = {}
local function add(s) doc[#doc + 1] = s end

add("# cdperf benchmarks")
add("")
add(("Generated by `make bench` (bench/run.lua) on %s. Do not edit by hand: run `make bench` again.")
  :format(os.date("!%Y-%m-%d %H:%M UTC")))
add("")
add("## Machine")
add("")
add(md_table({ "", "" }, {
  { "CPU", mach.cpu or "unknown" },
  { "Cores", tostring(mach.cores or "unknown") },
  { "OS", mach.os or "unknown" },
  { "Lua", mach.lua },
  { "Compiler", mach.cc .. (mach.cflags and (", CFLAGS " .. mach.cflags) or "") },
  { "Module", ("build/cdperf/core.so, cdperf %s"):format(cdperf._VERSION) },
  { "Source", mach.git or "not a git checkout" },
}))
add("")
add("## Goals")
add("")
add(md_table({ "Goal", "Target", "Measured", "Status" }, goals))
add("")

add("## 1. Decoding")
add("")
add(("The largest responses a 65535-byte buffer holds, decoded into tables. Times are CPU time "
  .. "(os.clock), the median of %d rounds; in each round the contenders run in rotating order, each "
  .. "timing a batch of calls (about %.0f ms) after a full garbage collection, so collection work is "
  .. "inside the figures. The pure-Lua decoder (string.unpack, bench/decode.lua) follows mmc.c's "
  .. "layout rules and was checked to return tables equal to cdperf.core's before timing. "
  .. "\"Via device\" is drive:get_performance on a Lua-function device serving the same bytes: "
  .. "both GET PERFORMANCE commands (the first asks for 64 descriptors, the second for the rest), "
  .. "the request table and the decode. \"Tables alone\" builds the same tables from integers already "
  .. "at hand, with no decoding: the floor under any decoder that returns them.")
  :format(rounds, target * 1e3))
add("")
-- (Lua - floor) / (core - floor): the decoders compared on what they do besides building tables.
local function above_floor(c)
  local l, k = c.lua - c.floor, c.c - c.floor
  if k <= 0.05 * c.c or l <= 0 then return "n/a (core within 5% of the floor)" end
  return x(l / k)
end
local drows = {}
for _, c in ipairs(dec.cases) do
  drows[#drows + 1] = {
    c.name, tostring(c.bytes), ms(c.c), ("%s (%d commands, allocations %s)"):format(ms(c.device),
      c.device_commands, c.device_allocs), ms(c.lua), ms(c.floor), x(c.ratio), x(c.device_ratio),
    x(c.lua / c.floor), above_floor(c),
    (c.equal and c.device_equal) and "yes" or ("NO: " .. tostring(c.diff or c.device_diff)),
  }
end
add(md_table({ "Response", "Bytes", "cdperf.core", "Via device", "Pure Lua", "Tables alone",
  "Lua / core", "Lua / via device", "Ceiling: Lua / tables alone", "Lua / core above the floor",
  "Equal tables" }, drows))
add("")
add("Memory. Lua heap growth while one decode runs (collector stopped; the result is most of it), "
  .. "and the process's peak resident set (VmHWM, /proc/self/status):")
add("")
local mrows = {}
for _, c in ipairs(dec.cases) do
  mrows[#mrows + 1] = { c.name, kib(c.heap_c), kib(c.heap_device), kib(c.heap_lua) }
end
add(md_table({ "Response", "cdperf.core", "Via device", "Pure Lua" }, mrows))
add("")
add(("VmHWM: %s kB before the decoding benchmark, %s kB after it, %s kB at the end of the run.")
  :format(tostring(dec.hwm_before or "n/a"), tostring(dec.hwm_after or "n/a"), tostring(hwm_end or "n/a")))
add("")
local slow_share = {}
for _, c in ipairs(dec.cases) do
  slow_share[#slow_share + 1] = ("%s: building the tables alone takes %.0f%% of cdperf.core's time")
    :format(c.name, 100 * c.floor / c.c)
end
add("Where the time goes: " .. table.concat(slow_share, "; ") .. ". Both decoders create the same "
  .. "tables (one per descriptor), so the ratio is bounded by the cost of creating them (the "
  .. "ceiling column: pure Lua / tables alone, what a decoder costing nothing but the tables would "
  .. "reach); \"above the "
  .. "floor\" compares what each spends besides that, (pure Lua - tables alone) / (cdperf.core - "
  .. "tables alone), a difference of medians and so noisier than the other columns.")
add("")

add("## 2. Per-call overhead")
add("")
add(("drive:write_speeds() on a Lua-function device that returns a fixed reply of %d write-speed "
  .. "descriptors (%d GET PERFORMANCE command per call), and the parts of that call, each measured "
  .. "alone. Median of %d rounds.")
  :format(ovh.descriptors, ovh.commands, rounds))
add("")
add(md_table({ "Call", "Per call" }, {
  { "drive:write_speeds()", us(ovh.write_speeds) },
  { "drive:get_performance{ request_type = \"write_speed\" }", us(ovh.get_performance) },
  { "cdperf.core.decode_performance(reply, request) (decoding alone)", us(ovh.decode) },
  { "the device function alone (called from Lua)", us(ovh.device) },
}))
add("")

add("## 3. Commands per query")
add("")
if cmd.emulator then
  add("Counted from cdperf.emulator's command log (emu:log()), a fresh emulated drive per row. The "
    .. "drive is the built-in samsung_sh224db_dvdpr model (DVD+R) with its write-speed list "
    .. "replaced by the number of descriptors named; quirks from the emulator's list make the "
    .. "header lie. \"Max per query\" is the most GET PERFORMANCE commands any single write-speed "
    .. "query (drive:write_speeds(), also when called inside speeds.list/apply) sent.")
else
  add("cdperf.emulator is not available: only drive:write_speeds() is counted, on a counting "
    .. "Lua-function device that mimics the same headers.")
end
add("")
local crows = {}
for _, r in ipairs(cmd.rows) do
  crows[#crows + 1] = { r.scenario, r.operation, tostring(r.total), tostring(r.gp),
    tostring(r.max_per_query), r.breakdown, r.outcome }
end
add(md_table({ "Drive", "Query", "Commands", "GET PERFORMANCE", "Max per query", "Breakdown", "Result" },
  crows))
add("")
add("### The same jobs in libburn, growisofs and K3b")
add("")
add("Read from their sources (found with the code search over public repositories; repository, file "
  .. "and function given); not measured by this benchmark. A drive whose list has more than one "
  .. "descriptor and a truthful header.")
add("")
local prows = {}
for _, p in ipairs(commands.peers) do
  prows[#prows + 1] = { p.tool, p.write_speeds, p.list, p.apply, p.short_header, p.source }
end
add(md_table({ "Tool", "Write-speed query", "Speed list", "Pick + apply + verify", "Lying header", "Source" },
  prows))
add("")
add("## 4. The report")
add("")
add("Commands per report: `cdperf -e MODEL` takes one snapshot (cdperf.snapshot) and everything else is "
  .. "a function of it; counted from the emulator's log for every built-in model, beside the same count "
  .. "on " .. report_bench.BEFORE.commit .. ", before the read-once rework (CDPERF_TRACE lines of the same "
  .. "commands). \"Distinct\" counts different CDBs; `-f prcap` reads only mode page 2Ah.")
add("")
local rrows = {}
for _, r in ipairs(rep_cmds) do
  rrows[#rrows + 1] = { r.model, tostring(r.commands), tostring(r.distinct), tostring(r.prcap),
    tostring(r.before or "?") }
end
add(md_table({ "Model", "Commands", "Distinct", "-f prcap", "Commands on " .. report_bench.BEFORE.commit }, rrows))
add("")
add("Start cost: a whole process, median wall time of 21 runs (noisy: other work on the machine shows "
  .. "in it) and, where valgrind is installed, instructions executed (callgrind: the same count on every "
  .. "run). The installed rows run what `make install` puts in place, whose Lua modules are precompiled "
  .. "with luac (loading bytecode skips the parser: most of a bare report's cost is compiling Lua). "
  .. "\"Before\" is the same command on " .. report_bench.BEFORE.commit .. " (source tree).")
add("")
local srows = {}
for _, c in ipairs(rep_start) do
  srows[#srows + 1] = { c.what, ("%.2f ms"):format(c.ms or 0 / 0),
    c.instructions and tostring(c.instructions) or "n/a", c.before and tostring(c.before) or "" }
end
add(md_table({ "Command", "Wall time", "Instructions", "Instructions before" }, srows))
add("")
add("## 5. Measured speed and the estimate")
add("")
add("bench/measure.lua on emulated drives with virtual clocks (cdperf.emulator_clock), so these "
  .. "figures do not depend on this machine. The emulator's clock follows cdperf.physics too, so "
  .. "the estimate's row says that both agree on the same model of the disc, not that either meets "
  .. "a real burn. The real checks follow: QEMU's throttled drives measured in the guest (a real "
  .. "kernel and clock), and published real burns against the estimate.")
add("")
do
  local interp = (arg and arg[-1]) or "lua5.4"
  local p = io.popen(interp .. " " .. root .. "/bench/measure.lua 2>/dev/null")
  local text = p and p:read("a") or ""
  if p then p:close() end
  add(text ~= "" and (text:gsub("%s+$", "")) or "(bench/measure.lua gave nothing)")
end
add("")
do   -- the estimate against published real burns (spec/data/burn_times.lua)
  local p = io.popen(((arg and arg[-1]) or "lua5.4") .. " " .. root .. "/bench/burns.lua 2>/dev/null")
  local text = p and p:read("a") or ""
  if p then p:close() end
  add("Published real burns (spec/data/burn_times.lua, each with its source) against the estimate "
    .. "(bench/burns.lua):\n\n" .. (text ~= "" and (text:gsub("%s+$", "")) or "(bench/burns.lua gave nothing)"))
end
add("")
add(("Run time: %.1f s CPU, about %d s wall."):format(os.clock() - started, os.time() - wall_started))
add("")

local text = table.concat(doc, "\n")
io.stderr:flush()
io.write(text)
io.stdout:flush()
local f = assert(io.open(output, "w"))
f:write(text)
f:close()
io.stderr:write(("bench: wrote %s\n"):format(output))
