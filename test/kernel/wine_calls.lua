-- test/kernel/wine_calls.lua - the calls test/kernel/wine.lua (Windows DLL under Wine) and
-- test/kernel/wine_compare.lua (Linux module) make on the same drive, and the plain-data
-- form of their results; loaded with dofile from the repository root by both.
local M = {}

M.ORDER = { "inquiry", "profile", "capabilities", "test_unit_ready", "write_speeds",
  "read_nominal", "read_entire", "read_exceptions", "write_nominal", "set_speed_max",
  "read_nominal_after" }

M.CALLS = {
  inquiry = function(d) return d:inquiry() end,
  profile = function(d) return d:profile() end,
  capabilities = function(d) return d:capabilities() end,
  test_unit_ready = function(d) return d:test_unit_ready() end,
  write_speeds = function(d) return d:write_speeds() end,
  read_nominal = function(d) return d:get_performance { performance_type = "read" } end,
  read_entire = function(d) return d:get_performance { performance_type = "read", exceptions = "entire" } end,
  read_exceptions = function(d)
    return d:get_performance { performance_type = "read", exceptions = "exceptions_only" }
  end,
  write_nominal = function(d) return d:get_performance { performance_type = "write" } end,
  set_speed_max = function(d) return d:set_speed { read = "max", write = "max" } end,
  read_nominal_after = function(d) return d:get_performance { performance_type = "read" } end,
}

-- a call's result as plain data: the value, or the failure's kind, sense and code
function M.outcome(ok_call, res, _, info)
  if not ok_call then return { raised = (tostring(res):gsub("^.-:%d+: ", "")) } end
  if res ~= nil then return { value = res } end
  info = info or {}
  return { failed = true, kind = info.kind, sense_key = info.sense_key, asc = info.asc, ascq = info.ascq }
end

-- before(name), when given, runs before each call (wine.lua marks the trace with it)
function M.run(d, before)
  local out = {}
  for _, name in ipairs(M.ORDER) do
    if before then before(name) end
    out[name] = M.outcome(pcall(M.CALLS[name], d))
  end
  return out
end

-- What each call is, for the side-by-side table, and the request the Windows DLL tries
-- natively first (nil: SCSI pass-through only).
M.LABEL = {
  inquiry = "inquiry (INQUIRY 12h)",
  profile = "profile (GET CONFIGURATION 46h)",
  capabilities = "capabilities (MODE SENSE 5Ah, page 2Ah)",
  test_unit_ready = "test_unit_ready (00h)",
  write_speeds = "write_speeds (GET PERFORMANCE type 03h)",
  read_nominal = "get_performance read, nominal",
  read_entire = "get_performance read, entire list",
  read_exceptions = "get_performance read, exceptions only",
  write_nominal = "get_performance write, nominal",
  set_speed_max = "set_speed read = write = max",
  read_nominal_after = "get_performance read, nominal, after set_speed",
}
M.NATIVE = {
  write_speeds = "IOCTL_CDROM_GET_PERFORMANCE", read_nominal = "IOCTL_CDROM_GET_PERFORMANCE",
  read_entire = "IOCTL_CDROM_GET_PERFORMANCE", read_exceptions = "IOCTL_CDROM_GET_PERFORMANCE",
  write_nominal = "IOCTL_CDROM_GET_PERFORMANCE", read_nominal_after = "IOCTL_CDROM_GET_PERFORMANCE",
  set_speed_max = "IOCTL_CDROM_SET_SPEED (CdromSetSpeed)",
}

-- The line wine.lua prints before each call (stdout unbuffered, so it lands among the DLL's
-- CDPERF_TRACE lines in order), and the path each call took, read back from that trace.
function M.marker(letter, name) return ("@@ cdperf call %s %s"):format(letter, name) end

