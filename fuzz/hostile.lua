--- fuzz/hostile.lua: drives generated from the whole quirk space, and the layer above
-- the core run against them.  A drive is an emulator built from a generated model
-- (every profile, unknown ones too; absent, empty, duplicate, absurd speeds and LBAs;
-- any set of the emulator's quirks and unsupported opcodes), wrapped in a device that
-- at any command may answer UNIT ATTENTION, NOT READY (becoming ready or no medium),
-- ILLEGAL REQUEST or any sense, nothing, fewer, more or changed bytes, a wrong type or
-- an error, and may change or remove the medium between commands.  Hostile snapshots
-- (plain tables with NaN, negative, fractional, huge or missing values) go straight to
-- the pure functions.
--
-- hostile.run(choose) runs one generated drive; choose(n) returns an integer 0..n-1
-- (from a fuzzer's bytes or a seeded generator).  It returns nil when every invariant
-- held, or a message naming the broken one:
--   * nothing raises: cdperf.snapshot, speeds.list/pick/estimate, report.build/text,
--     format.mediainfo_report/list_speeds/prcap/atip_report/atip, format.json;
--   * every failure is nil, a one-line message, an info table with a kind;
--   * every speed list entry has a real speed (judge.speed finds nothing wrong);
--   * every estimate is a finite time >= 0, or nil and a message;
--   * the report prints (a list of one-line strings) and its JSON parses;
--   * with no fault injected, no CDB is sent twice by a snapshot;
--   * the command line (cdperf.cli, in-process) on a generated model exits 0, 1 or 3, its
--     --json is JSON, and it never reports an internal error.

local cdperf = require "cdperf"
local emulator = require "cdperf.emulator"
local speeds = require "cdperf.speeds"
local format = require "cdperf.format"
local judge = require "cdperf.judge"
local report = require "cdperf.report"
local snapshot = require "cdperf.snapshot"

local hostile = {}

local fmt = string.format

local PROFILES = { 0x00, 0x08, 0x09, 0x0A, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x1A, 0x1B, 0x2A, 0x2B,
  0x40, 0x41, 0x42, 0x43, 0x50, 0x51, 0x02, 0x05, 0xFFFF, 0x3F, 0x1234 }
local SPEEDS = { 0, 1, 176, 706, 1411, 2770, 3324, 4234, 5540, 7056, 8310, 8467, 8468, 11080, 16620, 17984,
  22160, 26976, 33240, 35968, 44960, 53940, 53952, 71928, 137115, 65535, 65536, 0x7FFFFFFF, 0xFFFFFFFF, 1352 * 12 }
local LBAS = { 0, 1, 359999, 2295103, 2295104, 4173823, 12219391, 12219392, 48878591, 0x7FFFFFFF, 0xFFFFFFFF }
local QUIRKS = { "one_when_zero", "no_get_performance", "page_2a_cd_speeds", "page_2a_zero",
  "page_2a_repeat_max", "duplicate_descriptors", "end_lba_zero", "list_changes_after_set", "ignores_set_streaming",
  "streaming_end_lba_strict", "pad_to_allocation", "ignore_max_descriptors", "power_on_unit_attention",
  "block_descriptor", "bad_field_not_ready" }
local HEADERS = { "long", "short", "odd", "huge" }
local OPCODES = { 0x12, 0x46, 0x5A, 0xAC, 0xB6, 0xBB, 0x00, 0x03 }
local POLICIES = { "max", "min", "safe", "exact", "clv", "cav", "nearest=8", "at-most=4", "at-least=16",
  "fraction=0.3", "source=5000", "fastest-for=1G", "at-least=100|min", "exact,at-most=8|max", "cav,min|clv,max",
  "fastest-for=700M,min" }

local function sense(key, asc, ascq)
  return string.pack(">BBBI4BI4BBBI3", 0x70, 0, key, 0, 10, 0, asc, ascq, 0, 0)
end

local function pick_of(choose, t) return t[choose(#t) + 1] end

local function value(choose, t)
  -- mostly from the table, sometimes anything 32-bit
  if choose(8) == 0 then return choose(0x10000) * 0x10000 + choose(0x10000) end
  return pick_of(choose, t)
end

-- An ATIP for a model (the emulator answers it on CD-R/RW; -f atip prints it), drawn
-- after everything else so that the other choices of a seed stay what they were.
local function gen_atip(choose, m)
  local code = type(m.profile) == "table" and m.profile.code or m.profile
  if choose((code == 0x09 or code == 0x0A) and 2 or 8) ~= 0 then return m end
  local function msf() return { minute = pick_of(choose, { 97, 97, 0, 89, 90, 255 }), second = choose(60),
    frame = choose(75) } end
  local function three() return { choose(256), choose(256), choose(256) } end
  m.atip = { disc_type = choose(2) == 0 and "CD-RW" or "CD-R", sub_type = choose(8),
    indicative_writing_power = choose(8), reference_speed = choose(8), unrestricted_use = choose(2) == 0,
    a1_valid = choose(2) == 0, a2_valid = choose(2) == 0, a3_valid = choose(2) == 0, clv_low = choose(8),
    clv_high = choose(16), a1 = three(), a2 = three(), a3 = three(), lead_in = msf(), lead_out = msf() }
  if choose(4) == 0 then m.atip.clv_low, m.atip.clv_high, m.atip.a1 = nil, nil, nil end
  return m
end

local function gen_model(choose)
  if choose(3) == 0 then
    local names = emulator.model_names()
    local m = emulator.deepcopy(emulator.models[pick_of(choose, names)])
    m.quirks = m.quirks or {}
    if choose(2) == 0 then m.quirks[pick_of(choose, QUIRKS)] = true end
    return gen_atip(choose, m)
  end
  local profile = pick_of(choose, PROFILES)
  local m = { inquiry = { vendor = "HOSTILE", product = fmt("GEN %d", choose(1000)), revision = "0" },
    profile = profile, capacity = value(choose, LBAS), write_speeds = {}, performance = { read = {}, write = {} },
    exceptions = { read = {}, write = {} }, unsupported = {}, quirks = {} }
  for _ = 1, choose(3) == 0 and choose(40) or choose(7) do
    m.write_speeds[#m.write_speeds + 1] = { write_speed = value(choose, SPEEDS), read_speed = value(choose, SPEEDS),
      end_lba = value(choose, LBAS), write_rotation_control = choose(4), exact = choose(2) == 0,
      mixed_read_write = choose(4) == 0 }
  end
  for _, dir in ipairs { "read", "write" } do
    for _ = 1, choose(5) do
      m.performance[dir][#m.performance[dir] + 1] = { start_lba = value(choose, LBAS),
        start_performance = value(choose, SPEEDS), end_lba = value(choose, LBAS),
        end_performance = value(choose, SPEEDS) }
    end
    for _ = 1, choose(3) do
      m.exceptions[dir][#m.exceptions[dir] + 1] = { lba = value(choose, LBAS), time = choose(0x10000) }
    end
  end
  if choose(6) ~= 0 then
    local w = {}
    for _ = 1, choose(8) do
      w[#w + 1] = { speed = value(choose, SPEEDS) & 0xFFFF, rotation_control = choose(4) }
    end
    m.capabilities = { max_read_speed = value(choose, SPEEDS) & 0xFFFF, current_read_speed = value(choose, SPEEDS)
      & 0xFFFF, max_write_speed = value(choose, SPEEDS) & 0xFFFF, current_write_speed = value(choose, SPEEDS) & 0xFFFF,
      current_write_speed_selected = value(choose, SPEEDS) & 0xFFFF, buffer_size_kb = choose(0x10000),
      rotation_control = choose(4), write_speeds = w }
  end
  for _ = 1, choose(3) do m.unsupported[pick_of(choose, OPCODES)] = true end
  for _ = 1, choose(4) do m.quirks[pick_of(choose, QUIRKS)] = true end
  if choose(4) == 0 then m.quirks.header_length = pick_of(choose, HEADERS) end
  if choose(5) == 0 then m.supported_profiles = { pick_of(choose, PROFILES), pick_of(choose, PROFILES) } end
  if choose(3) == 0 then
    -- the disc (status, sessions, tracks, used, erasable), coherent as emulator.new wants it
    local d = { status = pick_of(choose, { "blank", "appendable", "complete" }) }
    if d.status ~= "blank" then
      if choose(2) == 0 then d.sessions = (d.status == "appendable" and 2 or 1) + choose(98 - 1) end
      if choose(2) == 0 then d.tracks = (d.sessions or 2) + choose(99 - (d.sessions or 2) + 1) end
      if choose(2) == 0 then d.used = math.min(value(choose, LBAS), m.capacity) end
    end
    if choose(3) == 0 then d.erasable = choose(2) == 0 end
    m.disc = d
  end
  return gen_atip(choose, m)
end

-- The device: the emulator's answers, with a fault now and then.
local function gen_device(choose, emu, state)
  local rate = pick_of(choose, { 0, 0, 4, 12, 40 })     -- faults per 100 commands
  return function(cdb, direction, arg)
    state.log[#state.log + 1] = cdb
    if rate > 0 and choose(100) < rate then
      state.faults = state.faults + 1
      local f = choose(14)
      if f == 0 then
        emu:load(pick_of(choose, PROFILES) & 0xFF, value(choose, LBAS) & 0x7FFFFFFF)
        return nil, sense(6, 0x28, 0)
      elseif f == 1 then return nil, sense(6, 0x29, 0)
      elseif f == 2 then return nil, sense(2, 0x04, 0x01)
      elseif f == 3 then return nil, sense(2, 0x3A, 0)
      elseif f == 4 then return nil, sense(5, 0x20, 0)
      elseif f == 5 then
        local t = {}
        for i = 1, choose(33) do t[i] = string.char(choose(256)) end
        return nil, table.concat(t)
      elseif f == 6 then return ""
      elseif f == 7 then emu:eject()
      elseif f == 8 then emu:load()
      elseif f == 9 then return choose(2) == 0 and 42 or {}
      elseif f == 10 then error("device fault " .. choose(100), 0)
      end
      local ok, d, s = pcall(emu, cdb, direction, arg)
      if not ok then return nil, sense(4, 0x44, 0) end
      if type(d) == "string" then
        if f == 11 and #d > 0 then d = d:sub(1, choose(#d)) end
        if f == 12 and #d > 0 then
          local at = choose(#d) + 1
          d = d:sub(1, at - 1) .. string.char(choose(256)) .. d:sub(at + 1)
        end
        if f == 13 then d = d .. string.rep("\255", choose(64)) end
      end
      return d, s
    end
    local ok, d, s = pcall(emu, cdb, direction, arg)
    if not ok then return nil, sense(4, 0x44, 0) end
    return d, s
  end
end

-- A snapshot with values no wire can carry: NaN, negative, fractions, huge, missing.
local ODD = { 0 / 0, -1, -5540, 1.5, 11080.25, math.huge, -math.huge, 2 ^ 53, 1e300, 0, 5540, 22160, 8467 }
local function gen_snapshot(choose)
  local function odd() return pick_of(choose, ODD) end
  local snap = { format = snapshot.FORMAT, version = 1, device = "hostile", errors = {}, notes = {}, commands = 0 }
  local code = pick_of(choose, PROFILES)
  snap.profile = { code = code, name = "x", class = ({ [0x1B] = "dvd", [0x09] = "cd", [0x41] = "bd" })[code] }
  if choose(4) == 0 then snap.profile.class = pick_of(choose, { "cd", "dvd", "bd", "hddvd" }) end
  snap.write_speeds = {}
  for i = 1, choose(6) do
    snap.write_speeds[i] = { write_speed = odd(), read_speed = choose(3) == 0 and nil or odd(), end_lba = odd(),
      write_rotation_control = choose(5), exact = choose(2) == 0 }
  end
  snap.performance = { read = {}, write = {} }
  for _, dir in ipairs { "read", "write" } do
    for i = 1, choose(4) do
      snap.performance[dir][i] = { start_lba = odd(), start_performance = odd(), end_lba = odd(),
        end_performance = odd() }
    end
  end
  if choose(2) == 0 then
    snap.capabilities = { current_write_speed_selected = odd(), max_read_speed = odd(), write_speeds = {} }
    for i = 1, choose(4) do snap.capabilities.write_speeds[i] = { speed = odd(), rotation_control = choose(4) } end
  end
  -- an ATIP with odd values, or its failure
  local function maybe(v) if choose(3) == 0 then return odd() end return v end
  if choose(3) == 0 then
    snap.atip = { disc_type = "CD-RW", sub_type = maybe(1), a1_valid = true, a2_valid = choose(2) == 0,
      clv_low = maybe(2), a1 = { maybe(0x24), 0, maybe(0x80) }, a2 = choose(4) == 0 and "x" or nil,
      lead_in = { minute = maybe(97), second = maybe(24), frame = maybe(5) }, lead_out = choose(2) == 0 and {} or nil }
  elseif choose(3) == 0 then
    snap.errors.atip = { message = "READ TOC/PMA/ATIP (ATIP): ILLEGAL REQUEST, INVALID FIELD IN CDB",
      info = { kind = "scsi" } }
  end
  return snap
end

local function one_line(s) return type(s) == "string" and s ~= "" and not s:find("\n") end

local function check_failure(what, msg, info)
  if not one_line(msg) then return fmt("%s: failure without a one-line message: %s", what, tostring(msg)) end
  if type(info) ~= "table" or type(info.kind) ~= "string" then
    return fmt("%s: failure without an info table with a kind: %s", what, msg)
  end
  return nil
end

-- Everything above the core, on one snapshot; returns a violation or nil.
local function exercise(snap, choose, strict_failures)
  local ok, r = pcall(report.build, snap, { policy = pick_of(choose, POLICIES) })
  if not ok then return "report.build raised: " .. tostring(r) end
  local lines
  ok, lines = pcall(report.text, r, { no_plot = choose(2) == 0 })
  if not ok then return "report.text raised: " .. tostring(lines) end
  for _, l in ipairs(lines) do
    if type(l) ~= "string" or l:find("\n") then return "report line is not one line: " .. tostring(l) end
    if l:find("%f[%w]nan%f[%W]") or l:find("%f[%w]inf%f[%W]") then return "report line shows a non-number: " .. l end
  end
  local text
  ok, text = pcall(format.json, format.plain { drives = { r } })
  if not ok then return "format.json raised: " .. tostring(text) end
  local json = require "dkjson"
  local doc = json.decode(text)
  if type(doc) ~= "table" then return "JSON does not parse: " .. text:sub(1, 200) end
  local list, msg, info = speeds.list(snap)
  if list then
    for i, e in ipairs(list) do
      local why = judge.speed(e.write, list.class, "write", e.unit)
      if why then return fmt("speed list entry %d has write speed %s: %s", i, tostring(e.write), why) end
    end
    for _, pol in ipairs { "max", pick_of(choose, POLICIES) } do
      local pok, e, why = pcall(speeds.pick, list, pol)
      if not pok then return fmt("pick(%s) raised: %s", pol, tostring(e)) end
      if e and judge.speed(e.write, list.class, "write", e.unit) then return "pick returned an impossible speed" end
      if not e and not one_line(why) then return "pick failed without a message" end
    end
    for _, e in ipairs(list) do
      local eok, t, emsg, einfo = pcall(speeds.estimate, snap, choose(3) == 0 and 4.7e9 or 1e9, e)
      if not eok then return "estimate raised: " .. tostring(t) end
      if t == nil then
        local v = check_failure("estimate", emsg, einfo)
        if v then return v end
      elseif judge.number(t) or t < 0 then
        return "estimate gave " .. tostring(t)
      end
    end
    ok, msg = pcall(format.list_speeds, list, list.class)
    if not ok then return "format.list_speeds raised: " .. tostring(msg) end
  elseif strict_failures then
    local v = check_failure("speeds.list", msg, info)
    if v then return v end
  end
  local out, err
  ok, out, err = pcall(format.mediainfo_report, snap)
  if not ok then return "format.mediainfo_report raised: " .. tostring(out) end
  for _, l in ipairs(out) do if not one_line(l) then return "mediainfo line: " .. tostring(l) end end
  for _, l in ipairs(err) do if not one_line(l) then return "mediainfo error line: " .. tostring(l) end end
  if type(snap.capabilities) == "table" then
    ok, msg = pcall(format.prcap, snap.capabilities)
    -- values no wire carries (a hostile snapshot, not a drive) are misuse: a clear error
    if not ok and (strict_failures or not tostring(msg):find("^bad value")) then
      return "format.prcap raised: " .. tostring(msg)
    end
  end
  ok, out, err = pcall(format.atip_report, snap)
  if not ok then return "format.atip_report raised: " .. tostring(out) end
  for _, l in ipairs(out) do if not one_line(l) then return "atip line: " .. tostring(l) end end
  for _, l in ipairs(err) do if not one_line(l) then return "atip error line: " .. tostring(l) end end
  if type(snap.atip) == "table" then
    ok, msg = pcall(format.atip, snap.atip)
    -- an ATIP a drive sent always prints; values no ATIP carries (a hostile snapshot) are misuse
    if not ok and (strict_failures or not tostring(msg):find("bad field", 1, true)) then
      return "format.atip raised: " .. tostring(msg)
    end
  end
  return nil
end

-- Output of the command line, in-process: io.stdout and io.stderr swapped for buffers.
local function capture()
  local buf = { out = {}, err = {} }
  local function sink(t)
    return { write = function(self, ...)
      for _, v in ipairs { ... } do t[#t + 1] = tostring(v) end
      return self
    end, flush = function() end }
  end
  local saved_out, saved_err = io.stdout, io.stderr
  io.stdout, io.stderr = sink(buf.out), sink(buf.err) -- luacheck: ignore 122 (the CLI writes there)
  return buf, function()
    io.stdout, io.stderr = saved_out, saved_err -- luacheck: ignore 122
    return table.concat(buf.out), table.concat(buf.err)
  end
end

local CLI_ARGS = { {}, { "--json" }, { "-f", "mediainfo" }, { "-f", "xorriso" }, { "-f", "prcap" },
  { "--no-plot", "-p", "fastest-for=700M|min" }, { "--json", "--apply" }, { "-f", "atip" } }

-- The command line on a generated model: it exits 0, 1 or 3 with output, never an internal error.
local function run_cli(model, choose)
  local cli = require "cdperf.cli"
  local name = "hostile_cli_model"
  rawset(emulator.models, name, model)
  local args = { "-e", name, "--wait-ready", "0" }
  for _, a in ipairs(pick_of(choose, CLI_ARGS)) do args[#args + 1] = a end
  local _, restore = capture()
  local ok, code = pcall(cli.main, args)
  local out, err = restore()
  rawset(emulator.models, name, nil)
  if not ok then return "cli.main raised: " .. tostring(code) end
  if err:find("internal error", 1, true) then return "cdperf " .. table.concat(args, " ") .. ": " .. err end
  if code ~= 0 and code ~= 1 and code ~= 3 then
    return ("cdperf %s exited %s: %s"):format(table.concat(args, " "), tostring(code), err)
  end
  if args[5] == "--json" then
    local doc = (require "dkjson").decode(out)
    if type(doc) ~= "table" or type(doc.drives) ~= "table" then return "cdperf --json printed no JSON: " .. out end
  end
  return nil
end

--- One generated drive (or, now and then, one hostile snapshot); nil or a violation.
function hostile.run(choose)
  if choose(8) == 0 then
    return exercise(gen_snapshot(choose), choose, false)
  end
  local model = gen_model(choose)
  if choose(8) == 0 then
    local cok, cv = pcall(run_cli, model, choose)
    if not cok then return "run_cli raised: " .. tostring(cv) end
    return cv
  end
  local eok, emu = pcall(emulator.new, model)
  if not eok then return "emulator.new refused a generated model: " .. tostring(emu) end
  local state = { log = {}, faults = 0 }
  local drive, msg, info = cdperf.open(gen_device(choose, emu, state), { name = "hostile" })
  if not drive then return check_failure("open", msg, info) or nil end
  local clock = 0
  local opts = { exceptions = choose(4) == 0, ready_timeout_ms = pick_of(choose, { 0, 0, 500, 3000 }),
    clock = function() return clock end, sleep = function(ms) clock = clock + ms end }
  local ok, snap = pcall(cdperf.snapshot, drive, opts)
  if not ok then
    drive:close()
    return "snapshot raised: " .. tostring(snap)
  end
  for part, e in pairs(snap.errors) do
    local v
    if type(e) ~= "table" then
      v = "snapshot error is not a table"
    else
      v = check_failure("snapshot part " .. part, e.message, e.info)
    end
    if v then
      drive:close()
      return v
    end
  end
  if state.faults == 0 and not model.quirks.power_on_unit_attention then
    local seen = {}
    for _, cdb in ipairs(state.log) do
      if seen[cdb] then
        drive:close()
        local shown = cdb:gsub(".", function(c) return fmt("%02X ", c:byte()) end)
        return "a CDB was sent twice without a fault: " .. shown
      end
      seen[cdb] = true
    end
  end
  local v = exercise(snap, choose, true)
  if not v and choose(4) == 0 then
    -- the snapshot as a model answers as the drive did: a second snapshot of it agrees
    local mok, emu2 = pcall(emulator.new, snap)
    if not mok then v = "emulator.new refused a snapshot: " .. tostring(emu2) end
  end
  drive:close()
  return v
end

--- choose() from a string of bytes (a fuzzer's input): two bytes per choice, 0 past the end.
function hostile.from_bytes(data)
  local pos = 1
  return function(n)
    if n <= 1 then return 0 end
    local a, b = data:byte(pos, pos + 1)
    pos = pos + 2
    return (((a or 0) << 8) | (b or 0)) % n
  end
end

--- choose() from a seed (the suite's and the long run's drives).
function hostile.from_seed(seed)
  local rng = math.random
  math.randomseed(seed)
  return function(n)
    if n <= 1 then return 0 end
    return rng(0, n - 1)
  end
end

return hostile
