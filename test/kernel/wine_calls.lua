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

function M.run(d)
  local out = {}
  for _, name in ipairs(M.ORDER) do out[name] = M.outcome(pcall(M.CALLS[name], d)) end
  return out
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
