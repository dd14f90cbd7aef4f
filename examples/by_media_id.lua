-- A rule by media ID: the disc's identity (ADIP for DVD+R/+RW, pre-pit data for
-- DVD-R/-RW, Disc Information for BD-R/RE, the ATIP maker of a CD-R/RW) decides the
-- speed.  Each rule is a media=PATTERN policy; "|" takes the first rule that matches,
-- and the last alternative is the rule for every other disc.
--
--   lua5.4 examples/by_media_id.lua [DEVICE]
--
-- DEVICE as for cdperf.open; without one, an emulated LG WH16NS40 with a Verbatim BD-R
-- (media ID VERBAT-IMe-000).  Try emulated:optiarc_ad7590s_dvdpr_dl (MKM-003-00) or
-- emulated:nec_nd3540a_dvdprw (RICOHJPN-W11-00).
local cdperf = require "cdperf"

local RULES = {
  { "MKM-003*", "at-most=8" },        -- Verbatim DVD+R DL: no faster than 8x
  { "VERBAT-IMe*", "at-most=6" },     -- Verbatim BD-R: 6x
  { "RICOHJPN*", "min" },             -- Ricoh DVD+RW: the slowest
}
local OTHERWISE = "max"

local words = {}
for i, rule in ipairs(RULES) do words[i] = "media=" .. rule[1] .. "," .. rule[2] end
words[#words + 1] = OTHERWISE
local policy = table.concat(words, "|")

local function open_drive(opts)
  if arg[1] then return cdperf.open(arg[1], opts) end
  local model = cdperf.emulator.deepcopy(cdperf.emulator.models.lg_wh16ns40_bdr)
  model.quirks = { requires_write = true }
  return cdperf.open(cdperf.emulator.new(model, { write = opts and opts.write }), opts)
end

local drive <close> = assert(open_drive())
local snap = cdperf.snapshot(drive)       -- reads the media ID where the medium has one
local list = assert(cdperf.speeds.list(snap))
local m = snap.media_id
print("medium:   " .. snap.profile.name)
print("media ID: " .. (m and m.text ~= "" and (m.text .. " (" .. m.source .. ")")
  or snap.atip and snap.atip.manufacturer or "none read"))
print("policy:   " .. policy)
local entry, why = assert(cdperf.speeds.pick(list, policy))
print("speed:    " .. cdperf.format.speed(entry.write, list.class))
print("why:      " .. why)
