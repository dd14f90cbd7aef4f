--- Shared spec helpers: byte builders and scripted test-double devices.
local helpers = {}

--- "AC 10 00" -> bytes
function helpers.unhex(s)
  return (s:gsub("%s+", ""):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

--- bytes -> "AC 10 00"
function helpers.hex(s)
  return (s:gsub(".", function(c) return ("%02X "):format(c:byte()) end):gsub(" $", ""))
end

--- 18-byte fixed-format sense data.
function helpers.fixed_sense(key, asc, ascq)
  return string.pack(">BBBI4BI4BBBBBB", 0x70, 0, key, 0, 10, 0, asc, ascq, 0, 0, 0, 0)
end

--- Descriptor-format sense data (72h) with no descriptors.
function helpers.descriptor_sense(key, asc, ascq)
  return string.pack("BBBBBBBB", 0x72, key, asc, ascq, 0, 0, 0, 0)
end

--- A GET PERFORMANCE response: header (data_length defaults to the truth) + descriptors.
function helpers.perf_response(descriptors, opts)
  opts = opts or {}
  local body = table.concat(descriptors)
  local flags = (opts.except and 1 or 0) | (opts.write and 2 or 0)
  local data_length = opts.data_length or (4 + #body)
  return string.pack(">I4BBBB", data_length, flags, 0, 0, 0) .. body
end

function helpers.nominal(start_lba, start_perf, end_lba, end_perf)
  return string.pack(">I4I4I4I4", start_lba, start_perf, end_lba, end_perf)
end

function helpers.exception(lba, time)
  return string.pack(">I4I2", lba, time)
end

function helpers.write_speed(flags, end_lba, read_speed, write_speed)
  return string.pack(">BBBBI4I4I4", flags, 0, 0, 0, end_lba, read_speed, write_speed)
end

--- The section of a capture ("## Capture I: ...") in spec/data/captures.md (a verbatim copy
-- of the project's shared captures), or nil when it has no such section.
function helpers.capture_section(letter)
  local f = assert(io.open("spec/data/captures.md", "r"))
  local text = f:read("a")
  f:close()
  local head = "\n## Capture " .. letter .. ":"
  return text:match(head .. "(.-)\n## ") or text:match(head .. "(.*)$")
end

--- The Speed Descriptor lines of a capture section as { FF, end_lba, read, write }.
function helpers.parsed_descriptors(section)
  local out = {}
  local line = "Speed Descriptor#%d+:%s+(%x%x)/(%d+) R@[%d.]+x%d+=(%d+)KB/s W@[%d.]+x%d+=(%d+)KB/s"
  for ff, el, r, w in section:gmatch(line) do
    out[#out + 1] = { tonumber(ff, 16), tonumber(el), tonumber(r), tonumber(w) }
  end
  return out
end

--- A device that answers every command with answer(cdb, direction, arg) and
-- records each call in device.calls = { { cdb =, direction =, arg = }, ... }.
function helpers.recording_device(answer)
  local device = { calls = {} }
  setmetatable(device, {
    __call = function(self, cdb, direction, arg)
      self.calls[#self.calls + 1] = { cdb = cdb, direction = direction, arg = arg }
      return answer(cdb, direction, arg)
    end,
  })
  return device
end

--- Run a shell command; returns its stdout, its stderr and its exit status.
function helpers.run(cmd)
  local err = os.tmpname()
  local p = assert(io.popen(cmd .. " 2>" .. err))
  local out = p:read("a")
  local _, _, status = p:close()
  local f = assert(io.open(err))
  local e = f:read("a")
  f:close()
  os.remove(err)
  return out, e, status
end

--- Run bin/cdperf with `args` (a shell word string), `env` (NAME=value words) before it.
function helpers.cdperf(args, env)
  return helpers.run((env or "") .. " lua5.4 bin/cdperf " .. args)
end

return helpers
