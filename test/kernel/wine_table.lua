-- test/kernel/wine_table.lua ROWS.lua DOC.md - on the host after test/kernel/wine-rig.sh:
-- writes the Windows-path section of DOC.md (docs/side-by-side.md) from the rows the guest's
-- wine_compare.lua left in ROWS.lua, in place: the section between the two markers below is
-- replaced (appended when missing), the rest of the file is left as it is.
--
-- Loaded with dofile and no arguments, it returns its functions instead: side_by_side.lua
-- (make check-kernel, which rewrites the whole file) keeps the section with `section_of`.
-- Two steps, two writers: check-kernel runs before check-wine-kernel in tools/check.sh, and
-- each leaves the file right.
local M = {}

M.BEGIN = "<!-- windows-path: begin (written by test/kernel/wine-rig.sh, make check-wine-kernel) -->"
M.END = "<!-- windows-path: end -->"

local function find_plain(s, pat, init) return s:find(pat, init or 1, true) end

--- The section of text s, markers included, or nil.
function M.section_of(s)
  if not s then return nil end
  local a = find_plain(s, M.BEGIN)
  if not a then return nil end
  local _, b = find_plain(s, M.END, a)
  if not b then return nil end
  return s:sub(a, b)
end

--- What stands there before the first run.
function M.placeholder()
  return table.concat({
    M.BEGIN,
    "## The Windows path: the DLL under Wine and the Linux module on the same drives",
    "",
    "Not run yet: `make check-wine-kernel` writes this section.",
    M.END,
  }, "\n")
end

--- s with its section replaced by section (appended when it has none).
function M.replace(s, section)
  local old = M.section_of(s)
  if old then
    local a = find_plain(s, old)
    return s:sub(1, a - 1) .. section .. s:sub(a + #old)
  end
  s = s:gsub("%s*$", "")
  return (s == "" and "" or (s .. "\n\n")) .. section .. "\n"
end

local function sh1(cmd)
  local p = io.popen(cmd .. " 2>/dev/null"); local s = p and p:read("l"); if p then p:close() end
  return s
end

local function cell(s)
  s = tostring(s or ""):gsub("|", "\\|"):gsub("\n", " ")
  return s
end

--- The section's markdown for the rows of wine_compare.lua.
function M.render(data)
  local o = {}
  local function w(s) o[#o + 1] = s or "" end
  w(M.BEGIN)
  w("## The Windows path: the DLL under Wine and the Linux module on the same drives")
  w()
  w("Written by `make check-wine-kernel` (test/kernel/wine-rig.sh: wine.lua, wine_compare.lua,")
  w("then wine_table.lua on the host); do not edit by hand. In a QEMU TCG guest running the")
  w("Debian kernel, Windows `lua.exe` with `cdperf/core.dll` ran under Wine on a drive letter")
  w("per /dev/srN (Wine's `IOCTL_SCSI_PASS_THROUGH` is SG_IO on that device), and the Linux")
  w("module then made the same calls (test/kernel/wine_calls.lua) on the same /dev/srN. A row")
  w("agrees when the two results are the same table field for field (or the same refusal:")
  w("kind, sense key, ASC, ASCQ); the path is the one the DLL's `CDPERF_TRACE` shows for that")
  w("call: the native CD-ROM IOCTL, its refusal, the CDBs sent through SCSI pass-through.")
  w("[windows.md](windows.md) says which request goes which way and why.")
  w()
  local ver = {
    ("guest kernel %s"):format(data.kernel or "?"),
    sh1("qemu-system-x86_64 --version | head -1") or "QEMU ?",
    "Wine " .. (sh1("dpkg-query -W -f='${Version}' wine64") or "?"),
    "tgt " .. (sh1("dpkg-query -W -f='${Version}' tgt") or "?"),
  }
  w("Versions: " .. table.concat(ver, "; ") .. ".")
  w()
  w("| letter | device | attached as | vendor / model | medium |")
  w("|---|---|---|---|---|")
  for _, d in ipairs(data.devices or {}) do
    w(("| %s | %s (%s) | %s | %s / %s | %s |"):format(cell(d.letter), cell(d.dev), cell(d.hctl or "?"),
      cell(d.attach or "?"), cell(d.vendor), cell(d.product), cell(d.profile)))
  end
  w()
  w("| drive | call | Linux module | Windows DLL under Wine | the DLL's path | agree? |")
  w("|---|---|---|---|---|---|")
  local n = 0
  for _, r in ipairs(data.rows or {}) do
    n = n + 1
    w(("| %s | %s | %s | %s | %s | %s |"):format(cell(r.device), cell(r.call), cell(r.linux),
      cell(r.windows), cell(r.path), r.agree and "yes" or ("**NO**" .. (r.why and (": " .. cell(r.why)) or ""))))
  end
  w()
  w(("Result: %d of %d agree%s."):format(data.agree or 0, n,
    (data.agree or 0) < n and (", " .. (n - (data.agree or 0)) .. " DIFFER") or ""))
  w(M.END)
  return table.concat(o, "\n")
end

local args = { ... }
if #args == 0 then return M end

local ROWS, DOC = args[1], args[2]
if not (ROWS and DOC) then
  io.stderr:write("usage: lua5.4 test/kernel/wine_table.lua ROWS.lua DOC.md\n")
  os.exit(2)
end
local data = assert(loadfile(ROWS))()
local f = io.open(DOC, "rb")
local old = f and f:read("a") or ""
if f then f:close() end
local out = assert(io.open(DOC, "wb"))
out:write(M.replace(old, M.render(data)))
out:close()
print(("# wrote the Windows-path section of %s (%d of %d rows agree)"):format(DOC, data.agree or 0,
  #(data.rows or {})))
