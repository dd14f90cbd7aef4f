-- test/peers/run.lua SHIM.so [OUT.md] [MODEL ...]
--
-- The real tools against cdperf's emulated drives (make check-peers). For every built-in
-- model (cdperf.emulator.model_names() and recorded_model_names()) and a few CD-R/CD-RW
-- models with an ATIP made here (ATIP_MODELS), it runs wodim -prcap, wodim -atip,
-- dvd+rw-mediainfo and xorriso -list_speeds on a fake /dev/srN that the LD_PRELOAD shim
-- (test/peers/emu_shim.c) answers with cdperf.emulator on that model, asks cdperf the
-- same model through cdperf.open("emulated:..."), and compares the tools' lines with
-- cdperf's emitters exactly as the QEMU guest's side by side does (test/kernel/
-- peer_lines.lua: the same line kinds, cdperf_lines and documented quirks).
-- Prints "ok N - TOOL on MODEL: verdict" lines and "N passed, N failed"; writes the table
-- to OUT.md (docs/peers-emulated.md). Each tool's output and the shim's log of every
-- command go to build/peers/out/MODEL.TOOL.{txt,log}.
-- Needs LUA_PATH to reach lua/ and LUA_CPATH build/ (mk/peers.mk sets them).
local SHIM, OUTMD = arg[1], arg[2]
if not SHIM then
  io.stderr:write("usage: lua5.4 test/peers/run.lua SHIM.so [OUT.md] [MODEL ...]\n")
  os.exit(2)
end
if OUTMD == "" then OUTMD = nil end
local HERE = (arg[0]:match("^(.*)/[^/]*$") or ".")
local ROOT = HERE:match("^(.*)/test/peers$") or "."
local peer_lines = dofile(ROOT .. "/test/kernel/peer_lines.lua")
local cdperf = require "cdperf"
local speeds = require "cdperf.speeds"
local emulator = require "cdperf.emulator"

local DEV = os.getenv("CDPERF_PEERS_DEVICE") or "/dev/sr0"
local WORK = ROOT .. "/build/peers"
local OUT = WORK .. "/out"
local TIMEOUT = tonumber(os.getenv("CDPERF_PEERS_TIMEOUT") or "") or 30

---------------------------------------------------------------- helpers
local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local util = dofile(ROOT .. "/test/kernel/rig_util.lua")
local readfile, writefile, sh, sh1, plain = util.readfile, util.writefile, util.sh, util.sh1, util.plain

---------------------------------------------------------------- the models
-- CD-R/RW models with an ATIP: a built-in CD recorder's model with the disc's ATIP as
-- cdperf.disc.encode_atip's fields (the cases of spec/format_atip_spec.lua, so that the
-- expected wodim lines are the ones worked out by hand there).
local function msf(m, s, f) return { minute = m, second = s, frame = f } end
local ATIP_MODELS = {
  { name = "ihas124f_cdr_taiyo_yuden", base = "ihas124f_cdr",
    atip = { disc_type = "CD-R", indicative_writing_power = 4, lead_in = msf(97, 24, 1),
             lead_out = msf(79, 59, 72) } },
  { name = "lg_gsa4163b_cdr_fuji_a1", base = "lg_gsa4163b_cdr",
    atip = { disc_type = "CD-R", indicative_writing_power = 6, reference_speed = 2, unrestricted_use = true,
             sub_type = 5, a1_valid = true, a1 = { 0x14, 0x5A, 0x80 }, lead_in = msf(97, 26, 45),
             lead_out = msf(74, 30, 0) } },
  { name = "ihas124f_cdrw_ultra_speed", base = "ihas124f_cdr", profile = 0x0A,
    atip = { disc_type = "CD-RW", indicative_writing_power = 5, reference_speed = 1, unrestricted_use = true,
             sub_type = 2, a1_valid = true, a2_valid = true, a3_valid = true, a1 = { 0x68, 0x44, 0xA0 },
             a2 = { 0x3B, 0x22, 0x33 }, a3 = { 1, 2, 3 }, lead_in = msf(97, 34, 22), lead_out = msf(79, 59, 74) } },
  { name = "ihas124f_cdrw_high_speed", base = "ihas124f_cdr", profile = 0x0A,
    atip = { disc_type = "CD-RW", sub_type = 1, a1_valid = true, lowest_speed = 4, highest_speed = 10,
             lead_in = msf(97, 27, 65), lead_out = msf(79, 59, 72) } },
}

