-- test/kernel/rig_util.lua: the small file, shell and plain-data helpers the rig scripts
-- share (check.lua, record.lua and burn.lua in the QEMU guest; side_by_side.lua and
-- test/peers/run.lua on the host).
local M = {}

-- A file's bytes, or nil when it cannot be read.
function M.readfile(p)
  local f = io.open(p, "rb"); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end

function M.writefile(p, s)
  local f = assert(io.open(p, "wb")); f:write(s); f:close()
end

function M.trim(s) return s and (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- A directory's entries, sorted ({} when it has none or is not there).
function M.ls(dir)
  local t, p = {}, io.popen("ls -1 " .. dir .. " 2>/dev/null")
  for l in p:lines() do t[#t + 1] = l end
  p:close(); table.sort(t); return t
end

-- A command's output (stdout and stderr) and exit code.
function M.sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"@@rc=$?\"")
  local s = p:read("a"); p:close()
  local rc = tonumber(s:match("@@rc=(%d+)%s*$"))
  return (s:gsub("@@rc=%d+%s*$", "")), rc
end

-- A command's first line of output (stderr dropped), or nil.
function M.sh1(cmd)
  local p = io.popen(cmd .. " 2>/dev/null"); local s = p and p:read("l"); if p then p:close() end
  return s
end

-- A copy without functions, userdata, threads, table keys or cycles: what can be written
-- as data.
function M.plain(v, seen)
  if type(v) ~= "table" then
    if type(v) == "function" or type(v) == "userdata" or type(v) == "thread" then return nil end
    return v
  end
  seen = seen or {}
  if seen[v] then return nil end
  seen[v] = true
  local c = {}
  for k, x in pairs(v) do
    if type(k) ~= "table" then c[k] = M.plain(x, seen) end
  end
  seen[v] = nil
  return c
end

return M