-- paths(log, letter) -> { [call] = "native IOCTL_... refused (ERROR_...) -> pass-through ACh",
-- "pass-through 12h", "native IOCTL_..." (no trace line: the native request answered) }
function M.paths(log, letter)
  local segs, cur = {}, nil
  for line in (log or ""):gmatch("[^\n]+") do
    line = line:gsub("\r$", "")
    local l, name = line:match("^@@ cdperf call (%S+) (%S+)$")
    if l then
      cur = nil
      if l == letter then cur = {}; segs[name] = cur end
    elseif cur then
      local what, err = line:match("^cdperf: win32 %S+ native (.-) refused %((.-)%)")
      local cdb = line:match("^cdperf: win32 %S+ CDB (%x%x)")
      if what then cur[#cur + 1] = { native = what, err = err }
      elseif cdb then cur[#cur + 1] = { cdb = cdb } end
    end
  end
  local out = {}
  for _, name in ipairs(M.ORDER) do
    local seg = segs[name]
    if seg then
      local refused, ops, seen = nil, {}, {}
      for _, e in ipairs(seg) do
        if e.native then refused = refused or e
        elseif not seen[e.cdb] then seen[e.cdb] = true; ops[#ops + 1] = e.cdb .. "h" end
      end
      local pt = #ops > 0 and ("SCSI pass-through " .. table.concat(ops, ", ")) or nil
      if refused then
        out[name] = ("native %s refused (%s) -> %s"):format(refused.native, refused.err, pt or "nothing sent")
      elseif pt then
        out[name] = pt
      elseif M.NATIVE[name] then
        out[name] = "native " .. M.NATIVE[name]
      end
    end
  end
  return out
end

-- A result in a few words, for the table.
local function perf_text(v)
  local ds = v.descriptors or {}
  if #ds == 0 then return (v.kind or "?") .. ", no descriptors" end
  local parts = {}
  for i = 1, math.min(#ds, 2) do
    local e = ds[i]
    if e.start_lba then
      parts[#parts + 1] = ("LBA %d-%d: %d-%d kB/s"):format(e.start_lba, e.end_lba, e.start_performance,
        e.end_performance)
    elseif e.write_speed then
      parts[#parts + 1] = ("to LBA %d: write %d, read %d kB/s"):format(e.end_lba, e.write_speed, e.read_speed)
    else
      parts[#parts + 1] = ("LBA %s: %s ms"):format(tostring(e.lba), tostring(e.time))
    end
  end
  if #ds > 2 then parts[#parts + 1] = ("... (%d descriptors)"):format(#ds) end
  return (v.kind or "?") .. ": " .. table.concat(parts, "; ")
end
function M.text(name, r)
  if r == nil then return "(no result)" end
  if r.raised then return "raised: " .. r.raised end
  if r.failed then
    if r.kind == "scsi" and r.sense_key then
      return ("fails: sense key %Xh, ASC/ASCQ %02Xh/%02Xh"):format(r.sense_key, r.asc or 0, r.ascq or 0)
    end
    return "fails: " .. tostring(r.kind)
  end
  local v = r.value
  if name == "inquiry" then
    return ("%s %s %s"):format(v.vendor, v.product, v.revision)
  elseif name == "profile" then
    return ("%s (%04Xh)"):format(tostring(v.name), v.code or 0)
  elseif name == "capabilities" then
    return ("read %s kB/s, write %s kB/s (max), %d write speeds"):format(tostring(v.max_read_speed),
      tostring(v.max_write_speed), #(v.write_speeds or {}))
  elseif name == "write_speeds" then
    if #v == 0 then return "no descriptors" end
    local t = {}
    for _, e in ipairs(v) do t[#t + 1] = tostring(e.write_speed) end
    return "write " .. table.concat(t, ", ") .. " kB/s"
  elseif type(v) == "table" and v.descriptors then
    return perf_text(v)
  elseif v == true then
    return name == "test_unit_ready" and "ready" or "done"
  end
  return tostring(v)
end

local function ser(v, ind)
  local t = type(v)
  if t == "string" then return ("%q"):format(v) end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return ("%.17g"):format(v)
  end
  if t ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  local parts = {}
  for _, k in ipairs(keys) do
    local kk = type(k) == "string" and ("[%q]"):format(k) or ("[%d]"):format(k)
    parts[#parts + 1] = ind .. "  " .. kk .. " = " .. ser(v[k], ind .. "  ") .. ","
  end
  return "{\n" .. table.concat(parts, "\n") .. "\n" .. ind .. "}"
end
function M.serialize(v) return "return " .. ser(v, "") .. "\n" end

function M.same(a, b, path)
  if type(a) ~= type(b) then return false, ("%s: %s vs %s"):format(path, tostring(a), tostring(b)) end
  if type(a) ~= "table" then
    if a == b then return true end
    return false, ("%s: %s vs %s"):format(path, tostring(a), tostring(b))
  end
  for k, v in pairs(a) do
    local ok, why = M.same(v, b[k], path .. "." .. tostring(k))
    if not ok then return ok, why end
  end
  for k in pairs(b) do
    -- `path` (native IOCTL or pass-through) is the Windows transport's alone
    if a[k] == nil and k ~= "path" then return false, path .. "." .. tostring(k) .. " only in the second" end
  end
  return true
end

return M
