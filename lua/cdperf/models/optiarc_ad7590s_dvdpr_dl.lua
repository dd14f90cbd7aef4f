-- Capture E: Optiarc DVD RW AD-7590S 1.00, blank DVD+R Double Layer. Three write
-- performance zones (ZCLV) 3324@[0 -> 393215], 5540@[393216 -> 1114111],
-- 8310@[1114112 -> 4173824]; three write-speed descriptors R 8310, W 8310/5540/3324, End LBA
-- 4173824 (= the capacity). Page 2Ah from the wodim -prcap lines: max/current read 8310,
-- max/current write 8310, speeds 8310/5540/3324 CLV.
-- Derived: the read curve (flat 8310, the descriptors' read speed), buffer 2048 KB.
-- Media ID MKM/003 (ADIP), from the capture's "Media ID:" line; its revision is not in the
-- capture (0 here).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local function d(w)
  return { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 4173824,
           read_speed = 8310, write_speed = w }
end
return {
  name = "optiarc_ad7590s_dvdpr_dl",
  source = "Capture E: Optiarc DVD RW AD-7590S 1.00, blank DVD+R DL, zoned performance"
    .. " (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "Optiarc", product = "DVD RW AD-7590S", revision = "1.00" },
  profile = 0x2B,
  capacity = 4173824,
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "MKM", media_type = "003", revision = 0, source = "ADIP", book = "DVD+R DL" },
  write_speeds = { d(8310), d(5540), d(3324) },
  performance = {
    read = { { start_lba = 0, start_performance = 8310, end_lba = 4173824, end_performance = 8310 } },
    write = {
      { start_lba = 0, start_performance = 3324, end_lba = 393215, end_performance = 3324 },
      { start_lba = 393216, start_performance = 5540, end_lba = 1114111, end_performance = 5540 },
      { start_lba = 1114112, start_performance = 8310, end_lba = 4173824, end_performance = 8310 },
    },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 8310, current_read_speed = 8310,
    max_write_speed = 8310, current_write_speed = 8310, current_write_speed_selected = 8310,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = {
      { speed = 8310, rotation_control = 0 }, { speed = 5540, rotation_control = 0 },
      { speed = 3324, rotation_control = 0 },
    },
  },
  unsupported = {},
  quirks = {},
}