os.execute("mkdir -p " .. q(OUT) .. " " .. q(WORK .. "/models"))
local models = {}   -- { name, model = emulated:THIS, built = the table for an ATIP model }
do
  local wanted = {}
  for i = 3, #arg do wanted[arg[i]] = true end
  local function add(name, target, extra)
    if next(wanted) == nil or wanted[name] then
      models[#models + 1] = { name = name, target = target, extra = extra }
    end
  end
  for _, n in ipairs(emulator.model_names()) do add(n, n) end
  for _, n in ipairs(emulator.recorded_model_names()) do add(n, n) end
  for _, a in ipairs(ATIP_MODELS) do
    local m = emulator.deepcopy(emulator.models[a.base])
    m.name, m.atip = a.name, a.atip
    m.profile = a.profile or m.profile
    m.source = ("%s with a %s ATIP (test/peers/run.lua)"):format(m.source, a.atip.disc_type)
    local file = ("%s/models/%s.lua"):format(WORK, a.name)
    writefile(file, require("cdperf.record").to_lua(m, { header = { "made by test/peers/run.lua" } }))
    add(a.name, file, ("%s, %s ATIP"):format(a.base, a.atip.disc_type))
  end
end

---------------------------------------------------------------- the tools
local TOOLS = {
  { id = "prcap", cmd = "wodim -prcap dev=%s" },
  { id = "atip", cmd = "wodim -atip dev=%s" },
  { id = "mediainfo", cmd = "dvd+rw-mediainfo %s" },
  { id = "list_speeds", cmd = "xorriso -abort_on NEVER -outdev %s -list_speeds" },
  -- diagnostics for the quirks (as the guest's check.lua runs them)
  { id = "mediainfo_verbose", cmd = "dvd+rw-mediainfo %s -v", diag = true },
  { id = "prcap_verbose", cmd = "wodim -V -prcap dev=%s", diag = true },
}

local function run_tool(m, tool)
  local log = ("%s/%s.%s.log"):format(OUT, m.name, tool.id)
  os.remove(log)
  local env = ("LD_PRELOAD=%s CDPERF_EMU_PATH=%s CDPERF_EMU_MODEL=%s CDPERF_EMU_LUA_PATH=%s CDPERF_EMU_LOG=%s")
    :format(q(SHIM), q(DEV), q(m.target), q(ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua"), q(log))
  -- the shim goes to the tool only: timeout itself runs without it
  local cmd = ("timeout %d env %s %s </dev/null"):format(TIMEOUT, env, tool.cmd:format(q(DEV)))
  local out, rc = sh(cmd)
  writefile(("%s/%s.%s.txt"):format(OUT, m.name, tool.id), out)
  local raised = 0
  for _ in (readfile(log) or ""):gmatch("RAISED") do raised = raised + 1 end
  return out, rc, raised
end

---------------------------------------------------------------- cdperf's answers
-- check.lua's query() on the emulated drive: the same shape under a.sr
local function query(target)
  local a = {}
  local d, err = cdperf.open("emulated:" .. target)
  if not d then return nil, err end
  local function part(name, f, ...)
    local ok, r, e, info = pcall(f, ...)
    if not ok then a[name] = { error = tostring(r) }
    elseif r == nil then a[name] = { error = e, info = plain(info) }
    else a[name] = plain(r) end
  end
  part("inquiry", d.inquiry, d)
  part("profile", d.profile, d)
  part("write_speed", d.get_performance, d, { request_type = "write_speed" })
  part("read_performance", d.get_performance, d,
       { request_type = "performance", performance_type = "read", exceptions = "nominal" })
  part("write_performance", d.get_performance, d,
       { request_type = "performance", performance_type = "write", exceptions = "nominal" })
  part("capabilities", d.capabilities, d)
  local okm, mid = pcall(d.media_id, d)
  a.media_id = okm and type(mid) == "table" and plain(mid) or nil
  local oka, atip, ea = pcall(d.atip, d)
  a.atip = oka and type(atip) == "table" and plain(atip) or { error = tostring(oka and ea or atip) }
  part("list", speeds.list, d)
  -- the drive's profile list (GET CONFIGURATION), for xorriso's unit with no medium
  local okf, f = pcall(require("cdperf.disc").features, d)
  if okf and type(f) == "table" and type(f.profiles) == "table" then
    a.supported_profiles = {}
    for i, p in ipairs(f.profiles) do a.supported_profiles[i] = type(p) == "table" and p.code or p end
  end
  for _, k in ipairs { "write_speed", "read_performance", "write_performance" } do
    if a[k] then a[k].raw = nil end
  end
  d:close()
  return a
end

---------------------------------------------------------------- run
local passed, failed, rows, used_quirks = 0, 0, {}, {}
local TOOLNAME = peer_lines.TOOLNAME
local t0 = os.time()
for _, m in ipairs(models) do
  local sr, qerr = query(m.target)
  local a = sr and { sr = sr } or nil
  local outputs, diag, meta = {}, {}, {}
  for _, tool in ipairs(TOOLS) do
    local out, rc, raised = run_tool(m, tool)
    if tool.diag then diag[tool.id] = out else outputs[tool.id] = out end
    meta[tool.id] = { rc = rc, raised = raised }
  end
  for _, tool in ipairs(TOOLS) do
    if not tool.diag then
      local text, info = outputs[tool.id], meta[tool.id]
      local row = peer_lines.judge(tool.id, text, a, diag)
      if not a then row.verdict = "no cdperf answers: " .. tostring(qerr) end
      row.model, row.rc, row.extra = m.name, info.rc, m.extra
      -- a tool that never got going (timeout, not installed) or a CDB the emulator took
      -- for misuse (the shim answered it INVALID FIELD and logged RAISED) is no comparison
      if info.rc == 124 or info.rc == 126 or info.rc == 127 or #text == 0 then
        row.ok, row.verdict = false, ("the tool did not run (exit status %s)"):format(tostring(info.rc))
      elseif info.raised > 0 then
        row.ok, row.verdict = false, ("the emulator raised on %d command(s): see %s/%s.%s.log")
          :format(info.raised, OUT, m.name, tool.id)
      end
      for _, qk in ipairs(row.ok and row.quirks or {}) do used_quirks[qk.id] = qk end
      rows[#rows + 1] = row
      if row.ok then passed = passed + 1 else failed = failed + 1 end
      peer_lines.print_row(#rows, row, m.name)
    end
  end
end

---------------------------------------------------------------- the table
if OUTMD then
  local cell = peer_lines.cell
  local o = {}
  local function w(s) o[#o + 1] = s or "" end
  w("# The real tools on cdperf's emulated drives")
  w()
  w("Generated by `make check-peers` (test/peers/run.lua); do not edit by hand. On the host, the")
  w("real tools ran against each of cdperf's built-in drive models (and a few CD-R/CD-RW models")
  w("with an ATIP, made by run.lua from a CD recorder's model and the ATIP cases of")
  w("spec/format_atip_spec.lua): the LD_PRELOAD shim test/peers/emu_shim.c makes `" .. DEV .. "` a")
  w("block device of major 11 whose SG_IO the emulator (lua/cdperf/emulator.lua) answers. cdperf")
  w("asked the same model (`cdperf.open(\"emulated:MODEL\")`), its answers were fed to its")
  w("emitters of the same line formats, and the lines compared as the QEMU guest's side by side")
  w("does ([side-by-side.md](side-by-side.md); test/kernel/peer_lines.lua): the speed lines,")
  w("the media ID, wodim's copy management revision and ATIP block. A difference is accepted")
  w("only when it is exactly what a documented quirk of the tool predicts (listed at the end).")
  w()
  local ver = {
    "wodim " .. (sh1("dpkg-query -W -f='${Version}' wodim") or "?"),
    "dvd+rw-tools " .. (sh1("dpkg-query -W -f='${Version}' dvd+rw-tools") or "?"),
    "xorriso " .. (sh1("dpkg-query -W -f='${Version}' xorriso") or "?"),
    "libburn " .. (sh1("dpkg-query -W -f='${Version}' libburn4") or "?"),
  }
  w("Versions: " .. table.concat(ver, "; ") .. ".")
  w()
  w("| tool | model | the tool's figures | cdperf's figures | agree? |")
  w("|---|---|---|---|---|")
  for _, r in ipairs(rows) do
    w(("| %s | %s%s | %s | %s | %s |"):format(TOOLNAME[r.tool], r.model, r.extra and (" (" .. r.extra .. ")") or "",
      cell(r.theirs), cell(r.ours), r.verdict))
  end
  w()
  w(("Result: %d of %d agree%s."):format(passed, #rows, failed > 0 and (", " .. failed .. " DIFFER") or ""))
  w()
  w("## Known quirks of the tools")
  w()
  for _, qk in ipairs(peer_lines.QUIRKS) do
    w(("- `%s` (%s)%s: %s"):format(qk.id, TOOLNAME[qk.tool], used_quirks[qk.id] and "" or " (not seen in this run)",
      qk.reason))
  end
  w()
  w("Not compared: xorriso's `Read speed` lines (cdperf has no emitter for them), and what")
  w("is neither a speed, the media ID, the copy management revision nor the ATIP (feature")
  w("flags, the legacy structures' lines). Each run's output and the shim's log of the")
  w("commands it answered: build/peers/out/MODEL.TOOL.txt and .log.")
  local dir = OUTMD:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute("mkdir -p " .. q(dir)) end
  writefile(OUTMD, table.concat(o, "\n") .. "\n")
  print("# wrote " .. OUTMD)
end

print(("# %d models, %d s"):format(#models, os.time() - t0))
print(("peers: %d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
