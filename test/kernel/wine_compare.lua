-- test/kernel/wine_compare.lua OUTDIR LETTER=DEVICE... - in the Wine guest, after
-- test/kernel/wine.lua: the same calls through the Linux module on each DEVICE must give
-- the same tables and refusals as the Windows DLL did through Wine on its LETTER.
-- OUTDIR (the rig's writable share) holds windows.lua (wine.lua's results), windows.log
-- (its output with the DLL's trace), devices.txt ("LETTER DEVICE H:C:T:L" per line, from
-- wine-init.sh) and attach.txt ("SCSI-ID how it is attached", from wine-rig.sh); the rows
-- of the comparison go to OUTDIR/windows-path.lua, which test/kernel/wine_table.lua turns
-- into the Windows-path section of docs/side-by-side.md on the host.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local calls = dofile("test/kernel/wine_calls.lua")
local cdperf = require "cdperf"
local OUT = assert(arg[1], "usage: wine_compare.lua OUTDIR LETTER=DEVICE...")
local passed, failed = 0, 0
local function report(ok, name, detail)
  if ok then passed = passed + 1; print("ok - " .. name)
  else failed = failed + 1; print("not ok - " .. name .. " # " .. tostring(detail)) end
end
local function readfile(p)
  local f = io.open(p, "rb"); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end

local win = dofile(OUT .. "/windows.lua")
local log = readfile(OUT .. "/windows.log") or ""
local hctl, attach = {}, {}
for l in (readfile(OUT .. "/devices.txt") or ""):gmatch("[^\n]+") do
  local letter, h = l:match("^(%S+) %S+ (%S+)")
  if letter then hctl[letter] = h end
end
for l in (readfile(OUT .. "/attach.txt") or ""):gmatch("[^\n]+") do
  local id, how = l:match("^(%d+) (.*)$")
  if id then attach[tonumber(id)] = how end
end

local linux_drives = {}
for _, p in ipairs(cdperf.drives()) do linux_drives[p] = true end
local win_drives = {}
for _, l in ipairs(win["@drives"] or {}) do win_drives[l] = true end

local table_rows, devices = {}, {}
local function row(device, call, linux, windows, path, agree, why)
  table_rows[#table_rows + 1] = { device = device, call = call, linux = linux, windows = windows,
    path = path, agree = agree, why = why }
end

for i = 2, #arg do
  local letter, dev = arg[i]:match("^(.-)=(.*)$")
  local d, msg = cdperf.open(dev, { write = true })
  report(d ~= nil and win[letter] ~= nil, ("%s and %s: both opened"):format(dev, letter), msg)
  local key = ("%s %s"):format(letter, dev)
  local both = linux_drives[dev] == true and win_drives[letter] == true
  row(key, "drives() lists it", linux_drives[dev] and ("lists " .. dev) or "does not list it",
    win_drives[letter] and ("lists " .. letter) or "does not list it", "GetLogicalDrives, GetDriveTypeA",
    both)
  report(both, ("cdperf.drives() lists %s on Linux and %s on Windows"):format(dev, letter))
  if d and win[letter] then
    local inq = d:inquiry() or {}
    local prof = d:profile() or {}
    local lin = calls.run(d)
    d:close()
    local paths = calls.paths(log, letter)
    local h = hctl[letter]
    local id = h and tonumber(h:match("^%d+:%d+:(%d+):"))
    devices[#devices + 1] = { letter = letter, dev = dev, hctl = h, attach = id and attach[id],
      vendor = inq.vendor, product = inq.product, profile = prof.name }
    local bad
    for _, name in ipairs(calls.ORDER) do
      local ok, why = calls.same(lin[name], win[letter][name], name)
      local path = paths[name] or "(no trace)"
      local v = win[letter][name].value
      if type(v) == "table" and v.path then   -- get_performance's own word on its path
        local native = path:find("^native") ~= nil and path:find("refused", 1, true) == nil
        if native ~= (v.path == "native") then path = path .. " (the result says " .. v.path .. ")" end
      end
      row(key, calls.LABEL[name], calls.text(name, lin[name]), calls.text(name, win[letter][name]),
        path, ok, why)
      if not ok and not bad then bad = why end
    end
    report(bad == nil, ("%s (%s %s) and %s: the Windows DLL through Wine equals the Linux module on "
      .. "every call"):format(dev, tostring(inq.vendor), tostring(inq.product), letter), bad)
  end
end

-- A name that is not an optical drive: the Linux module on /dev/null, the DLL on C:.
local nd, nmsg = cdperf.open("/dev/null")
if nd then nd:close() end
local no = win["@not_optical"] or {}
local refused = nd == nil and no.opened == false
row("-", "open a name that is no optical drive (/dev/null, C:)", nd and "opened" or tostring(nmsg),
  no.opened == false and tostring(no.message) or "opened", "GetDriveTypeA (before any IOCTL)", refused)
report(refused, "a name that is no optical drive: both refuse it (/dev/null, C:)", nmsg)

local n_agree = 0
for _, r in ipairs(table_rows) do if r.agree then n_agree = n_agree + 1 end end
local f = io.open(OUT .. "/windows-path.lua", "w")
if f then
  f:write(calls.serialize({ kernel = (readfile("/proc/sys/kernel/osrelease") or "?"):gsub("%s+$", ""),
    devices = devices, rows = table_rows, agree = n_agree }))
  f:close()
end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
