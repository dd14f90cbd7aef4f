--- Benchmark 3: commands sent per query, counted from the emulator's command log
-- (cdperf.emulator), for write_speeds(), speeds.list(drive) and a full
-- pick + apply + verify; and what libburn, growisofs and K3b send for the same job
-- (read from their sources, cited below; not measured here).
local M = {}

local OPCODES = {
  [0x00] = "TEST UNIT READY", [0x03] = "REQUEST SENSE", [0x12] = "INQUIRY",
  [0x46] = "GET CONFIGURATION", [0x5A] = "MODE SENSE(10)", [0xB6] = "SET STREAMING",
  [0xBB] = "SET CD SPEED",
}

local function command_name(cdb)
  local op = cdb:byte(1)
  if op == 0xAC then
    return cdb:byte(11) == 0x03 and "GET PERFORMANCE 03h" or "GET PERFORMANCE 00h"
  end
  return OPCODES[op] or ("opcode %02Xh"):format(op)
end

-- A DVD+R drive with n write-speed descriptors, made from the built-in Samsung SH-224DB model
-- (capture F) with its speed list replaced; page 2Ah lists the same speeds.
local LADDER = { 33240, 27700, 22160, 16620, 11080, 8310, 5540, 3324 }
local function model_with(emulator, n, quirks)
  local m = emulator.deepcopy(emulator.models.samsung_sh224db_dvdpr)
  m.name = nil
  local ws, caps = {}, {}
  for i = 1, n do
    local w = LADDER[i] or (3324 - (i - #LADDER) * 10) -- beyond 8: made-up slower speeds, distinct
    ws[i] = { mixed_read_write = false, exact = false, write_rotation_control = 0,
      end_lba = m.capacity - 1, read_speed = 16620, write_speed = w }
    if i <= #LADDER then caps[#caps + 1] = { speed = w, rotation_control = 0 } end
  end
  m.write_speeds = ws
  m.capabilities.write_speeds = caps
  m.capabilities.max_write_speed = ws[1].write_speed
  m.capabilities.current_write_speed = ws[1].write_speed
  m.capabilities.current_write_speed_selected = ws[1].write_speed
  m.quirks = quirks or {}
  return m
end

M.scenarios = {
  { key = "honest8", n = 8, quirks = {},
    label = "8 descriptors, honest header" },
  { key = "short8", n = 8, quirks = { header_length = "short" },
    label = "8 descriptors, header under-reports (DataLength one descriptor short)" },
  { key = "huge8", n = 8, quirks = { header_length = "huge" },
    label = "8 descriptors, header claims more than the first buffer holds (DataLength FFFFFFFFh)" },
  { key = "honest100", n = 100, quirks = {},
    label = "100 descriptors, honest header (more than the 64 the first command asks for)" },
}

M.operations = {
  { key = "write_speeds", label = "drive:write_speeds()",
    run = function(_, drive, sc)
      local ws, msg = drive:write_speeds()
      if not ws then return nil, msg end
      return ("%d of the %d descriptors"):format(#ws, sc.n)
    end },
  { key = "list", label = "speeds.list(drive)",
    run = function(cdperf, drive)
      local list, msg = cdperf.speeds.list(drive)
      if not list then return nil, msg end
      return ("%d speeds"):format(#list)
    end },
  { key = "apply", label = "list + pick + apply + verify",
    run = function(cdperf, drive)
      local list, msg = cdperf.speeds.list(drive)
      if not list then return nil, msg end
      local entry, why = cdperf.speeds.pick(list, "max")
      if not entry then return nil, why end
      local ok, report = cdperf.speeds.apply(drive, entry)
      if not ok then return nil, report end
      return ("%s %d kB/s, %s"):format(report.method, entry.write, report.obeyed and "obeyed" or "NOT obeyed")
    end },
}

-- Counts one operation on a fresh emulated drive; returns a row.
local function measure(cdperf, model, op, sc)
  local emu = cdperf.emulator.new(model)
  local drive = assert(cdperf.open(emu))
  local Drive = cdperf.Drive     -- the drive class of `require "cdperf"`
  local orig = Drive.write_speeds
  local per_query = {}
  -- Watch each write-speed query inside the operation: GET PERFORMANCE commands it caused.
  Drive.write_speeds = function(self, ...)
    local before = #emu:log()
    local a, b, c = orig(self, ...)
    local log, gp = emu:log(), 0
    for i = before + 1, #log do
      if log[i]:byte(1) == 0xAC then gp = gp + 1 end
    end
    per_query[#per_query + 1] = gp
    return a, b, c
  end
  local ok, outcome, err = pcall(op.run, cdperf, drive, sc)
  Drive.write_speeds = orig
  drive:close()
  local row = { total = 0, by_name = {}, per_query = per_query }
  if not ok then
    row.outcome = "error: " .. tostring(outcome)
  else
    row.outcome = outcome or ("failed: " .. tostring(err))
  end
  for _, cdb in ipairs(emu:log()) do
    local name = command_name(cdb)
    row.total = row.total + 1
    row.by_name[name] = (row.by_name[name] or 0) + 1
  end
  local names = {}
  for name, n in pairs(row.by_name) do names[#names + 1] = ("%s %d"):format(name, n) end
  table.sort(names)
  row.breakdown = table.concat(names, ", ")
  row.gp = (row.by_name["GET PERFORMANCE 03h"] or 0) + (row.by_name["GET PERFORMANCE 00h"] or 0)
  row.max_per_query = 0
  for _, n in ipairs(per_query) do row.max_per_query = math.max(row.max_per_query, n) end
  return row
end

-- Without the emulator: a counting Lua-function device that answers GET PERFORMANCE 03h only.
local function counting_device(n, quirks)
  local parts = {}
  for i = 1, n do
    parts[i] = string.pack(">BBBBI4I4I4", 0, 0, 0, 0, 2295103, 16620, LADDER[i] or (3324 - (i - 8) * 10))
  end
  local dev = { log = {} }
  dev.fn = function(cdb, _, alloc)
    dev.log[#dev.log + 1] = cdb
    local max = string.unpack(">I2", cdb, 9)
    local send = math.min(n, max)
    local dl = 4 + 16 * n
    if quirks.header_length == "short" then dl = 4 + 16 * math.max(send - 1, 0) end
    if quirks.header_length == "huge" then dl = 0xFFFFFFFF end
    local data = string.pack(">I4BBBB", dl, 0, 0, 0, 0) .. table.concat(parts, "", 1, send)
    return data:sub(1, alloc)
  end
  return dev
end

local function measure_without_emulator(cdperf, sc)
  local dev = counting_device(sc.n, sc.quirks)
  local drive = assert(cdperf.open(dev.fn))
  local ws, msg = drive:write_speeds()
  drive:close()
  local row = { total = #dev.log, gp = #dev.log, max_per_query = #dev.log, per_query = { #dev.log },
    outcome = ws and ("%d of the %d descriptors"):format(#ws, sc.n) or ("failed: " .. tostring(msg)) }
  row.breakdown = ("GET PERFORMANCE 03h %d"):format(#dev.log)
  return row
end

--- Runs every operation on every scenario.
function M.run(cdperf)
  local have_emu, emulator = pcall(function() return cdperf.emulator end)
  if os.getenv("CDPERF_BENCH_NO_EMULATOR") then have_emu = false end
  local res = { rows = {}, emulator = have_emu and emulator ~= nil }
  for _, sc in ipairs(M.scenarios) do
    for _, op in ipairs(M.operations) do
      local row
      if res.emulator then
        row = measure(cdperf, model_with(emulator, sc.n, sc.quirks), op, sc)
      elseif op.key == "write_speeds" then
        row = measure_without_emulator(cdperf, sc)
      end
      if row then
        row.scenario, row.operation, row.scenario_key, row.operation_key = sc.label, op.label, sc.key, op.key
        res.rows[#res.rows + 1] = row
      end
    end
  end
  return res
end

--- What the peers send, read from their sources (not measured here). Counts are for a DVD/BD
-- write-speed list with more than one descriptor and a truthful header.
M.peers = {
  {
    tool = "libburn",
    write_speeds = "3 GET PERFORMANCE 03h: alloc 8 with 0 descriptors to learn the length, "
      .. "again with a non-zero count (\"Some drives announce only 1 descriptor if asked for 0\"), "
      .. "then a final one sized from DataLength",
    list = "7: MODE SENSE 2Ah x2 (learn length, then full), GET CONFIGURATION x2 (the same), "
      .. "GET PERFORMANCE 03h x3",
    apply = "1 (SET STREAMING for DVD/BD, else SET CD SPEED) on top of the list read at drive grab; "
      .. "no read-back in mmc_set_speed()",
    short_header = "trusts DataLength: the final request is sized from it, so an under-reporting "
      .. "header loses descriptors; still 3 commands",
    source = "svn2github/libburn libburn/mmc.c: mmc_get_write_performance(), "
      .. "mmc_get_write_performance_al(), mmc_set_speed(), mmc_set_streaming(), mmc_get_configuration(); "
      .. "libburn/spc.c: spc_sense_caps(), spc_sense_caps_al()",
  },
  {
    tool = "growisofs",
    write_speeds = "2 GET PERFORMANCE 03h: one descriptor (24-byte buffer) to learn the length, "
      .. "then the real count (1 when the list has a single descriptor)",
    list = "4: MODE SENSE 2Ah x2 (pull_page2A: header, then full) + GET PERFORMANCE 03h x2",
    apply = "9 to 11: the 4 above, GET PERFORMANCE 00h \"descriptor in effect\" x1 (x2 when the "
      .. "write curve has several descriptors, pull_velocity), READ TRACK INFORMATION x1 "
      .. "(DVD±R capacity), SET STREAMING x1, MODE SENSE 2Ah x1, GET PERFORMANCE 00h x1 (x2) to verify",
    short_header = "sizes the second request from DataLength; a length that is no multiple of 16 "
      .. "(\"insane Performance Data Length\") abandons GET PERFORMANCE for SET CD SPEED",
    source = "xrg/pkg-dvd-rw-tools growisofs_mmc.cpp: set_speed_B6h(), pull_velocity(), "
      .. "pull_page2A(), plusminus_pages_setup()",
  },
  {
    tool = "K3b",
    write_speeds = "2 GET PERFORMANCE 03h, always: \"first we read one descriptor\", then the real "
      .. "length (gives up above 2048 bytes, i.e. more than 127 descriptors)",
    list = "2 GET PERFORMANCE 03h for DVD/BD (+ MODE SENSE 2Ah when that fails; CD media: page 2Ah "
      .. "first), plus the commands of mediaType(), not counted here",
    apply = "Device::setSpeed() is 1 SET CD SPEED with no read-back; burning hands the speed to the "
      .. "external burner (growisofs, cdrecord)",
    short_header = "sizes the second request from DataLength; a length that is no multiple of 16, "
      .. "or above 2048 bytes (FFFFFFFFh), is \"bogus\": GET PERFORMANCE is dropped for mode page 2Ah",
    source = "KDE/k3b libk3bdevice/k3bdevice_mmc.cpp: Device::getPerformance(), Device::setSpeed(); "
      .. "libk3bdevice/k3bdevice.cpp: determineSupportedWriteSpeeds(), getSupportedWriteSpeedsViaGP()",
  },
}

return M
