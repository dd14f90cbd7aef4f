--- cdperf.media: MMC profile codes, media classes, 1x constants and speed ladders.
-- Pure data plus a few look-ups; no drive access. A media class is `"cd"`, `"dvd"`,
-- `"bd"` or `"hddvd"`; a profile code is what `Drive:profile()` returns in `code`
-- (0x1B DVD+R, 0x41 BD-R SRM, ...). The look-ups raise on a code outside 0..0xFFFF.
-- @module cdperf.media
-- @usage print(media.class(0x1B), media.name(0x1B), media.ONE_X.dvd)   --> dvd  DVD+R  1385

local media = {}

--- kB/s (1 kB = 1000 B) per 1x, by class: `{ cd = 176.4, dvd = 1385, bd = 4495.5,
-- hddvd = 4500 }`.  CD: 75 sectors x 2352 bytes.  BD: 36 Mbit/s
-- user rate = 4495.5 kB/s (drives round it to 4495 or 4496).
media.ONE_X = { cd = 176.4, dvd = 1385, bd = 4495.5, hddvd = 4500 }

--- What a person calls the class in text ("2.4x DVD"): `{ cd = "CD", dvd = "DVD", bd = "BD", hddvd = "HD DVD" }`.
media.LABEL = { cd = "CD", dvd = "DVD", bd = "BD", hddvd = "HD DVD" }

--- The standard speeds of each class, in x; used to name
-- nominal speeds: CD 1 2 4 8 10 12 16 20 24 32 40 48 52; DVD 1 2 2.4 3 4 5 6 8 10 12 16
-- 18 20 22 24; BD 1 2 4 6 8 10 12 14 16; HD DVD 1 2 3 4.
-- @table LADDERS
-- @field cd the CD ladder
-- @field dvd the DVD ladder
-- @field bd the BD ladder
-- @field hddvd the HD DVD ladder
media.LADDERS = {
  cd = { 1, 2, 4, 8, 10, 12, 16, 20, 24, 32, 40, 48, 52 },
  dvd = { 1, 2, 2.4, 3, 4, 5, 6, 8, 10, 12, 16, 18, 20, 22, 24 },
  bd = { 1, 2, 4, 6, 8, 10, 12, 14, 16 },
  hddvd = { 1, 2, 3, 4 },
}

-- code -> { name, class, writable }.  Names follow the MMC profile list.
local PROFILES = {
  [0x00] = { "no medium" },
  [0x01] = { "Non-removable disk", nil, true },
  [0x02] = { "Removable disk", nil, true },
  [0x03] = { "MO Erasable", nil, true },
  [0x04] = { "Optical Write Once", nil, true },
  [0x05] = { "AS-MO", nil, true },
  [0x08] = { "CD-ROM", "cd", false },
  [0x09] = { "CD-R", "cd", true },
  [0x0A] = { "CD-RW", "cd", true },
  [0x10] = { "DVD-ROM", "dvd", false },
  [0x11] = { "DVD-R Sequential", "dvd", true },
  [0x12] = { "DVD-RAM", "dvd", true },
  [0x13] = { "DVD-RW Restricted Overwrite", "dvd", true },
  [0x14] = { "DVD-RW Sequential", "dvd", true },
  [0x15] = { "DVD-R DL Sequential", "dvd", true },
  [0x16] = { "DVD-R DL Jump", "dvd", true },
  [0x17] = { "DVD-RW DL", "dvd", true },
  [0x18] = { "DVD-Download", "dvd", true },
  [0x1A] = { "DVD+RW", "dvd", true },
  [0x1B] = { "DVD+R", "dvd", true },
  [0x20] = { "DDCD-ROM", "cd", false },
  [0x21] = { "DDCD-R", "cd", true },
  [0x22] = { "DDCD-RW", "cd", true },
  [0x2A] = { "DVD+RW DL", "dvd", true },
  [0x2B] = { "DVD+R DL", "dvd", true },
  [0x40] = { "BD-ROM", "bd", false },
  [0x41] = { "BD-R SRM", "bd", true },
  [0x42] = { "BD-R RRM", "bd", true },
  [0x43] = { "BD-RE", "bd", true },
  [0x50] = { "HD DVD-ROM", "hddvd", false },
  [0x51] = { "HD DVD-R", "hddvd", true },
  [0x52] = { "HD DVD-RAM", "hddvd", true },
  [0x53] = { "HD DVD-RW", "hddvd", true },
  [0x58] = { "HD DVD-R DL", "hddvd", true },
  [0x5A] = { "HD DVD-RW DL", "hddvd", true },
  [0xFFFF] = { "Non-conforming" },
}

local function check_code(code, fname)
  local n = math.tointeger(code)
  if not n or n < 0 or n > 0xFFFF then
    error(("bad argument #1 to '%s' (profile code 0..0xFFFF expected, got %s)")
      :format(fname, type(code) == "number" and tostring(code) or type(code)), 3)
  end
  return n
end

-- name, class, writable of a checked profile code (unknown codes: a descriptive name, nil, false)
local function lookup(n)
  local p = PROFILES[n]
  if not p then return ("unknown profile %04Xh"):format(n), nil, false end
  return p[1], p[2], p[3] or false
end

--- The media class of a profile: "cd" | "dvd" | "bd" | "hddvd", or nil.
-- @tparam integer code profile code
-- @treturn string|nil
function media.class(code)
  local _, class = lookup(check_code(code, "class"))
  return class
end

--- The MMC name of a profile ("DVD+R"); unknown codes get a descriptive name.
-- @tparam integer code
-- @treturn string e.g. "DVD+R", "no medium", "unknown profile 0077h"
function media.name(code)
  return (lookup(check_code(code, "name")))
end

--- Whether the drive may write a medium of this profile (ROM profiles: false).
-- @tparam integer code
-- @treturn boolean
function media.writable(code)
  local _, _, writable = lookup(check_code(code, "writable"))
  return writable
end

--- { code =, name =, class =, writable = } for a profile code.
-- @tparam integer code
-- @treturn table
function media.profile(code)
  local n = check_code(code, "profile")
  local name, class, writable = lookup(n)
  return { code = n, name = name, class = class, writable = writable }
end

--- The 1x rate of a class in kB/s; raises on an unknown class (misuse).
-- @tparam string class
-- @tparam[opt] string fname the function to name in the error
-- @tparam[opt] integer argn the argument to name in the error
-- @treturn number kB/s
-- @raise on an unknown class
function media.one_x(class, fname, argn)
  local v = media.ONE_X[class]
  if not v then
    error(("bad argument #%d to '%s' (media class cd|dvd|bd|hddvd expected, got %s)")
      :format(argn or 1, fname or "one_x", class == nil and "nil" or ("%q"):format(tostring(class))), 3)
  end
  return v
end

return media
